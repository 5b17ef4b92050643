package store

import (
	"slices"
	"strings"

	"ingero.dev/common/event"
)

// Filter selects events. The zero value selects every event.
type Filter struct {
	// FromNs and ToNs bound TimeNs, both inclusive, in Unix ns. Zero
	// leaves that side open.
	FromNs, ToNs int64
	PIDs         []uint32    // any of these PIDs; empty means any
	Ops          []event.Key // any of these ops; empty means any
	Limit        int         // stop after this many events; 0 means no limit
	Desc         bool        // newest first
}

// scanFilter is what a scan can push down into chunk selection: the public
// Filter's fields plus what the events virtual table can extract from
// WHERE clauses.
type scanFilter struct {
	from, to int64 // inclusive
	pids     []uint32
	keys     []event.Key
	sources  []event.Source // from "source = ?" alone
	opNums   []event.Op     // from "op = ?" alone, any source
	nodes    []string
	id       *EventID
	desc     bool
	empty    bool // the constraints contradict: nothing can match

	pidSet map[uint32]bool // built for long PID lists
}

// Lists longer than this are matched through a map, and are not pushed
// into SQL, where each value would cost a bound parameter.
const maxListPushdown = 256

func (f Filter) scan() scanFilter {
	sf := scanFilter{from: f.FromNs, to: f.ToNs, pids: f.PIDs, keys: f.Ops, desc: f.Desc}
	if sf.from == 0 {
		sf.from = minTime
	}
	if sf.to == 0 {
		sf.to = maxTime
	}
	sf.empty = sf.from > sf.to
	return sf
}

// prepare builds lookup structures once per scan.
func (f *scanFilter) prepare() {
	if len(f.pids) > 16 {
		f.pidSet = make(map[uint32]bool, len(f.pids))
		for _, p := range f.pids {
			f.pidSet[p] = true
		}
	}
}

// opFiltered says whether any op-level constraint is set.
func (f *scanFilter) opFiltered() bool {
	return len(f.pids) > 0 || len(f.keys) > 0 || len(f.sources) > 0 || len(f.opNums) > 0
}

// match applies the per-event constraints that chunk selection only
// approximates. Time is handled by trimming each chunk.
func (f *scanFilter) match(ev *event.Event) bool {
	if f.pidSet != nil {
		if !f.pidSet[ev.PID] {
			return false
		}
	} else if len(f.pids) > 0 && !slices.Contains(f.pids, ev.PID) {
		return false
	}
	if len(f.keys) > 0 && !slices.Contains(f.keys, ev.Key()) {
		return false
	}
	if len(f.sources) > 0 && !slices.Contains(f.sources, ev.Source) {
		return false
	}
	if len(f.opNums) > 0 && !slices.Contains(f.opNums, ev.Op) {
		return false
	}
	return true
}

// opConditions renders the op-level constraints as SQL over chunk_ops,
// appending their parameters to args.
func (f *scanFilter) opConditions(args []any) (string, []any) {
	var conds []string
	if len(f.pids) > 0 && len(f.pids) <= maxListPushdown {
		conds = append(conds, "pid IN ("+placeholders(len(f.pids))+")")
		for _, p := range f.pids {
			args = append(args, p)
		}
	}
	if len(f.keys) > 0 && len(f.keys) <= maxListPushdown {
		var ors []string
		for _, k := range f.keys {
			ors = append(ors, "(source = ? AND op = ?)")
			args = append(args, uint8(k.Source), uint8(k.Op))
		}
		conds = append(conds, "("+strings.Join(ors, " OR ")+")")
	}
	if len(f.sources) > 0 {
		conds = append(conds, "source IN ("+placeholders(len(f.sources))+")")
		for _, s := range f.sources {
			args = append(args, uint8(s))
		}
	}
	if len(f.opNums) > 0 {
		conds = append(conds, "op IN ("+placeholders(len(f.opNums))+")")
		for _, o := range f.opNums {
			args = append(args, uint8(o))
		}
	}
	return strings.Join(conds, " AND "), args
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}
