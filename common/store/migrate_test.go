package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/ncruces/go-sqlite3"
	"ingero.dev/common/event"
)

// withMigrations swaps the package's migration list for one test.
func withMigrations(t *testing.T, extra ...migration) {
	t.Helper()
	saved := migrations
	t.Cleanup(func() { migrations = saved })
	migrations = append(append([]migration(nil), saved...), extra...)
}

// The test adds a migration past the real ones: base is this build's
// version and next the test-only one after it.
func TestMigrationThroughTestOnlyNextVersionKeepsData(t *testing.T) {
	base := currentVersion()
	next := base + 1
	path := tempDB(t)
	old := newWorkload(30, "n1", 7, 1e18).events(3000)
	w, err := OpenWriter(path, Options{ChunkEvents: 500})
	if err != nil {
		t.Fatal(err)
	}
	ses := event.Session{ID: "n1:1", Node: "n1", Host: "h", StartNs: 1e18}
	if err := w.BeginSession(ses); err != nil {
		t.Fatal(err)
	}
	if err := w.Append(old); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	withMigrations(t, func(c *sqlite3.Conn) error {
		return c.Exec(`ALTER TABLE chunk_ops ADD COLUMN dur_hist BLOB;
			CREATE TABLE v2_marker(x INTEGER); INSERT INTO v2_marker VALUES (42);`)
	})
	more := newWorkload(31, "n1", 7, old[len(old)-1].TimeNs+1).events(1000)
	writeMore(t, path, more)

	r := openReader(t, path)
	if r.SchemaVersion() != next {
		t.Fatalf("schema v%d after migrating, want v%d", r.SchemaVersion(), next)
	}
	all := append(append([]event.Event(nil), old...), more...)
	sameEvents(t, "after migration", readAll(t, r, Filter{}), expected(all, Filter{}))
	res, err := r.Query(context.Background(), 0, `SELECT (SELECT x FROM v2_marker), (SELECT value FROM schema_info WHERE key = 'version'),
		(SELECT count(*) FROM sessions), (SELECT max(first_seq + n - 1) FROM event_chunks)`)
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Rows[0]; got[0] != int64(42) || got[1] != strconv.Itoa(next) || got[2] != int64(1) || got[3] != int64(4000) {
		t.Errorf("after migration: marker, version, sessions, last seq = %v; want 42, %d, 1, 4000", got, next)
	}
	r.Close()

	// A failing migration leaves the database at its previous version.
	withMigrations(t, func(c *sqlite3.Conn) error {
		if err := c.Exec(`CREATE TABLE half_done(x)`); err != nil {
			return err
		}
		return errors.New("step failed")
	})
	_, err = OpenWriter(path, Options{})
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("v%d to v%d", next, next+1)) {
		t.Fatalf("failing migration: got %v", err)
	}
	r = openReader(t, path)
	if r.SchemaVersion() != next {
		t.Fatalf("schema v%d after a failed migration, want v%d", r.SchemaVersion(), next)
	}
	if _, err := r.Query(context.Background(), 0, `SELECT * FROM half_done`); err == nil {
		t.Error("the failed migration's table survived")
	}
	r.Close()

	// This build, which stops at base, refuses the migrated file.
	migrations = migrations[:base]
	if _, err := OpenReadOnly(path); !errors.Is(err, ErrNewerSchema) || !strings.Contains(err.Error(), fmt.Sprintf("has schema v%d", next)) {
		t.Fatalf("v%d reader on a v%d file: got %v", base, next, err)
	}
}

// A v1 file (written by a build before annotations had a node) migrates
// to v2 keeping its annotations with node ""; a read-only open of a v1 file
// reads them too, without migrating it.
func TestV1AnnotationsMigrateToV2(t *testing.T) {
	path := tempDB(t)
	saved := migrations
	migrations = migrations[:1]
	w, err := OpenWriter(path, Options{})
	if err != nil {
		migrations = saved
		t.Fatal(err)
	}
	err = w.records("v1 annotation", func() error {
		return w.execSQL(`INSERT INTO annotations(ts, pid, labels) VALUES (1000, 7, '{"step":"1"}')`)
	})
	w.Close()
	migrations = saved
	if err != nil {
		t.Fatal(err)
	}
	r := openReader(t, path)
	if r.SchemaVersion() != 1 {
		t.Fatalf("v%d", r.SchemaVersion())
	}
	anns, err := r.Annotations(0, 0)
	if err != nil || len(anns) != 1 || anns[0].Node != "" || anns[0].Labels["step"] != "1" {
		t.Fatalf("v1 read: %+v %v", anns, err)
	}
	r.Close()
	w, err = OpenWriter(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.PutAnnotations([]event.Annotation{{TimeNs: 2000, PID: 7, Node: "n1"}}); err != nil {
		t.Fatal(err)
	}
	w.Close()
	r = openReader(t, path)
	anns, err = r.Annotations(0, 0)
	if r.SchemaVersion() != currentVersion() || err != nil || len(anns) != 2 || anns[0].Node != "" || anns[1].Node != "n1" {
		t.Fatalf("after migrating from v1: v%d %+v %v", r.SchemaVersion(), anns, err)
	}
}
