package recording

import (
	"cmp"
	"context"
	"slices"

	"ingero.dev/common/batch"
	"ingero.dev/common/event"
	"ingero.dev/common/source"
)

type aggKey struct {
	pid uint32
	key event.Key
}

// opRow is what one process did with one op in one frame, as the store's
// chunk_ops rows hold it.
type opRow struct {
	pid                    uint32
	key                    event.Key
	count, errors          int64
	durSum, durMin, durMax int64
	tMin, tMax             int64
}

func (a *opRow) add(ev *batch.Brief) {
	if a.count == 0 {
		a.durMin, a.durMax, a.tMin, a.tMax = ev.DurNs, ev.DurNs, ev.TimeNs, ev.TimeNs
	}
	a.count++
	if ev.Ret != 0 {
		a.errors++
	}
	a.durSum += ev.DurNs
	a.durMin, a.durMax = min(a.durMin, ev.DurNs), max(a.durMax, ev.DurNs)
	a.tMin, a.tMax = min(a.tMin, ev.TimeNs), max(a.tMax, ev.TimeNs)
}

func (a *opRow) merge(b *opRow) {
	if a.count == 0 {
		*a = *b
		return
	}
	a.count += b.count
	a.errors += b.errors
	a.durSum += b.durSum
	a.durMin, a.durMax = min(a.durMin, b.durMin), max(a.durMax, b.durMax)
	a.tMin, a.tMax = min(a.tMin, b.tMin), max(a.tMax, b.tMax)
}

// OpSummary adds up the summaries of frames wholly inside the range and
// decodes only the frames that straddle a bound, as the store does with
// its chunks.
func (ix *streamIndex) OpSummary(ctx context.Context, f source.Filter) ([]source.OpStat, error) {
	m := newMatcher(f)
	aggs := map[aggKey]*opRow{}
	add := func(r *opRow) {
		k := aggKey{r.pid, r.key}
		if a := aggs[k]; a != nil {
			a.merge(r)
		} else {
			c := *r
			aggs[k] = &c
		}
	}
	var edges []int
	for i := range ix.frames {
		fm := &ix.frames[i]
		switch {
		case fm.tMax < m.from || fm.tMin > m.to:
		case fm.tMin >= m.from && fm.tMax <= m.to:
			for j := range fm.ops {
				if m.op(fm.ops[j].pid, fm.ops[j].key) {
					add(&fm.ops[j])
				}
			}
		case m.anyOp(fm):
			edges = append(edges, i)
		}
	}
	if len(edges) > 0 {
		err := ix.decodeEach(ctx, edges, func(evs []event.Event) {
			for i := range evs {
				if m.match(&evs[i]) {
					ev := &evs[i]
					var r opRow
					r.pid, r.key = ev.PID, ev.Key()
					r.add(&batch.Brief{TimeNs: ev.TimeNs, DurNs: ev.DurNs, PID: ev.PID, Ret: ev.Ret, Key: ev.Key()})
					add(&r)
				}
			}
		})
		if err != nil {
			return nil, err
		}
	}
	out := make([]source.OpStat, 0, len(aggs))
	for _, a := range aggs {
		out = append(out, source.OpStat{PID: a.pid, Key: a.key, Name: event.OpName(a.key.Source, a.key.Op),
			Count: a.count, Errors: a.errors, DurSumNs: a.durSum, DurMinNs: a.durMin, DurMaxNs: a.durMax,
			FirstNs: a.tMin, LastNs: a.tMax})
	}
	slices.SortFunc(out, func(a, b source.OpStat) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.PID, b.PID),
			cmp.Compare(uint16(a.Key.Source)<<8|uint16(a.Key.Op), uint16(b.Key.Source)<<8|uint16(b.Key.Op)))
	})
	return out, nil
}
