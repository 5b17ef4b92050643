package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"ingero.dev/common/event"
)

// OpStat aggregates what one process did with one op.
type OpStat struct {
	PID    uint32 // 0 after ByOp merged the processes
	Key    event.Key
	Name   string // the op's name, as event.OpName gives it
	Count  int64
	Errors int64 // events with a non-zero return code
	// Durations in ns. Entry-only probes have duration 0 and pull DurMinNs
	// to 0.
	DurSumNs, DurMinNs, DurMaxNs int64
	FirstNs, LastNs              int64 // first and last event time
}

// MeanNs is the mean duration.
func (s *OpStat) MeanNs() int64 {
	if s.Count == 0 {
		return 0
	}
	return s.DurSumNs / s.Count
}

// OpSummary aggregates the events that match f per (PID, op), most
// frequent first. f.Limit and f.Desc are ignored. Chunks that lie wholly
// inside the time range are read from the chunk_ops summaries without
// being decoded; only the few chunks that straddle a bound are decoded, so
// the result is exact and the cost grows with the number of chunks, not
// events.
func (r *Reader) OpSummary(ctx context.Context, f Filter) ([]OpStat, error) {
	sf := f.scan()
	sf.prepare()
	aggs := make(map[aggKey]*opAgg)
	if sf.empty {
		return nil, nil
	}
	err := r.withCtx(ctx, func() error {
		if err := r.summariseInside(&sf, aggs); err != nil {
			return err
		}
		return r.summariseEdges(ctx, &sf, aggs)
	})
	if err != nil {
		return nil, r.fail("summarising ops", err)
	}
	out := make([]OpStat, 0, len(aggs))
	for k, a := range aggs {
		out = append(out, a.stat(k))
	}
	sortStats(out)
	return out, nil
}

func (a *opAgg) stat(k aggKey) OpStat {
	return OpStat{
		PID: k.pid, Key: k.key, Name: event.OpName(k.key.Source, k.key.Op),
		Count: a.count, Errors: a.errors, DurSumNs: a.durSum, DurMinNs: a.durMin, DurMaxNs: a.durMax,
		FirstNs: a.tMin, LastNs: a.tMax,
	}
}

func sortStats(out []OpStat) {
	slices.SortFunc(out, func(a, b OpStat) int {
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		if c := cmp.Compare(a.PID, b.PID); c != 0 {
			return c
		}
		return cmp.Compare(uint16(a.Key.Source)<<8|uint16(a.Key.Op), uint16(b.Key.Source)<<8|uint16(b.Key.Op))
	})
}

// ByOp merges the per-process rows of OpSummary into one row per op.
func ByOp(stats []OpStat) []OpStat {
	aggs := make(map[event.Key]*opAgg)
	for i := range stats {
		s := &stats[i]
		a := aggs[s.Key]
		if a == nil {
			a = &opAgg{}
			aggs[s.Key] = a
		}
		a.merge(&opAgg{count: s.Count, errors: s.Errors, durSum: s.DurSumNs, durMin: s.DurMinNs,
			durMax: s.DurMaxNs, tMin: s.FirstNs, tMax: s.LastNs})
	}
	out := make([]OpStat, 0, len(aggs))
	for k, a := range aggs {
		out = append(out, a.stat(aggKey{key: k}))
	}
	sortStats(out)
	return out
}

// summariseInside folds the chunk_ops rows of chunks inside the range.
// It aggregates in Go rather than with GROUP BY: under this SQLite build
// the SQL aggregate costs about four times as much per row.
func (r *Reader) summariseInside(sf *scanFilter, aggs map[aggKey]*opAgg) error {
	sql := `SELECT pid, source, op, count, errors, dur_sum, dur_min, dur_max, t_min, t_max FROM chunk_ops`
	cond, args := sf.opConditions(nil)
	var where []string
	if cond != "" {
		where = append(where, cond)
	}
	if sf.from != minTime || sf.to != maxTime {
		where = append(where, "chunk_id IN (SELECT id FROM event_chunks WHERE t_min >= ? AND t_max <= ?)")
		args = append(args, sf.from, sf.to)
	}
	if len(where) > 0 {
		sql += " WHERE " + strings.Join(where, " AND ")
	}
	stmt, _, err := r.conn.Prepare(sql)
	if err != nil {
		return fmt.Errorf("preparing summary: %w", err)
	}
	defer stmt.Close()
	if err := bindAll(stmt, args...); err != nil {
		return err
	}
	var last aggKey
	var lastAgg *opAgg
	for stmt.Step() {
		k := aggKey{pid: uint32(stmt.ColumnInt64(0)), key: event.Key{Source: event.Source(stmt.ColumnInt(1)), Op: event.Op(stmt.ColumnInt(2))}}
		if lastAgg == nil || k != last {
			// Long filter lists are not pushed into SQL; apply them here.
			if !sf.match(&event.Event{PID: k.pid, Source: k.key.Source, Op: k.key.Op}) {
				continue
			}
			last, lastAgg = k, aggs[k]
			if lastAgg == nil {
				lastAgg = &opAgg{pid: k.pid, key: k.key}
				aggs[k] = lastAgg
			}
		}
		lastAgg.merge(&opAgg{count: stmt.ColumnInt64(3), errors: stmt.ColumnInt64(4), durSum: stmt.ColumnInt64(5),
			durMin: stmt.ColumnInt64(6), durMax: stmt.ColumnInt64(7), tMin: stmt.ColumnInt64(8), tMax: stmt.ColumnInt64(9)})
	}
	return stmt.Err()
}

func mergeInto(aggs map[aggKey]*opAgg, k aggKey, row *opAgg) {
	a := aggs[k]
	if a == nil {
		a = &opAgg{pid: k.pid, key: k.key}
		aggs[k] = a
	}
	a.merge(row)
}

// summariseEdges decodes the chunks that straddle a time bound and
// aggregates their in-range events.
func (r *Reader) summariseEdges(ctx context.Context, sf *scanFilter, aggs map[aggKey]*opAgg) error {
	if sf.from == minTime && sf.to == maxTime {
		return nil
	}
	sql := `SELECT id, node_id, first_seq, n, t_min, t_max FROM event_chunks
		WHERE t_max >= ? AND t_min <= ? AND NOT (t_min >= ? AND t_max <= ?)`
	args := []any{sf.from, sf.to, sf.from, sf.to}
	if cond, a := sf.opConditions(nil); cond != "" {
		sql += " AND id IN (SELECT chunk_id FROM chunk_ops WHERE " + cond + ")"
		args = append(args, a...)
	}
	list, _, err := r.conn.Prepare(sql)
	if err != nil {
		return fmt.Errorf("selecting edge chunks: %w", err)
	}
	defer list.Close()
	if err := bindAll(list, args...); err != nil {
		return err
	}
	cr, err := newChunkReader(r.conn, &r.stats)
	if err != nil {
		return err
	}
	defer cr.close()
	var evs []event.Event
	for list.Step() {
		m := chunkMeta{id: list.ColumnInt64(0), nodeID: list.ColumnInt64(1), firstSeq: list.ColumnInt64(2),
			n: list.ColumnInt(3), tMin: list.ColumnInt64(4), tMax: list.ColumnInt64(5)}
		if evs, err = cr.decode(m, evs[:0]); err != nil {
			return err
		}
		for i := range evs {
			ev := &evs[i]
			if ev.TimeNs < sf.from || ev.TimeNs > sf.to || !sf.match(ev) {
				continue
			}
			var one opAgg
			one.add(ev)
			mergeInto(aggs, aggKey{ev.PID, ev.Key()}, &one)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return list.Err()
}
