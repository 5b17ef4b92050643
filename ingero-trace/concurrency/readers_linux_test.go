package concurrency

import (
	"os"
	"strconv"
	"testing"
	"time"

	"ingero.dev/bpf/standin/standintest"
)

// TestReadersBesideTheWriter runs 8 readers, 2 of each read-only command
// as the process a user or agent runs (explain and query in a loop of
// fresh processes, a dashboard server polled as its page does plus SQL, an
// MCP server driven by the Go SDK's client), on the database trace is
// writing under a launch storm. No reader may fail (SQLITE_BUSY or
// "locked" above all) and trace may drop nothing. The writer's rate is
// logged, not judged: on a 2-core host the readers take CPU from the storm
// itself; TestConcurrency measures it on a host with CPUs to spare.
func TestReadersBesideTheWriter(t *testing.T) {
	standintest.RequireBPF(t)
	s := setup{art: standintest.Require(t), storms: 1}
	buildReaders(t)
	binary(t, "trace")
	standintest.Exclusive(t)
	launch := 3000
	if v := os.Getenv("INGERO_CONC_LAUNCH_NS"); v != "" {
		var err error
		if launch, err = strconv.Atoi(v); err != nil {
			t.Fatalf("INGERO_CONC_LAUNCH_NS=%q: want nanoseconds", v)
		}
	}
	res := s.round(t, launch, true, 12*time.Second)
	t.Logf("readers: %s; trace: %d events, %.0f events/s in the window, drops %d in the kernel, %d in user space",
		res.tally, res.final.Events, res.rate, res.final.KernelDrops, res.final.UserDrops)
	for _, e := range res.tally.examples {
		t.Errorf("reader failed: %s", e)
	}
	if n := res.tally.failures(); n > 0 {
		t.Errorf("%d reader runs failed beside the writer", n)
	}
	if res.drops() > 0 {
		t.Errorf("trace dropped %d events in the kernel and %d in user space with readers beside it", res.final.KernelDrops, res.final.UserDrops)
	}
}
