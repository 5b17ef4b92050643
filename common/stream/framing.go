package stream

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// next returns the next intact frame of a known kind, decoded, or the
// report of the damage met instead.
func (r *Reader) next() (Frame, error) {
	for {
		kind, payload, err := r.readFrame()
		if err != nil {
			return Frame{}, err
		}
		off := r.off
		f, err := r.decode(kind, payload)
		size := frameOverhead + len(payload)
		r.advance(size)
		switch {
		case err != nil:
			return Frame{}, r.corrupt(&CorruptFrameError{Offset: off, Length: int64(size), Kind: kind, Err: err})
		case !kind.known():
			r.stats.UnknownFrames++
			continue
		}
		r.stats.Frames++
		r.stats.Events += uint64(len(f.Events))
		f.Offset = off
		return f, nil
	}
}

var (
	errBadHeader = errors.New("no intact frame header")
	errCutShort  = errors.New("the frame is cut short")
)

// readFrame returns the kind and payload of the intact frame at the start
// of the window; its bytes stay there until the caller advances.
func (r *Reader) readFrame() (Kind, []byte, error) {
	for {
		if err := r.need(frameHeaderLen); err != nil {
			switch w := r.window(); {
			case err != io.EOF:
				return 0, nil, r.fatal(err)
			case len(w) == 0:
				return 0, nil, io.EOF
			case bytes.HasPrefix(syncMarker[:], w[:min(len(w), len(syncMarker))]):
				return r.skipDamage(0, errCutShort)
			}
			return r.skipDamage(0, errBadHeader)
		}
		if !IsStream(r.window()) {
			break
		}
		// Another stream appended to this one, by a restarted writer or
		// by cat: its header frame follows and Next returns it.
		if major := binary.LittleEndian.Uint16(r.window()[MagicLen:]); major == 0 || major > VersionMajor {
			minor := binary.LittleEndian.Uint16(r.window()[MagicLen+2:])
			return r.skipRest(fmt.Errorf("appended stream: %w", &VersionError{Major: major, Minor: minor}))
		}
		r.advance(prefixLen)
	}
	kind, length, ok := parseFrameHeader(r.window())
	if !ok {
		return r.skipDamage(0, errBadHeader)
	}
	if int64(length) > int64(r.opts.maxFrame) {
		return r.skipDamage(kind, fmt.Errorf("frame of %d bytes exceeds the %d-byte limit", length, r.opts.maxFrame))
	}
	if err := r.need(frameOverhead + int(length)); err != nil {
		if err != io.EOF {
			return 0, nil, r.fatal(err)
		}
		return r.skipDamage(kind, errCutShort)
	}
	w := r.window()
	payload := w[frameHeaderLen : frameHeaderLen+int(length)]
	if binary.LittleEndian.Uint32(w[frameHeaderLen+int(length):]) != checksum(payload) {
		return r.skipDamage(kind, errors.New("payload checksum mismatch"))
	}
	return kind, payload, nil
}

// skipDamage moves past a bad frame at the start of the window by
// rescanning from its second byte, so frames that a wrong length would
// have swallowed are still found.
func (r *Reader) skipDamage(kind Kind, cause error) (Kind, []byte, error) {
	off := r.off
	n, err := r.resync()
	if err != nil && err != io.EOF {
		return 0, nil, r.fatal(err)
	}
	return 0, nil, r.corrupt(&CorruptFrameError{
		Offset: off, Length: n, Kind: kind, Err: cause,
		Truncated: cause == errCutShort && err == io.EOF,
	})
}

// skipRest drops everything up to the end of the input: what follows is
// in a format this reader cannot frame.
func (r *Reader) skipRest(cause error) (Kind, []byte, error) {
	off := r.off
	for {
		r.advance(r.end - r.start)
		if r.srcErr != nil {
			break
		}
		r.fill(1)
	}
	if r.srcErr != io.EOF {
		return 0, nil, r.fatal(r.srcErr)
	}
	return 0, nil, r.corrupt(&CorruptFrameError{Offset: off, Length: r.off - off, Err: cause})
}

func (r *Reader) corrupt(e *CorruptFrameError) error {
	r.stats.CorruptFrames++
	r.stats.SkippedBytes += e.Length
	return e
}

func (r *Reader) fatal(err error) error { return fmt.Errorf("reading stream: %w", err) }
