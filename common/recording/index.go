package recording

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"

	"ingero.dev/common/event"
	"ingero.dev/common/source"
	"ingero.dev/common/stream"
)

// streamIndex is a stream file as a source.Source, read in place: one
// pass at open notes where each events frame lies, its time range and
// what each process did with each op in it, and keeps the small records
// (names, snapshots, chains, annotations, sessions, stacks) in memory.
// Reads then decode only the frames they need, straight from the file.
type streamIndex struct {
	path   string
	f      *os.File
	frames []frameMeta // events frames, in file order
	span   source.Span

	names    []event.ProcessName
	snaps    []event.Snapshot
	chains   []event.Chain
	anns     []event.Annotation
	sessions []event.Session
	stacks   map[uint64]event.Stack
}

// frameMeta describes one events frame.
type frameMeta struct {
	seq        int   // position among the events frames
	off        int64 // stream.Frame.Offset
	n          int
	tMin, tMax int64
	ops        []opRow // per (pid, op)
}

var _ source.Source = (*streamIndex)(nil)

// indexStream reads path once and builds its index; problems that lose
// no readable data become rec's warnings, as loading always reported them.
func indexStream(path string, rec *Recording) (*streamIndex, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	ix := &streamIndex{path: path, f: f, stacks: map[uint64]event.Stack{}}
	if err := ix.build(rec); err != nil {
		f.Close()
		return nil, err
	}
	return ix, nil
}

func (ix *streamIndex) build(rec *Recording) error {
	sr, err := stream.NewReader(ix.f, stream.WithEventPayloads())
	if err != nil {
		return err
	}
	b := &builder{ix: ix, dec: startDecoders(), open: -1, names: map[nameKey]int{}, snaps: map[snapKey]int{}, chains: map[string]int{}}
	defer b.finishEvents() // idempotent: stops the decoders on every path
	if h, ok := sr.Header(); ok {
		b.begin(stream.Session(h, nil))
	}
	for {
		fr, err := sr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		var bad *stream.CorruptFrameError
		if errors.As(err, &bad) {
			b.warn(bad.Offset, bad.Error())
			continue
		}
		if err != nil {
			return err
		}
		b.frame(fr)
	}
	if b.open >= 0 {
		b.warn(math.MaxInt64, fmt.Sprintf("%s has no trailer: the recording was cut off (a crash, or trace is still writing it); every complete frame before the cut was loaded", ix.path))
		b.open = -1
	}
	b.finishEvents()
	for _, w := range b.warns {
		rec.Warnings = append(rec.Warnings, w.text)
	}
	b.finish()
	return nil
}

// Close releases the file.
func (ix *streamIndex) Close() error { return ix.f.Close() }

func (ix *streamIndex) TimeSpan() (source.Span, error) { return ix.span, nil }

func (ix *streamIndex) ProcessNames() ([]event.ProcessName, error) {
	return slices.Clone(ix.names), nil
}

func (ix *streamIndex) Snapshots(fromNs, toNs int64) ([]event.Snapshot, error) {
	from, to := bounds(fromNs, toNs)
	var out []event.Snapshot
	for _, s := range ix.snaps {
		if s.TimeNs >= from && s.TimeNs <= to {
			out = append(out, s)
		}
	}
	return out, nil
}

func (ix *streamIndex) Chains(fromNs, toNs int64) ([]event.Chain, error) {
	from, to := bounds(fromNs, toNs)
	var out []event.Chain
	for _, c := range ix.chains {
		if c.DetectedNs >= from && c.DetectedNs <= to {
			out = append(out, c)
		}
	}
	return out, nil
}

func (ix *streamIndex) Annotations(fromNs, toNs int64) ([]event.Annotation, error) {
	from, to := bounds(fromNs, toNs)
	var out []event.Annotation
	for _, a := range ix.anns {
		if (a.TimeNs >= from && a.TimeNs <= to) || (a.SpanEnd != 0 && a.SpanStart <= to && a.SpanEnd >= from) {
			out = append(out, a)
		}
	}
	return out, nil
}

func (ix *streamIndex) Sessions() ([]event.Session, error) { return slices.Clone(ix.sessions), nil }

func (ix *streamIndex) Stacks(ids []uint64) (map[uint64]event.Stack, error) {
	out := make(map[uint64]event.Stack, len(ids))
	if len(ids) == 0 {
		for id, s := range ix.stacks {
			out[id] = s
		}
		return out, nil
	}
	for _, id := range ids {
		if s, ok := ix.stacks[id]; ok {
			out[id] = s
		}
	}
	return out, nil
}

// bounds opens the zero sides of a range, as the store does.
func bounds(from, to int64) (int64, int64) {
	if from == 0 {
		from = minTime
	}
	if to == 0 {
		to = maxTime
	}
	return from, to
}

const (
	minTime = -1 << 63
	maxTime = 1<<63 - 1
)
