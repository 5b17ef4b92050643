package store

import (
	"context"
	"os"
	"testing"

	"ingero.dev/common/event"
)

func dbSize(t *testing.T, path string) int64 {
	t.Helper()
	var total int64
	for _, p := range []string{path, path + "-wal"} {
		if fi, err := os.Stat(p); err == nil {
			total += fi.Size()
		}
	}
	return total
}

func TestPruneToSizeKeepsTheNewestWithinTheBound(t *testing.T) {
	path := tempDB(t)
	w, err := OpenWriter(path, Options{FlushInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	wl := newWorkload(80, "n", 1, 1e18)
	var evs []event.Event
	var snaps []event.Snapshot
	for i := 0; i < 12; i++ {
		part := wl.events(50000)
		evs = append(evs, part...)
		snaps = append(snaps, event.Snapshot{TimeNs: part[0].TimeNs, Node: "n", CPUPct: float64(i)})
		if err := w.Append(part); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.PutSnapshots(snaps); err != nil {
		t.Fatal(err)
	}
	if err := w.PutStacks([]event.Stack{{ID: 1, Frames: []event.Frame{{IP: 1}}}}); err != nil {
		t.Fatal(err)
	}
	// Closing folds the WAL in, so the file's size is the data's.
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	full := dbSize(t, path)
	if w, err = OpenWriter(path, Options{FlushInterval: -1}); err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if n, err := w.PruneToSize(full * 2); err != nil || n != 0 {
		t.Fatalf("pruning under the limit removed %d events, %v", n, err)
	}

	limit := full / 2
	removed, err := w.PruneToSize(limit)
	if err != nil {
		t.Fatal(err)
	}
	if got := dbSize(t, path); got > limit {
		t.Fatalf("database+WAL is %d bytes after pruning, over the limit of %d", got, limit)
	}
	if removed <= 0 || removed >= int64(len(evs)) {
		t.Fatalf("removed %d of %d events", removed, len(evs))
	}
	t.Logf("%d bytes → %d (limit %d), removed %d of %d events", full, dbSize(t, path), limit, removed, len(evs))

	r := openReader(t, path)
	kept := readAll(t, r, Filter{})
	if int64(len(kept))+removed != int64(len(evs)) {
		t.Fatalf("kept %d + removed %d != %d written", len(kept), removed, len(evs))
	}
	// Pruning to half the size must keep close to half the events, not
	// throw away far more than the bound asks (chunk data is only part of
	// the file, so freeing N file bytes is fewer than N bytes of chunks).
	if share := float64(len(kept)) / float64(len(evs)); share < 0.35 {
		t.Fatalf("pruning to half the size kept only %.0f%% of the events", share*100)
	}
	// The oldest events went; what is left is exactly the newest ones.
	sameEvents(t, "kept", kept, expected(evs, Filter{})[removed:])
	gotSnaps, err := r.Snapshots(0, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range snaps {
		want := s.TimeNs >= kept[0].TimeNs
		has := false
		for _, g := range gotSnaps {
			has = has || g.TimeNs == s.TimeNs
		}
		if has != want {
			t.Errorf("snapshot at %d kept=%v, want %v (oldest event %d)", s.TimeNs, has, want, kept[0].TimeNs)
		}
	}
	if st, err := r.Stacks(nil); err != nil || len(st) != 1 {
		t.Errorf("stacks after pruning: %v, %v", st, err)
	}
	if sum, err := r.OpSummary(context.Background(), Filter{}); err != nil || totalCount(sum) != int64(len(kept)) {
		t.Errorf("summaries after pruning count %d events, want %d (%v)", totalCount(sum), len(kept), err)
	}
	r.Close()

	// Recording goes on after a prune, with IDs continuing, and a later
	// prune counts the grown WAL too.
	const later = 200000
	if err := w.Append(wl.events(later)); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + "-wal"); err != nil {
		t.Fatal(err)
	}
	again, err := w.PruneToSize(limit)
	if err != nil {
		t.Fatal(err)
	}
	if got := dbSize(t, path); got > limit || again == 0 {
		t.Fatalf("second prune: %d bytes (limit %d), removed %d", got, limit, again)
	}
	r = openReader(t, path)
	var lastID EventID
	if err := r.Scan(context.Background(), Filter{Desc: true, Limit: 1}, func(id EventID, _ *event.Event) error {
		lastID = id
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if lastID.Seq != int64(len(evs))+later {
		t.Errorf("last id after pruning and appending = %v, want seq %d", lastID, len(evs)+later)
	}
	r.Close()

	// A limit below what the non-event tables need removes every event
	// and says so.
	removed, err = w.PruneToSize(1)
	if err == nil {
		t.Error("pruning to 1 byte reported success")
	}
	if want := int64(len(kept)) + later - again; removed != want {
		t.Errorf("pruning to 1 byte removed %d events, want all %d", removed, want)
	}
}

func totalCount(stats []OpStat) int64 {
	var n int64
	for _, s := range stats {
		n += s.Count
	}
	return n
}
