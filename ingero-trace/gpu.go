package trace

import (
	"ingero.dev/common/event"
	"ingero.dev/common/gpu"
)

// gpuSummary names the GPUs and driver for the session row. A host without
// the NVIDIA driver records empty fields: tracing works without NVML.
func gpuSummary() (model, driver string) {
	info, err := gpu.Query()
	if err != nil {
		return "", ""
	}
	return info.Summary()
}

// gpuSampler starts NVML for the per-second utilization samples; nil on a
// host without it, where snapshots simply carry no GPU utilization.
func gpuSampler() *gpu.Sampler {
	s, err := gpu.NewSampler()
	if err != nil {
		return nil
	}
	return s
}

// gpuUtil is a sample in the event model's terms.
func gpuUtil(us []gpu.Utilization) []event.GPUUtil {
	if len(us) == 0 {
		return nil
	}
	out := make([]event.GPUUtil, 0, len(us))
	for _, u := range us {
		g := event.GPUUtil{GPU: int32(u.Index), UtilPct: u.GPUPct, MemPct: u.MemPct}
		for _, p := range u.Procs {
			g.Procs = append(g.Procs, event.GPUProcUtil{PID: p.PID, SMPct: p.SMPct, MemPct: p.MemPct})
		}
		out = append(out, g)
	}
	return out
}
