package adhoc

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"ingero.dev/common/store"
	"ingero.dev/common/store/storetest"
)

// FuzzGuard runs arbitrary SQL, with and without a bound argument, on a
// read-only recording. Whatever the statement, the file keeps its bytes
// and mtime, no file appears beside it or in the working directory, and
// the connection stays query_only: the guard is the engine's authorizer,
// and this checks that no statement text talks its way past it.
func FuzzGuard(f *testing.F) {
	for _, s := range refused {
		f.Add(s, "")
	}
	for _, s := range []string{
		"SELECT count(*) FROM events", "SELECT * FROM events WHERE pid = ?", "PRAGMA table_info(events)",
		"WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT x FROM c",
		"SELECT 1; DELETE FROM event_chunks", "VACUUM INTO 'copy.db'", "SELECT load_extension('x')",
		"SELECT randomblob(2000000000)", "SELECT writefile('x', 'y')", "PRAGMA query_only",
		"EXPLAIN DELETE FROM event_chunks", "CREATE TABLE x AS SELECT 1", "PRAGMA main.journal_mode=DELETE",
		"SELECT * FROM pragma_journal_mode('delete')", "SELECT * FROM sqlite_dbpage", "REPLACE INTO nodes(name) VALUES (?)",
	} {
		f.Add(s, "100")
	}
	path := fixtureDB(f)
	r, err := store.OpenReadOnly(path)
	if err != nil {
		f.Fatal(err)
	}
	defer r.Close()
	s := New(r, Limits{DefaultRows: 50, Timeout: 100 * time.Millisecond, MaxValue: 1 << 20, MaxCell: 64})
	before := storetest.Capture(f, path, true)
	wd, err := os.Getwd()
	if err != nil {
		f.Fatal(err)
	}
	cwd, _ := filepath.Glob(filepath.Join(wd, "*"))
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, sql, arg string) {
		req := Request{SQL: sql}
		if arg != "" {
			req.Args = []any{arg}
		}
		s.Run(ctx, req)
		res, err := s.Run(ctx, Request{SQL: "PRAGMA query_only"})
		if err != nil || len(res.Rows) != 1 || res.Rows[0][0] != int64(1) {
			t.Fatalf("after %q: query_only = %v, %v", sql, res, err)
		}
		before.Same(t, storetest.Capture(t, path, true), "the database after "+sql)
		if now, _ := filepath.Glob(filepath.Join(wd, "*")); len(now) != len(cwd) {
			t.Fatalf("after %q: the working directory went from %d to %d entries", sql, len(cwd), len(now))
		}
	})
}
