package causal

import "ingero.dev/common/event"

// hostState follows one host's snapshots: whether memory is under
// pressure now, and the numbers the memory rules quote.
type hostState struct {
	node      string
	latest    event.Snapshot
	snaps     int64
	pressure  bool              // the latest snapshot showed pressure
	hasLatest bool              // latest holds a snapshot (possibly a previous window's)
	recent    [8]event.Snapshot // ring of the latest snapshots
	nrecent   int
	pressured int64 // snapshots showing pressure
	// pressureNs is how long pressure lasted, snapshot to snapshot: with
	// trace's --deadband, a steady episode may be one snapshot long.
	pressureNs int64
	series     series // snapshots under pressure per bucket

	firstPressure event.Snapshot
	worstMem      event.Snapshot // highest MemPct
	minAvail      event.Snapshot
	firstSwapMB   int64
	maxSwapMB     int64
	maxSwap       event.Snapshot

	gpuUtil map[int32]*utilSeries // NVML utilization per device, when recorded
	// procGPU is the device NVML saw each process on: the CUDA probes do
	// not know a call's device (events carry GPU -1), NVML's per-process
	// accounting does.
	procGPU map[uint32]int32
}

// utilSeries sums a device's NVML utilization samples per bucket.
type utilSeries struct{ pct, n series }

// maxGPUs bounds the devices followed per host, maxProcGPUs the
// processes whose device is remembered.
const (
	maxGPUs     = 64
	maxProcGPUs = 1 << 16
)

// snapshot folds in one host snapshot. Calls starting after it and
// before the next one are judged by it.
func (e *engine) snapshot(s event.Snapshot) {
	if s.Node == "" {
		s.Node = e.node
	}
	h := e.hosts[s.Node]
	if h == nil {
		h = &hostState{node: s.Node, firstSwapMB: s.SwapUsedMB}
		e.hosts[s.Node] = h
	}
	for _, g := range s.GPUs {
		if g.UtilPct < 0 {
			continue // NVML would not say
		}
		u := h.gpuUtil[g.GPU]
		if u == nil {
			if len(h.gpuUtil) >= maxGPUs {
				continue
			}
			if h.gpuUtil == nil {
				h.gpuUtil = make(map[int32]*utilSeries)
			}
			u = &utilSeries{}
			h.gpuUtil[g.GPU] = u
		}
		u.pct.add(&e.tb, s.TimeNs, int64(g.UtilPct*100))
		u.n.add(&e.tb, s.TimeNs, 1)
		for _, pu := range g.Procs {
			if h.procGPU == nil {
				h.procGPU = make(map[uint32]int32)
			}
			if len(h.procGPU) < maxProcGPUs {
				h.procGPU[pu.PID] = g.GPU
			}
		}
	}
	if h.pressure && s.TimeNs > h.latest.TimeNs {
		h.pressureNs += s.TimeNs - h.latest.TimeNs
	}
	grew := h.hasLatest && (s.SwapUsedMB-h.latest.SwapUsedMB)<<20 >= pressureSwapGrowB
	h.pressure = s.MemPct >= pressureMemPct || grew
	if h.pressure {
		if h.pressured == 0 {
			h.firstPressure = s
		}
		h.pressured++
		h.series.add(&e.tb, s.TimeNs, 1)
	}
	if h.snaps == 0 || s.MemPct > h.worstMem.MemPct {
		h.worstMem = s
	}
	if h.snaps == 0 || s.MemAvailMB < h.minAvail.MemAvailMB {
		h.minAvail = s
	}
	if h.snaps == 0 || s.SwapUsedMB > h.maxSwapMB {
		h.maxSwapMB, h.maxSwap = s.SwapUsedMB, s
	}
	h.latest, h.hasLatest = s, true
	h.recent[h.nrecent%len(h.recent)] = s
	h.nrecent++
	h.snaps++
}

// carry starts a new window's state for the host from this one's latest
// snapshot, so calls right after the switch are judged correctly.
func (h *hostState) carry() *hostState {
	return &hostState{node: h.node, latest: h.latest, pressure: h.pressure, firstSwapMB: h.latest.SwapUsedMB,
		hasLatest: true, recent: h.recent, nrecent: h.nrecent}
}

// pressureUntil is how long pressure lasted up to t, counting a pressure
// state still in effect.
func (h *hostState) pressureUntil(t int64) int64 {
	if h.pressure && t > h.latest.TimeNs {
		return h.pressureNs + t - h.latest.TimeNs
	}
	return h.pressureNs
}

// at returns the snapshot in effect at t: the latest of the recent ones
// taken at or before t.
func (h *hostState) at(t int64) (event.Snapshot, bool) {
	var best event.Snapshot
	found := false
	for i := range min(h.nrecent, len(h.recent)) {
		s := h.recent[i]
		if s.TimeNs <= t && (!found || s.TimeNs > best.TimeNs) {
			best, found = s, true
		}
	}
	return best, found
}

// gpuBusy is the mean NVML utilization (0–1) of device gpu on node over
// [from, to], and whether any sample fell in it.
func (e *engine) gpuBusy(node string, gpu int32, pid uint32, from, to int64) (busy float64, dev int32, ok bool) {
	h := e.hosts[node]
	if h == nil {
		return 0, -1, false
	}
	if gpu < 0 {
		gpu = h.deviceOf(pid)
	}
	if gpu < 0 {
		return 0, -1, false
	}
	u := h.gpuUtil[gpu]
	if u == nil {
		return 0, -1, false
	}
	lo, hi := e.tb.index(from), e.tb.index(to)
	n := u.n.sumRange(&e.tb, lo, hi+1)
	if n == 0 {
		return 0, -1, false
	}
	return float64(u.pct.sumRange(&e.tb, lo, hi+1)) / float64(n) / 10000, gpu, true
}

// deviceOf is the device a process ran on when its calls did not say:
// the one NVML accounted it to, else the host's only device; -1 when
// neither tells.
func (h *hostState) deviceOf(pid uint32) int32 {
	if g, ok := h.procGPU[pid]; ok {
		return g
	}
	if len(h.gpuUtil) == 1 {
		for g := range h.gpuUtil {
			return g
		}
	}
	return -1
}
