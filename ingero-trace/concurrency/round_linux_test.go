package concurrency

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"ingero.dev/bpf/standin"
)

// setup is where the processes of a round run.
type setup struct {
	art       *standin.Artifacts
	storms    int   // launch-storm processes, one thread each
	stormCPUs []int // each storm is pinned to one of these; empty: unpinned
	traceCPUs []int // trace's; empty: unpinned
}

type roundResult struct {
	rate  float64    // events/s trace recorded in the measured window
	storm float64    // events/s the storms made, by their own counts, over their whole run
	final statusLine // trace's stopped line: events and drops
	tally *tally     // nil without readers
}

func (r roundResult) drops() uint64 { return r.final.KernelDrops + r.final.UserDrops }

// round records a launch storm of d (whole seconds) with trace, with 2
// readers of each kind beside it or none. The rate is measured from 2 s
// after the storm starts (the readers start at 1 s) to 1 s before it ends,
// so that start-up and the last flush are outside it.
func (s setup) round(t *testing.T, launchNs int, readers bool, d time.Duration) roundResult {
	t.Helper()
	db := filepath.Join(t.TempDir(), "r.db")
	tr := startTrace(t, s.traceCPUs, "-d", db)
	ctx, cancel := context.WithTimeout(context.Background(), d+2*time.Minute)
	defer cancel()
	env := []string{"STANDIN_LAUNCH_NS=" + strconv.Itoa(launchNs), "STANDIN_RUNTIME_NS=0", "STANDIN_KERNEL_NS=0", "STANDIN_KERNEL_BLOCK_NS=0"}
	storms := make([]*standin.Run, s.storms)
	for i := range storms {
		var cpus []int
		if len(s.stormCPUs) > 0 {
			cpus = s.stormCPUs[i%len(s.stormCPUs) : i%len(s.stormCPUs)+1]
		}
		err := pinned(cpus, func() (err error) {
			storms[i], err = s.art.Start(ctx, env, "--pattern", "launch-storm", "--duration", strconv.Itoa(int(d.Seconds()))+"s")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		defer storms[i].Cmd.Process.Kill()
		tr.awaitPID(storms[i].PID())
	}
	start := time.Now()
	for _, run := range storms {
		if err := run.Release(); err != nil {
			t.Fatal(err)
		}
	}
	res := roundResult{}
	wait := func() {}
	if readers {
		time.Sleep(time.Second) // a few commits to read
		rctx, rcancel := context.WithDeadline(ctx, start.Add(d))
		defer rcancel()
		res.tally = newTally()
		wait = startReaders(t, rctx, db, 2, res.tally)
	}
	for _, run := range storms {
		c, err := run.Wait()
		if err != nil {
			t.Fatal(err)
		}
		var n uint64
		for _, k := range c.Want() {
			n += k
		}
		res.storm += float64(n) / time.Duration(c.ElapsedNs).Seconds()
	}
	wait()
	res.final = tr.stop()
	var err error
	if res.rate, err = tr.rate(start.Add(2*time.Second), start.Add(d-time.Second)); err != nil {
		t.Fatalf("measuring the writer's rate: %v (a storm of %v is too short?)", err, d)
	}
	return res
}
