package stream

import (
	"bytes"
	"errors"
	"io"
	"runtime"
	"testing"

	"ingero.dev/common/batch"
	"ingero.dev/common/batch/batchtest"
	"ingero.dev/common/event"
)

// TestPipe reads through a pipe while the writer writes, frame by frame:
// the writer waits until the reader has each frame before it writes the
// next, so a reader that needed bytes beyond a frame would hang here.
func TestPipe(t *testing.T) {
	pr, pw := io.Pipe()
	got := make(chan int)
	errc := make(chan error, 1)
	const frames = 20
	go func() {
		defer pw.Close()
		w, err := NewWriter(pw, testHeader())
		if err != nil {
			errc <- err
			return
		}
		for i := range frames {
			if err := w.WriteEvents(batchtest.LaunchStorm(uint64(i), 100+i)); err != nil {
				errc <- err
				return
			}
			if n := <-got; n != 100+i {
				errc <- errors.New("reader got the wrong frame")
				return
			}
		}
		errc <- w.Close(event.SessionStats{Events: 7}, 1)
	}()
	r, err := NewReader(pr)
	if err != nil {
		t.Fatal(err)
	}
	for i := range frames {
		f, err := r.Next()
		if err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		got <- len(f.Events)
	}
	if f, err := r.Next(); err != nil || f.Kind != KindTrailer {
		t.Fatalf("want the trailer, got %v, %v", f.Kind, err)
	}
	if _, err := r.Next(); err != io.EOF {
		t.Fatalf("after the trailer: %v", err)
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
}

func TestIterators(t *testing.T) {
	s := buildSample(t, 50)
	data := bytes.Clone(s.data)
	data[s.ends[2]+30] ^= 1 // damage the process names frame
	r, _ := NewReader(bytes.NewReader(data))
	var events, bad int
	for ev, err := range r.Events() {
		if err != nil {
			bad++
			continue
		}
		if ev.Node == "" {
			t.Fatal("zero event yielded")
		}
		events++
	}
	if events != 75 || bad != 1 {
		t.Fatalf("%d events, %d reports", events, bad)
	}
	if _, ok := r.Trailer(); !ok {
		t.Fatal("Events did not note the trailer")
	}
	r, _ = NewReader(bytes.NewReader(s.data))
	n := 0
	for range r.Frames() {
		if n++; n == 2 {
			break
		}
	}
	if f, err := r.Next(); err != nil || f.Kind != KindSnapshots {
		t.Fatalf("after breaking out, Next = %v, %v", f.Kind, err)
	}
}

type failingWriter struct{ after int }

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.after--; w.after < 0 {
		return len(p) / 2, errors.New("disk full")
	}
	return len(p), nil
}

func TestWriterErrorsAreSticky(t *testing.T) {
	w, err := NewWriter(&failingWriter{after: 2}, Header{})
	if err != nil {
		t.Fatal(err)
	}
	evs := batchtest.LaunchStorm(1, 10)
	if err := w.WriteEvents(evs); err != nil {
		t.Fatal(err)
	}
	if err := w.WriteEvents(evs); err == nil {
		t.Fatal("write error not returned")
	}
	if err := w.WriteStacks([]event.Stack{{ID: 1}}); err == nil {
		t.Fatal("write after an error succeeded")
	}
	if err := w.Close(event.SessionStats{}, 0); err == nil {
		t.Fatal("Close after an error succeeded")
	}
	if st := w.Stats(); st.Events != 10 || st.Frames != 2 {
		t.Fatalf("stats count the failed write: %+v", st)
	}
	if _, err := NewWriter(&failingWriter{}, Header{}); err == nil {
		t.Fatal("NewWriter ignored a failed header write")
	}
}

func TestWriterClosed(t *testing.T) {
	w, _ := NewWriter(io.Discard, Header{})
	if err := w.Close(event.SessionStats{}, 0); err != nil {
		t.Fatal(err)
	}
	if err := w.WriteEvents(batchtest.LaunchStorm(1, 1)); !errors.Is(err, ErrClosed) {
		t.Fatalf("WriteEvents after Close: %v", err)
	}
	if err := w.Close(event.SessionStats{}, 0); !errors.Is(err, ErrClosed) {
		t.Fatalf("second Close: %v", err)
	}
}

func TestWriteEventsDoesNotAllocate(t *testing.T) {
	evs := batchtest.LaunchStorm(1, 4096)
	w, _ := NewWriter(io.Discard, Header{})
	allocs := testing.AllocsPerRun(20, func() {
		if err := w.WriteEvents(evs); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 0 {
		t.Fatalf("WriteEvents allocates %.1f times per call", allocs)
	}
}

func TestReadersStartNoGoroutines(t *testing.T) {
	s := buildSample(t, 10)
	before := runtime.NumGoroutine()
	for range 50 {
		r, err := NewReader(bytes.NewReader(s.data))
		if err != nil {
			t.Fatal(err)
		}
		readAll(t, r)
	}
	if after := runtime.NumGoroutine(); after > before {
		t.Fatalf("%d goroutines before, %d after", before, after)
	}
}

func TestWriteEventsSplitsAtMaxEvents(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a million events")
	}
	storm := batchtest.LaunchStorm(1, 4096)
	evs := make([]event.Event, batch.MaxEvents+5)
	for i := range evs {
		evs[i] = storm[i%len(storm)]
	}
	var buf bytes.Buffer
	w, _ := NewWriter(&buf, Header{})
	if err := w.WriteEvents(evs); err != nil {
		t.Fatal(err)
	}
	r, _ := NewReader(&buf)
	var sizes []int
	for f, err := range r.Frames() {
		if err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, len(f.Events))
	}
	if len(sizes) != 2 || sizes[0] != batch.MaxEvents || sizes[1] != 5 {
		t.Fatalf("frame sizes %v", sizes)
	}
}
