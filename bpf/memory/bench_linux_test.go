package memory

import (
	"context"
	"os"
	"syscall"
	"testing"

	"ingero.dev/bpf/internal/testenv"
	"ingero.dev/bpf/shared"
	"ingero.dev/bpf/standin"
	"ingero.dev/bpf/standin/standintest"
	"ingero.dev/bpf/sysreq"
	"ingero.dev/common/event"
)

// zeroCost makes every stand-in call return at once (as in ../cuda), so
// that the loop's time is its own plus what the probes add.
var zeroCost = []string{
	"STANDIN_LAUNCH_NS=0", "STANDIN_RUNTIME_NS=0", "STANDIN_KERNEL_NS=0", "STANDIN_KERNEL_BLOCK_NS=0",
	"STANDIN_SYNC_NS=0", "STANDIN_ALLOC_NS=0", "STANDIN_ALLOC_NS_PER_MIB=0", "STANDIN_FREE_NS=0",
	"STANDIN_MEMCPY_NS=0", "STANDIN_MEMCPY_BYTES_PER_SEC=1000000000000000", "STANDIN_ASYNC_NS=0",
	"STANDIN_HOST_ALLOC_NS=0", "STANDIN_HOST_FREE_NS=0",
}

// loaded is the family attached with a sink that only counts.
func loaded(b *testing.B) (*shared.Maps, *Tracer, func()) {
	testenv.RequireBPF(b)
	if err := sysreq.Prepare(); err != nil {
		b.Fatal(err)
	}
	m, err := shared.New()
	if err != nil {
		b.Fatal(err)
	}
	tr, err := Load(m, Options{})
	if err != nil {
		m.Close()
		b.Fatal(err)
	}
	if _, err := tr.Attach(); err != nil {
		tr.Close()
		m.Close()
		b.Fatal(err)
	}
	tr.Start(func([]event.Event) {})
	return m, tr, func() {
		reportProgramTime(b, tr)
		tr.Close()
		m.Close()
	}
}

// BenchmarkLaunchStorm times the stand-in's launch loop (launch-storm:
// 1000 launches and a sync per iteration, zero-cost stand-ins) traced by
// the memory family alone, against the same loop unprobed: what the
// memory probes add to a loop that does not fault.
//
//	go test ./memory -run '^$' -bench LaunchStorm -benchtime 5x
func BenchmarkLaunchStorm(b *testing.B) {
	for _, probed := range []bool{false, true} {
		name := "unprobed"
		if probed {
			name = "probed"
		}
		b.Run(name, func(b *testing.B) {
			var m *shared.Maps
			if probed {
				var done func()
				m, _, done = loaded(b)
				defer done()
			}
			art := standintest.Require(b)
			var elapsed, launches uint64
			for b.Loop() {
				c := stormOnce(b, art, m)
				elapsed += c.ElapsedNs
				launches += c.Calls["cudaLaunchKernel"]
			}
			b.ReportMetric(float64(elapsed)/float64(launches), "ns/launch")
		})
	}
}

func stormOnce(b *testing.B, art *standin.Artifacts, m *shared.Maps) *standin.Counts {
	b.StopTimer()
	defer b.StartTimer()
	run, err := art.Start(context.Background(), zeroCost, "--pattern", "launch-storm", "--iterations", "100")
	if err != nil {
		b.Fatal(err)
	}
	if m != nil {
		if err := m.Track(uint32(run.PID()), shared.Target{}); err != nil {
			b.Fatal(err)
		}
	}
	run.Release()
	c, err := run.Wait()
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// BenchmarkMinorFault times first touches of fresh anonymous pages (one
// minor fault each) by this process, untraced and traced: the probes'
// cost on the event they sum in the kernel.
//
//	go test ./memory -run '^$' -bench MinorFault
func BenchmarkMinorFault(b *testing.B) {
	const pages = 1024
	touch := func(b *testing.B) {
		for b.Loop() {
			mem, err := syscall.Mmap(-1, 0, pages*4096, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
			if err != nil {
				b.Fatal(err)
			}
			for i := 0; i < len(mem); i += 4096 {
				mem[i] = 1
			}
			syscall.Munmap(mem)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*pages), "ns/fault")
	}
	b.Run("untraced", touch)
	b.Run("traced", func(b *testing.B) {
		m, _, done := loaded(b)
		defer done()
		if err := m.Track(uint32(os.Getpid()), shared.Target{}); err != nil {
			b.Fatal(err)
		}
		touch(b)
	})
}

// reportProgramTime reports each program's time per run, which the kernel
// measures only under sysctl kernel.bpf_stats_enabled=1.
func reportProgramTime(b *testing.B, tr *Tracer) {
	for name, unit := range map[string]string{memoryProgPageFaultUser: "ns/fault-prog",
		memoryProgMemSchedSwitch: "ns/switch-prog"} {
		if st, err := tr.coll.Programs[name].Stats(); err == nil && st.RunCount > 0 {
			b.ReportMetric(float64(st.Runtime.Nanoseconds())/float64(st.RunCount), unit)
		}
	}
}
