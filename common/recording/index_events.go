package recording

import (
	"cmp"
	"container/heap"
	"context"
	"fmt"
	"slices"
	"sort"

	"ingero.dev/common/event"
	"ingero.dev/common/source"
	"ingero.dev/common/stream"
)

// matcher applies a Filter to frames and events.
type matcher struct {
	from, to int64
	pids     map[uint32]bool
	keys     map[event.Key]bool
}

func newMatcher(f source.Filter) *matcher {
	m := &matcher{}
	m.from, m.to = bounds(f.FromNs, f.ToNs)
	if len(f.PIDs) > 0 {
		m.pids = map[uint32]bool{}
		for _, p := range f.PIDs {
			m.pids[p] = true
		}
	}
	if len(f.Ops) > 0 {
		m.keys = map[event.Key]bool{}
		for _, k := range f.Ops {
			m.keys[k] = true
		}
	}
	return m
}

func (m *matcher) op(pid uint32, k event.Key) bool {
	return (m.pids == nil || m.pids[pid]) && (m.keys == nil || m.keys[k])
}

func (m *matcher) match(ev *event.Event) bool {
	return ev.TimeNs >= m.from && ev.TimeNs <= m.to && m.op(ev.PID, ev.Key())
}

// anyOp says whether the frame holds an event of a wanted process and op.
func (m *matcher) anyOp(fm *frameMeta) bool {
	if m.pids == nil && m.keys == nil {
		return true
	}
	return slices.ContainsFunc(fm.ops, func(r opRow) bool { return m.op(r.pid, r.key) })
}

// decodeEach decodes the frames at these indexes, in order.
func (ix *streamIndex) decodeEach(ctx context.Context, frames []int, fn func([]event.Event)) error {
	fr, err := stream.NewFrameReader(ix.f)
	if err != nil {
		return err
	}
	for _, i := range frames {
		if err := ctx.Err(); err != nil {
			return err
		}
		f, err := fr.ReadAt(ix.frames[i].off)
		if err != nil {
			return fmt.Errorf("reading %s: %w", ix.path, err)
		}
		fn(f.Events)
	}
	return nil
}

// Events merges the frames that can hold matching events on a heap
// ordered by (time, frame, position), opening a frame only once it could
// hold the next event: memory is bounded by how many frames overlap at
// one instant, as with the store's chunks.
func (ix *streamIndex) Events(ctx context.Context, f source.Filter, fn func(*event.Event) error) error {
	m := newMatcher(f)
	var order []*frameMeta
	for i := range ix.frames {
		fm := &ix.frames[i]
		if fm.tMax >= m.from && fm.tMin <= m.to && m.anyOp(fm) {
			order = append(order, fm)
		}
	}
	if f.Desc {
		slices.SortStableFunc(order, func(a, b *frameMeta) int { return cmp.Or(cmp.Compare(b.tMax, a.tMax), cmp.Compare(b.seq, a.seq)) })
	} else {
		slices.SortStableFunc(order, func(a, b *frameMeta) int { return cmp.Or(cmp.Compare(a.tMin, b.tMin), cmp.Compare(a.seq, b.seq)) })
	}
	fr, err := stream.NewFrameReader(ix.f)
	if err != nil {
		return err
	}
	mg := &merger{ix: ix, fr: fr, m: m, order: order, open: frameHeap{desc: f.Desc}}
	for n := 0; f.Limit <= 0 || n < f.Limit; {
		ev, err := mg.next()
		if err != nil || ev == nil {
			return err
		}
		if !m.op(ev.PID, ev.Key()) {
			continue
		}
		if err := fn(ev); err != nil {
			return err
		}
		if n++; n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
	}
	return nil
}

// merger yields the in-range events of the ordered frames in time order.
type merger struct {
	ix    *streamIndex
	fr    *stream.FrameReader
	m     *matcher
	order []*frameMeta // frames not yet opened, in opening order
	open  frameHeap
	spare [][]event.Event
	idx   []int32     // sorted's scratch
	cur   event.Event // copy of the event handed out
}

func (mg *merger) next() (*event.Event, error) {
	if err := mg.fill(); err != nil {
		return nil, err
	}
	if len(mg.open.frames) == 0 {
		return nil, nil
	}
	top := mg.open.frames[0]
	mg.cur = top.evs[top.pos]
	top.advance()
	if top.done() {
		heap.Pop(&mg.open)
		mg.spare = append(mg.spare, top.evs[:0])
	} else {
		heap.Fix(&mg.open, 0)
	}
	return &mg.cur, nil
}

// fill opens every frame that could hold an event at or before (after,
// when descending) the earliest event already open.
func (mg *merger) fill() error {
	for len(mg.order) > 0 {
		next := mg.order[0]
		if len(mg.open.frames) > 0 {
			t := mg.open.frames[0].time()
			if (!mg.open.desc && next.tMin > t) || (mg.open.desc && next.tMax < t) {
				return nil
			}
		}
		mg.order = mg.order[1:]
		of, err := mg.openFrame(next)
		if err != nil {
			return err
		}
		if of != nil {
			heap.Push(&mg.open, of)
		}
	}
	return nil
}

func (mg *merger) openFrame(fm *frameMeta) (*openFrame, error) {
	f, err := mg.fr.ReadAt(fm.off)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", mg.ix.path, err)
	}
	var evs []event.Event
	if n := len(mg.spare); n > 0 {
		evs, mg.spare = mg.spare[n-1], mg.spare[:n-1]
	}
	evs = mg.sorted(evs[:0], f.Events)
	of := &openFrame{meta: fm, evs: evs, desc: mg.open.desc}
	of.lo = sort.Search(len(evs), func(i int) bool { return evs[i].TimeNs >= mg.m.from })
	of.hi = sort.Search(len(evs), func(i int) bool { return evs[i].TimeNs > mg.m.to })
	if of.lo >= of.hi {
		mg.spare = append(mg.spare, evs[:0])
		return nil, nil
	}
	of.pos = of.lo
	if of.desc {
		of.pos = of.hi - 1
	}
	return of, nil
}

// sorted appends evs to dst in time order, events of one instant in
// recorded order. Sorting positions and then copying each event once is
// several times cheaper than a stable sort moving the events themselves.
func (mg *merger) sorted(dst, evs []event.Event) []event.Event {
	if slices.IsSortedFunc(evs, func(a, b event.Event) int { return cmp.Compare(a.TimeNs, b.TimeNs) }) {
		return append(dst, evs...)
	}
	idx := mg.idx[:0]
	for i := range evs {
		idx = append(idx, int32(i))
	}
	slices.SortStableFunc(idx, func(a, b int32) int { return cmp.Compare(evs[a].TimeNs, evs[b].TimeNs) })
	for _, i := range idx {
		dst = append(dst, evs[i])
	}
	mg.idx = idx
	return dst
}

// openFrame is a decoded frame, sorted by time, with a cursor over its
// in-range events evs[lo:hi].
type openFrame struct {
	meta   *frameMeta
	evs    []event.Event
	lo, hi int
	pos    int
	desc   bool
}

func (o *openFrame) time() int64 { return o.evs[o.pos].TimeNs }

func (o *openFrame) done() bool {
	if o.desc {
		return o.pos < o.lo
	}
	return o.pos >= o.hi
}

func (o *openFrame) advance() {
	if o.desc {
		o.pos--
	} else {
		o.pos++
	}
}

// frameHeap orders open frames by their next event, then by file order.
type frameHeap struct {
	frames []*openFrame
	desc   bool
}

func (h *frameHeap) Len() int { return len(h.frames) }
func (h *frameHeap) Less(i, j int) bool {
	a, b := h.frames[i], h.frames[j]
	c := cmp.Or(cmp.Compare(a.time(), b.time()), cmp.Compare(a.meta.seq, b.meta.seq))
	if h.desc {
		return c > 0
	}
	return c < 0
}
func (h *frameHeap) Swap(i, j int) { h.frames[i], h.frames[j] = h.frames[j], h.frames[i] }
func (h *frameHeap) Push(x any)    { h.frames = append(h.frames, x.(*openFrame)) }
func (h *frameHeap) Pop() any {
	n := len(h.frames)
	x := h.frames[n-1]
	h.frames = h.frames[:n-1]
	return x
}
