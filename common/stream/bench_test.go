package stream

import (
	"bytes"
	"io"
	"testing"

	"ingero.dev/common/batch/batchtest"
	"ingero.dev/common/event"
)

const benchFrameEvents = 4096

// BenchmarkWrite measures WriteEvents on launch-storm batches: encoding,
// zstd, checksums and framing. B/event counts every byte of the file.
func BenchmarkWrite(b *testing.B) {
	evs := batchtest.LaunchStorm(1, benchFrameEvents)
	w, err := NewWriter(io.Discard, Header{})
	if err != nil {
		b.Fatal(err)
	}
	start := w.Stats().Bytes
	b.ReportAllocs()
	for b.Loop() {
		if err := w.WriteEvents(evs); err != nil {
			b.Fatal(err)
		}
	}
	st := w.Stats()
	b.ReportMetric(float64(st.Events)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(st.Bytes-start)/float64(st.Events), "B/event")
}

// BenchmarkRead measures Next over a file of launch-storm frames, each
// from its own seed so that no two frames are alike.
func BenchmarkRead(b *testing.B) {
	const frames = 32
	var buf bytes.Buffer
	w, _ := NewWriter(&buf, Header{})
	for i := range frames {
		if err := w.WriteEvents(batchtest.LaunchStorm(uint64(i), benchFrameEvents)); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Close(event.SessionStats{}, 0); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	var events int
	b.ReportAllocs()
	for b.Loop() {
		r, err := NewReader(bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		for f, err := range r.Frames() {
			if err != nil {
				b.Fatal(err)
			}
			events += len(f.Events)
		}
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(len(data))/float64(frames*benchFrameEvents), "B/event")
}
