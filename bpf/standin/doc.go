// Package standin builds stand-in CUDA libraries and a test workload, so
// that ingero's eBPF probes can be tested end to end on machines with no GPU.
//
// Build compiles, with gcc, a libcudart.so.12 and a libcuda.so.1 that export
// the real symbol names with the real C signatures (RuntimeSymbols,
// DriverSymbols) and busy-wait for realistic times (Config), plus a workload
// that calls them in known patterns and prints its own call counts
// (ParseCounts), and a busy program that burns CPU under a chosen name.
//
// The runtime reaches the driver the way CUDA 12/13 runtimes do: at its first
// call it runs dlopen("libcuda.so.1"), looks up cuGetProcAddress_v2 with
// dlsym, and asks it for every other entry point. Driver calls made on behalf
// of a runtime call are therefore indirect calls from libcudart's text into
// the exported driver functions: a uprobe on a driver symbol sees them, with
// a return address inside libcudart. With STANDIN_RUNTIME_ONLY=1 the runtime
// does the same work through a private table (cuGetExportTable) instead, so
// no exported driver function runs below a runtime call, as on older stacks.
//
// Besides patterns that exercise the API, the workload runs training steps
// for demos with planted slowdowns: train (a 4 MiB async input copy from
// pinned memory, 48 kernels of which every sixth goes straight to the
// driver, one stream sync), train-churn (plus six cudaMalloc and six
// cudaFree a step, as torch.cuda.empty_cache() in the loop), train-copy
// (plus a synchronous 256 MiB copy from pageable memory), train-input
// (train after 20 ms of CPU work building the batch: an input-bound loop)
// and train-ckpt (train, and every second the loop itself writes a 128 MiB
// checkpoint to $STANDIN_CKPT_DIR and fsyncs it) and train-paging (train,
// and a read of every page of a 64 MiB working set: a file memory-mapped
// from $STANDIN_DATA_DIR, or anonymous memory). Their stream and
// buffers are made once per process, on the first step. With
// STANDIN_DEVICE_FILE (Config.DeviceFile) processes share one simulated GPU,
// so a second job's kernels delay the first one's syncs.
//
// A libnccl.so.2 stand-in (NCCLSymbols, real signatures) lets processes on
// one host act as the ranks of a communicator: the ncclUniqueId names a
// shared-memory file ($STANDIN_NCCL_ID picks it) in which each collective
// busy-waits for every rank's arrival, then for its transfer time. The
// nccl-ranks pattern is one rank of a data-parallel loop (compute, kernel,
// 4 MiB all-reduce, sync), with STANDIN_NCCL_SLOW_RANK slowed by
// STANDIN_NCCL_SLOW_NS a step. The graph-life pattern plays a CUDA graph's
// whole life with its troubles: a global-mode capture broken by cudaMalloc
// (900, then 901 at EndCapture), a capture that runs out of memory, an exec
// never launched, fast replays (some through cuGraphLaunch directly, the
// runtime's own going through the driver's cuGraphLaunch), then re-capture.
//
// The C sources live in csrc/, which holds no Go, so go build never compiles
// them; they are embedded and written out by Build.
package standin
