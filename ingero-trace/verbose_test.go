package trace

import (
	"strings"
	"testing"

	"ingero.dev/common/event"
)

// TestVerboseDecodesArgs: --verbose shows each event's args by name, as
// --json does, never raw hex slots.
func TestVerboseDecodesArgs(t *testing.T) {
	for _, c := range []struct {
		ev   event.Event
		want []string
	}{
		{event.Event{PID: 7, TID: 7, Comm: "python3", Source: event.SourceCUDA, Op: event.CudaMemcpy, DurNs: 42_000,
			Args: [4]uint64{1 << 20, 1}}, []string{"python3[7/7]", "cudaMemcpy", "42µs", "bytes=1048576 kind=H2D"}},
		{event.Event{PID: 7, TID: 8, Comm: "python3", Source: event.SourceCUDA, Op: event.CudaLaunchKernel,
			Args: [4]uint64{0x7f00, 0x99, 64, 256}}, []string{"function=0x7f00 stream=0x99 grid=64 block=256"}},
		{event.Event{PID: 7, TID: 7, Comm: "python3", Source: event.SourceHost, Op: event.SchedSwitch, DurNs: 3_000_000,
			PeerPID: 99, PeerComm: "logrotate"}, []string{"sched_switch", "preemptor_pid=99 preemptor_comm=logrotate"}},
		{event.Event{PID: 7, TID: 7, Comm: "python3", Source: event.SourceHost, Op: event.Reclaim, DurNs: 250_000,
			Args: [4]uint64{2, 32}}, []string{"mm_reclaim", "250µs", "kind=2 pages=32"}},
		{event.Event{PID: 7, TID: 7, Comm: "python3", Source: event.SourceHost, Op: event.FaultFile, DurNs: 9_000_000,
			Args: [4]uint64{12, 4_000_000, 0, 1}}, []string{"mm_fault_file", "faults=12 max_ns=4000000", "fetches=1"}},
		{event.Event{PID: 7, TID: 7, Comm: "python3", Source: event.SourceHost, Op: event.MemUsage,
			Args: [4]uint64{1 << 30, 1 << 20, 1 << 29}}, []string{"mem_usage", "rss_bytes=1073741824 swap_bytes=1048576 anon_bytes=536870912"}},
	} {
		var b strings.Builder
		printEvent(&b, &c.ev)
		line := b.String()
		if strings.Count(line, "\n") != 1 || strings.Contains(line, "args=") {
			t.Errorf("not one decoded line: %q", line)
		}
		for _, w := range c.want {
			if !strings.Contains(line, w) {
				t.Errorf("%q lacks %q", line, w)
			}
		}
	}
}
