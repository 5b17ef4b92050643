package blockio

import (
	"sync/atomic"
	"testing"

	"ingero.dev/bpf/blockio/blockiotest"
	"ingero.dev/bpf/internal/testenv"
	"ingero.dev/bpf/shared"
	"ingero.dev/bpf/sysreq"
	"ingero.dev/common/event"
)

// BenchmarkDirectWrite4K times 4 KiB O_DIRECT writes, one device request
// each, without and with the family attached: the probes' cost next to a
// request's, and how many records per second the family then delivers.
// Every write is recorded or counted as lost.
func BenchmarkDirectWrite4K(b *testing.B) {
	testenv.RequireBPF(b)
	if err := sysreq.Prepare(); err != nil {
		b.Fatal(err)
	}
	f := blockiotest.Open(b, 4096)
	loop := func(b *testing.B) {
		for b.Loop() {
			if err := f.Overwrite(); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("unprobed", loop)
	b.Run("probed", func(b *testing.B) {
		m, err := shared.New()
		if err != nil {
			b.Fatal(err)
		}
		defer m.Close()
		tr, err := Load(m, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := tr.Attach(); err != nil {
			tr.Close()
			b.Fatal(err)
		}
		var writes atomic.Uint64
		tr.Start(func(batch []event.Event) {
			for i := range batch {
				if batch[i].Op == event.BlockWrite {
					writes.Add(1)
				}
			}
		})
		loop(b)
		elapsed := b.Elapsed()
		// One more write reuses the last one's request slot, so that a
		// lost completion of the last write is counted too.
		if err := f.Overwrite(); err != nil {
			b.Fatal(err)
		}
		reportProgramTime(b, tr)
		if err := tr.Close(); err != nil {
			b.Error(err)
		}
		c, err := m.Counters()
		if err != nil {
			b.Fatal(err)
		}
		missed, err := tr.Missed()
		if err != nil {
			b.Fatal(err)
		}
		lost := c.DropsOf(event.SourceIO) + missed
		if got := writes.Load() + lost; got < uint64(b.N) {
			b.Errorf("%d block_write records and %d lost for %d writes", writes.Load(), lost, b.N)
		}
		b.ReportMetric(float64(writes.Load())/elapsed.Seconds(), "records/s")
		b.ReportMetric(float64(lost), "lost")
	})
}

// reportProgramTime reports each program's time per run, which the kernel
// measures only under sysctl kernel.bpf_stats_enabled=1.
func reportProgramTime(b *testing.B, tr *Tracer) {
	for name, unit := range map[string]string{blockioProgBlockIoStart: "ns/submit",
		blockioProgBlockRqIssue: "ns/issue", blockioProgBlockRqComplete: "ns/complete"} {
		p := tr.coll.Programs[name]
		if p == nil {
			continue
		}
		if st, err := p.Stats(); err == nil && st.RunCount > 0 {
			b.ReportMetric(float64(st.Runtime.Nanoseconds())/float64(st.RunCount), unit)
		}
	}
}
