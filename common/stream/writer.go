package stream

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"

	"ingero.dev/common/batch"
	"ingero.dev/common/event"
)

// Writer writes one stream. Every frame goes to the underlying writer in a
// single Write call, so a reader at the other end of a pipe, or one
// following a growing file, only ever waits for whole frames. A Writer is
// not safe for concurrent use: trace gives it one goroutine.
type Writer struct {
	w     io.Writer
	enc   *batch.Encoder
	raw   []byte       // a frame's content before compression
	frame []byte       // the frame being assembled
	js    bytes.Buffer // JSON content, reused
	stats WriterStats
	// err is sticky: after a failed Write the stream's tail is unknown,
	// and writing more would only hide that.
	err    error
	closed bool
}

// WriterStats counts what a Writer has written.
type WriterStats struct {
	Frames uint64 // the header frame included
	Events uint64
	Bytes  int64 // magic and version included
}

// NewWriter writes the magic, the format version and the header frame.
// The Writer does not close w.
func NewWriter(w io.Writer, hdr Header) (*Writer, error) {
	wr := &Writer{w: w, enc: batch.NewEncoder()}
	wr.frame = append(wr.frame, magic[:]...)
	wr.frame = binary.LittleEndian.AppendUint16(wr.frame, VersionMajor)
	wr.frame = binary.LittleEndian.AppendUint16(wr.frame, VersionMinor)
	if err := wr.encodeJSON(hdr); err != nil {
		return nil, fmt.Errorf("encoding stream header: %w", err)
	}
	wr.frame = wr.appendFrame(wr.frame, KindHeader, 1, wr.raw)
	if err := wr.flush(); err != nil {
		return nil, err
	}
	return wr, nil
}

// WriteEvents writes evs as one events frame, or as several when they
// exceed batch.MaxEvents or the frame size limits.
func (w *Writer) WriteEvents(evs []event.Event) error {
	if err := w.usable(); err != nil {
		return err
	}
	for len(evs) > 0 {
		n := min(len(evs), batch.MaxEvents)
		if err := w.writeEventFrames(evs[:n]); err != nil {
			return err
		}
		evs = evs[n:]
	}
	return nil
}

func (w *Writer) writeEventFrames(evs []event.Event) error {
	w.raw = w.enc.Append(w.raw[:0], evs)
	w.frame = w.appendFrame(w.frame[:0], KindEvents, len(evs), w.raw)
	if w.tooBig() && len(evs) > 1 {
		half := len(evs) / 2
		if err := w.writeEventFrames(evs[:half]); err != nil {
			return err
		}
		return w.writeEventFrames(evs[half:])
	}
	if err := w.flush(); err != nil {
		return err
	}
	w.stats.Events += uint64(len(evs))
	return nil
}

// WriteStacks writes a stacks frame.
func (w *Writer) WriteStacks(stacks []event.Stack) error {
	return writeRecords(w, KindStacks, stacks, stackToWire)
}

// WriteSnapshots writes a snapshots frame.
func (w *Writer) WriteSnapshots(snaps []event.Snapshot) error {
	return writeRecords(w, KindSnapshots, snaps, snapshotToWire)
}

// WriteProcessNames writes a process names frame.
func (w *Writer) WriteProcessNames(procs []event.ProcessName) error {
	return writeRecords(w, KindProcesses, procs, processToWire)
}

// WriteChains writes a chains frame.
func (w *Writer) WriteChains(chains []event.Chain) error {
	return writeRecords(w, KindChains, chains, chainToWire)
}

// WriteAnnotations writes an annotations frame.
func (w *Writer) WriteAnnotations(anns []event.Annotation) error {
	return writeRecords(w, KindAnnotations, anns, annotationToWire)
}

// writeRecords writes recs as a JSON array in one frame, halving the
// slice until each frame fits the limits. An empty slice writes nothing.
func writeRecords[T, W any](w *Writer, kind Kind, recs []T, toWire func(T) W) error {
	if err := w.usable(); err != nil {
		return err
	}
	if len(recs) == 0 {
		return nil
	}
	ws := make([]W, len(recs))
	for i, r := range recs {
		ws[i] = toWire(r)
	}
	return writeJSONSlice(w, kind, ws)
}

func writeJSONSlice[W any](w *Writer, kind Kind, ws []W) error {
	if err := w.encodeJSON(ws); err != nil {
		return fmt.Errorf("encoding %s: %w", kind, err)
	}
	w.frame = w.appendFrame(w.frame[:0], kind, len(ws), w.raw)
	if w.tooBig() {
		if len(ws) == 1 {
			return fmt.Errorf("encoding %s: one record of %d bytes exceeds the frame limits", kind, len(w.raw))
		}
		half := len(ws) / 2
		if err := writeJSONSlice(w, kind, ws[:half]); err != nil {
			return err
		}
		return writeJSONSlice(w, kind, ws[half:])
	}
	return w.flush()
}

// Close writes the trailer, which tells readers the stream ended cleanly
// and carries the session's stop time and drop counts. It does not close
// the underlying writer.
func (w *Writer) Close(stats event.SessionStats, stopNs int64) error {
	if err := w.usable(); err != nil {
		return err
	}
	w.closed = true
	t := Trailer{StopNs: stopNs, Stats: stats, EventsWritten: w.stats.Events, FramesWritten: w.stats.Frames}
	if err := w.encodeJSON(t.wire()); err != nil {
		return fmt.Errorf("encoding trailer: %w", err)
	}
	w.frame = w.appendFrame(w.frame[:0], KindTrailer, 1, w.raw)
	return w.flush()
}

// Stats reports what has been written so far.
func (w *Writer) Stats() WriterStats { return w.stats }

func (w *Writer) usable() error {
	if w.closed {
		return ErrClosed
	}
	return w.err
}

func (w *Writer) encodeJSON(v any) error {
	w.js.Reset()
	enc := json.NewEncoder(&w.js)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	w.raw = append(w.raw[:0], bytes.TrimSuffix(w.js.Bytes(), []byte("\n"))...)
	return nil
}

func (w *Writer) appendFrame(dst []byte, kind Kind, count int, raw []byte) []byte {
	start := len(dst)
	dst = appendFrameHeader(dst, kind)
	dst = appendPayload(dst, count, raw)
	return finishFrame(dst, start)
}

// tooBig reports whether the assembled frame would exceed what a reader
// with default limits accepts.
func (w *Writer) tooBig() bool {
	return len(w.raw) > DefaultMaxRawSize || len(w.frame)-frameOverhead > DefaultMaxFrameSize
}

func (w *Writer) flush() error {
	n, err := w.w.Write(w.frame)
	w.stats.Bytes += int64(n)
	if err == nil && n < len(w.frame) {
		err = io.ErrShortWrite
	}
	if err != nil {
		w.err = fmt.Errorf("writing stream: %w", err)
		return w.err
	}
	w.stats.Frames++
	return nil
}
