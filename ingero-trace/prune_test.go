package trace

import (
	"io"
	"os"
	"path/filepath"
	"testing"

	"ingero.dev/common/batch/batchtest"
	"ingero.dev/common/event"
	"ingero.dev/common/store"
)

// TestMaxDBPrunesOldestEvents drives --max-db through the same path a
// running trace takes: events pile up past the limit, the periodic prune
// brings the file under it, and the newest events are the ones kept.
func TestMaxDBPrunesOldestEvents(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.db")
	const limit = 1 << 20
	c := &config{record: true, db: path, maxDB: limit}
	out := &outputs{}
	sess := event.Session{ID: "n:1", Node: "n", StartNs: 1}
	if err := out.open(c, io.Discard, sess); err != nil {
		t.Fatal(err)
	}
	evs := batchtest.Mixed(3, 1_200_000)
	for i := range evs {
		evs[i].Node = "n"
	}
	for i := 0; i < len(evs); i += 4096 {
		out.events(evs[i:min(i+4096, len(evs))])
	}
	if err := out.db.Flush(); err != nil {
		t.Fatal(err)
	}
	(&ticker{c: c, out: out}).prune()
	if err := out.close(sess.ID, 2, event.SessionStats{}); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() > limit {
		t.Fatalf("database is %d bytes after pruning to --max-db %d", fi.Size(), limit)
	}
	r, err := store.OpenReadOnly(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	span, err := r.TimeSpan()
	if err != nil {
		t.Fatal(err)
	}
	newest := evs[0].TimeNs
	for _, e := range evs {
		newest = max(newest, e.TimeNs)
	}
	if span.Events == 0 || span.Events >= int64(len(evs)) || span.LastNs != newest {
		t.Fatalf("kept %d of %d events, last at %d (newest written %d): want the newest part kept", span.Events, len(evs), span.LastNs, newest)
	}
}
