package store

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"ingero.dev/common/event"
)

// skipFixture is 20 chunks of 100 events: pid 1 in chunks 1-10, pid 2 in
// chunks 11-20, and a single cudaDeviceSynchronize in chunk 4.
func skipFixture(t *testing.T) (string, []event.Event) {
	t.Helper()
	evs := append(newWorkload(20, "Node1", 1, 1e18).events(1000), newWorkload(21, "Node1", 2, 1e18+10_000_000_000).events(1000)...)
	for i := range evs {
		if evs[i].Key() == (event.Key{Source: event.SourceCUDA, Op: event.CudaDeviceSynchronize}) {
			t.Fatal("workload unexpectedly holds cudaDeviceSynchronize")
		}
	}
	evs[350].Source, evs[350].Op = event.SourceCUDA, event.CudaDeviceSynchronize
	path := tempDB(t)
	w, err := OpenWriter(path, Options{ChunkEvents: 100})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Append(evs); err != nil {
		t.Fatal(err)
	}
	if err := w.PutStacks([]event.Stack{{ID: 0xa1, Frames: []event.Frame{{IP: 1, Symbol: "train_step"}}}}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return path, evs
}

func TestFiltersSkipChunks(t *testing.T) {
	path, evs := skipFixture(t)
	r := openReader(t, path)
	if n := countChunks(t, r); n != 20 {
		t.Fatalf("fixture has %d chunks, want 20", n)
	}
	devSync := event.Key{Source: event.SourceCUDA, Op: event.CudaDeviceSynchronize}
	for _, tc := range []struct {
		name   string
		f      Filter
		chunks int64
	}{
		{"everything", Filter{}, 20},
		{"pid 2", Filter{PIDs: []uint32{2}}, 10},
		{"rare op", Filter{Ops: []event.Key{devSync}}, 1},
		{"rare op of the other pid", Filter{Ops: []event.Key{devSync}, PIDs: []uint32{2}}, 0},
		{"time inside one chunk", Filter{FromNs: evs[1510].TimeNs, ToNs: evs[1520].TimeNs}, 1},
		{"time over two chunks", Filter{FromNs: evs[1590].TimeNs, ToNs: evs[1610].TimeNs}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := r.ChunksDecoded()
			got := readAll(t, r, tc.f)
			sameEvents(t, tc.name, got, expected(evs, tc.f))
			if d := r.ChunksDecoded() - before; d != tc.chunks {
				t.Errorf("decoded %d chunks, want %d", d, tc.chunks)
			}
		})
	}
}

// Choosing chunks must use the covering indexes: the table rows are
// mostly blob, and reading them would cost a page per chunk.
func TestChunkSelectionUsesCoveringIndexes(t *testing.T) {
	path, _ := skipFixture(t)
	r := openReader(t, path)
	for _, f := range []Filter{{FromNs: 5, ToNs: 10}, {Desc: true, FromNs: 5}, {PIDs: []uint32{2}, FromNs: 5}} {
		sc := &scanner{f: f.scan(), nodes: map[int64]string{}}
		sql, args, _ := sc.listSQL()
		res, err := r.Query(context.Background(), 0, "EXPLAIN QUERY PLAN "+sql, args...)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for _, row := range res.Rows {
			plan = append(plan, fmt.Sprint(row[len(row)-1]))
		}
		text := strings.Join(plan, "\n")
		for _, line := range plan {
			// A rowid lookup is fine: it only touches chunks that match,
			// which are decoded next anyway.
			if strings.Contains(line, "event_chunks") && !strings.Contains(line, "COVERING INDEX") &&
				!strings.Contains(line, "INTEGER PRIMARY KEY") {
				t.Errorf("plan for %+v reads the chunk table:\n%s", f, text)
			}
		}
		if strings.Contains(text, "SCAN chunk_ops") {
			t.Errorf("plan for %+v scans all of chunk_ops:\n%s", f, text)
		}
	}
}

func TestEventsVirtualTable(t *testing.T) {
	path, evs := skipFixture(t)
	r := openReader(t, path)
	ctx := context.Background()
	mid := evs[1000].TimeNs
	floatTime := evs[1990].TimeNs &^ 0xff // exact as a float64

	// The query the docs promise works.
	res, err := r.Query(ctx, 0, `SELECT op_name, count(*) FROM events WHERE timestamp > ? GROUP BY 1 ORDER BY 1`, mid)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{}
	for _, ev := range expected(evs, Filter{FromNs: mid + 1}) {
		want[ev.OpName()]++
	}
	if len(res.Rows) != len(want) {
		t.Fatalf("got %d op rows, want %d: %v", len(res.Rows), len(want), res.Rows)
	}
	for _, row := range res.Rows {
		if row[1].(int64) != want[row[0].(string)] {
			t.Errorf("%s: count %v, want %d", row[0], row[1], want[row[0].(string)])
		}
	}
	if !strings.EqualFold(strings.Join(res.Columns, ","), "op_name,count(*)") {
		t.Errorf("columns = %v", res.Columns)
	}

	for _, tc := range []struct {
		sql    string
		args   []any
		want   int64
		chunks int64 // -1: not checked
	}{
		{`SELECT count(*) FROM events`, nil, 2000, 20},
		{`SELECT count(*) FROM events WHERE pid = 2`, nil, 1000, 10},
		{`SELECT count(*) FROM events WHERE pid IN (2, 3)`, nil, 1000, 10},
		{`SELECT count(*) FROM events WHERE pid = 2.0`, nil, 1000, 10},
		{`SELECT count(*) FROM events WHERE pid = 2.5`, nil, 0, -1},
		{`SELECT count(*) FROM events WHERE op_name = 'cudaDeviceSynchronize'`, nil, 1, 1},
		{`SELECT count(*) FROM events WHERE op_name IN ('cudaDeviceSynchronize', 'nonsense')`, nil, 1, -1},
		{`SELECT count(*) FROM events WHERE op_name = 'cudaDeviceSync'`, nil, 0, -1},
		{`SELECT count(*) FROM events WHERE source = 2 AND op = 1`, nil, countOp(evs, event.SourceDriver, event.CuLaunchKernel), -1},
		{`SELECT count(*) FROM events WHERE op = 13`, nil, 1, 1},
		{`SELECT count(*) FROM events WHERE timestamp BETWEEN ? AND ?`, []any{evs[1510].TimeNs, evs[1520].TimeNs}, 11, 1},
		{`SELECT count(*) FROM events WHERE timestamp > ? AND timestamp < ?`, []any{evs[1510].TimeNs, evs[1520].TimeNs}, 9, 1},
		{`SELECT count(*) FROM events WHERE timestamp >= ?`, []any{float64(floatTime)}, countFrom(evs, floatTime), -1},
		{`SELECT count(*) FROM events WHERE timestamp = ?`, []any{evs[5].TimeNs}, 1, 1},
		{`SELECT count(*) FROM events WHERE timestamp > 'abc'`, nil, 0, -1},
		{`SELECT count(*) FROM events WHERE node = 'Node1'`, nil, 2000, 20},
		{`SELECT count(*) FROM events WHERE node = 'nobody'`, nil, 0, 0},
		{`SELECT count(*) FROM events WHERE node = 'node1' COLLATE NOCASE`, nil, 2000, 20},
		{`SELECT count(*) FROM events WHERE op_name = 'CUDADEVICESYNCHRONIZE' COLLATE NOCASE`, nil, 1, -1},
		{`SELECT count(*) FROM events WHERE id = 'Node1:1500'`, nil, 1, 1},
		{`SELECT count(*) FROM events WHERE id = 'not an id'`, nil, 0, -1},
		{`SELECT count(*) FROM events e JOIN stacks s ON s.id = e.stack_id`, nil, countStack(evs, 0xa1), -1},
		{`SELECT count(*) FROM events a JOIN events b ON a.id = b.id WHERE a.pid = 2 AND a.op_name = 'cudaStreamSynchronize'`, nil,
			countPIDOp(evs, 2, event.SourceCUDA, event.CudaStreamSynchronize), -1},
	} {
		before := r.ChunksDecoded()
		res, err := r.Query(ctx, 0, tc.sql, tc.args...)
		if err != nil {
			t.Errorf("%s: %v", tc.sql, err)
			continue
		}
		if got := res.Rows[0][0].(int64); got != tc.want {
			t.Errorf("%s: count %d, want %d", tc.sql, got, tc.want)
		}
		if d := r.ChunksDecoded() - before; tc.chunks >= 0 && d != tc.chunks {
			t.Errorf("%s: decoded %d chunks, want %d", tc.sql, d, tc.chunks)
		}
	}
}

func TestEventsVirtualTableOrderAndColumns(t *testing.T) {
	path, evs := skipFixture(t)
	r := openReader(t, path)
	res, err := r.Query(context.Background(), 0, `SELECT id, timestamp, pid, tid, comm, source, source_name, op, op_name,
		duration_ns, arg0, arg1, arg2, arg3, return_code, stack_id, node, cgroup_id, gpu, peer_pid, peer_comm
		FROM events ORDER BY timestamp DESC LIMIT 3`)
	if err != nil {
		t.Fatal(err)
	}
	want := expected(evs, Filter{Desc: true, Limit: 3})
	if len(res.Rows) != 3 {
		t.Fatalf("got %d rows", len(res.Rows))
	}
	for i, row := range res.Rows {
		ev := want[i]
		exp := []any{fmt.Sprintf("Node1:%d", 2000-i), ev.TimeNs, int64(ev.PID), int64(ev.TID), ev.Comm,
			int64(ev.Source), ev.Source.String(), int64(ev.Op), ev.OpName(), ev.DurNs,
			int64(ev.Args[0]), int64(ev.Args[1]), int64(ev.Args[2]), int64(ev.Args[3]), int64(ev.Ret),
			int64(ev.StackID), ev.Node, int64(ev.CgroupID), int64(ev.GPU), int64(ev.PeerPID), ev.PeerComm}
		for c := range exp {
			if row[c] != exp[c] {
				t.Errorf("row %d column %s = %#v, want %#v", i, res.Columns[c], row[c], exp[c])
			}
		}
	}
	// ORDER BY timestamp is satisfied by the scan itself: no sorter.
	plan, err := r.Query(context.Background(), 0, `EXPLAIN QUERY PLAN SELECT * FROM events ORDER BY timestamp DESC`)
	if err != nil {
		t.Fatal(err)
	}
	if s := fmt.Sprint(plan.Rows); strings.Contains(s, "TEMP B-TREE") {
		t.Errorf("ORDER BY timestamp needs a sort: %s", s)
	}
}

func countOp(evs []event.Event, s event.Source, o event.Op) int64 {
	return countPIDOp(evs, 0, s, o)
}

func countPIDOp(evs []event.Event, pid uint32, s event.Source, o event.Op) int64 {
	var n int64
	for _, ev := range evs {
		if ev.Source == s && ev.Op == o && (pid == 0 || ev.PID == pid) {
			n++
		}
	}
	return n
}

func countFrom(evs []event.Event, from int64) int64 {
	var n int64
	for _, ev := range evs {
		if ev.TimeNs >= from {
			n++
		}
	}
	return n
}

func countStack(evs []event.Event, id uint64) int64 {
	var n int64
	for _, ev := range evs {
		if ev.StackID == id {
			n++
		}
	}
	return n
}
