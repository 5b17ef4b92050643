package ndjson

import (
	"io"
	"testing"

	"ingero.dev/common/event"
)

// BenchmarkEncode measures one event per op through Encode into a
// discarding writer; events/s is the figure the brief's target names.
func BenchmarkEncode(b *testing.B) {
	evs := goldenEvents()[:5] // realistic lines: allocs, copies, launches, host events
	for i := range evs {
		evs[i].Comm = "python3"
	}
	enc := NewEncoder(io.Discard)
	var n int
	clock := t0
	b.ReportAllocs()
	for b.Loop() {
		ev := &evs[n%len(evs)]
		clock += 1_000 // time-ordered, as trace emits them: a new second every millionth
		ev.TimeNs = clock
		if err := enc.Encode(ev); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
}

func BenchmarkEncodeLaunch(b *testing.B) {
	ev := event.Event{TimeNs: t0, PID: 4821, TID: 4821, Comm: "python3", Source: event.SourceDriver,
		Op: event.CuLaunchKernel, Args: [4]uint64{0x7f3a1000beef, 0x55d0c0ffee00, 1 << 20, 256}, Node: "gpu-node-07", GPU: 0}
	enc := NewEncoder(io.Discard)
	b.ReportAllocs()
	for b.Loop() {
		ev.TimeNs += 700
		if err := enc.Encode(&ev); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

func BenchmarkDecode(b *testing.B) {
	line := encodeAll(b, goldenEvents()[:1])
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(line); err != nil {
			b.Fatal(err)
		}
	}
}
