package cuda

// kind says how a function is probed.
type kind uint8

const (
	// kindCall: entry and return; one record at return with a duration.
	kindCall kind = iota
	// kindLaunch: a driver launch, entry only unless --launch-latency.
	kindLaunch
	// kindRuntimeLaunch: the runtime's launch, attached only where launches
	// count at the runtime layer (see README.md, "Counting launches").
	kindRuntimeLaunch
)

// probe ties an exported function to the program that reads its arguments.
type probe struct {
	symbol   string
	prog     string
	kind     kind
	optional bool // absent from many builds (per-thread-stream variants)
}

// runtimeProbes are the libcudart functions. The _ptds/_ptsz variants are
// what code built with --default-stream per-thread calls instead.
var runtimeProbes = []probe{
	{"cudaMalloc", cudaProgCudaMalloc, kindCall, false},
	{"cudaMallocManaged", cudaProgCudaMallocManaged, kindCall, false},
	{"cudaMallocHost", cudaProgCudaMallocHost, kindCall, false},
	{"cudaFree", cudaProgCudaFree, kindCall, false},
	{"cudaFreeHost", cudaProgCudaFreeHost, kindCall, false},
	{"cudaMemcpy", cudaProgCudaMemcpy, kindCall, false},
	{"cudaMemcpy_ptds", cudaProgCudaMemcpy, kindCall, true},
	{"cudaMemcpyAsync", cudaProgCudaMemcpyAsync, kindCall, false},
	{"cudaMemcpyAsync_ptsz", cudaProgCudaMemcpyAsync, kindCall, true},
	{"cudaMemcpy2D", cudaProgCudaMemcpy2D, kindCall, false},
	{"cudaMemcpy2D_ptds", cudaProgCudaMemcpy2D, kindCall, true},
	{"cudaMemcpy2DAsync", cudaProgCudaMemcpy2DAsync, kindCall, false},
	{"cudaMemcpy2DAsync_ptsz", cudaProgCudaMemcpy2DAsync, kindCall, true},
	{"cudaMemcpyPeer", cudaProgCudaMemcpyPeer, kindCall, false},
	{"cudaMemcpyPeerAsync", cudaProgCudaMemcpyPeerAsync, kindCall, false},
	{"cudaStreamSynchronize", cudaProgCudaStreamSynchronize, kindCall, false},
	{"cudaStreamSynchronize_ptsz", cudaProgCudaStreamSynchronize, kindCall, true},
	{"cudaDeviceSynchronize", cudaProgCudaDeviceSynchronize, kindCall, false},
	{"cudaEventSynchronize", cudaProgCudaEventSynchronize, kindCall, false},
	{"cudaLaunchKernel", cudaProgCudaLaunchKernel, kindRuntimeLaunch, false},
	{"cudaLaunchKernel_ptsz", cudaProgCudaLaunchKernel, kindRuntimeLaunch, true},
}

// driverProbes are the libcuda functions, by the versioned names the
// headers map the plain ones to.
var driverProbes = []probe{
	{"cuLaunchKernel", cudaProgCuLaunchKernel, kindLaunch, false},
	{"cuLaunchKernel_ptsz", cudaProgCuLaunchKernel, kindLaunch, true},
	{"cuLaunchKernelEx", cudaProgCuLaunchKernelEx, kindLaunch, false},
	{"cuLaunchKernelEx_ptsz", cudaProgCuLaunchKernelEx, kindLaunch, true},
	{"cuMemAlloc_v2", cudaProgCuMemAlloc, kindCall, false},
	{"cuMemAllocManaged", cudaProgCuMemAllocManaged, kindCall, false},
	{"cuMemFree_v2", cudaProgCuMemFree, kindCall, false},
	{"cuMemcpy", cudaProgCuMemcpy, kindCall, false},
	{"cuMemcpy_ptds", cudaProgCuMemcpy, kindCall, true},
	{"cuMemcpyAsync", cudaProgCuMemcpyAsync, kindCall, false},
	{"cuMemcpyAsync_ptsz", cudaProgCuMemcpyAsync, kindCall, true},
	{"cuMemcpyHtoD_v2", cudaProgCuMemcpyHtoD, kindCall, false},
	{"cuMemcpyHtoD_v2_ptds", cudaProgCuMemcpyHtoD, kindCall, true},
	{"cuMemcpyDtoH_v2", cudaProgCuMemcpyDtoH, kindCall, false},
	{"cuMemcpyDtoH_v2_ptds", cudaProgCuMemcpyDtoH, kindCall, true},
	{"cuMemcpyDtoD_v2", cudaProgCuMemcpyDtoD, kindCall, false},
	{"cuMemcpyDtoD_v2_ptds", cudaProgCuMemcpyDtoD, kindCall, true},
	{"cuMemcpyHtoDAsync_v2", cudaProgCuMemcpyHtoDAsync, kindCall, false},
	{"cuMemcpyHtoDAsync_v2_ptsz", cudaProgCuMemcpyHtoDAsync, kindCall, true},
	{"cuMemcpyDtoHAsync_v2", cudaProgCuMemcpyDtoHAsync, kindCall, false},
	{"cuMemcpyDtoHAsync_v2_ptsz", cudaProgCuMemcpyDtoHAsync, kindCall, true},
	{"cuMemcpyDtoDAsync_v2", cudaProgCuMemcpyDtoDAsync, kindCall, false},
	{"cuMemcpyDtoDAsync_v2_ptsz", cudaProgCuMemcpyDtoDAsync, kindCall, true},
	{"cuStreamSynchronize", cudaProgCuStreamSynchronize, kindCall, false},
	{"cuStreamSynchronize_ptsz", cudaProgCuStreamSynchronize, kindCall, true},
	{"cuCtxSynchronize", cudaProgCuCtxSynchronize, kindCall, false},
}

// needsReturn says whether the function gets the return program.
func (p probe) needsReturn(launchLatency bool) bool {
	switch p.kind {
	case kindCall:
		return true
	default:
		return launchLatency
	}
}
