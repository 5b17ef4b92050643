package stream

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// FuzzReader feeds the reader arbitrary bytes after a valid prefix, and
// arbitrary prefixes too. It must not panic, must make progress on every
// call (offsets only grow, each report covers at least one byte), must
// report only *CorruptFrameError besides io.EOF, and must end.
func FuzzReader(f *testing.F) {
	s := buildSample(f, 20)
	f.Add(s.data)
	f.Add(s.data[:len(s.data)/2])
	f.Add(s.data[:prefixLen])
	flipped := bytes.Clone(s.data)
	flipped[s.ends[1]+5] ^= 4
	f.Add(flipped)
	f.Add(append(bytes.Clone(s.data[:s.ends[0]+3]), s.data...))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewReader(bytes.NewReader(data), WithMaxFrameSize(1<<20), WithMaxRawSize(8<<20))
		if err != nil {
			return
		}
		pos := int64(prefixLen)
		for calls := 0; ; calls++ {
			if calls > len(data) {
				t.Fatalf("%d calls to Next on %d bytes", calls, len(data))
			}
			f, err := r.Next()
			if err == io.EOF {
				break
			}
			var c *CorruptFrameError
			switch {
			case errors.As(err, &c):
				if c.Offset < pos || c.Length < 1 {
					t.Fatalf("report at %d of %d bytes, reader was at %d", c.Offset, c.Length, pos)
				}
				pos = c.Offset + c.Length
			case err != nil:
				t.Fatalf("Next: %v", err)
			default:
				if f.Offset < pos {
					t.Fatalf("frame at %d, reader was at %d", f.Offset, pos)
				}
				pos = f.Offset + frameOverhead
			}
		}
		if st := r.Stats(); st.SkippedBytes > int64(len(data)) {
			t.Fatalf("skipped %d of %d bytes", st.SkippedBytes, len(data))
		}
	})
}

// FuzzFrameContent wraps arbitrary content in valid framing, so the
// checksums that stop FuzzReader's mutations early do not shield the
// decoders behind them. With wrap set the content also gets a valid
// envelope and zstd. Whatever the content, the good frame after it must
// come through.
func FuzzFrameContent(f *testing.F) {
	s := buildSample(f, 20)
	good := s.data[s.hdrEnd:s.ends[0]]
	f.Add(uint8(KindEvents), uint64(3), []byte{3, 1, 0, 17}, true)
	f.Add(uint8(KindChains), uint64(1), []byte(`[{"id":"x","severity":"HIGH","evidence":{"a":[1,"NaN"]}}]`), true)
	f.Add(uint8(KindSnapshots), uint64(1), []byte(`[{"cpu_pct":"+Inf"}]`), true)
	f.Add(uint8(KindTrailer), uint64(1), []byte(`{"stop_ns":5}`), true)
	f.Add(uint8(KindStacks), uint64(0), s.data[s.ends[0]+frameHeaderLen:s.ends[1]-frameTrailerLen], false)
	f.Fuzz(func(t *testing.T, kind uint8, count uint64, content []byte, wrap bool) {
		data := bytes.Clone(s.data[:s.hdrEnd])
		start := len(data)
		data = appendFrameHeader(data, Kind(kind))
		if wrap {
			data = appendPayload(data, int(count), content)
		} else {
			data = append(data, content...)
		}
		data = finishFrame(data, start)
		data = append(data, good...)
		r, err := NewReader(bytes.NewReader(data), WithMaxRawSize(8<<20))
		if err != nil {
			t.Fatal(err)
		}
		f, err := r.Next()
		var c *CorruptFrameError
		switch {
		case errors.As(err, &c):
			if c.Kind != Kind(kind) || c.Offset != int64(start) {
				t.Fatalf("report %v for a %v frame at %d", c, Kind(kind), start)
			}
		case err != nil:
			t.Fatalf("Next: %v", err)
		case f.Kind != Kind(kind):
			if Kind(kind).known() || f.Kind != KindEvents {
				t.Fatalf("got a %v frame for a %v frame", f.Kind, Kind(kind))
			}
			return // an unknown kind was skipped and the good frame read
		}
		f, err = r.Next()
		if err != nil || f.Kind != KindEvents || len(f.Events) != len(s.frames[0].Events) {
			t.Fatalf("the frame after was lost: %v, %v", f.Kind, err)
		}
	})
}
