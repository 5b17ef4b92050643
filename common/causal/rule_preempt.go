package causal

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"ingero.dev/common/event"
)

// ruleCPUPreemption: an op's slow calls ran while other tasks held the
// process's CPUs. It names the tasks, with counts.
func ruleCPUPreemption(v *view, p *proc) []*finding {
	if len(p.culprits) == 0 {
		return nil
	}
	ef, others, ok := bestEffect(p, condPreempt)
	// A launch-bound loop loses its time between calls; the few calls
	// that happen to absorb a preemption then tell less than the rate.
	if between := preemptedBetweenCalls(v, p); between != nil && (!ok || between.Severity > ef.severity()) {
		return []*finding{between}
	}
	if !ok {
		return nil
	}
	cs := rankCulprits(p, ef.cs)
	if len(cs) == 0 {
		return nil
	}
	top := cs[0]
	f := v.newFinding("cpu-preemption", p.node, ef.op.name, p.pid, ef.severity(), ef.impact)
	f.Summary = ef.summary("CPU preemption by " + top.comm)
	var who []string
	for i, c := range cs[:min(len(cs), 3)] {
		if i == 0 || ef.cs.by[c.peerKey] > 0 {
			who = append(who, culpritPhrase(c, p, i == 0))
		}
	}
	f.RootCause = strings.Join(who, "; ") + ": " + ef.sentence("while a thread of "+p.comm+" was preempted") + "."
	if len(others) > 0 {
		f.RootCause += " Also slowed: " + strings.Join(others, ", ") + "."
	}
	f.Fix = preemptFix(top, p)

	ef.snapEntry(f)
	if top.preempts > 0 {
		f.add(top.firstPreempt, event.SourceHost.Layer(), fmt.Sprintf("sched_switch: %s preempted %s (%s times, %s off-CPU in all)",
			procName(top.comm, top.pid), p.label(), fmtCount(top.preempts), fmtDur(top.offNs)))
	}
	if top.onNs > 0 {
		f.add(top.peak.t, event.SourceHost.Layer(), fmt.Sprintf("cpu_contention: %s ran %s on CPU %d in one summary",
			top.comm, fmtDur(top.peak.d), top.peakCPU))
	}
	tl := ef.worstEntry("while preempted")
	f.add(tl.TimeNs, tl.Layer, tl.Detail)

	ef.evidence(f.Evidence, "preempted")
	f.Evidence["pid"], f.Evidence["comm"] = p.pid, p.comm
	f.Evidence["preempted_overlap_ns"] = ef.cs.overlapNs
	// Preemptions by ingero, the idle task or the process's own threads
	// were seen and deliberately not blamed.
	f.Evidence["excluded_preemptions"] = p.ownPreempts
	var list []map[string]any
	for _, c := range cs {
		list = append(list, map[string]any{"pid": c.pid, "comm": c.comm, "preemptions": c.preempts,
			"off_cpu_ns": c.offNs, "on_cpu_ns": c.onNs, "switches": c.switches, "slowed_calls": ef.cs.by[c.peerKey]})
	}
	f.Evidence["culprits"] = list
	if cpus := top.cpus.list(); len(cpus) > 0 {
		f.Evidence["cpus"] = cpus
	}
	if len(others) > 0 {
		f.Evidence["also_slowed"] = others
	}
	return []*finding{f.done()}
}

// rankCulprits orders p's preemptors: first by the slow calls charged to
// them, then by how often they preempted, then by CPU time taken.
func rankCulprits(p *proc, cs *condState) []*culprit {
	out := slices.Clone(p.culprits)
	slices.SortStableFunc(out, func(a, b *culprit) int {
		if c := cmp.Compare(cs.by[b.peerKey], cs.by[a.peerKey]); c != 0 {
			return c
		}
		if c := cmp.Compare(b.preempts, a.preempts); c != 0 {
			return c
		}
		return cmp.Compare(b.onNs, a.onNs)
	})
	return out
}

// culpritPhrase: "logrotate (PID 8821) preempted python3 (PID 4821) 847
// times, taking 2.1s of CPU".
func culpritPhrase(c *culprit, p *proc, first bool) string {
	victim := p.label()
	if !first {
		victim = p.comm
	}
	s := procName(c.comm, c.pid) + " preempted " + victim
	switch {
	case c.preempts == 1:
		s += " once"
	case c.preempts > 0:
		s += " " + fmtCount(c.preempts) + " times"
	case c.switches > 0:
		s += " in " + fmtCount(c.switches) + " context switches"
	}
	switch {
	case c.onNs > 0:
		s += ", taking " + fmtDur(c.onNs) + " of CPU"
	case c.offNs > 0:
		s += ", keeping it off-CPU for " + fmtDur(c.offNs)
	}
	return s
}

// kernelThread says whether a culprit is a kernel thread, which renice
// cannot tame: interrupts and their softirq threads follow IRQ affinity.
func kernelThread(comm string) bool {
	for _, pre := range []string{"kworker", "ksoftirqd", "migration/", "irq/", "rcu", "kswapd", "watchdog/"} {
		if strings.HasPrefix(comm, pre) {
			return true
		}
	}
	return false
}

func preemptFix(c *culprit, p *proc) string {
	pin := fmt.Sprintf("give %s dedicated cores: `taskset -cp <cores> %d`, and keep other work off them with a cgroup cpuset (systemd AllowedCPUs=) or isolcpus",
		p.comm, p.pid)
	if cpus := c.cpus.list(); len(cpus) > 0 && len(cpus) <= 8 {
		pin += fmt.Sprintf(" (the preemptions hit CPU %s)", joinInts(cpus))
	}
	if kernelThread(c.comm) {
		return fmt.Sprintf("%s is a kernel thread: steer interrupts away from the training cores (irqbalance --banirq, /proc/irq/*/smp_affinity) and %s.", c.comm, pin)
	}
	return fmt.Sprintf("Lower %s's priority: `renice -n 19 -p %d` now, and start it with `nice -n 19` (plus `ionice -c3` if it also does IO); or %s.",
		c.comm, c.pid, pin)
}

func joinInts(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = fmt.Sprint(x)
	}
	return strings.Join(s, ",")
}
