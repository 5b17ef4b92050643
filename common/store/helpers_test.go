package store

import (
	"cmp"
	"context"
	"path/filepath"
	"slices"
	"testing"

	"ingero.dev/common/event"
)

func tempDB(t testing.TB) string {
	t.Helper()
	return filepath.Join(t.TempDir(), "rec", "ingero.db")
}

// writeDB records evs into a fresh database at path and closes it.
func writeDB(t testing.TB, path string, opts Options, evs []event.Event) {
	t.Helper()
	w, err := OpenWriter(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Append(evs); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

func openReader(t testing.TB, path string) *Reader {
	t.Helper()
	r, err := OpenReadOnly(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func readAll(t testing.TB, r *Reader, f Filter) []event.Event {
	t.Helper()
	var out []event.Event
	err := r.Events(context.Background(), f, func(ev *event.Event) error {
		out = append(out, *ev)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// expected applies f to evs the slow way: stable time order, so events
// with equal timestamps keep their append order, as the store keeps them
// for a single node.
func expected(evs []event.Event, f Filter) []event.Event {
	sf := f.scan()
	var out []event.Event
	for _, ev := range evs {
		if ev.TimeNs >= sf.from && ev.TimeNs <= sf.to && sf.match(&ev) {
			out = append(out, ev)
		}
	}
	slices.SortStableFunc(out, func(a, b event.Event) int { return cmp.Compare(a.TimeNs, b.TimeNs) })
	if f.Desc {
		slices.Reverse(out)
	}
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out
}

func sameEvents(t *testing.T, what string, got, want []event.Event) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %d events, want %d", what, len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("%s: event %d differs:\n got %+v\nwant %+v", what, i, got[i], want[i])
		}
	}
}

func countChunks(t testing.TB, r *Reader) int64 {
	t.Helper()
	res, err := r.Query(context.Background(), 0, `SELECT count(*) FROM event_chunks`)
	if err != nil {
		t.Fatal(err)
	}
	return res.Rows[0][0].(int64)
}
