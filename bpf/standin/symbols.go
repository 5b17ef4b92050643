package standin

// RuntimeSymbols is exactly what the stand-in libcudart.so.12 exports, all in
// the version node "libcudart.so.12", as the real library does.
var RuntimeSymbols = []string{
	"cudaDeviceSynchronize",
	"cudaEventCreate",
	"cudaEventDestroy",
	"cudaEventRecord",
	"cudaEventSynchronize",
	"cudaFree",
	"cudaFreeHost",
	"cudaGetLastError",
	"cudaGraphDestroy",
	"cudaGraphExecDestroy",
	"cudaGraphInstantiate",
	"cudaGraphInstantiateWithFlags",
	"cudaGraphLaunch",
	"cudaLaunchKernel",
	"cudaLaunchKernel_ptsz",
	"cudaMalloc",
	"cudaMallocHost",
	"cudaMallocManaged",
	"cudaMemcpy",
	"cudaMemcpy2D",
	"cudaMemcpy2DAsync",
	"cudaMemcpyAsync",
	"cudaMemcpyPeer",
	"cudaMemcpyPeerAsync",
	"cudaStreamBeginCapture",
	"cudaStreamCreate",
	"cudaStreamDestroy",
	"cudaStreamEndCapture",
	"cudaStreamSynchronize",
}

// DriverSymbols is exactly what the stand-in libcuda.so.1 exports,
// unversioned, as the real library does.
var DriverSymbols = []string{
	"cuCtxSynchronize",
	"cuGetExportTable",
	"cuGetProcAddress",
	"cuGetProcAddress_v2",
	"cuGraphLaunch",
	"cuInit",
	"cuLaunchKernel",
	"cuLaunchKernelEx",
	"cuLaunchKernel_ptsz",
	"cuMemAllocManaged",
	"cuMemAlloc_v2",
	"cuMemFree_v2",
	"cuMemcpy",
	"cuMemcpyAsync",
	"cuMemcpyDtoDAsync_v2",
	"cuMemcpyDtoD_v2",
	"cuMemcpyDtoHAsync_v2",
	"cuMemcpyDtoH_v2",
	"cuMemcpyHtoDAsync_v2",
	"cuMemcpyHtoD_v2",
	"cuStreamSynchronize",
}

// RuntimeVersionNode is the symbol version of every RuntimeSymbols entry.
const RuntimeVersionNode = "libcudart.so.12"

// versionScript keeps everything but syms out of the dynamic symbol table;
// node is "" for unversioned exports.
func versionScript(node string, syms []string) []byte {
	b := []byte(node + " {\n\tglobal:\n")
	for _, s := range syms {
		b = append(b, "\t\t"+s+";\n"...)
	}
	return append(b, "\tlocal: *;\n};\n"...)
}

// NCCLSymbols is what the stand-in libnccl.so.2 exports, unversioned.
var NCCLSymbols = []string{
	"ncclAllGather",
	"ncclAllReduce",
	"ncclBroadcast",
	"ncclCommDestroy",
	"ncclCommInitRank",
	"ncclGetUniqueId",
	"ncclGetVersion",
	"ncclRecv",
	"ncclReduceScatter",
	"ncclSend",
}
