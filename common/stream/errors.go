package stream

import (
	"errors"
	"fmt"
)

// ErrNotStream is wrapped by NewReader's error when the input does not
// start with the stream magic.
var ErrNotStream = errors.New("not an ingero stream")

// ErrNoTrailer is the message for a stream that Trailer reports
// incomplete, so every command words it the same way.
var ErrNoTrailer = errors.New("the stream has no trailer: its recorder stopped without closing it (crash, kill or full disk), so the session's stop time and drop counts are unknown")

// ErrClosed is returned by a Writer's methods after Close.
var ErrClosed = errors.New("stream writer closed")

// VersionError is NewReader's error for a format version this package
// cannot read: a newer major version, or major version 0.
type VersionError struct {
	Major, Minor uint16
}

func (e *VersionError) Error() string {
	if e.Major == 0 {
		return fmt.Sprintf("stream format version %d.%d is not a released version; this reader reads %d.x", e.Major, e.Minor, VersionMajor)
	}
	return fmt.Sprintf("stream format version %d.%d is newer than this reader supports (%d.x); upgrade ingero to read it", e.Major, e.Minor, VersionMajor)
}

// CorruptFrameError reports a stretch of the stream that held no usable
// frame: damaged bytes, a frame whose payload does not decode, or a frame
// cut off by the end of the stream. The reader has already skipped past
// it; call Next again to carry on with the frames after it.
type CorruptFrameError struct {
	Offset int64 // byte offset in the stream where the bad stretch starts
	Length int64 // bytes skipped, from Offset to the next good frame or the end
	// Kind is the frame's kind when its header was intact, 0 otherwise.
	Kind Kind
	// Truncated means the stream ended inside the frame: the tail of a
	// file cut off by a crash, or a pipe whose writer died mid-frame.
	Truncated bool
	Err       error
}

func (e *CorruptFrameError) Error() string {
	what := "frame"
	if e.Kind != 0 {
		what = e.Kind.String() + " frame"
	}
	if e.Truncated {
		return fmt.Sprintf("truncated %s at byte %d: the stream ends %d bytes into it", what, e.Offset, e.Length)
	}
	return fmt.Sprintf("corrupt %s at byte %d (%d bytes skipped): %v", what, e.Offset, e.Length, e.Err)
}

func (e *CorruptFrameError) Unwrap() error { return e.Err }
