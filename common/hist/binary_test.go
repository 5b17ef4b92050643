package hist

import (
	"errors"
	"math"
	"testing"
)

func TestBinaryRoundTrip(t *testing.T) {
	for name, vals := range distributions() {
		var h Histogram
		for _, v := range vals {
			h.Record(v)
		}
		enc, err := h.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var back Histogram
		if err := back.UnmarshalBinary(enc); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		assertSame(t, &h, &back)
	}
	var empty, back Histogram
	enc, _ := empty.AppendBinary([]byte("prefix"))
	if string(enc[:6]) != "prefix" {
		t.Fatal("AppendBinary must append")
	}
	if err := back.UnmarshalBinary(enc[6:]); err != nil || back.Count() != 0 {
		t.Fatalf("empty round trip: %v, count %d", err, back.Count())
	}
}

func TestBinaryIsCompact(t *testing.T) {
	var h Histogram
	// A realistic op: 100k launches between 3µs and 40µs.
	for i := range 100_000 {
		h.Record(3_000 + int64(i*7919)%37_000)
	}
	enc, _ := h.MarshalBinary()
	if len(enc) > 2_500 {
		t.Errorf("encoding is %d bytes; sparse varints should stay well under 2.5 KB", len(enc))
	}
}

func TestUnmarshalRejectsCorruptInput(t *testing.T) {
	var h Histogram
	for _, v := range []int64{10, 1_000, 1_000_000, math.MaxInt64} {
		h.Record(v)
	}
	good, _ := h.MarshalBinary()
	cases := map[string][]byte{
		"empty":         {},
		"version":       append([]byte{9}, good[1:]...),
		"truncated":     good[:len(good)-1],
		"trailing":      append(append([]byte{}, good...), 0),
		"count too big": {1, 5, 10, 1, 0, 1, 1, 1},
		"zero buckets":  {1, 1, 1, 1, 0, 0},
		"zero count":    {1, 1, 1, 1, 0, 1, 1, 0},
		"min mismatch":  {1, 1, 1, 1, 0, 1, 5, 1},
		"index range":   {1, 1, 1, 1, 0, 1, 0xff, 0xff, 0x03, 1},
		"empty trailer": {1, 0, 0},
	}
	for name, in := range cases {
		var back Histogram
		back.Record(77)
		err := back.UnmarshalBinary(in)
		if !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: err = %v, want ErrCorrupt", name, err)
		}
		if back.Count() != 0 {
			t.Errorf("%s: histogram not emptied after a failed decode", name)
		}
	}
}

func FuzzUnmarshalBinary(f *testing.F) {
	var h Histogram
	for _, v := range []int64{0, 99, 5_000, 16_700_000} {
		h.Record(v)
	}
	good, _ := h.MarshalBinary()
	f.Add(good)
	f.Add([]byte{1, 0})
	f.Fuzz(func(t *testing.T, in []byte) {
		var d Histogram
		if d.UnmarshalBinary(in) != nil {
			return
		}
		// Whatever decodes must be self-consistent and re-encode identically.
		again, _ := d.MarshalBinary()
		var e Histogram
		if err := e.UnmarshalBinary(again); err != nil {
			t.Fatalf("re-decode: %v", err)
		}
		assertSame(t, &d, &e)
		if q := d.Quantile(0.99); d.Count() > 0 && (q < d.Min() || q > d.Max()) {
			t.Fatalf("quantile %d outside [%d,%d]", q, d.Min(), d.Max())
		}
	})
}
