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

// PayloadDecoder decodes what WithEventPayloads hands out as Next would,
// and reports damaged content.
func TestPayloadDecoder(t *testing.T) {
	s := buildSample(t, 2000)
	r, err := NewReader(bytes.NewReader(s.data), WithEventPayloads())
	if err != nil {
		t.Fatal(err)
	}
	d, err := NewPayloadDecoder()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for f, err := range r.Frames() {
		if err != nil {
			t.Fatal(err)
		}
		if f.Kind != KindEvents {
			continue
		}
		if f.Events != nil || len(f.Payload) == 0 {
			t.Fatalf("events frame at %d: Events %d, Payload %d bytes", f.Offset, len(f.Events), len(f.Payload))
		}
		briefs, err := d.Briefs(f.Payload, nil)
		if err != nil {
			t.Fatal(err)
		}
		n += len(briefs)
		bad := bytes.Clone(f.Payload) // Payload is the reader's window
		bad[len(bad)-3] ^= 0xff
		if _, err := d.Briefs(bad, nil); err == nil {
			t.Error("damaged content: no error")
		}
	}
	want := 0
	plain, _ := NewReader(bytes.NewReader(s.data))
	for _, err := range plain.Events() {
		if err == nil {
			want++
		}
	}
	if n != want || n == 0 {
		t.Errorf("%d events decoded, Next decodes %d", n, want)
	}
}
