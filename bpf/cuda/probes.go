package cuda

import "ingero.dev/common/event"

// kind says how a function is probed.
type kind uint8

const (
	// kindCall: entry and return; one record at return with a duration.
	kindCall kind = iota
	// kindLaunch: a driver launch, entry only unless --launch-latency.
	kindLaunch
	// kindRuntimeLaunch: the runtime's launch, attached only where launches
	// count at the runtime layer (README.md, "Counting launches").
	kindRuntimeLaunch
)

// probe ties an exported function to the program that reads its arguments
// and the cookie that tells enter_call which function fired.
type probe struct {
	symbol   string
	prog     string
	cookie   uint64 // source<<8 | op, as KEY() in cuda.c
	kind     kind
	optional bool // absent from many builds (per-thread-stream variants)
}

func call(symbol string, src event.Source, op event.Op) probe {
	return probe{symbol, cudaProgEnterCall, uint64(src)<<8 | uint64(op), kindCall, false}
}

func optional(p probe) probe {
	p.optional = true
	return p
}

func rt(symbol string, op event.Op) probe  { return call(symbol, event.SourceCUDA, op) }
func drv(symbol string, op event.Op) probe { return call(symbol, event.SourceDriver, op) }

// runtimeProbes are the libcudart functions. The _ptds/_ptsz variants are
// what code built with --default-stream per-thread calls instead.
var runtimeProbes = []probe{
	rt("cudaMalloc", event.CudaMalloc),
	rt("cudaMallocManaged", event.CudaMallocManaged),
	rt("cudaMallocHost", event.CudaMallocHost),
	rt("cudaFree", event.CudaFree),
	rt("cudaFreeHost", event.CudaFreeHost),
	rt("cudaMemcpy", event.CudaMemcpy),
	optional(rt("cudaMemcpy_ptds", event.CudaMemcpy)),
	rt("cudaMemcpyAsync", event.CudaMemcpyAsync),
	optional(rt("cudaMemcpyAsync_ptsz", event.CudaMemcpyAsync)),
	rt("cudaMemcpy2D", event.CudaMemcpy2D),
	optional(rt("cudaMemcpy2D_ptds", event.CudaMemcpy2D)),
	rt("cudaMemcpy2DAsync", event.CudaMemcpy2DAsync),
	optional(rt("cudaMemcpy2DAsync_ptsz", event.CudaMemcpy2DAsync)),
	rt("cudaMemcpyPeer", event.CudaMemcpyPeer),
	rt("cudaMemcpyPeerAsync", event.CudaMemcpyPeerAsync),
	rt("cudaStreamSynchronize", event.CudaStreamSynchronize),
	optional(rt("cudaStreamSynchronize_ptsz", event.CudaStreamSynchronize)),
	rt("cudaDeviceSynchronize", event.CudaDeviceSynchronize),
	rt("cudaEventSynchronize", event.CudaEventSynchronize),
}

// graphProbes are libcudart's graph lifecycle: capture, instantiate and
// launch (source graph). The instantiate variants share one op; the cookie's
// third byte says which one fired.
var graphProbes = []probe{
	graph("cudaStreamBeginCapture", event.GraphBeginCapture, 0),
	optional(graph("cudaStreamBeginCapture_ptsz", event.GraphBeginCapture, 0)),
	graph("cudaStreamEndCapture", event.GraphEndCapture, 0),
	optional(graph("cudaStreamEndCapture_ptsz", event.GraphEndCapture, 0)),
	graph("cudaGraphInstantiate", event.GraphInstantiate, 0),
	optional(graph("cudaGraphInstantiateWithFlags", event.GraphInstantiate, 1)),
	optional(graph("cudaGraphInstantiateWithParams", event.GraphInstantiate, 2)),
	optional(graph("cudaGraphInstantiateWithParams_ptsz", event.GraphInstantiate, 2)),
	graph("cudaGraphLaunch", event.GraphLaunch, 0),
	optional(graph("cudaGraphLaunch_ptsz", event.GraphLaunch, 0)),
}

// driverGraphProbes: the driver's graph launch, for code that launches
// graphs without the runtime.
var driverGraphProbes = []probe{
	optional(graph("cuGraphLaunch", event.GraphCuLaunch, 0)),
	optional(graph("cuGraphLaunch_ptsz", event.GraphCuLaunch, 0)),
}

// runtimeSet and driverSet are every call-path probe of each library.
func runtimeSet() []probe { return append(append([]probe(nil), runtimeProbes...), graphProbes...) }
func driverSet() []probe  { return append(append([]probe(nil), driverProbes...), driverGraphProbes...) }

func graph(symbol string, op event.Op, variant uint64) probe {
	return probe{symbol, cudaProgGraphCall, uint64(event.SourceGraph)<<8 | uint64(op) | variant<<16, kindCall, false}
}

// runtimeLaunchProbes are attached only where a process's launches count
// at the runtime layer.
var runtimeLaunchProbes = []probe{
	{"cudaLaunchKernel", cudaProgCudaLaunchKernel, 0, kindRuntimeLaunch, false},
	{"cudaLaunchKernel_ptsz", cudaProgCudaLaunchKernel, 0, kindRuntimeLaunch, true},
}

// driverProbes are the libcuda functions, by the versioned names the
// headers map the plain ones to.
var driverProbes = []probe{
	{"cuLaunchKernel", cudaProgCuLaunchKernel, 0, kindLaunch, false},
	{"cuLaunchKernel_ptsz", cudaProgCuLaunchKernel, 0, kindLaunch, true},
	{"cuLaunchKernelEx", cudaProgCuLaunchKernelEx, 0, kindLaunch, false},
	{"cuLaunchKernelEx_ptsz", cudaProgCuLaunchKernelEx, 0, kindLaunch, true},
	drv("cuMemAlloc_v2", event.CuMemAlloc),
	drv("cuMemAllocManaged", event.CuMemAllocManaged),
	drv("cuMemFree_v2", event.CuMemFree),
	drv("cuMemcpy", event.CuMemcpy),
	optional(drv("cuMemcpy_ptds", event.CuMemcpy)),
	drv("cuMemcpyAsync", event.CuMemcpyAsync),
	optional(drv("cuMemcpyAsync_ptsz", event.CuMemcpyAsync)),
	drv("cuMemcpyHtoD_v2", event.CuMemcpyHtoD),
	optional(drv("cuMemcpyHtoD_v2_ptds", event.CuMemcpyHtoD)),
	drv("cuMemcpyDtoH_v2", event.CuMemcpyDtoH),
	optional(drv("cuMemcpyDtoH_v2_ptds", event.CuMemcpyDtoH)),
	drv("cuMemcpyDtoD_v2", event.CuMemcpyDtoD),
	optional(drv("cuMemcpyDtoD_v2_ptds", event.CuMemcpyDtoD)),
	drv("cuMemcpyHtoDAsync_v2", event.CuMemcpyHtoDAsync),
	optional(drv("cuMemcpyHtoDAsync_v2_ptsz", event.CuMemcpyHtoDAsync)),
	drv("cuMemcpyDtoHAsync_v2", event.CuMemcpyDtoHAsync),
	optional(drv("cuMemcpyDtoHAsync_v2_ptsz", event.CuMemcpyDtoHAsync)),
	drv("cuMemcpyDtoDAsync_v2", event.CuMemcpyDtoDAsync),
	optional(drv("cuMemcpyDtoDAsync_v2_ptsz", event.CuMemcpyDtoDAsync)),
	drv("cuStreamSynchronize", event.CuStreamSynchronize),
	optional(drv("cuStreamSynchronize_ptsz", event.CuStreamSynchronize)),
	drv("cuCtxSynchronize", event.CuCtxSynchronize),
}

// needsReturn says whether the function gets the return program.
func (p probe) needsReturn(launchLatency bool) bool {
	if p.kind == kindCall {
		return true
	}
	return launchLatency
}
