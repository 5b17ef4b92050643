package cuda

import (
	"time"

	"github.com/cilium/ebpf/link"
)

// calibrationLaunches is how many runtime launches one interval must see
// before their count is compared with the driver's.
const calibrationLaunches = 32

// detachDelay is how long the runtime launch probe stays after its process
// switched to the driver layer: twice the life of a marker it left
// (RT_MARKER_TTL_NS in calls.h), so every thread that launches meanwhile
// clears its own.
const detachDelay = 200 * time.Millisecond

// Refresh settles where each process's runtime launches count. A process
// starts at the runtime layer (two traps per launch while the driver is
// probed too); once an interval shows the driver probe seeing at least
// 95% of its runtime launches from below, the runtime probe stops taking
// them and the driver counts them alone (one trap). Each launch is decided
// once, by whichever probe runs first (see driver_launch in cuda.c), so
// the switch loses and doubles nothing. A process whose runtime never
// reaches the exported driver launch (older or odd stacks) stays at the
// runtime layer.
//
// Refresh also forgets processes the kernel stopped tracking (they exited)
// and detaches their own probes. Start calls it every Options.Calibrate.
func (t *Tracer) Refresh() {
	var detach []link.Link
	defer func() { closeAll(detach) }() // outside the lock: each detach waits for RCU
	now := time.Now()
	t.mu.Lock()
	defer t.mu.Unlock()
	for pid, p := range t.procs {
		st, ok, err := t.maps.Lookup(pid)
		if err != nil {
			continue
		}
		if !ok {
			detach = append(detach, p.links()...)
			delete(t.procs, pid)
			continue
		}
		if p.layer == LayerDriver && len(p.rtLinks) > 0 && now.After(p.detachAt) {
			detach = append(detach, p.rtLinks...)
			p.rtLinks = nil
		}
		if p.layer != LayerRuntime || t.opts.RuntimeLaunches {
			continue
		}
		dRT, dSeen := st.RuntimeLaunches-p.lastRT, st.SeenByDriver-p.lastSeen
		p.lastRT, p.lastSeen = st.RuntimeLaunches, st.SeenByDriver
		if dRT < calibrationLaunches || dSeen*100 < dRT*95 {
			continue
		}
		if err := t.maps.SetRuntimeLaunch(pid, false); err != nil {
			continue
		}
		p.layer = LayerDriver
		p.detachAt = now.Add(detachDelay)
	}
}
