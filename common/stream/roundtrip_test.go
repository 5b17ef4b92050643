package stream

import (
	"bytes"
	"io"
	"math"
	"reflect"
	"testing"
)

func TestRoundTripEveryKind(t *testing.T) {
	s := buildSample(t, 300)
	r, err := NewReader(bytes.NewReader(s.data))
	if err != nil {
		t.Fatal(err)
	}
	if h, ok := r.Header(); !ok || !reflect.DeepEqual(h, testHeader()) {
		t.Fatalf("header %+v, %v", h, ok)
	}
	if _, ok := r.Trailer(); ok {
		t.Fatal("trailer reported before it was read")
	}
	frames, bad := readAll(t, r)
	if len(bad) != 0 {
		t.Fatalf("corruption reported in a clean stream: %v", bad[0])
	}
	if len(frames) != len(s.frames) {
		t.Fatalf("read %d frames, wrote %d", len(frames), len(s.frames))
	}
	for i := range frames {
		sameFrame(t, frames[i], s.frames[i])
	}
	tr, ok := r.Trailer()
	if !ok || tr.StopNs != s.stopNs || tr.Stats != s.stats || tr.EventsWritten != 450 || tr.FramesWritten != 8 {
		t.Fatalf("trailer %+v, %v", tr, ok)
	}
	st := r.Stats()
	if st.Frames != 9 || st.Events != 450 || st.CorruptFrames != 0 || st.UnknownFrames != 0 {
		t.Fatalf("stats %+v", st)
	}
	if s.written.Bytes != s.ends[len(s.ends)-2] {
		t.Fatalf("writer counted %d bytes before the trailer, file has %d", s.written.Bytes, s.ends[len(s.ends)-2])
	}
	if _, err := r.Next(); err != io.EOF {
		t.Fatalf("Next after the end: %v", err)
	}
}

func TestSession(t *testing.T) {
	s := buildSample(t, 10)
	r, err := NewReader(bytes.NewReader(s.data))
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, r)
	h, _ := r.Header()
	tr, _ := r.Trailer()
	sess := Session(h, &tr)
	if sess.ID != h.SessionID || sess.StopNs != s.stopNs || sess.Stats != s.stats || sess.ClockMonoNs != h.ClockMonoNs {
		t.Fatalf("session %+v", sess)
	}
	if back := HeaderFromSession(sess); !reflect.DeepEqual(back, h) {
		t.Fatalf("HeaderFromSession lost fields: %+v", back)
	}
	if r.Session().Stats != s.stats {
		t.Fatal("Reader.Session lacks the trailer's counts")
	}
	if Session(h, nil).StopNs != 0 {
		t.Fatal("a session without trailer has a stop time")
	}
}

func TestNonFiniteFloats(t *testing.T) {
	s := buildSample(t, 10)
	r, _ := NewReader(bytes.NewReader(s.data))
	frames, _ := readAll(t, r)
	snap := frames[2].Snapshots[1]
	if !math.IsInf(snap.CPUPct, 1) || !math.IsInf(snap.MemPct, -1) {
		t.Fatalf("infinities lost: %+v", snap)
	}
	var buf bytes.Buffer
	w, _ := NewWriter(&buf, Header{})
	if err := w.WriteSnapshots(frames[2].Snapshots[:1]); err != nil {
		t.Fatal(err)
	}
	nan := frames[4].Chains
	nan[0].Evidence = map[string]any{"ratio": math.NaN(), "list": []float64{1, math.Inf(1)}}
	if err := w.WriteChains(nan); err != nil {
		t.Fatalf("a NaN in evidence lost the frame: %v", err)
	}
	if !math.IsNaN(nan[0].Evidence["ratio"].(float64)) {
		t.Fatal("the writer modified the caller's evidence")
	}
	r, _ = NewReader(&buf)
	got, _ := readAll(t, r)
	ev := got[1].Chains[0].Evidence
	if ev["ratio"] != "NaN" || !reflect.DeepEqual(ev["list"], []any{1.0, "+Inf"}) {
		t.Fatalf("evidence %v", ev)
	}
}

func TestEmptyWritesAddNothing(t *testing.T) {
	var buf bytes.Buffer
	w, _ := NewWriter(&buf, Header{})
	n := buf.Len()
	if w.WriteEvents(nil) != nil || w.WriteStacks(nil) != nil || w.WriteChains(nil) != nil || buf.Len() != n {
		t.Fatal("empty writes wrote frames")
	}
}
