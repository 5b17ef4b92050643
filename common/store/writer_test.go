package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ncruces/go-sqlite3"
	"ingero.dev/common/event"
)

// A commit that fails (here: another process holds the write lock) keeps
// every accepted event buffered; Append refuses, whole, only what it
// cannot buffer.
func TestFailedCommitsLoseNothing(t *testing.T) {
	saved := busyWait
	busyWait = 20 * time.Millisecond
	t.Cleanup(func() { busyWait = saved })

	path := tempDB(t)
	w, err := OpenWriter(path, Options{ChunkEvents: 100, MaxPendingChunks: 8, FlushInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	other, err := sqlite3.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if err := other.Exec(`BEGIN IMMEDIATE`); err != nil {
		t.Fatal(err)
	}

	wl := newWorkload(90, "n", 1, 1e18)
	var accepted []event.Event
	refused := 0
	for i := 0; i < 12; i++ {
		evs := wl.events(150)
		if err := w.Append(evs); err != nil {
			refused += len(evs)
			continue
		}
		accepted = append(accepted, evs...)
	}
	if err := w.Flush(); err == nil {
		t.Fatal("Flush succeeded while another connection held the write lock")
	}
	if w.Err() == nil {
		t.Error("Err() is nil after a failed commit")
	}
	if refused == 0 || len(accepted) == 0 {
		t.Fatalf("accepted %d, refused %d: want some of each", len(accepted), refused)
	}

	if err := other.Exec(`COMMIT`); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatalf("Flush after the lock went away: %v", err)
	}
	if w.Err() != nil {
		t.Errorf("Err() = %v after a successful commit", w.Err())
	}
	r := openReader(t, path)
	sameEvents(t, "after recovery", readAll(t, r, Filter{}), expected(accepted, Filter{}))
}

func TestBackgroundFlushCommitsIdleEvents(t *testing.T) {
	path := tempDB(t)
	w, err := OpenWriter(path, Options{FlushInterval: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := w.Append(newWorkload(91, "n", 1, 1e18).events(10)); err != nil {
		t.Fatal(err)
	}
	r := openReader(t, path)
	deadline := time.Now().Add(10 * time.Second)
	for {
		sp, err := r.TimeSpan()
		if err != nil {
			t.Fatal(err)
		}
		if sp.Events == 10 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("events not committed without Flush: %+v", sp)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestClosedWriter(t *testing.T) {
	path := tempDB(t)
	w, err := OpenWriter(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Append(newWorkload(92, "n", 1, 1e18).events(10)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	for name, err := range map[string]error{
		"Append":     w.Append(newWorkload(93, "n", 1, 1e18).events(1)),
		"Flush":      w.Flush(),
		"PutStacks":  w.PutStacks([]event.Stack{{ID: 1}}),
		"EndSession": w.EndSession("x", 1, event.SessionStats{}),
	} {
		if !errors.Is(err, ErrClosed) {
			t.Errorf("%s after Close: %v, want ErrClosed", name, err)
		}
	}
	if _, err := w.PruneToSize(1); !errors.Is(err, ErrClosed) {
		t.Errorf("PruneToSize after Close: %v", err)
	}
	r := openReader(t, path)
	if sp, err := r.TimeSpan(); err != nil || sp.Events != 10 {
		t.Errorf("events written before Close: %+v, %v", sp, err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if err := r.Events(context.Background(), Filter{}, func(*event.Event) error { return nil }); !errors.Is(err, ErrClosed) {
		t.Errorf("Events after Reader.Close: %v", err)
	}
}
