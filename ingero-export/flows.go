package export

import (
	"slices"

	"ingero.dev/common/event"
	"ingero.dev/common/store"
)

// pendingLaunch is the newest launch on a stream, held back until the next
// event on that stream says whether a sync waited for it.
type pendingLaunch struct {
	id store.EventID
	ev event.Event
}

// streamOf returns the stream a launch goes to or a sync waits for;
// all is true for syncs that wait for every stream of the process.
func streamOf(ev *event.Event) (stream uint64, all bool) {
	switch {
	case ev.Source == event.SourceCUDA && ev.Op == event.CudaStreamSynchronize,
		ev.Source == event.SourceDriver && ev.Op == event.CuStreamSynchronize:
		return ev.Args[0], false
	case ev.Source == event.SourceCUDA && ev.Op == event.CudaDeviceSynchronize,
		ev.Source == event.SourceDriver && ev.Op == event.CuCtxSynchronize:
		return 0, true
	case ev.Source == event.SourceCUDA && ev.Op == event.CudaEventSynchronize:
		return 0, false // waits for an event, whose stream is not recorded
	}
	return ev.Args[1], false // launches: function, stream, …
}

func (b *builder) launch(id store.EventID, ev *event.Event) error {
	k := procKey{ev.Node, ev.PID}
	streams := b.pending[k]
	if streams == nil {
		streams = map[uint64]*pendingLaunch{}
		b.pending[k] = streams
	}
	stream, _ := streamOf(ev)
	if old := streams[stream]; old != nil {
		if err := b.call(old.id, &old.ev, 0, nil); err != nil {
			return err
		}
		old.id, old.ev = id, *ev
		return nil
	}
	streams[stream] = &pendingLaunch{id: id, ev: *ev}
	return nil
}

// sync draws an arrow from the launch it waited for (the newest on its
// stream, or on every stream for a device sync) to the sync.
func (b *builder) sync(id store.EventID, ev *event.Event) error {
	stream, all := streamOf(ev)
	streams := b.pending[procKey{ev.Node, ev.PID}]
	if ev.Source == event.SourceCUDA && ev.Op == event.CudaEventSynchronize {
		streams = nil
	}
	var waited []uint64
	for s := range streams {
		if all || s == stream {
			waited = append(waited, s)
		}
	}
	slices.Sort(waited)
	var in []uint64
	for _, s := range waited {
		pl := streams[s]
		b.nextFlow++
		if err := b.call(pl.id, &pl.ev, b.nextFlow, nil); err != nil {
			return err
		}
		in = append(in, b.nextFlow)
		delete(streams, s)
	}
	return b.call(id, ev, 0, in)
}

func (b *builder) flushAll() error {
	for _, streams := range b.pending {
		for _, pl := range streams {
			if err := b.call(pl.id, &pl.ev, 0, nil); err != nil {
				return err
			}
		}
	}
	b.pending = nil
	return nil
}
