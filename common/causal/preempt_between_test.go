package causal

import (
	"strings"
	"testing"
	"time"

	"ingero.dev/common/event"
)

// stallBetweenCalls plants a hog that, from `from` on, takes the CPU from
// the loop between its calls: every other step loses about offNs before
// its sync, which no call absorbs (the sync's duration is unchanged).
func (g *gen) stallBetweenCalls(comm string, pid uint32, from time.Duration, offNs float64) {
	g.hooks = append(g.hooks, func(g *gen, _ *int64) {
		if g.now < g.start+from.Nanoseconds() || g.r.IntN(2) != 0 {
			return
		}
		off := g.lognormal(offNs, 0.3)
		g.emit(event.Event{TimeNs: g.now, Source: event.SourceHost, Op: event.SchedSwitch, DurNs: off,
			Args: [4]uint64{5, 1, 5}, PeerPID: pid, PeerComm: comm})
		g.now += off
	})
}

func TestCPUPreemptionBetweenCalls(t *testing.T) {
	g := newGen(11, 20*time.Second)
	g.noise()
	g.stallBetweenCalls("logrotate", 8821, 7*time.Second, 4_000_000)
	c := wantChain(t, analyzeGen(t, g), "cpu-preemption", event.SeverityHigh,
		"logrotate (PID 8821) preempted python3 (PID 4821)", "off-CPU", "fewer GPU calls")
	if !strings.HasPrefix(c.Summary, "GPU calls ") || !strings.HasSuffix(c.Summary, "CPU preemption by logrotate") {
		t.Errorf("summary: %s", c.Summary)
	}
	if c.Evidence["between_calls"] != true || c.Evidence["drop"].(float64) < 0.4 {
		t.Errorf("evidence %v", c.Evidence)
	}
	if c.Op != "cudaLaunchKernel" || !strings.Contains(c.Fix, "renice -n 19 -p 8821") {
		t.Errorf("op %s, fix %s", c.Op, c.Fix)
	}
}

// A loop preempted from start to end has no unpreempted seconds to compare
// with: the off-CPU time alone, when large, makes a MEDIUM chain.
func TestCPUPreemptionBetweenCallsWithoutBaseline(t *testing.T) {
	g := newGen(12, 20*time.Second)
	g.stallBetweenCalls("ffmpeg", 9310, 0, 4_000_000)
	wantChain(t, analyzeGen(t, g), "cpu-preemption", event.SeverityMedium, "ffmpeg (PID 9310)")
}

// Short preemptions that cost the loop nothing measurable make no chain.
func TestCPUPreemptionBetweenCallsNegative(t *testing.T) {
	g := newGen(13, 20*time.Second)
	g.noise()
	g.stallBetweenCalls("chronyd", 501, 7*time.Second, 30_000)
	wantNoChain(t, analyzeGen(t, g), "cpu-preemption")
}

// When a few calls also absorb a preemption, the small effect on them
// must not hide the loop's lost pace.
func TestCPUPreemptionBetweenCallsBeatsAWeakCallEffect(t *testing.T) {
	g := newGen(14, 20*time.Second)
	g.stallBetweenCalls("logrotate", 8821, 7*time.Second, 4_000_000)
	g.hooks = append(g.hooks, func(g *gen, slow *int64) {
		if g.now >= g.start+7e9 && g.r.IntN(15) == 0 {
			off := g.lognormal(1_000_000, 0.3)
			g.emit(event.Event{TimeNs: g.now + 50_000, Source: event.SourceHost, Op: event.SchedSwitch, DurNs: off,
				Args: [4]uint64{5, 1, 5}, PeerPID: 8821, PeerComm: "logrotate"})
			*slow += off
		}
	})
	c := wantChain(t, analyzeGen(t, g), "cpu-preemption", event.SeverityHigh, "logrotate (PID 8821)", "fewer GPU calls")
	if c.Evidence["between_calls"] != true {
		t.Errorf("the chain is about the calls, not the pace: %s", c.Summary)
	}
}
