package store

import (
	"cmp"
	"sort"

	"ingero.dev/common/event"
)

// openChunk is a decoded chunk with a cursor over its in-range events.
type openChunk struct {
	meta   chunkMeta
	node   string
	evs    []event.Event
	order  []int32 // position in the stored chunk when it had to be sorted
	lo, hi int     // in-range events are evs[lo:hi]
	pos    int     // next event to yield
	desc   bool
}

func (c *openChunk) time() int64 { return c.evs[c.pos].TimeNs }

func (c *openChunk) done() bool {
	if c.desc {
		return c.pos < c.lo
	}
	return c.pos >= c.hi
}

func (c *openChunk) advance() {
	if c.desc {
		c.pos--
	} else {
		c.pos++
	}
}

// seq returns the node sequence number of evs[i].
func (c *openChunk) seq(i int) int64 {
	if c.order != nil {
		return c.meta.firstSeq + int64(c.order[i])
	}
	return c.meta.firstSeq + int64(i)
}

// sortKeepingOrder sorts a chunk that a foreign writer stored out of time
// order, remembering each event's stored position for its sequence number.
func (c *openChunk) sortKeepingOrder() {
	idx := make([]int32, len(c.evs))
	for i := range idx {
		idx[i] = int32(i)
	}
	sort.SliceStable(idx, func(a, b int) bool { return c.evs[idx[a]].TimeNs < c.evs[idx[b]].TimeNs })
	sorted := make([]event.Event, len(c.evs))
	for i, j := range idx {
		sorted[i] = c.evs[j]
	}
	c.evs, c.order = sorted, idx
}

func (c *openChunk) narrowTo(seq int64) {
	for i := c.lo; i < c.hi; i++ {
		if c.seq(i) == seq {
			c.lo, c.hi = i, i+1
			return
		}
	}
	c.hi = c.lo
}

// chunkHeap orders open chunks by their next event.
type chunkHeap struct {
	chunks []*openChunk
	desc   bool
}

func (h *chunkHeap) Len() int { return len(h.chunks) }
func (h *chunkHeap) Less(i, j int) bool {
	a, b := h.chunks[i], h.chunks[j]
	c := cmp.Compare(a.time(), b.time())
	if c == 0 {
		c = cmp.Compare(a.meta.id, b.meta.id)
	}
	if h.desc {
		return c > 0
	}
	return c < 0
}
func (h *chunkHeap) Swap(i, j int) { h.chunks[i], h.chunks[j] = h.chunks[j], h.chunks[i] }
func (h *chunkHeap) Push(x any)    { h.chunks = append(h.chunks, x.(*openChunk)) }
func (h *chunkHeap) Pop() any {
	n := len(h.chunks)
	x := h.chunks[n-1]
	h.chunks = h.chunks[:n-1]
	return x
}
