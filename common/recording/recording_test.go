package recording

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ingero.dev/common/batch/batchtest"
	"ingero.dev/common/dbpath"
	"ingero.dev/common/event"
	"ingero.dev/common/store"
	"ingero.dev/common/stream"
)

func sampleEvents(n int) []event.Event {
	evs := batchtest.Mixed(7, n)
	for i := range evs {
		evs[i].Node = "node-a"
	}
	return evs
}

func session() event.Session {
	return event.Session{ID: "node-a:1", Node: "node-a", Host: "h", StartNs: 1, Version: "v0.1.0"}
}

func writeStream(t *testing.T, path string, evs []event.Event, closeIt bool) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w, err := stream.NewWriter(f, stream.HeaderFromSession(session()))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(evs); i += 1000 {
		if err := w.WriteEvents(evs[i:min(i+1000, len(evs))]); err != nil {
			t.Fatal(err)
		}
	}
	snap := []event.Snapshot{{TimeNs: evs[0].TimeNs, Node: "node-a", CPUPct: 50}}
	if err := w.WriteSnapshots(snap); err != nil {
		t.Fatal(err)
	}
	if closeIt {
		if err := w.Close(event.SessionStats{Events: uint64(len(evs)), KernelDrops: 3}, 99); err != nil {
			t.Fatal(err)
		}
	}
}

func writeDB(t *testing.T, path string, evs []event.Event) {
	t.Helper()
	w, err := store.OpenWriter(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.BeginSession(session()); err != nil {
		t.Fatal(err)
	}
	if err := w.Append(evs); err != nil {
		t.Fatal(err)
	}
	if err := w.EndSession("node-a:1", 99, event.SessionStats{Events: uint64(len(evs)), KernelDrops: 3}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

func readAll(t *testing.T, r *Recording) []event.Event {
	t.Helper()
	var out []event.Event
	err := r.Events(context.Background(), store.Filter{}, func(e *event.Event) error {
		out = append(out, *e)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestDatabaseAndStreamReadTheSame(t *testing.T) {
	dir := t.TempDir()
	evs := sampleEvents(5000)
	dbFile, streamFile := filepath.Join(dir, "a.db"), filepath.Join(dir, "a.stream")
	writeDB(t, dbFile, evs)
	writeStream(t, streamFile, evs, true)

	db, err := OpenFile(dbFile)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	st, err := OpenFile(streamFile)
	if err != nil {
		t.Fatal(err)
	}
	if db.Kind != Database || st.Kind != Stream {
		t.Fatalf("kinds = %v, %v", db.Kind, st.Kind)
	}
	if len(st.Warnings) != 0 {
		t.Errorf("clean stream gave warnings: %v", st.Warnings)
	}
	a, b := readAll(t, db), readAll(t, st)
	if len(a) != len(evs) || len(b) != len(evs) {
		t.Fatalf("read %d from db and %d from stream, wrote %d", len(a), len(b), len(evs))
	}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("event %d differs:\n db     %+v\n stream %+v", i, a[i], b[i])
		}
	}
	sessions, err := st.Sessions()
	if err != nil {
		t.Fatal(err)
	}
	if len(sessions) != 1 || sessions[0].Stats.KernelDrops != 3 || sessions[0].StopNs != 99 {
		t.Errorf("stream session = %+v", sessions)
	}
	tmp := st.tmpDir
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(tmp); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("temporary import %s left behind", tmp)
	}
}

func TestCutOffStreamKeepsCompleteFrames(t *testing.T) {
	dir := t.TempDir()
	full := filepath.Join(dir, "full.stream")
	evs := sampleEvents(3000)
	writeStream(t, full, evs, false)
	raw, err := os.ReadFile(full)
	if err != nil {
		t.Fatal(err)
	}
	cut := filepath.Join(dir, "cut.stream")
	// Cut inside the last frame (the snapshots frame): all events survive.
	if err := os.WriteFile(cut, raw[:len(raw)-5], 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := OpenFile(cut)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if got := len(readAll(t, r)); got != len(evs) {
		t.Errorf("loaded %d events from the cut stream, want all %d", got, len(evs))
	}
	joined := strings.Join(r.Warnings, "\n")
	if !strings.Contains(joined, "no trailer") || !strings.Contains(joined, "truncat") {
		t.Errorf("warnings do not report the cut: %q", joined)
	}
}

func TestBadInputs(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage")
	os.WriteFile(garbage, []byte("this is not a recording at all"), 0o644)
	empty := filepath.Join(dir, "empty")
	os.WriteFile(empty, nil, 0o644)
	for _, p := range []string{garbage, empty} {
		if _, err := OpenFile(p); !errors.Is(err, ErrUnknownFormat) {
			t.Errorf("OpenFile(%s) = %v, want ErrUnknownFormat", p, err)
		}
	}
	_, err := Open(filepath.Join(dir, "missing.db"))
	var missing *dbpath.MissingError
	if !errors.As(err, &missing) {
		t.Fatalf("missing file: %v, want *dbpath.MissingError", err)
	}
	if !strings.Contains(err.Error(), "missing.db") || strings.Contains(err.Error(), "\n") {
		t.Errorf("missing-file message should be one line naming the path: %q", err)
	}
}
