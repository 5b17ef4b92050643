package store

import (
	"cmp"
	"context"
	"slices"
	"testing"

	"ingero.dev/common/event"
)

// TestChunksNewestFirst lists a window's chunks, newest first, and
// decodes each: together they hold every event of the window, and the
// listing can stop early.
func TestChunksNewestFirst(t *testing.T) {
	path := tempDB(t)
	evs := newWorkload(7, "node7", 4242, 1_700_000_000_000_000_000).events(10_000)
	writeDB(t, path, Options{ChunkEvents: 512, FlushInterval: -1}, evs)
	r := openReader(t, path)
	ctx := context.Background()
	from, to := evs[2000].TimeNs, evs[7000].TimeNs
	var chunks []Chunk
	if err := r.ChunksNewestFirst(ctx, from, to, func(c Chunk) bool { chunks = append(chunks, c); return true }); err != nil {
		t.Fatal(err)
	}
	if !slices.IsSortedFunc(chunks, func(a, b Chunk) int { return cmp.Compare(b.LastNs, a.LastNs) }) {
		t.Errorf("chunks not newest first: %v", chunks)
	}
	var got []event.Event
	for _, c := range chunks {
		if c.LastNs < from || c.FirstNs > to {
			t.Errorf("chunk %+v is outside [%d, %d]", c, from, to)
		}
		before := len(got)
		var err error
		if got, err = r.ChunkEvents(ctx, c, got); err != nil {
			t.Fatal(err)
		}
		if len(got)-before != c.Events {
			t.Errorf("chunk %d decoded %d events, index says %d", c.ID, len(got)-before, c.Events)
		}
	}
	got = slices.DeleteFunc(got, func(e event.Event) bool { return e.TimeNs < from || e.TimeNs > to })
	slices.SortStableFunc(got, func(a, b event.Event) int { return cmp.Compare(a.TimeNs, b.TimeNs) })
	sameEvents(t, "events of the listed chunks", got, expected(evs, Filter{FromNs: from, ToNs: to}))

	n := 0
	if err := r.ChunksNewestFirst(ctx, 0, 0, func(Chunk) bool { n++; return n < 3 }); err != nil || n != 3 {
		t.Errorf("stopping after 3 chunks: saw %d, err %v", n, err)
	}
	if _, err := r.ChunkEvents(ctx, Chunk{ID: 1 << 40, Events: 1}, nil); err == nil {
		t.Error("a chunk that does not exist decoded")
	}
}
