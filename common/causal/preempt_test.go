package causal

import (
	"strings"
	"testing"
	"time"

	"ingero.dev/common/event"
)

func TestCPUPreemptionNamesTheCulprit(t *testing.T) {
	g := newGen(1, 20*time.Second)
	g.noise()
	g.preempt("logrotate", 8821, 3, 2_000_000)
	rep := analyzeGen(t, g)
	c := wantChain(t, rep, "cpu-preemption", event.SeverityHigh, "logrotate (PID 8821) preempted python3 (PID 4821)", " times")
	if c.Op != "cudaStreamSynchronize" || c.PID != trainPID {
		t.Errorf("chain is about %s of %d", c.Op, c.PID)
	}
	if strings.Contains(c.RootCause, "kworker") && strings.Index(c.RootCause, "kworker") < strings.Index(c.RootCause, "logrotate") {
		t.Errorf("kworker ranked before logrotate: %s", c.RootCause)
	}
	culprits := c.Evidence["culprits"].([]map[string]any)
	if culprits[0]["comm"] != "logrotate" || culprits[0]["preemptions"].(int64) < 100 {
		t.Errorf("top culprit %v", culprits[0])
	}
	if !strings.Contains(c.Fix, "renice -n 19 -p 8821") || !strings.Contains(c.Fix, "taskset") {
		t.Errorf("fix: %s", c.Fix)
	}
	if !strings.HasPrefix(c.Summary, "cudaStreamSynchronize ") || !strings.HasSuffix(c.Summary, "CPU preemption by logrotate") {
		t.Errorf("summary: %s", c.Summary)
	}
}

func TestCPUPreemptionSlowdownWithoutBigTail(t *testing.T) {
	// Every other step is preempted: the tail ratio stays modest, but the
	// preempted syncs are clearly slower than the others.
	g := newGen(2, 20*time.Second)
	g.preempt("ffmpeg", 9310, 2, 1_200_000)
	rep := analyzeGen(t, g)
	c := wantChain(t, rep, "cpu-preemption", event.SeverityHigh, "ffmpeg (PID 9310)")
	if c.Evidence["slowdown"].(float64) < 1.3 {
		t.Errorf("slowdown %v", c.Evidence["slowdown"])
	}
}

func TestCPUPreemptionNegative(t *testing.T) {
	g := newGen(3, 20*time.Second)
	g.noise()
	// The syncs have a tail of their own that no preemption explains.
	g.hooks = append(g.hooks, func(g *gen, slow *int64) {
		if g.r.IntN(20) == 0 {
			*slow += g.lognormal(8_000_000, 0.3)
		}
	})
	rep := analyzeGen(t, g)
	wantNoChain(t, rep, "cpu-preemption")
}

func TestCPUPreemptionNeverBlamesIngero(t *testing.T) {
	for _, comm := range []string{"ingero-trace", "ingero", "swapper/3"} {
		g := newGen(4, 20*time.Second)
		pid := uint32(9999)
		if strings.HasPrefix(comm, "swapper") {
			pid = 0
		}
		g.preempt(comm, pid, 3, 2_000_000)
		rep := analyzeGen(t, g)
		for _, c := range rep.Chains {
			if strings.Contains(c.RootCause, comm) || strings.Contains(c.Summary, comm) {
				t.Errorf("%s blamed: [%v] %s: %s", comm, c.Severity, c.Rule, c.RootCause)
			}
		}
		wantNoChain(t, rep, "cpu-preemption")
	}
}
