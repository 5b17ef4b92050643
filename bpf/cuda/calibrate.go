package cuda

// calibrationLaunches is how many runtime launches one interval must see
// before their count is compared with the driver's.
const calibrationLaunches = 32

// Calibrate settles where each process's runtime launches count. A process
// starts at the runtime layer (two traps per launch while the driver is
// probed too); once an interval shows the driver probe seeing at least
// 95% of its runtime launches from below, the runtime probe goes and the
// driver counts them alone (one trap). The switch is one map update that
// both probes read, so no launch is missed or counted twice. A process
// whose runtime never reaches the exported driver launch (older or odd
// stacks) stays at the runtime layer. Start calls this periodically.
func (t *Tracer) Calibrate() {
	if t.opts.RuntimeLaunches {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	for pid, p := range t.procs {
		if p.layer != LayerRuntime {
			continue
		}
		st, ok, err := t.maps.Lookup(pid)
		if err != nil || !ok {
			continue
		}
		dRT, dSeen := st.RuntimeLaunches-p.lastRT, st.SeenByDriver-p.lastSeen
		p.lastRT, p.lastSeen = st.RuntimeLaunches, st.SeenByDriver
		if dRT < calibrationLaunches {
			continue
		}
		if dSeen*100 < dRT*95 {
			continue
		}
		if err := t.maps.SetRuntimeLaunch(pid, false); err != nil {
			continue
		}
		closeAll(p.rtLinks)
		p.rtLinks = nil
		p.layer = LayerDriver
	}
}
