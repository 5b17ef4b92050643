package adhoc

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"ingero.dev/common/event"
	"ingero.dev/common/recording/recordingtest"
	"ingero.dev/common/store"
	"ingero.dev/common/store/storetest"
)

const t0 = int64(1_780_000_000_000_000_000)

func fixtureDB(t testing.TB) string {
	var evs []event.Event
	for i := range 300 {
		evs = append(evs, event.Event{TimeNs: t0 + int64(i)*1000, PID: uint32(100 + i%3), TID: 1, Comm: "python3",
			Source: event.SourceCUDA, Op: event.CudaMemcpy, DurNs: int64(1000 + i)})
	}
	return recordingtest.WriteDB(t, recordingtest.Recording{Events: evs, ChunkEvents: 50})
}

func serve(t testing.TB, lim Limits) (*Service, string) {
	t.Helper()
	path := fixtureDB(t)
	r, err := store.OpenReadOnly(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return New(r, lim), path
}

func TestRowCap(t *testing.T) {
	s, _ := serve(t, Limits{DefaultRows: 10, MaxRows: 100})
	ctx := context.Background()
	tests := []struct {
		ask, want int
		truncated bool
	}{
		{0, 10, true},     // the default
		{5, 5, true},      // fewer, as asked
		{1000, 100, true}, // the ceiling wins
		{-1, 10, true},    // nonsense falls back to the default
	}
	for _, tt := range tests {
		res, err := s.Run(ctx, Request{SQL: "SELECT pid, duration_ns FROM events", MaxRows: tt.ask})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Rows) != tt.want || res.RowCap != tt.want || res.Truncated != tt.truncated {
			t.Errorf("ask %d: %d rows, cap %d, truncated %v; want %d, %v", tt.ask, len(res.Rows), res.RowCap, res.Truncated, tt.want, tt.truncated)
		}
	}
	res, err := s.Run(ctx, Request{SQL: "SELECT count(*) FROM events WHERE pid = ?", Args: []any{100}})
	if err != nil || res.Truncated || len(res.Rows) != 1 || res.Rows[0][0] != int64(100) {
		t.Errorf("bound count: %+v, %v", res, err)
	}
	// No limits at all: every row.
	all, _ := serve(t, Limits{})
	if res, err := all.Run(ctx, Request{SQL: "SELECT * FROM events"}); err != nil || len(res.Rows) != 300 || res.Truncated || res.RowCap != 0 {
		t.Errorf("uncapped: %d rows, %v", len(res.Rows), err)
	}
}

func TestCellsAreCut(t *testing.T) {
	s, _ := serve(t, Limits{MaxCell: 8})
	res, err := s.Run(context.Background(), Request{
		SQL: "SELECT 'short', 'ééééé', zeroblob(20), x'0102', 42, 1.5, NULL",
	})
	if err != nil {
		t.Fatal(err)
	}
	row := res.Rows[0]
	// 'ééééé' is 10 bytes; 8 keeps four whole runes.
	want := []any{"short", "éééé…[cut: 10 bytes]", "0x0000000000000000…[cut: 20 bytes]", []byte{1, 2}, int64(42), 1.5, nil}
	for i := range want {
		if !equal(row[i], want[i]) {
			t.Errorf("column %d: %#v, want %#v", i, row[i], want[i])
		}
	}
	if res.CutCells != 2 {
		t.Errorf("CutCells %d, want 2", res.CutCells)
	}
	// A cut never splits a rune, even when every byte is part of one.
	if got := cutText("€€€", 4); got != "€…[cut: 9 bytes]" {
		t.Errorf("cutText: %q", got)
	}
}

func equal(a, b any) bool {
	if x, ok := a.([]byte); ok {
		y, ok := b.([]byte)
		return ok && string(x) == string(y)
	}
	return a == b
}

func TestResultJSON(t *testing.T) {
	s, _ := serve(t, Limits{DefaultRows: 1})
	res, err := s.Run(context.Background(), Request{SQL: "SELECT 1 AS a, 1 AS a, x'00ff' AS b, 1e999 AS inf, NULL AS n, 'x\"<y>' AS s FROM events"})
	if err != nil {
		t.Fatal(err)
	}
	res.ElapsedNs = 7
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"columns":["a","a","b","inf","n","s"],"rows":[[1,1,"0x00ff",null,null,"x\"\u003cy\u003e"]],"truncated":true,"row_cap":1,"cut_cells":0,"elapsed_ns":7}`
	if string(b) != want {
		t.Errorf("JSON:\n%s\nwant\n%s", b, want)
	}
	empty, err := s.Run(context.Background(), Request{SQL: "SELECT * FROM events WHERE pid = 0"})
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := json.Marshal(empty); !strings.Contains(string(b), `"rows":[]`) {
		t.Errorf("no rows: %s", b)
	}
}

// Statements that try to change the recording, reach other files, change
// the connection or hold it open, each a different way in.
var refused = []string{
	"DELETE FROM event_chunks",
	"UPDATE event_chunks SET n = 0",
	"INSERT INTO nodes(name) VALUES ('x')",
	"DROP TABLE annotations",
	"CREATE TEMP TABLE scratch (x)",
	"CREATE TEMP VIEW v AS SELECT 1",
	"WITH d AS (SELECT 1) DELETE FROM annotations",
	"VACUUM", "REINDEX", "ANALYZE",
	"ATTACH ':memory:' AS m",
	"attach database 'other.db' as o",
	"DETACH main",
	"BEGIN", "BEGIN IMMEDIATE", "SAVEPOINT a", "COMMIT", "ROLLBACK",
	"PRAGMA query_only = 0",
	"pRaGmA Query_Only=OFF",
	"PRAGMA writable_schema = 1",
	"PRAGMA cache_size = 1",
	"PRAGMA mmap_size = 1000000000",
	"PRAGMA busy_timeout = 1",
	"PRAGMA temp_store_directory = '/tmp'",
	"PRAGMA journal_mode = WAL",
	"PRAGMA user_version = 9",
	"PRAGMA shrink_memory",
	"PRAGMA wal_checkpoint(TRUNCATE)",
	"/* a comment first */ PRAGMA query_only = 0",
}

func TestRefusesWhatIsNotReading(t *testing.T) {
	s, path := serve(t, Limits{Timeout: 5 * time.Second})
	before := storetest.Capture(t, path, true)
	time.Sleep(20 * time.Millisecond) // so that a touch would show in mtime
	ctx := context.Background()
	vacuumTo := filepath.Join(t.TempDir(), "copy.db")
	for _, sql := range append(refused, "VACUUM INTO '"+vacuumTo+"'") {
		if _, err := s.Run(ctx, Request{SQL: sql}); !errors.Is(err, ErrRefused) {
			t.Errorf("%q: got %v, want ErrRefused", sql, err)
		}
	}
	// Statements that are errors rather than refusals still fail.
	for _, sql := range []string{
		"SELECT 1; DELETE FROM event_chunks",
		"SELECT 1 /* ; */; DROP TABLE nodes",
		"SELECT load_extension('x')",
		"SELECT * FROM nowhere",
		"SELECT randomblob(2000000000)",
	} {
		if _, err := s.Run(ctx, Request{SQL: sql}); err == nil {
			t.Errorf("%q: no error", sql)
		}
	}
	if _, err := s.Run(ctx, Request{SQL: "  \n\t"}); !errors.Is(err, ErrEmpty) {
		t.Errorf("blank: got %v, want ErrEmpty", err)
	}
	// The connection is as it was: still read-only, and still answering.
	res, err := s.Run(ctx, Request{SQL: "PRAGMA query_only"})
	if err != nil || res.Rows[0][0] != int64(1) {
		t.Errorf("query_only after the attempts: %v, %v", res, err)
	}
	for _, sql := range []string{"PRAGMA table_info(events)", "SELECT name FROM pragma_table_info('events')",
		"PRAGMA user_version", "PRAGMA integrity_check", "EXPLAIN QUERY PLAN SELECT * FROM events WHERE pid = 1"} {
		if res, err := s.Run(ctx, Request{SQL: sql}); err != nil || len(res.Rows) == 0 {
			t.Errorf("%q: %v, %v", sql, res, err)
		}
	}
	before.Same(t, storetest.Capture(t, path, true), "the database")
}

func TestTimeoutStopsRunawayStatements(t *testing.T) {
	s, _ := serve(t, Limits{Timeout: 200 * time.Millisecond})
	for _, sql := range []string{
		"WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c",
		"SELECT count(*) FROM events a, events b, events c, events d",
	} {
		start := time.Now()
		_, err := s.Run(context.Background(), Request{SQL: sql})
		if !errors.Is(err, ErrTimeout) {
			t.Errorf("%q: got %v, want ErrTimeout", sql, err)
		}
		if took := time.Since(start); took > 5*time.Second {
			t.Errorf("%q: stopped after %s, for a 200ms limit", sql, took)
		}
	}
	// The next statement runs normally.
	if res, err := s.Run(context.Background(), Request{SQL: "SELECT count(*) FROM events"}); err != nil || res.Rows[0][0] != int64(300) {
		t.Errorf("after timeouts: %v, %v", res, err)
	}
	// The caller giving up is not a timeout.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Run(ctx, Request{SQL: "SELECT 1"}); !errors.Is(err, context.Canceled) || errors.Is(err, ErrTimeout) {
		t.Errorf("cancelled: got %v", err)
	}
}

// TestConcurrentRequests shares one Service between goroutines, as the
// MCP server and the dashboard do (meaningful under -race).
func TestConcurrentRequests(t *testing.T) {
	s, _ := serve(t, Limits{DefaultRows: 1000, Timeout: 5 * time.Second})
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := range 8 {
		wg.Go(func() {
			res, err := s.Run(context.Background(), Request{SQL: "SELECT count(*) FROM events WHERE pid = ?", Args: []any{100 + i%3}})
			if err == nil && res.Rows[0][0] != int64(100) {
				err = errors.New("wrong count")
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

// A statement that builds a huge value fails before allocating it, and
// the limit does not stay on the connection.
func TestValueSizeIsCapped(t *testing.T) {
	path := fixtureDB(t)
	r, err := store.OpenReadOnly(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	capped, open := New(r, Limits{MaxValue: 1 << 20}), New(r, Limits{})
	ctx := context.Background()
	for _, sql := range []string{"SELECT randomblob(100000000)", "SELECT length(group_concat(hex(randomblob(5000)))) FROM events"} {
		if _, err := capped.Run(ctx, Request{SQL: sql}); !errors.Is(err, ErrTooBig) {
			t.Errorf("%q: got %v, want ErrTooBig", sql, err)
		}
	}
	if res, err := capped.Run(ctx, Request{SQL: "SELECT length(randomblob(500000)), count(*) FROM events"}); err != nil || res.Rows[0][0] != int64(500000) {
		t.Errorf("under the cap: %v, %v", res, err)
	}
	// The same connection without the cap builds larger values again.
	if _, err := open.Run(ctx, Request{SQL: "SELECT length(randomblob(5000000))"}); err != nil {
		t.Errorf("without MaxValue on the same reader: %v", err)
	}
}
