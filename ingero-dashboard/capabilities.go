package dashboard

import (
	"context"
	"fmt"
	"net/http"

	"ingero.dev/common/event"
	"ingero.dev/common/store"
)

// capability is one line of the manifest: a metric the page can show,
// whether this recording has it, and when not, what would provide it.
type capability struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Panel string `json:"panel"`
	// Status is "available" (the recording has it), "no-data" (ingero
	// collects it, this recording holds none) or "not-collected" (ingero
	// does not collect it; Needs names what does).
	Status string `json:"status"`
	Needs  string `json:"needs,omitempty"`
	Note   string `json:"note"`
}

type capabilitiesJSON struct {
	Available    int          `json:"available"`
	Capabilities []capability `json:"capabilities"`
}

// probe tells whether a recording holds data for a capability.
type probe func(h *holdings) bool

// holdings is what the recording holds, read once per answer.
type holdings struct {
	sources   map[event.Source]bool
	classes   map[event.Class]bool
	snapshots bool
	stacks    bool
	chains    bool
	gpuInfo   bool
}

type capSpec struct {
	id, name, panel string
	has             probe  // nil: ingero never collects it
	needs           string // what collects it (when has is nil), or what trace needs (when it is not)
	note            string
}

func hasSource(s event.Source) probe { return func(h *holdings) bool { return h.sources[s] } }
func hasClass(c event.Class) probe   { return func(h *holdings) bool { return h.classes[c] } }

var capSpecs = []capSpec{
	{"cuda-runtime", "CUDA runtime API latency", "CUDA", hasSource(event.SourceCUDA), "ingero trace with libcudart found (uprobes)", "every cudaMalloc, cudaMemcpy, cudaStreamSynchronize… with its duration"},
	{"cuda-driver", "CUDA driver API latency", "CUDA", hasSource(event.SourceDriver), "ingero trace with libcuda found (uprobes)", "cuLaunchKernel, cuMemAlloc, cuCtxSynchronize…"},
	{"kernel-launches", "Kernel launch rate", "CUDA", hasClass(event.ClassLaunch), "ingero trace on a process that launches kernels", "launches per second, per process"},
	{"memcpy", "Host/device copies", "CUDA", hasClass(event.ClassMemcpy), "ingero trace on a process that copies", "cudaMemcpy* and cuMemcpy* sizes and durations"},
	{"gpu-memory-calls", "GPU allocations and frees", "CUDA", func(h *holdings) bool { return h.classes[event.ClassAlloc] || h.classes[event.ClassFree] }, "ingero trace on a process that allocates", "allocation sizes, leaks (explain's memory rules)"},
	{"cuda-graphs", "CUDA graph capture and launch", "CUDA", hasSource(event.SourceGraph), "ingero trace on a process that captures and launches CUDA graphs", "capture, instantiate and launch counts and durations"},
	{"nccl", "NCCL collectives", "CUDA", hasSource(event.SourceNCCL), "ingero trace on a process that maps libnccl (uprobes)", "all-reduce, all-gather… sizes and durations"},
	{"cpu-scheduling", "CPU scheduling of traced processes", "HOST", hasClass(event.ClassSched), "ingero trace as root (sched tracepoints)", "preemptions, off-CPU time, who took the CPU"},
	{"process-lifecycle", "Process fork, exec and exit", "HOST", hasClass(event.ClassProcess), "ingero trace as root", "process tree and exit codes"},
	{"host-memory", "OOM kills and page allocation", "HOST", hasClass(event.ClassMemory), "ingero trace as root", "oom_kill victims, page allocation pressure"},
	{"block-io", "Block IO", "STORAGE", hasSource(event.SourceIO), "ingero trace as root (block tracepoints)", "every block request, timed issue to completion"},
	{"network", "TCP retransmits and socket IO", "NETWORK", func(h *holdings) bool { return h.sources[event.SourceTCP] || h.sources[event.SourceNet] }, "ingero trace: retransmits host-wide, sends and receives of traced processes", "retransmits, bytes sent and received"},
	{"system", "Host CPU, memory, swap and load", "SYSTEM", func(h *holdings) bool { return h.snapshots }, "ingero trace (samples /proc once a second)", "the system charts"},
	{"stacks", "Call stacks", "CUDA", func(h *holdings) bool { return h.stacks }, "ingero trace --stack", "the code path behind each call"},
	{"causal-chains", "Causal chains", "CHAINS", func(h *holdings) bool { return h.chains }, "ingero trace (finds chains live) over a slow workload", "root cause and fix per finding"},
	{"gpu-info", "GPU model, driver and CUDA version", "SYSTEM", func(h *holdings) bool { return h.gpuInfo }, "ingero trace on a host with an NVIDIA driver (NVML)", "shown in the header"},
	{"gpu-utilization", "GPU and SM utilisation", "GPU", nil, "NVML or DCGM (nvidia-smi dmon, dcgmi dmon)", "ingero sees API calls, not the GPU's own counters"},
	{"gpu-kernel-time", "Kernel execution time on the GPU", "GPU", nil, "CUPTI (Nsight Systems)", "a launch's duration here is the CPU side of the call"},
	{"gpu-memory-used", "GPU memory in use", "GPU", nil, "NVML (nvidia-smi --query-gpu=memory.used)", "allocation calls are traced, device totals are not"},
	{"gpu-power-thermal", "GPU power, temperature and clocks", "GPU", nil, "NVML or DCGM", "throttling shows here first"},
	{"pcie", "PCIe throughput", "PCIe BUS", nil, "DCGM (DCGM_FI_PROF_PCIE_TX_BYTES/RX_BYTES)", "copy sizes are traced, bus load is not"},
	{"nvlink", "NVLink traffic", "GPU", nil, "DCGM (DCGM_FI_PROF_NVLINK_TX_BYTES)", ""},
	{"rdma", "RDMA / InfiniBand counters", "NETWORK", nil, "rdma-core (perfquery) or DCGM", ""},
	{"nvtx", "NVTX ranges", "CUDA", nil, "libnvToolsExt (Nsight Systems)", "use ingero annotations for phases instead"},
	{"xid-ecc", "Xid and ECC errors", "GPU", nil, "NVML or DCGM health checks", ""},
}

func (a *api) capabilities(_ context.Context, r *store.Reader, _ *http.Request) (any, error) {
	h, err := readHoldings(r)
	if err != nil {
		return nil, err
	}
	out := capabilitiesJSON{Capabilities: make([]capability, 0, len(capSpecs))}
	for _, s := range capSpecs {
		c := capability{ID: s.id, Name: s.name, Panel: s.panel, Note: s.note}
		switch {
		case s.has == nil:
			c.Status, c.Needs = "not-collected", s.needs
		case s.has(h):
			c.Status = "available"
			out.Available++
		default:
			c.Status, c.Needs = "no-data", s.needs
		}
		out.Capabilities = append(out.Capabilities, c)
	}
	return out, nil
}

func readHoldings(r *store.Reader) (*holdings, error) {
	h := &holdings{sources: map[event.Source]bool{}, classes: map[event.Class]bool{}}
	// DISTINCT over the (source, op) index reads no chunk.
	res, err := r.Query(context.Background(), 0, `SELECT DISTINCT source, op FROM chunk_ops`)
	if err != nil {
		return nil, fmt.Errorf("listing recorded ops: %w", err)
	}
	for _, row := range res.Rows {
		s, o := event.Source(row[0].(int64)), event.Op(row[1].(int64))
		h.sources[s] = true
		if info, ok := event.LookupOp(s, o); ok {
			h.classes[info.Class] = true
		}
	}
	res, err = r.Query(context.Background(), 1, `SELECT
		EXISTS (SELECT 1 FROM snapshots), EXISTS (SELECT 1 FROM stacks), EXISTS (SELECT 1 FROM chains),
		EXISTS (SELECT 1 FROM sessions WHERE gpu_model != '')`)
	if err != nil {
		return nil, fmt.Errorf("reading what the recording holds: %w", err)
	}
	row := res.Rows[0]
	h.snapshots, h.stacks, h.chains, h.gpuInfo = row[0].(int64) == 1, row[1].(int64) == 1, row[2].(int64) == 1, row[3].(int64) == 1
	return h, nil
}
