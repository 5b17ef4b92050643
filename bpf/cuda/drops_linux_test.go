package cuda

import (
	"testing"

	"ingero.dev/bpf/ring"
	"ingero.dev/common/event"
)

// TestEveryLostRecordIsCounted fills a one-page ring while nobody reads it:
// the kernel counts each record it could not reserve, so that what was
// recorded plus what was dropped is exactly what the workload produced.
func TestEveryLostRecordIsCounted(t *testing.T) {
	h := newPausedHarness(t, Options{RingBytes: ring.MinSize})
	counts := h.run(nil, "--pattern", "launch-storm", "--iterations", "3")
	h.tr.Start(h.sink) // the consumer wakes up only now
	events := h.of(counts.PID)
	c, err := h.maps.Counters()
	if err != nil {
		t.Fatal(err)
	}
	dropped := c.DropsOf(event.SourceCUDA) + c.DropsOf(event.SourceDriver)
	var produced uint64
	for _, n := range counts.Want() {
		produced += n
	}
	recorded := uint64(len(events))
	if dropped == 0 {
		t.Fatalf("%d records into a 4 KiB ring with no reader and no drop counted", produced)
	}
	if recorded+dropped != produced {
		t.Errorf("recorded %d + dropped %d = %d, the workload produced %d", recorded, dropped,
			recorded+dropped, produced)
	}
	if s := h.tr.Stats(); s.Undecodable != 0 {
		t.Errorf("%d records undecodable", s.Undecodable)
	}
}

// TestSamplingCountsWhatItSkips keeps 1 launch in 4 and counts the others.
func TestSamplingCountsWhatItSkips(t *testing.T) {
	h := newHarness(t, Options{})
	if err := h.maps.SetSampling(4); err != nil {
		t.Fatal(err)
	}
	counts := h.run(nil, "--pattern", "launch-storm", "--iterations", "4")
	events := h.of(counts.PID)
	c, err := h.maps.Counters()
	if err != nil {
		t.Fatal(err)
	}
	var produced uint64
	for _, n := range counts.Want() {
		produced += n
	}
	recorded := uint64(len(events))
	if recorded+c.TotalSampled() != produced {
		t.Errorf("recorded %d + sampled out %d != produced %d", recorded, c.TotalSampled(), produced)
	}
	if lo, hi := produced/4-produced/20, produced/4+produced/20; recorded < lo || recorded > hi {
		t.Errorf("recorded %d of %d at 1 in 4", recorded, produced)
	}
	if c.TotalDrops() != 0 {
		t.Errorf("%d drops", c.TotalDrops())
	}
}
