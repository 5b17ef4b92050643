package store

import (
	"cmp"
	"slices"

	"ingero.dev/common/batch"
	"ingero.dev/common/event"
)

// sealedChunk is a chunk encoded and summarised, waiting to be committed.
// Sequence numbers are assigned at commit, inside the write transaction,
// so that they stay dense even when a commit is retried.
type sealedChunk struct {
	node       string
	session    string // "" when no session was open for the node
	n          int
	tMin, tMax int64
	data       []byte // zstd(batch)
	ops        []opAgg
}

// opAgg is one chunk_ops row: what one pid did with one op in a chunk.
type opAgg struct {
	pid        uint32
	key        event.Key
	count      int64
	errors     int64
	durSum     int64
	durMin     int64
	durMax     int64
	tMin, tMax int64
}

func (a *opAgg) add(ev *event.Event) {
	if a.count == 0 {
		a.durMin, a.durMax, a.tMin = ev.DurNs, ev.DurNs, ev.TimeNs
	}
	a.count++
	if ev.Ret != 0 {
		a.errors++
	}
	a.durSum += ev.DurNs
	a.durMin = min(a.durMin, ev.DurNs)
	a.durMax = max(a.durMax, ev.DurNs)
	a.tMin = min(a.tMin, ev.TimeNs)
	a.tMax = max(a.tMax, ev.TimeNs)
}

// merge folds b into a; both describe the same pid and op.
func (a *opAgg) merge(b *opAgg) {
	if b.count == 0 {
		return
	}
	if a.count == 0 {
		*a = *b
		return
	}
	a.count += b.count
	a.errors += b.errors
	a.durSum += b.durSum
	a.durMin = min(a.durMin, b.durMin)
	a.durMax = max(a.durMax, b.durMax)
	a.tMin = min(a.tMin, b.tMin)
	a.tMax = max(a.tMax, b.tMax)
}

type aggKey struct {
	pid uint32
	key event.Key
}

// sealer turns buffered events into sealed chunks, reusing its buffers.
type sealer struct {
	enc  *batch.Encoder
	raw  []byte
	aggs map[aggKey]int
}

func newSealer() *sealer {
	return &sealer{enc: batch.NewEncoder(), aggs: make(map[aggKey]int)}
}

// seal sorts evs by time (stable, so equal timestamps keep arrival order),
// encodes and compresses them and computes their summary. Readers rely on
// events inside a chunk being in time order.
func (s *sealer) seal(node, session string, evs []event.Event) *sealedChunk {
	byTime := func(a, b event.Event) int { return cmp.Compare(a.TimeNs, b.TimeNs) }
	if !slices.IsSortedFunc(evs, byTime) {
		slices.SortStableFunc(evs, byTime)
	}
	s.raw = s.enc.Append(s.raw[:0], evs)
	sc := &sealedChunk{
		node:    node,
		session: session,
		n:       len(evs),
		tMin:    evs[0].TimeNs,
		tMax:    evs[len(evs)-1].TimeNs,
		data:    batch.Compress(make([]byte, 0, len(s.raw)/4+64), s.raw),
	}
	sc.ops = s.summarise(evs, sc.ops)
	return sc
}

func (s *sealer) summarise(evs []event.Event, out []opAgg) []opAgg {
	clear(s.aggs)
	last, lastIdx := aggKey{}, -1
	for i := range evs {
		ev := &evs[i]
		k := aggKey{ev.PID, event.Key{Source: ev.Source, Op: ev.Op}}
		if k != last || lastIdx < 0 {
			idx, ok := s.aggs[k]
			if !ok {
				idx = len(out)
				out = append(out, opAgg{pid: k.pid, key: k.key})
				s.aggs[k] = idx
			}
			last, lastIdx = k, idx
		}
		out[lastIdx].add(ev)
	}
	return out
}
