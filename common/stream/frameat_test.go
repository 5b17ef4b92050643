package stream

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
)

// TestFrameReaderRereadsEveryFrame reads a stream once, then every frame
// again at its offset, in reverse order: each must come back as it was.
func TestFrameReaderRereadsEveryFrame(t *testing.T) {
	s := buildSample(t, 3000)
	r, err := NewReader(bytes.NewReader(s.data))
	if err != nil {
		t.Fatal(err)
	}
	var first []Frame
	for f, err := range r.Frames() {
		if err != nil {
			t.Fatal(err)
		}
		f.Events = append(f.Events[:0:0], f.Events...) // Next reuses it
		first = append(first, f)
	}
	fr, err := NewFrameReader(bytes.NewReader(s.data))
	if err != nil {
		t.Fatal(err)
	}
	for i := len(first) - 1; i >= 0; i-- {
		got, err := fr.ReadAt(first[i].Offset)
		if err != nil {
			t.Fatalf("frame %d at %d: %v", i, first[i].Offset, err)
		}
		if !reflect.DeepEqual(got, first[i]) {
			t.Errorf("frame %d at %d differs:\n got %+v\nwant %+v", i, first[i].Offset, got.Kind, first[i].Kind)
		}
	}
	// An offset that is no frame is damage, and the end of the file too.
	var corrupt *CorruptFrameError
	if _, err := fr.ReadAt(first[0].Offset + 1); !errors.As(err, &corrupt) {
		t.Errorf("offset inside a frame: got %v, want *CorruptFrameError", err)
	}
	if _, err := fr.ReadAt(int64(len(s.data))); err == nil {
		t.Error("offset at the end: no error")
	}
}
