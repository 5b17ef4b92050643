package causal

import (
	"testing"
	"time"

	"ingero.dev/common/batch/batchtest"
	"ingero.dev/common/event"
)

// A clean workload (log-normal latencies, scheduler noise, no planted
// cause) must give no HIGH chain.
func TestCleanWorkloadNoHighChain(t *testing.T) {
	for seed := uint64(100); seed < 104; seed++ {
		g := newGen(seed, 30*time.Second)
		g.noise()
		rep := analyzeGen(t, g)
		for _, c := range rep.Chains {
			if c.Severity == event.SeverityHigh {
				t.Errorf("seed %d: HIGH chain on a clean loop: %s: %s", seed, c.Summary, c.RootCause)
			}
		}
		if len(rep.Chains) > 0 {
			t.Logf("seed %d: %s", seed, describe(rep))
		}
	}
}

func TestBatchtestMixedNoHighChain(t *testing.T) {
	rep := analyze(t, batchtest.Mixed(7, 400_000), nil)
	if rep.Events != 400_000 {
		t.Fatalf("analysed %d events", rep.Events)
	}
	for _, c := range rep.Chains {
		if c.Severity == event.SeverityHigh {
			t.Errorf("HIGH chain on batchtest.Mixed: %s: %s", c.Summary, c.RootCause)
		}
	}
	if len(rep.Chains) > 0 {
		t.Logf("chains: %s", describe(rep))
	}
}
