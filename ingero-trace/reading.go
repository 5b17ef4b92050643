package trace

import (
	"strconv"
	"strings"

	"ingero.dev/common/event"
)

// metricKind is how an exporter encodes a family.
type metricKind int

const (
	kindCounter metricKind = iota
	kindGauge
	kindHistogram
)

// metricDef is one instrument under its two names: Prometheus's, in base
// units with _total on counters, and OpenTelemetry's, dotted with the
// unit apart. docs/metrics.md lists the same table.
type metricDef struct {
	prom, otel, unit, help string
	kind                   metricKind
	labels                 []string
}

var (
	defDuration = &metricDef{"ingero_op_duration_seconds", "ingero.op.duration", "s",
		"Duration of traced calls and host operations (CUDA/driver calls, off-CPU time, block IO).", kindHistogram, []string{"source", "op", "process"}}
	defLaunches = &metricDef{"ingero_launches_total", "ingero.launches", "{launch}",
		"Kernel and graph launches.", kindCounter, []string{"op", "process"}}
	defEvents = &metricDef{"ingero_events_total", "ingero.events", "{event}",
		"Events delivered by the probes.", kindCounter, []string{"source"}}
	defRingDrops = &metricDef{"ingero_ring_dropped_events_total", "ingero.ring.dropped_events", "{event}",
		"Events lost in the kernel because a ring buffer was full.", kindCounter, []string{"source"}}
	defSampledOut = &metricDef{"ingero_sampled_out_events_total", "ingero.sampled_out_events", "{event}",
		"Events skipped on purpose by --sampling-rate.", kindCounter, []string{"source"}}
	defUndecodable = &metricDef{"ingero_undecodable_records_total", "ingero.undecodable_records", "{record}",
		"Ring records user space read but could not decode.", kindCounter, []string{"family"}}
	defCPU = &metricDef{"ingero_system_cpu_utilization_ratio", "ingero.system.cpu.utilization", "1",
		"Host CPU busy share over the last second (0-1).", kindGauge, nil}
	defMem = &metricDef{"ingero_system_memory_utilization_ratio", "ingero.system.memory.utilization", "1",
		"Host memory in use, share of MemTotal (0-1).", kindGauge, nil}
	defMemAvail = &metricDef{"ingero_system_memory_available_bytes", "ingero.system.memory.available", "By",
		"Host MemAvailable.", kindGauge, nil}
	defSwap = &metricDef{"ingero_system_swap_used_bytes", "ingero.system.swap.used", "By",
		"Host swap in use.", kindGauge, nil}
	defLoad = &metricDef{"ingero_system_load1", "ingero.system.load1", "1",
		"Host 1-minute load average.", kindGauge, nil}
	defGPUUtil = &metricDef{"ingero_gpu_utilization_ratio", "ingero.gpu.utilization", "1",
		"Share of NVML's last sample period a kernel ran on the GPU (0-1).", kindGauge, []string{"gpu"}}
	defGPUMem = &metricDef{"ingero_gpu_memory_busy_ratio", "ingero.gpu.memory.busy", "1",
		"Share of NVML's last sample period device memory was read or written (0-1).", kindGauge, []string{"gpu"}}
	defChains = &metricDef{"ingero_causal_chains", "ingero.causal.chains", "{chain}",
		"Causal chains the live analysis currently reports.", kindGauge, []string{"severity"}}
	defThrottle = [4]*metricDef{
		{"gpu_throttle_power_active", "gpu.throttle.power.active", "1", "1 while NVML reports a power cap or power brake holding the clocks.", kindGauge, []string{"gpu", "uuid"}},
		{"gpu_throttle_thermal_active", "gpu.throttle.thermal.active", "1", "1 while NVML reports a thermal slowdown.", kindGauge, []string{"gpu", "uuid"}},
		{"gpu_throttle_sw_active", "gpu.throttle.sw.active", "1", "1 while the driver's own limits hold the clocks (power cap, thermal, clock settings, sync boost).", kindGauge, []string{"gpu", "uuid"}},
		{"gpu_throttle_hw_active", "gpu.throttle.hw.active", "1", "1 while NVML reports a hardware slowdown (thermal or power brake).", kindGauge, []string{"gpu", "uuid"}},
	}
)

// allDefs is every family, in exposition order.
var allDefs = append([]*metricDef{defDuration, defLaunches, defEvents, defRingDrops, defSampledOut,
	defUndecodable, defCPU, defMem, defMemAvail, defSwap, defLoad, defGPUUtil, defGPUMem, defChains}, defThrottle[:]...)

// point is one series' value: hist for histograms, value otherwise.
type point struct {
	labels []string
	value  float64
	hist   *latencySeries
}

type metricFamily struct {
	def    *metricDef
	points []point
}

// read copies the meter's state into families, so the exporters render
// without holding the lock the pipeline needs.
func (m *meter) read() []metricFamily {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []metricFamily
	add := func(d *metricDef, ps []point) {
		if len(ps) > 0 {
			out = append(out, metricFamily{d, ps})
		}
	}
	var dur, launches []point
	for k, s := range m.latency {
		c := *s
		c.buckets = append([]uint64(nil), s.buckets...)
		dur = append(dur, point{labels: []string{k.source.String(), event.OpName(k.source, k.op), k.process}, hist: &c})
	}
	for k, n := range m.launches {
		launches = append(launches, point{labels: []string{event.OpName(k.source, k.op), k.process}, value: float64(n)})
	}
	add(defDuration, dur)
	add(defLaunches, launches)
	var evs, drops, sampled []point
	for _, si := range event.Sources() {
		s := si.Source
		evs = append(evs, point{labels: []string{si.Name}, value: float64(m.events[s])})
		if int(s) < len(m.counters.Drops) {
			drops = append(drops, point{labels: []string{si.Name}, value: float64(m.counters.Drops[s])})
			sampled = append(sampled, point{labels: []string{si.Name}, value: float64(m.counters.Sampled[s])})
		}
	}
	add(defEvents, evs)
	add(defRingDrops, drops)
	add(defSampledOut, sampled)
	var undec []point
	for f, n := range m.undecodable {
		undec = append(undec, point{labels: []string{f}, value: float64(n)})
	}
	add(defUndecodable, undec)
	if m.haveSnap {
		s := m.snap
		add(defCPU, []point{{value: s.CPUPct / 100}})
		add(defMem, []point{{value: s.MemPct / 100}})
		add(defMemAvail, []point{{value: float64(s.MemAvailMB << 20)}})
		add(defSwap, []point{{value: float64(s.SwapUsedMB << 20)}})
		add(defLoad, []point{{value: s.Load1}})
		var util, mem []point
		for _, g := range s.GPUs {
			id := []string{strconv.Itoa(int(g.GPU))}
			if g.UtilPct >= 0 {
				util = append(util, point{labels: id, value: g.UtilPct / 100})
			}
			if g.MemPct >= 0 {
				mem = append(mem, point{labels: id, value: g.MemPct / 100})
			}
		}
		add(defGPUUtil, util)
		add(defGPUMem, mem)
	}
	var chains []point
	for _, sev := range []event.Severity{event.SeverityLow, event.SeverityMedium, event.SeverityHigh} {
		chains = append(chains, point{labels: []string{strings.ToLower(sev.String())}, value: float64(m.chains[sev])})
	}
	add(defChains, chains)
	var th [4][]point
	for _, t := range m.throttle {
		id := []string{strconv.Itoa(t.Index), t.UUID}
		for i, on := range []bool{t.Power, t.Thermal, t.SW, t.HW} {
			th[i] = append(th[i], point{labels: id, value: b2f(on)})
		}
	}
	for i, d := range defThrottle {
		add(d, th[i])
	}
	return out
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
