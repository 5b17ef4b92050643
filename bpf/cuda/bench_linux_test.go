package cuda

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/link"

	"ingero.dev/bpf/internal/testenv"
	"ingero.dev/bpf/stacks"
	"ingero.dev/bpf/standin"
	"ingero.dev/bpf/standin/standintest"
	"ingero.dev/common/event"
)

// zeroCost makes every stand-in call return at once, so that a call's time
// is the call itself plus what the probes add.
var zeroCost = []string{
	"STANDIN_LAUNCH_NS=0", "STANDIN_RUNTIME_NS=0", "STANDIN_KERNEL_NS=0", "STANDIN_KERNEL_BLOCK_NS=0",
	"STANDIN_SYNC_NS=0", "STANDIN_ALLOC_NS=0", "STANDIN_ALLOC_NS_PER_MIB=0", "STANDIN_FREE_NS=0",
	"STANDIN_MEMCPY_NS=0", "STANDIN_MEMCPY_BYTES_PER_SEC=1000000000000000", "STANDIN_ASYNC_NS=0",
	"STANDIN_HOST_ALLOC_NS=0", "STANDIN_HOST_FREE_NS=0",
}

// BenchmarkLaunchStorm times the stand-in's launch loop (1000 launches and
// a sync per iteration) with no probes and with each probe configuration,
// and reports the time per runtime launch and the events per second that
// reached the sink:
//
//	go test ./cuda -run '^$' -bench LaunchStorm -benchtime 5x
func BenchmarkLaunchStorm(b *testing.B) {
	const iterations = 100 // 100,000 launches per run
	for _, bc := range []struct {
		name string
		opts *Options
	}{
		{"unprobed", nil},
		{"empty-uprobe", &Options{}}, // the trap alone: an empty program on cuLaunchKernel
		{"driver-entry", &Options{Calibrate: time.Millisecond}},
		// --stack: the user stack rides in each record and is resolved
		// (cached by raw stack) on the reader.
		{"driver-entry-stack", &Options{Calibrate: time.Millisecond, Stacks: stacks.NewResolver(stacks.PyUserspace)}},
		// --py-walker ebpf on a process with no Python: one map lookup more.
		{"driver-entry-stack-ebpf", &Options{Calibrate: time.Millisecond, Stacks: stacks.NewResolver(stacks.PyEBPF)}},
		{"launch-latency", &Options{Calibrate: time.Millisecond, LaunchLatency: true}},
		{"both-layers", &Options{RuntimeLaunches: true}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var elapsed time.Duration
			var launches, events uint64
			for b.Loop() {
				run := stormOnce
				if bc.name == "empty-uprobe" {
					run = stormEmptyProbe
				}
				c, n := run(b, bc.opts, iterations)
				elapsed += time.Duration(c.ElapsedNs)
				launches += c.Calls["cudaLaunchKernel"]
				events += n
			}
			b.ReportMetric(float64(elapsed.Nanoseconds())/float64(launches), "ns/launch")
			if bc.opts != nil && bc.name != "empty-uprobe" {
				b.ReportMetric(float64(events)/elapsed.Seconds(), "events/s")
			}
		})
	}
}

// stormOnce runs one launch storm, traced with opts unless nil, and
// returns the workload's counts and the number of events recorded.
func stormOnce(b *testing.B, opts *Options, iterations int) (*standin.Counts, uint64) {
	return patternOnce(b, opts, "launch-storm", iterations)
}

// BenchmarkCalls times the stand-in's copy-heavy pattern, whose calls (all
// but a few) get entry and return probes, with and without the probes,
// and reports the time per traced call:
//
//	go test ./cuda -run '^$' -bench Calls -benchtime 5x
func BenchmarkCalls(b *testing.B) {
	for _, bc := range []struct {
		name string
		opts *Options
	}{{"unprobed", nil}, {"probed", &Options{Calibrate: time.Millisecond}},
		{"probed-stack", &Options{Calibrate: time.Millisecond, Stacks: stacks.NewResolver(stacks.PyUserspace)}}} {
		b.Run(bc.name, func(b *testing.B) {
			var elapsed time.Duration
			var calls uint64
			for b.Loop() {
				c, _ := patternOnce(b, bc.opts, "memcpy-heavy", 20)
				elapsed += time.Duration(c.ElapsedNs)
				for _, n := range c.Want() {
					calls += n
				}
			}
			b.ReportMetric(float64(elapsed.Nanoseconds())/float64(calls), "ns/call")
		})
	}
}

// patternOnce runs one workload pattern with zero-cost stand-ins.
func patternOnce(b *testing.B, opts *Options, pattern string, iterations int) (*standin.Counts, uint64) {
	b.StopTimer()
	defer b.StartTimer()
	args := []string{"--pattern", pattern, "--iterations", strconv.Itoa(iterations)}
	if opts == nil {
		art := standintest.Require(b)
		run, err := art.Start(context.Background(), zeroCost, args...)
		if err != nil {
			b.Fatal(err)
		}
		run.Release()
		c, err := run.Wait()
		if err != nil {
			b.Fatal(err)
		}
		return c, 0
	}
	// A sink that only counts: the probes' cost, not the test's appends.
	h := newPausedHarness(b, *opts)
	h.tr.Start(func([]event.Event) {})
	c := h.run(zeroCost, args...)
	h.close()
	return c, h.tr.Stats().Events
}

// stormEmptyProbe runs the storm with only an empty program on the driver's
// cuLaunchKernel: the cost of the trap itself, for comparison.
func stormEmptyProbe(b *testing.B, _ *Options, iterations int) (*standin.Counts, uint64) {
	b.StopTimer()
	defer b.StartTimer()
	testenv.RequireBPF(b)
	art := standintest.Require(b)
	prog, err := ebpf.NewProgram(&ebpf.ProgramSpec{
		Type:         ebpf.Kprobe,
		License:      "MIT",
		Instructions: asm.Instructions{asm.Mov.Imm(asm.R0, 0), asm.Return()},
	})
	if err != nil {
		b.Fatal(err)
	}
	defer prog.Close()
	ex, err := link.OpenExecutable(art.Driver)
	if err != nil {
		b.Fatal(err)
	}
	l, err := ex.Uprobe("cuLaunchKernel", prog, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	run, err := art.Start(context.Background(), zeroCost, "--pattern", "launch-storm", "--iterations",
		strconv.Itoa(iterations))
	if err != nil {
		b.Fatal(err)
	}
	run.Release()
	c, err := run.Wait()
	if err != nil {
		b.Fatal(err)
	}
	return c, 0
}
