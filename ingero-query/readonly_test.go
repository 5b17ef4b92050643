package query

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

type fileState struct {
	data  []byte
	mtime time.Time
	dir   []string
}

func stateOf(t *testing.T, path string) fileState {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	ents, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	st := fileState{data: data, mtime: fi.ModTime()}
	for _, e := range ents {
		st.dir = append(st.dir, e.Name())
	}
	return st
}

// Statements that would change the recording, each a different way in.
var writes = []string{
	"DELETE FROM event_chunks",
	"DROP TABLE annotations",
	"INSERT INTO annotations (ts, pid, span_start, span_end, labels) VALUES (1, 0, 0, 0, '{}')",
	"WITH doomed AS (SELECT id FROM annotations) DELETE FROM annotations WHERE id IN doomed",
	"UPDATE event_chunks SET n = 0",
	"CREATE TABLE scratch (x)",
	"CREATE TEMP TABLE scratch (x)",
	"PRAGMA user_version = 99",
	"PRAGMA journal_mode = WAL",
	"VACUUM",
	"REINDEX",
	"ANALYZE",
}

// Neither command line, nor SQL, nor SQL that writes changes a byte of the
// recording, its mtime or what lies beside it.
func TestRecordingIsNeverChanged(t *testing.T) {
	db := writeFixtureDB(t)
	before := stateOf(t, db)
	time.Sleep(20 * time.Millisecond) // so that a touch would show in mtime

	for _, args := range [][]string{nil, {"--json", "--annotations"}, {"--limit", "0", "--since", "1w"}, {"SELECT * FROM events"}} {
		if r := run(t, append([]string{"-d", db}, args...)...); r.code != 0 {
			t.Errorf("%q: exit %d: %s", args, r.code, r.err)
		}
	}
	for _, sql := range writes {
		r := run(t, "-d", db, sql)
		if r.code != 1 || r.out != "" || strings.Count(r.err, "\n") != 1 {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit 1 and one line", sql, r.code, r.out, r.err)
		}
		if !strings.Contains(r.err, "refused: the statement would change the recording") {
			t.Errorf("%q: stderr %q is not the refusal", sql, r.err)
		}
	}
	// Writing to other files is refused too.
	other := filepath.Join(t.TempDir(), "copy.db")
	for _, sql := range []string{"VACUUM INTO '" + other + "'", "ATTACH DATABASE '" + other + "' AS o"} {
		if r := run(t, "-d", db, sql); r.code != 1 {
			t.Errorf("%q: exit %d, stderr %q", sql, r.code, r.err)
		}
	}
	if _, err := os.Stat(other); err == nil {
		t.Errorf("a statement created %s", other)
	}

	after := stateOf(t, db)
	if !bytes.Equal(before.data, after.data) {
		t.Error("the database file's bytes changed")
	}
	if !before.mtime.Equal(after.mtime) {
		t.Errorf("the database file's mtime changed: %v → %v", before.mtime, after.mtime)
	}
	if !slices.Equal(before.dir, after.dir) {
		t.Errorf("files beside the database changed: %v → %v", before.dir, after.dir)
	}
}
