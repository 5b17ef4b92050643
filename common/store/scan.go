package store

import (
	"cmp"
	"container/heap"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/ncruces/go-sqlite3"
	"ingero.dev/common/event"
)

// scanStats counts work for tests and diagnostics.
type scanStats struct {
	chunksDecoded int64
}

// chunkMeta is an event_chunks row without its data.
type chunkMeta struct {
	id, nodeID, firstSeq int64
	n                    int
	tMin, tMax           int64
}

// scanner yields the events that match a scanFilter in time order (or
// reverse time order), chunk by chunk. Chunks may overlap in time (several
// nodes, late events): a chunk is opened as soon as it could hold the next
// event, and open chunks are merged on a heap ordered by (time, chunk id,
// position). Memory is bounded by how many chunks overlap at one instant.
type scanner struct {
	f      scanFilter
	list   *sqlite3.Stmt // chunk metadata in opening order
	chunks *chunkReader
	nodes  map[int64]string

	next     chunkMeta
	haveNext bool
	open     chunkHeap
	spare    [][]event.Event // decoded buffers for reuse
	retired  *openChunk      // exhausted, still referenced by cur

	cur      *event.Event
	curChunk *openChunk
	curPos   int
}

func newScanner(c *sqlite3.Conn, f scanFilter, stats *scanStats) (*scanner, error) {
	f.prepare()
	s := &scanner{f: f, open: chunkHeap{desc: f.desc}}
	if f.empty {
		return s, nil
	}
	var err error
	if s.nodes, err = loadNodes(c); err != nil {
		return nil, err
	}
	sql, args, ok := s.listSQL()
	if !ok {
		return s, nil
	}
	if s.list, _, err = c.Prepare(sql); err != nil {
		return nil, fmt.Errorf("selecting chunks: %w", err)
	}
	if err := bindAll(s.list, args...); err != nil {
		s.close()
		return nil, err
	}
	if s.chunks, err = newChunkReader(c, stats); err != nil {
		s.close()
		return nil, err
	}
	if err := s.advanceList(); err != nil {
		s.close()
		return nil, err
	}
	return s, nil
}

// listSQL builds the chunk selection; ok is false when no chunk can match
// (an unknown node, say).
func (s *scanner) listSQL() (string, []any, bool) {
	f := &s.f
	var where []string
	args := []any{f.from, f.to}
	where = append(where, "t_max >= ? AND t_min <= ?")
	if len(f.nodes) > 0 || f.id != nil {
		var ids []any
		for _, name := range f.nodes {
			if id, ok := s.nodeID(name); ok {
				ids = append(ids, id)
			}
		}
		if f.id != nil {
			id, ok := s.nodeID(f.id.Node)
			if !ok {
				return "", nil, false
			}
			where = append(where, "node_id = ? AND first_seq <= ? AND first_seq + n > ?")
			args = append(args, id, f.id.Seq, f.id.Seq)
		}
		if len(f.nodes) > 0 {
			if len(ids) == 0 {
				return "", nil, false
			}
			where = append(where, "node_id IN ("+placeholders(len(ids))+")")
			args = append(args, ids...)
		}
	}
	if cond, a := f.opConditions(nil); cond != "" {
		where = append(where, "id IN (SELECT chunk_id FROM chunk_ops WHERE "+cond+")")
		args = append(args, a...)
	}
	order := "t_min"
	if f.desc {
		order = "t_max DESC"
	}
	return "SELECT id, node_id, first_seq, n, t_min, t_max FROM event_chunks WHERE " +
		strings.Join(where, " AND ") + " ORDER BY " + order, args, true
}

func (s *scanner) nodeID(name string) (int64, bool) {
	for id, n := range s.nodes {
		if n == name {
			return id, true
		}
	}
	return 0, false
}

func loadNodes(c *sqlite3.Conn) (map[int64]string, error) {
	stmt, _, err := c.Prepare(`SELECT id, name FROM nodes`)
	if err != nil {
		return nil, fmt.Errorf("reading nodes: %w", err)
	}
	defer stmt.Close()
	nodes := make(map[int64]string)
	for stmt.Step() {
		nodes[stmt.ColumnInt64(0)] = stmt.ColumnText(1)
	}
	if err := stmt.Err(); err != nil {
		return nil, fmt.Errorf("reading nodes: %w", err)
	}
	return nodes, nil
}

func (s *scanner) advanceList() error {
	s.haveNext = false
	if s.list == nil || !s.list.Step() {
		if s.list != nil {
			if err := s.list.Err(); err != nil {
				return fmt.Errorf("selecting chunks: %w", err)
			}
		}
		return nil
	}
	s.next = chunkMeta{
		id: s.list.ColumnInt64(0), nodeID: s.list.ColumnInt64(1), firstSeq: s.list.ColumnInt64(2),
		n: s.list.ColumnInt(3), tMin: s.list.ColumnInt64(4), tMax: s.list.ColumnInt64(5),
	}
	s.haveNext = true
	return nil
}

// step moves to the next matching event; false means the scan is over.
func (s *scanner) step() (bool, error) {
	if s.retired != nil {
		s.spare = append(s.spare, s.retired.evs[:0])
		s.retired = nil
	}
	for {
		if err := s.fill(); err != nil {
			return false, err
		}
		if len(s.open.chunks) == 0 {
			s.cur = nil
			return false, nil
		}
		top := s.open.chunks[0]
		ev := &top.evs[top.pos]
		s.cur, s.curChunk, s.curPos = ev, top, top.pos
		top.advance()
		if top.done() {
			heap.Pop(&s.open)
			s.retired = top
		} else {
			heap.Fix(&s.open, 0)
		}
		if s.f.match(ev) {
			return true, nil
		}
		if s.retired != nil {
			s.spare = append(s.spare, s.retired.evs[:0])
			s.retired = nil
		}
	}
}

// fill opens every chunk that could hold an event at or before (after,
// when descending) the earliest event already open.
func (s *scanner) fill() error {
	for s.haveNext {
		if len(s.open.chunks) > 0 {
			t := s.open.chunks[0].time()
			if (!s.f.desc && s.next.tMin > t) || (s.f.desc && s.next.tMax < t) {
				return nil
			}
		}
		oc, err := s.openChunk(s.next)
		if err != nil {
			return err
		}
		if oc != nil {
			heap.Push(&s.open, oc)
		}
		if err := s.advanceList(); err != nil {
			return err
		}
	}
	return nil
}

func (s *scanner) openChunk(m chunkMeta) (*openChunk, error) {
	evs, err := s.decode(m)
	if err != nil {
		return nil, err
	}
	oc := &openChunk{meta: m, node: s.nodes[m.nodeID], evs: evs, desc: s.f.desc}
	byTime := func(a, b event.Event) int { return cmp.Compare(a.TimeNs, b.TimeNs) }
	if !slices.IsSortedFunc(evs, byTime) {
		oc.sortKeepingOrder()
	}
	oc.lo = sort.Search(len(evs), func(i int) bool { return evs[i].TimeNs >= s.f.from })
	oc.hi = sort.Search(len(evs), func(i int) bool { return evs[i].TimeNs > s.f.to })
	if s.f.id != nil {
		oc.narrowTo(s.f.id.Seq)
	}
	if oc.lo >= oc.hi {
		s.spare = append(s.spare, evs[:0])
		return nil, nil
	}
	oc.pos = oc.lo
	if oc.desc {
		oc.pos = oc.hi - 1
	}
	return oc, nil
}

func (s *scanner) decode(m chunkMeta) ([]event.Event, error) {
	var dst []event.Event
	if n := len(s.spare); n > 0 {
		dst, s.spare = s.spare[n-1], s.spare[:n-1]
	}
	return s.chunks.decode(m, dst)
}

// id returns the ID of the current event.
func (s *scanner) id() EventID {
	return EventID{Node: s.curChunk.node, Seq: s.curChunk.seq(s.curPos)}
}

// rowid packs the current event's chunk and position into one int64.
func (s *scanner) rowid() int64 {
	return s.curChunk.meta.id<<20 | (s.curChunk.seq(s.curPos) - s.curChunk.meta.firstSeq)
}

func (s *scanner) close() {
	if s.list != nil {
		s.list.Close()
		s.list = nil
	}
	s.chunks.close()
	s.open.chunks, s.spare, s.retired, s.cur = nil, nil, nil, nil
}
