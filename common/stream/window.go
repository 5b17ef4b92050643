package stream

import (
	"bytes"
	"io"
)

// The Reader keeps unread input in one window, buf[start:end], so that
// after a bad frame it can rescan the very bytes it just read for the
// next sync marker.

const readChunk = 64 << 10

func (r *Reader) window() []byte { return r.buf[r.start:r.end] }

func (r *Reader) advance(n int) {
	r.start += n
	r.off += int64(n)
}

// need makes n bytes available in the window. It returns the source's
// error, io.EOF included, when the input ends first; what did arrive
// stays in the window.
func (r *Reader) need(n int) error {
	for r.end-r.start < n {
		if r.srcErr != nil {
			return r.srcErr
		}
		r.fill(n)
	}
	return nil
}

// fill reads once from the source, aiming for a window of n bytes.
func (r *Reader) fill(n int) {
	if r.start > 0 && r.start+n > len(r.buf) {
		r.end = copy(r.buf, r.buf[r.start:r.end])
		r.start = 0
	}
	// Grow only when the buffer is full of bytes that really arrived, and
	// at most twofold, so a length field claiming 64 MiB costs memory only
	// as the megabytes come in.
	if r.end == len(r.buf) {
		grown := make([]byte, max(2*len(r.buf), readChunk))
		r.end = copy(grown, r.buf[r.start:r.end])
		r.start = 0
		r.buf = grown
	}
	m, err := r.src.Read(r.buf[r.end:])
	r.end += m
	switch {
	case err != nil:
		r.srcErr = err
	case m > 0:
		r.emptyReads = 0
	default:
		// io.Reader allows (0, nil) but not forever; bufio gives up
		// after 100 in a row as well.
		if r.emptyReads++; r.emptyReads >= 100 {
			r.srcErr = io.ErrNoProgress
		}
	}
}

// resync drops the first byte of the window and then every byte before
// the next intact frame header. It returns the bytes dropped, and io.EOF
// (or the source's error) when the input ended before such a header.
func (r *Reader) resync() (int64, error) {
	dropped := int64(1)
	r.advance(1)
	for {
		w := r.window()
		i := bytes.Index(w, syncMarker[:])
		if i < 0 {
			// A marker may straddle the next read: keep its possible start.
			keep := min(len(w), len(syncMarker)-1)
			if r.srcErr != nil {
				keep = 0
			}
			r.advance(len(w) - keep)
			dropped += int64(len(w) - keep)
			if r.srcErr != nil {
				return dropped, r.srcErr
			}
			r.fill(keep + 1)
			continue
		}
		r.advance(i)
		dropped += int64(i)
		if err := r.need(frameHeaderLen); err != nil {
			if err != io.EOF {
				return dropped, err
			}
			rest := r.end - r.start
			r.advance(rest)
			return dropped + int64(rest), io.EOF
		}
		if _, _, ok := parseFrameHeader(r.window()); ok {
			return dropped, nil
		}
		r.advance(1)
		dropped++
	}
}
