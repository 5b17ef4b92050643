package stream

import (
	"fmt"
	"io"
	"math"
)

// FrameReader reads single frames at known offsets of a seekable stream,
// the Frame.Offset values of an earlier pass: a reader that indexes a file
// once can then decode only the frames a query needs. It is not safe for
// concurrent use.
type FrameReader struct {
	src io.ReaderAt
	r   *Reader
}

// NewFrameReader reads frames of src, with the limits of opts.
func NewFrameReader(src io.ReaderAt, opts ...Option) (*FrameReader, error) {
	r, err := newFrameDecoder(opts)
	if err != nil {
		return nil, err
	}
	return &FrameReader{src: src, r: r}, nil
}

// ReadAt decodes the frame whose sync marker is at off. As with Next,
// Events is reused by the next call. Damage there is a *CorruptFrameError.
func (fr *FrameReader) ReadAt(off int64) (Frame, error) {
	r := fr.r
	// Read exactly the frame when its header is intact, so that a small
	// frame costs a small read; otherwise read on, to report the damage.
	size := int64(math.MaxInt64 - off)
	var h [frameHeaderLen]byte
	if _, err := fr.src.ReadAt(h[:], off); err == nil {
		if _, length, ok := parseFrameHeader(h[:]); ok && int64(length) <= int64(r.opts.maxFrame) {
			size = frameOverhead + int64(length)
		}
	}
	r.src = io.NewSectionReader(fr.src, off, size)
	r.start, r.end, r.off, r.srcErr, r.emptyReads = 0, 0, off, nil, 0
	kind, payload, err := r.readFrame()
	if err == io.EOF {
		return Frame{}, fmt.Errorf("reading frame at %d: %w", off, io.ErrUnexpectedEOF)
	}
	if err != nil {
		return Frame{}, err
	}
	f, err := r.decode(kind, payload)
	if err != nil {
		return Frame{}, r.corrupt(&CorruptFrameError{Offset: off, Length: int64(frameOverhead + len(payload)), Kind: kind, Err: err})
	}
	f.Offset = off
	return f, nil
}
