package gpu

import (
	"fmt"

	"github.com/NVIDIA/go-nvml/pkg/nvml"
)

// Utilization is one device's busy share over NVML's last sample period,
// and, where the driver gives it, each process's share of it.
type Utilization struct {
	Index  int
	GPUPct float64 // time a kernel was running; -1 when NVML would not say
	MemPct float64 // time device memory was read or written; -1 when unknown
	Procs  []ProcessUtilization
}

// ProcessUtilization is a process's share of a device, in percent.
type ProcessUtilization struct {
	PID    uint32
	SMPct  float64
	MemPct float64
}

// Sampler reads device and per-process utilization, once a second in
// trace. NVML stays initialised between samples.
type Sampler struct {
	lib     nvml.Interface
	devices []nvml.Device // nil where NVML gave no handle
	seen    []uint64      // per device: the newest process sample's timestamp (µs)
	perProc []bool        // per device: the driver answers per-process queries

	// Throttle's own state, apart from Sample's so the two may run in
	// different goroutines.
	noReasons []bool   // per device: the driver reports no clock-event reasons
	uuids     []string // per device, read once
}

// NewSampler starts NVML; the error wraps ErrNoNVML with the fix when
// there is no usable driver.
func NewSampler() (*Sampler, error) { return NewSamplerWith(nvml.New()) }

// NewSamplerWith samples through lib (go-nvml's mocks in tests).
func NewSamplerWith(lib nvml.Interface) (*Sampler, error) {
	if ret := lib.Init(); ret != nvml.SUCCESS {
		return nil, initError(ret)
	}
	count, ret := lib.DeviceGetCount()
	if ret != nvml.SUCCESS {
		lib.Shutdown()
		return nil, fmt.Errorf("counting GPUs: %w", ret)
	}
	s := &Sampler{lib: lib, devices: make([]nvml.Device, count), seen: make([]uint64, count), perProc: make([]bool, count)}
	for i := range count {
		if d, ret := lib.DeviceGetHandleByIndex(i); ret == nvml.SUCCESS {
			s.devices[i], s.perProc[i] = d, true
		}
	}
	return s, nil
}

// Sample reads every device. A device that stops answering reads -1; a
// driver without per-process accounting leaves Procs empty, and is not
// asked again.
func (s *Sampler) Sample() []Utilization {
	out := make([]Utilization, 0, len(s.devices))
	for i, d := range s.devices {
		u := Utilization{Index: i, GPUPct: -1, MemPct: -1}
		if d == nil {
			out = append(out, u)
			continue
		}
		if r, ret := d.GetUtilizationRates(); ret == nvml.SUCCESS {
			u.GPUPct, u.MemPct = float64(r.Gpu), float64(r.Memory)
		}
		if s.perProc[i] {
			u.Procs = s.processes(i, d)
		}
		out = append(out, u)
	}
	return out
}

// processes reads the per-process samples newer than the last ones seen,
// keeping each process's latest.
func (s *Sampler) processes(i int, d nvml.Device) []ProcessUtilization {
	samples, ret := d.GetProcessUtilization(s.seen[i])
	switch ret {
	case nvml.SUCCESS:
	case nvml.ERROR_NOT_FOUND: // no process ran since the last sample
		return nil
	default: // ERROR_NOT_SUPPORTED and the like: the driver will not say
		s.perProc[i] = false
		return nil
	}
	latest := map[uint32]nvml.ProcessUtilizationSample{}
	for _, p := range samples {
		if p.TimeStamp > latest[p.Pid].TimeStamp || latest[p.Pid].Pid == 0 {
			latest[p.Pid] = p
		}
		s.seen[i] = max(s.seen[i], p.TimeStamp)
	}
	out := make([]ProcessUtilization, 0, len(latest))
	for _, p := range samples {
		if l, ok := latest[p.Pid]; ok && l == p {
			out = append(out, ProcessUtilization{PID: p.Pid, SMPct: float64(p.SmUtil), MemPct: float64(p.MemUtil)})
			delete(latest, p.Pid)
		}
	}
	return out
}

// Close shuts NVML down.
func (s *Sampler) Close() { s.lib.Shutdown() }

// Count is how many devices NVML reported, answering or not.
func (s *Sampler) Count() int { return len(s.devices) }
