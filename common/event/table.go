package event

// The tables below are the contract: ids never change meaning. docs/events.md
// is checked against them by a test.

var sourceTable = []SourceInfo{
	{SourceCUDA, "cuda", "CUDA", "CUDA runtime API calls (libcudart uprobes)"},
	{SourceDriver, "driver", "DRIVER", "CUDA driver API calls (libcuda uprobes)"},
	{SourceGraph, "graph", "GRAPH", "CUDA graph capture, instantiate and launch"},
	{SourceHost, "host", "HOST", "scheduler, process lifecycle and memory tracepoints"},
	{SourceIO, "io", "IO", "block device requests"},
	{SourceTCP, "tcp", "NET", "TCP retransmissions"},
	{SourceNet, "net", "NET", "socket sends and receives"},
	{SourceNCCL, "nccl", "NCCL", "NCCL collectives and communicator setup"},
	{SourceSystem, "system", "SYSTEM", "the tracer itself: drops and sampling"},
}

// Runtime ops.
const (
	CudaMalloc Op = iota + 1
	CudaFree
	CudaMallocManaged
	CudaMallocHost
	CudaLaunchKernel
	CudaMemcpy
	CudaMemcpyAsync
	CudaMemcpy2D
	CudaMemcpy2DAsync
	CudaMemcpyPeer
	CudaMemcpyPeerAsync
	CudaStreamSynchronize
	CudaDeviceSynchronize
	CudaEventSynchronize
	CudaFreeHost
)

// Driver ops.
const (
	CuLaunchKernel Op = iota + 1
	CuLaunchKernelEx
	CuMemAlloc
	CuMemFree
	CuMemAllocManaged
	CuMemcpy
	CuMemcpyAsync
	CuMemcpyHtoD
	CuMemcpyDtoH
	CuMemcpyDtoD
	CuMemcpyHtoDAsync
	CuMemcpyDtoHAsync
	CuMemcpyDtoDAsync
	CuStreamSynchronize
	CuCtxSynchronize
)

// Graph ops.
const (
	GraphBeginCapture Op = iota + 1
	GraphEndCapture
	GraphInstantiate
	GraphLaunch
	GraphCuLaunch
)

// Host ops.
const (
	SchedSwitch Op = iota + 1
	SchedWakeup
	ProcessFork
	ProcessExec
	ProcessExit
	OOMKill
	PageAlloc
	CPUContention
	FaultMinor
	FaultFile
	SwapIn
	Reclaim
	Compaction
	MemUsage
)

// IO, TCP and net ops.
const (
	BlockRead Op = iota + 1
	BlockWrite
	BlockDiscard
	BlockFlush
)

const TCPRetransmit Op = 1

const (
	NetSend Op = iota + 1
	NetRecv
)

// NCCL ops.
const (
	NCCLAllReduce Op = iota + 1
	NCCLAllGather
	NCCLReduceScatter
	NCCLBroadcast
	NCCLSend
	NCCLRecv
	NCCLCommInitRank
	NCCLCommDestroy
)

// System ops.
const (
	Drops Op = iota + 1
	SamplingChange
)

var opTable = []OpInfo{
	{SourceCUDA, CudaMalloc, "cudaMalloc", ClassAlloc, "device allocation; args: size, device pointer"},
	{SourceCUDA, CudaFree, "cudaFree", ClassFree, "device free; args: device pointer, freed size when paired"},
	{SourceCUDA, CudaMallocManaged, "cudaMallocManaged", ClassAlloc, "unified-memory allocation; args: size, pointer, flags"},
	{SourceCUDA, CudaMallocHost, "cudaMallocHost", ClassAlloc, "pinned host allocation; args: size, pointer"},
	{SourceCUDA, CudaLaunchKernel, "cudaLaunchKernel", ClassLaunch, "kernel launch; args: function, stream, grid and block dims packed x | y<<32 | z<<48"},
	{SourceCUDA, CudaMemcpy, "cudaMemcpy", ClassMemcpy, "synchronous copy; args: bytes, kind"},
	{SourceCUDA, CudaMemcpyAsync, "cudaMemcpyAsync", ClassMemcpy, "asynchronous copy; args: bytes, kind, stream"},
	{SourceCUDA, CudaMemcpy2D, "cudaMemcpy2D", ClassMemcpy, "2D copy; args: bytes (width*height), kind"},
	{SourceCUDA, CudaMemcpy2DAsync, "cudaMemcpy2DAsync", ClassMemcpy, "2D async copy; args: bytes, kind, stream"},
	{SourceCUDA, CudaMemcpyPeer, "cudaMemcpyPeer", ClassMemcpy, "peer copy; args: bytes, kind (3=D2D), dst device, src device"},
	{SourceCUDA, CudaMemcpyPeerAsync, "cudaMemcpyPeerAsync", ClassMemcpy, "peer async copy; args: bytes, kind (3=D2D), stream, dst device<<32 | src device"},
	{SourceCUDA, CudaStreamSynchronize, "cudaStreamSynchronize", ClassSync, "wait for a stream; args: stream"},
	{SourceCUDA, CudaDeviceSynchronize, "cudaDeviceSynchronize", ClassSync, "wait for the device"},
	{SourceCUDA, CudaEventSynchronize, "cudaEventSynchronize", ClassSync, "wait for an event; args: event"},
	{SourceCUDA, CudaFreeHost, "cudaFreeHost", ClassFree, "pinned host free; args: pointer, freed size when paired"},

	{SourceDriver, CuLaunchKernel, "cuLaunchKernel", ClassLaunch, "kernel launch; args: function, stream, grid and block dims packed x | y<<32 | z<<48"},
	{SourceDriver, CuLaunchKernelEx, "cuLaunchKernelEx", ClassLaunch, "kernel launch with config; args: function, stream, grid and block dims packed x | y<<32 | z<<48"},
	{SourceDriver, CuMemAlloc, "cuMemAlloc", ClassAlloc, "device allocation; args: size, device pointer"},
	{SourceDriver, CuMemFree, "cuMemFree", ClassFree, "device free; args: device pointer, freed size when paired"},
	{SourceDriver, CuMemAllocManaged, "cuMemAllocManaged", ClassAlloc, "unified-memory allocation; args: size, pointer, flags"},
	{SourceDriver, CuMemcpy, "cuMemcpy", ClassMemcpy, "copy; args: bytes, kind"},
	{SourceDriver, CuMemcpyAsync, "cuMemcpyAsync", ClassMemcpy, "async copy; args: bytes, kind, stream"},
	{SourceDriver, CuMemcpyHtoD, "cuMemcpyHtoD", ClassMemcpy, "host to device copy; args: bytes, kind (1)"},
	{SourceDriver, CuMemcpyDtoH, "cuMemcpyDtoH", ClassMemcpy, "device to host copy; args: bytes, kind (2)"},
	{SourceDriver, CuMemcpyDtoD, "cuMemcpyDtoD", ClassMemcpy, "device to device copy; args: bytes, kind (3)"},
	{SourceDriver, CuMemcpyHtoDAsync, "cuMemcpyHtoDAsync", ClassMemcpy, "async host to device copy; args: bytes, kind, stream"},
	{SourceDriver, CuMemcpyDtoHAsync, "cuMemcpyDtoHAsync", ClassMemcpy, "async device to host copy; args: bytes, kind, stream"},
	{SourceDriver, CuMemcpyDtoDAsync, "cuMemcpyDtoDAsync", ClassMemcpy, "async device to device copy; args: bytes, kind, stream"},
	{SourceDriver, CuStreamSynchronize, "cuStreamSynchronize", ClassSync, "wait for a stream; args: stream"},
	{SourceDriver, CuCtxSynchronize, "cuCtxSynchronize", ClassSync, "wait for the context"},

	{SourceGraph, GraphBeginCapture, "cudaStreamBeginCapture", ClassGraph, "start capture; args: stream, mode"},
	{SourceGraph, GraphEndCapture, "cudaStreamEndCapture", ClassGraph, "end capture; args: stream, graph"},
	{SourceGraph, GraphInstantiate, "cudaGraphInstantiate", ClassGraph, "instantiate (cudaGraphInstantiate, …WithFlags, …WithParams); args: graph, exec, flags, variant (0 plain, 1 WithFlags, 2 WithParams)"},
	{SourceGraph, GraphLaunch, "cudaGraphLaunch", ClassGraph, "graph launch; args: exec, stream"},
	{SourceGraph, GraphCuLaunch, "cuGraphLaunch", ClassGraph, "driver graph launch made outside libcudart; args: exec, stream"},

	{SourceHost, SchedSwitch, "sched_switch", ClassSched, "off-CPU interval of a traced thread; duration = off-CPU time; peer = the task that held the CPU meanwhile (the one that took it, or the one that gave it back when that one ran for over half the interval); args: cpu at switch-out, preempted (1) or blocked (0), cpu at switch-in, state at switch-out (prev_state: 1 S sleeping, 2 D uninterruptible, e.g. disk IO; 0 runnable; recordings before it have 0)"},
	{SourceHost, SchedWakeup, "sched_wakeup", ClassSched, "traced thread woken; peer = waker; args: target cpu, waker cpu"},
	{SourceHost, ProcessFork, "process_fork", ClassProcess, "traced process forked; peer = child"},
	{SourceHost, ProcessExec, "process_exec", ClassProcess, "traced process exec'd"},
	{SourceHost, ProcessExit, "process_exit", ClassProcess, "traced process exited; args: exit code"},
	{SourceHost, OOMKill, "oom_kill", ClassMemory, "OOM killer chose a victim; peer = victim; args: rss pages, total_vm pages, oom_score_adj"},
	{SourceHost, PageAlloc, "mm_page_alloc", ClassMemory, "page allocations; args: bytes"},
	{SourceHost, CPUContention, "cpu_contention", ClassSched, "per-second summary of another task on a traced CPU; peer = that task; duration = its on-CPU time; args: cpu, switches"},
	{SourceHost, FaultMinor, "mm_fault_minor", ClassMemory, "per-second summary of a traced thread's minor page faults; duration = time in them (reclaim and compaction inside left out); args: faults, slowest fault since tracing began (ns), write faults, instruction fetches"},
	{SourceHost, FaultFile, "mm_fault_file", ClassMemory, "per-second summary of a traced thread's major page faults on file mappings (the file was read); duration = time in them (reclaim and compaction inside left out); args: faults, slowest fault since tracing began (ns), write faults, instruction fetches"},
	{SourceHost, SwapIn, "mm_swap_in", ClassMemory, "per-second summary of a traced thread's major page faults on anonymous memory (swap-ins, zswap included); duration = time in them (reclaim and compaction inside left out); args: faults, slowest fault since tracing began (ns), write faults, instruction fetches"},
	{SourceHost, Reclaim, "mm_reclaim", ClassMemory, "a traced thread reclaimed memory before it could allocate; duration = the stall; args: kind (1 direct: the host is short, 2 cgroup: its cgroup is at its limit), pages reclaimed, allocation order"},
	{SourceHost, Compaction, "mm_compaction", ClassMemory, "a traced thread compacted memory before it could allocate; duration = the stall; args: allocation order, compaction status"},
	{SourceHost, MemUsage, "mem_usage", ClassMemory, "per-second memory of a traced process (/proc/PID/status); args: resident bytes, swapped-out bytes, anonymous resident bytes"},

	{SourceIO, BlockRead, "block_read", ClassIO, "block read; args: bytes, sector (512 B, of the whole disk), device (dev_t: major<<20|minor)"},
	{SourceIO, BlockWrite, "block_write", ClassIO, "block write; args: bytes, sector (512 B, of the whole disk), device (dev_t: major<<20|minor)"},
	{SourceIO, BlockDiscard, "block_discard", ClassIO, "block discard; args: bytes, sector (512 B, of the whole disk), device (dev_t: major<<20|minor)"},
	{SourceIO, BlockFlush, "block_flush", ClassIO, "block flush; args: device (dev_t: major<<20|minor)"},

	{SourceTCP, TCPRetransmit, "tcp_retransmit", ClassNet, "TCP retransmission, host-wide (the PID is whichever task the CPU ran); args: saddr, daddr (IPv4 in network byte order, 0 for IPv6), sport<<16|dport, address family"},

	{SourceNet, NetSend, "net_send", ClassNet, "sendto/sendmsg of a traced process; duration = the system call; args: fd, bytes"},
	{SourceNet, NetRecv, "net_recv", ClassNet, "recvfrom/recvmsg of a traced process; duration = the system call; args: fd, bytes"},

	{SourceNCCL, NCCLAllReduce, "ncclAllReduce", ClassCollective, "all-reduce; args: bytes, comm hash, stream, rank | nranks<<32"},
	{SourceNCCL, NCCLAllGather, "ncclAllGather", ClassCollective, "all-gather; args: bytes, comm hash, stream, rank | nranks<<32"},
	{SourceNCCL, NCCLReduceScatter, "ncclReduceScatter", ClassCollective, "reduce-scatter; args: bytes, comm hash, stream, rank | nranks<<32"},
	{SourceNCCL, NCCLBroadcast, "ncclBroadcast", ClassCollective, "broadcast; args: bytes, comm hash, stream, rank | nranks<<32"},
	{SourceNCCL, NCCLSend, "ncclSend", ClassCollective, "point-to-point send; args: bytes, comm hash, peer, rank | nranks<<32"},
	{SourceNCCL, NCCLRecv, "ncclRecv", ClassCollective, "point-to-point receive; args: bytes, comm hash, peer, rank | nranks<<32"},
	{SourceNCCL, NCCLCommInitRank, "ncclCommInitRank", ClassCollective, "communicator setup (ncclCommInitRank, …Config); args: nranks, rank, comm hash (of the ncclUniqueId: the same on every rank)"},
	{SourceNCCL, NCCLCommDestroy, "ncclCommDestroy", ClassCollective, "communicator teardown; args: comm handle, comm hash, 0, rank | nranks<<32"},

	{SourceSystem, Drops, "drops", ClassMeta, "events lost since the previous drops event; args: kernel ring-buffer drops, user-space drops, sampled-out"},
	{SourceSystem, SamplingChange, "sampling_change", ClassMeta, "adaptive sampling changed; args: new 1-in-N rate"},
}

// Aliases users type for long names (the spec's "cudaStreamSync").
var opAliases = map[string]string{
	"cudaStreamSync": "cudaStreamSynchronize",
	"cudaDeviceSync": "cudaDeviceSynchronize",
	"cudaEventSync":  "cudaEventSynchronize",
	"cuStreamSync":   "cuStreamSynchronize",
	"cuCtxSync":      "cuCtxSynchronize",
	"graphLaunch":    "cudaGraphLaunch",
}
