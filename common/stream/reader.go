package stream

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/klauspost/compress/zstd"

	"ingero.dev/common/event"
)

// Reader reads a stream frame by frame with bounded memory: one frame's
// bytes, its decompressed content and its decoded records at a time. It
// is not safe for concurrent use.
type Reader struct {
	src        io.Reader
	buf        []byte
	start, end int   // the unread window is buf[start:end]
	off        int64 // stream offset of buf[start]
	srcErr     error // sticky, io.EOF included
	emptyReads int

	opts   options
	zdec   *zstd.Decoder
	raw    []byte
	events []event.Event

	major, minor uint16
	hdr          Header
	hasHdr       bool
	trailer      *Trailer
	// What NewReader read in place of a header, for Next to return first.
	pending    *Frame
	pendingErr error
	stats      ReaderStats
}

// Frame is one decoded frame. Exactly the field of its Kind is set.
type Frame struct {
	Kind   Kind
	Offset int64 // byte offset of the frame's sync marker in the stream
	// Events is reused by the next call to Next; copy what must outlive it.
	Events []event.Event
	// Payload replaces Events with WithEventPayloads: the frame's payload,
	// checksummed but not decompressed. It is only valid until the next
	// call to Next; copy it to decode it elsewhere.
	Payload     []byte
	Stacks      []event.Stack
	Snapshots   []event.Snapshot
	Processes   []event.ProcessName
	Chains      []event.Chain
	Annotations []event.Annotation
	// Header is set for a header frame after the first: the start of
	// another session's stream appended to this one.
	Header  *Header
	Trailer *Trailer
}

// ReaderStats counts what a Reader has met so far.
type ReaderStats struct {
	Frames        uint64 // intact frames of known kinds, the header included
	Events        uint64
	UnknownFrames uint64 // intact frames of kinds this reader does not know, skipped
	CorruptFrames uint64 // bad stretches reported as *CorruptFrameError
	SkippedBytes  int64  // bytes in those stretches
}

type options struct {
	maxFrame int
	maxRaw   int
	payloads bool
}

// Option configures a Reader.
type Option func(*options)

// WithMaxFrameSize caps a frame's payload, in bytes (default
// DefaultMaxFrameSize). Larger frames are reported and skipped unread.
func WithMaxFrameSize(n int) Option { return func(o *options) { o.maxFrame = n } }

// WithEventPayloads makes events frames come back undecoded, as
// Frame.Payload, so that a reader can decode them on several goroutines,
// each with its own PayloadDecoder.
func WithEventPayloads() Option { return func(o *options) { o.payloads = true } }

// WithMaxRawSize caps a frame's decompressed content, in bytes (default
// DefaultMaxRawSize). Larger frames are reported and skipped.
func WithMaxRawSize(n int) Option { return func(o *options) { o.maxRaw = n } }

// NewReader checks that src is a stream of a version it can read, then
// reads the header frame. A damaged header is not fatal: Header reports
// it missing and the first Next returns the damage as a
// *CorruptFrameError, so the events after it can still be read.
func NewReader(src io.Reader, opts ...Option) (*Reader, error) {
	r, err := newFrameDecoder(opts)
	if err != nil {
		return nil, err
	}
	r.src = src
	if err := r.readPrefix(); err != nil {
		return nil, err
	}
	f, err := r.next()
	var corrupt *CorruptFrameError
	switch {
	case err == nil && f.Kind == KindHeader:
		r.hdr, r.hasHdr = *f.Header, true
	case err == nil:
		r.pending = &f
	case errors.As(err, &corrupt):
		r.pendingErr = err
	case err != io.EOF:
		return nil, fmt.Errorf("reading stream header: %w", err)
	}
	return r, nil
}

// newFrameDecoder sets up what decoding frames needs, without a source.
func newFrameDecoder(opts []Option) (*Reader, error) {
	r := &Reader{opts: options{maxFrame: DefaultMaxFrameSize, maxRaw: DefaultMaxRawSize}}
	for _, o := range opts {
		o(&r.opts)
	}
	r.opts.maxFrame = max(r.opts.maxFrame, 1)
	r.opts.maxRaw = max(r.opts.maxRaw, 1)
	var err error
	r.zdec, err = zstd.NewReader(nil, zstd.WithDecoderConcurrency(1),
		zstd.WithDecoderMaxMemory(uint64(r.opts.maxRaw)), zstd.WithDecoderMaxWindow(64<<20))
	if err != nil {
		return nil, fmt.Errorf("creating zstd decoder: %w", err)
	}
	return r, nil
}

func (r *Reader) readPrefix() error {
	err := r.need(prefixLen)
	w := r.window()
	switch {
	case err != nil && err != io.EOF:
		return fmt.Errorf("reading stream: %w", err)
	case len(w) == 0:
		return fmt.Errorf("%w: the input is empty", ErrNotStream)
	case len(w) >= 6 && bytes.HasPrefix([]byte("SQLite format 3\x00"), w[:min(len(w), 16)]):
		return fmt.Errorf("%w: it is a SQLite database", ErrNotStream)
	case !bytes.HasPrefix(magic[:], w[:min(len(w), MagicLen)]):
		return fmt.Errorf("%w: it starts with %q", ErrNotStream, w[:min(len(w), MagicLen)])
	case len(w) < prefixLen:
		return fmt.Errorf("reading stream: it ends after %d bytes, inside its magic and version", len(w))
	}
	r.major = binary.LittleEndian.Uint16(w[MagicLen:])
	r.minor = binary.LittleEndian.Uint16(w[MagicLen+2:])
	if r.major == 0 || r.major > VersionMajor {
		return &VersionError{Major: r.major, Minor: r.minor}
	}
	r.advance(prefixLen)
	return nil
}

// Header returns the stream's header, and false when the header frame
// was damaged or missing.
func (r *Reader) Header() (Header, bool) { return r.hdr, r.hasHdr }

// Version returns the format version the stream was written with.
func (r *Reader) Version() (major, minor uint16) { return r.major, r.minor }

// Trailer returns the trailer once Next has read it. A stream whose
// writer crashed or was killed has none: its end is where writing
// stopped, and its drop counts are unknown. In a concatenation of
// streams it is the trailer of the last session begun.
func (r *Reader) Trailer() (Trailer, bool) {
	if r.trailer == nil {
		return Trailer{}, false
	}
	return *r.trailer, true
}

// Session is the session record of what has been read: the header's
// fields, and the stop time and drop counts once the trailer is read.
func (r *Reader) Session() event.Session { return Session(r.hdr, r.trailer) }

// Stats reports what the Reader has met so far.
func (r *Reader) Stats() ReaderStats { return r.stats }

// Next returns the next frame, skipping frames of unknown kinds. At the
// end of the stream it returns io.EOF. A damaged or truncated frame comes
// back as a *CorruptFrameError; the reader has already moved past it, and
// the next call returns the frame after. Any other error is from the
// underlying reader and is final.
func (r *Reader) Next() (Frame, error) {
	if f := r.pending; f != nil {
		r.pending = nil
		return *f, nil
	}
	if err := r.pendingErr; err != nil {
		r.pendingErr = nil
		return Frame{}, err
	}
	return r.next()
}
