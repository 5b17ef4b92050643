package store

import (
	"context"
	"os"
	"testing"
	"time"

	"ingero.dev/common/store/storetest"
)

// exercise runs every read path of the Reader.
func exercise(t *testing.T, path string, wantEvents int) {
	t.Helper()
	r, err := OpenReadOnly(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ctx := context.Background()
	if got := len(readAll(t, r, Filter{})); got != wantEvents {
		t.Errorf("read %d events, want %d", got, wantEvents)
	}
	readAll(t, r, Filter{PIDs: []uint32{1}, Desc: true, FromNs: 1e18 + 1e6})
	if _, err := r.OpSummary(ctx, Filter{FromNs: 1e18 + 3e6}); err != nil {
		t.Error(err)
	}
	for _, q := range []string{
		`SELECT op_name, count(*) FROM events WHERE timestamp > 0 GROUP BY 1`,
		`SELECT * FROM events WHERE pid = 1 ORDER BY timestamp DESC LIMIT 5`,
		`SELECT count(*) FROM chunk_ops`,
	} {
		if _, err := r.Query(ctx, 100, q); err != nil {
			t.Errorf("%s: %v", q, err)
		}
	}
	if _, err := r.Query(ctx, 0, `DELETE FROM event_chunks`); err == nil {
		t.Error("a DELETE went through")
	}
	if _, err := r.TimeSpan(); err != nil {
		t.Error(err)
	}
	if _, err := r.Sessions(); err != nil {
		t.Error(err)
	}
	if _, err := r.Stacks(nil); err != nil {
		t.Error(err)
	}
	if _, err := r.Snapshots(0, 0); err != nil {
		t.Error(err)
	}
	if _, err := r.ProcessNames(); err != nil {
		t.Error(err)
	}
	if _, err := r.Chains(0, 0); err != nil {
		t.Error(err)
	}
	if _, err := r.Annotations(0, 0); err != nil {
		t.Error(err)
	}
	if err := r.Close(); err != nil {
		t.Error(err)
	}
}

func TestReaderNeverChangesAFinishedDatabase(t *testing.T) {
	path := tempDB(t)
	writeDB(t, path, Options{ChunkEvents: 300}, newWorkload(40, "n", 1, 1e18).events(5000))
	before := storetest.Capture(t, path, true)
	time.Sleep(10 * time.Millisecond) // so that a touch would show in mtime
	exercise(t, path, 5000)
	before.Same(t, storetest.Capture(t, path, true), "the database")
}

func TestReaderNeverChangesADatabaseBeingWritten(t *testing.T) {
	path := tempDB(t)
	w, err := OpenWriter(path, Options{ChunkEvents: 300, FlushInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	wl := newWorkload(41, "n", 1, 1e18)
	if err := w.Append(wl.events(4000)); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + "-wal"); err != nil {
		t.Fatalf("writer is not in WAL mode: %v", err)
	}
	before := storetest.Capture(t, path, false)
	time.Sleep(10 * time.Millisecond)
	exercise(t, path, 4000)
	before.Same(t, storetest.Capture(t, path, false), "the database")

	// The reader sees what the writer commits later.
	if err := w.Append(wl.events(1000)); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	exercise(t, path, 5000)
}
