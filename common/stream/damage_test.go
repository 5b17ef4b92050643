package stream

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// TestTruncatedAtEveryOffset cuts the stream at every byte, as a crash
// would. The reader must return every frame that ended before the cut,
// report the partial frame as truncated, and never see a trailer.
func TestTruncatedAtEveryOffset(t *testing.T) {
	s := buildSample(t, 40)
	for cut := 0; cut <= len(s.data); cut++ {
		r, err := NewReader(bytes.NewReader(s.data[:cut]))
		if cut < prefixLen {
			if err == nil {
				t.Fatalf("cut %d: NewReader accepted a stream without its version", cut)
			}
			continue
		}
		if err != nil {
			t.Fatalf("cut %d: %v", cut, err)
		}
		_, hasHdr := r.Header()
		frames, bad := readAll(t, r)
		complete := 0
		for complete < len(s.ends) && s.ends[complete] <= int64(cut) {
			complete++
		}
		if hasHdr != (int64(cut) >= s.hdrEnd) {
			t.Fatalf("cut %d: header present = %v", cut, hasHdr)
		}
		if len(frames) != complete {
			t.Fatalf("cut %d: got %d frames, %d were complete", cut, len(frames), complete)
		}
		for i := range frames {
			sameFrame(t, frames[i], s.frames[i])
		}
		atBoundary := cut == prefixLen || int64(cut) == s.hdrEnd || (complete > 0 && s.ends[complete-1] == int64(cut))
		switch {
		case atBoundary && len(bad) != 0:
			t.Fatalf("cut %d at a frame boundary reported %v", cut, bad[0])
		case !atBoundary && (len(bad) != 1 || !bad[0].Truncated):
			t.Fatalf("cut %d inside a frame: reports %v, want one truncation", cut, bad)
		}
		if _, ok := r.Trailer(); ok != (cut == len(s.data)) {
			t.Fatalf("cut %d: trailer seen = %v", cut, ok)
		}
	}
}

// TestBitFlips flips every bit of one frame in the middle of the stream:
// the frames around it must survive and the bad one must be reported.
func TestBitFlips(t *testing.T) {
	s := buildSample(t, 40)
	for victim := 1; victim < len(s.frames)-1; victim++ {
		start, end := s.ends[victim-1], s.ends[victim]
		step := int64(1)
		if end-start > 300 {
			step = 7 // events frames are long; a stride still hits every field
		}
		for pos := start; pos < end; pos += step {
			for bit := 0; bit < 8; bit++ {
				data := bytes.Clone(s.data)
				data[pos] ^= 1 << bit
				r, err := NewReader(bytes.NewReader(data))
				if err != nil {
					t.Fatal(err)
				}
				frames, bad := readAll(t, r)
				if len(bad) != 1 || bad[0].Offset != start || bad[0].Length != end-start {
					t.Fatalf("frame %d, byte %d, bit %d: reports %v", victim, pos-start, bit, bad)
				}
				if len(frames) != len(s.frames)-1 {
					t.Fatalf("frame %d, byte %d, bit %d: %d frames survived, want %d", victim, pos-start, bit, len(frames), len(s.frames)-1)
				}
				for i, f := range frames {
					j := i
					if i >= victim {
						j++
					}
					sameFrame(t, f, s.frames[j])
				}
			}
		}
	}
}

func TestDamagedHeaderIsNotFatal(t *testing.T) {
	s := buildSample(t, 40)
	data := bytes.Clone(s.data)
	data[prefixLen+20] ^= 0x10
	r, err := NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("a damaged header frame made the stream unreadable: %v", err)
	}
	if _, ok := r.Header(); ok {
		t.Fatal("damaged header reported present")
	}
	frames, bad := readAll(t, r)
	if len(bad) != 1 || bad[0].Offset != prefixLen || len(frames) != len(s.frames) {
		t.Fatalf("got %d frames and reports %v", len(frames), bad)
	}
}

// TestCrashThenAppend is a writer killed mid-frame followed by a new
// writer appending its own stream to the same file: the half frame's
// length covers bytes of the new stream, which must still be found.
func TestCrashThenAppend(t *testing.T) {
	first := buildSample(t, 40)
	second := buildSample(t, 20)
	cut := first.ends[0] + 10 // inside the stacks frame
	data := append(bytes.Clone(first.data[:cut]), second.data...)
	r, err := NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	frames, bad := readAll(t, r)
	if len(bad) != 1 || bad[0].Truncated || bad[0].Offset != first.ends[0] {
		t.Fatalf("reports %v", bad)
	}
	if len(frames) != 1+1+len(second.frames) || frames[1].Kind != KindHeader || frames[1].Header.SessionID != testHeader().SessionID {
		t.Fatalf("got %d frames: %v", len(frames), kinds(frames))
	}
	for i, f := range frames[2:] {
		sameFrame(t, f, second.frames[i])
	}
}

func TestGarbageBetweenFrames(t *testing.T) {
	s := buildSample(t, 40)
	at := s.ends[2]
	junk := append([]byte("junk"), syncMarker[:]...) // a false sync marker too
	data := append(append(bytes.Clone(s.data[:at]), junk...), s.data[at:]...)
	r, _ := NewReader(bytes.NewReader(data))
	frames, bad := readAll(t, r)
	if len(frames) != len(s.frames) || len(bad) != 1 || bad[0].Length != int64(len(junk)) || !errors.Is(bad[0], errBadHeader) {
		t.Fatalf("got %d frames and reports %v", len(frames), bad)
	}
}

func TestLimits(t *testing.T) {
	s := buildSample(t, 400)
	limit := s.ends[0] - s.hdrEnd - frameOverhead - 1 // the first events frame is just over
	over := 0
	for i, end := range s.ends {
		start := s.hdrEnd
		if i > 0 {
			start = s.ends[i-1]
		}
		if end-start-frameOverhead > limit {
			over++
		}
	}
	r, _ := NewReader(bytes.NewReader(s.data), WithMaxFrameSize(int(limit)))
	frames, bad := readAll(t, r)
	if len(bad) != over || !strings.Contains(bad[0].Error(), "exceeds the") || len(frames) != len(s.frames)-over {
		t.Fatalf("frame limit: %d frames, reports %v", len(frames), bad)
	}
	r, _ = NewReader(bytes.NewReader(s.data), WithMaxRawSize(4096))
	frames, bad = readAll(t, r)
	if len(bad) != 2 || !strings.Contains(bad[0].Error(), "content of") || len(frames) != len(s.frames)-2 {
		t.Fatalf("raw limit: %d frames, reports %v", len(frames), bad)
	}
}

func kinds(frames []Frame) []Kind {
	var ks []Kind
	for _, f := range frames {
		ks = append(ks, f.Kind)
	}
	return ks
}

func TestConcatenatedStreams(t *testing.T) {
	a, b := buildSample(t, 40), buildSample(t, 20)
	r, err := NewReader(bytes.NewReader(append(bytes.Clone(a.data), b.data...)))
	if err != nil {
		t.Fatal(err)
	}
	frames, bad := readAll(t, r)
	if len(bad) != 0 || len(frames) != len(a.frames)+1+len(b.frames) {
		t.Fatalf("%d frames, reports %v", len(frames), bad)
	}
	if h := frames[len(a.frames)]; h.Kind != KindHeader || h.Header.Node != "node7" || h.Offset != int64(len(a.data)+prefixLen) {
		t.Fatalf("second header: %+v", h)
	}
	for i, f := range frames[len(a.frames)+1:] {
		sameFrame(t, f, b.frames[i])
	}

	// A session appended without a trailer of its own has none.
	cut := b.ends[len(b.ends)-2]
	r, _ = NewReader(bytes.NewReader(append(bytes.Clone(a.data), b.data[:cut]...)))
	readAll(t, r)
	if _, ok := r.Trailer(); ok {
		t.Fatal("the first session's trailer was reported for the second")
	}

	// One of a newer major version cannot be framed: all of it is
	// reported, none of it decoded.
	newer := withVersion(b.data, VersionMajor+1, 0)
	r, _ = NewReader(bytes.NewReader(append(bytes.Clone(a.data), newer...)))
	frames, bad = readAll(t, r)
	if len(frames) != len(a.frames) || len(bad) != 1 || bad[0].Length != int64(len(newer)) || !strings.Contains(bad[0].Error(), "newer than this reader") {
		t.Fatalf("%d frames, reports %v", len(frames), bad)
	}
}
