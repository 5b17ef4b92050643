package query

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ingero.dev/common/store/storetest"
)

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
	before := storetest.Capture(t, db, true)
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

	before.Same(t, storetest.Capture(t, db, true), "the database")
}
