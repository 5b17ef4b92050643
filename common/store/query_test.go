package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/ncruces/go-sqlite3"
)

func TestQueryRefusesWrites(t *testing.T) {
	path := tempDB(t)
	writeDB(t, path, Options{}, newWorkload(60, "n", 1, 1e18).events(100))
	r := openReader(t, path)
	ctx := context.Background()
	elsewhere := filepath.Join(t.TempDir(), "copy.db")
	for _, q := range []string{
		`DELETE FROM event_chunks`,
		`INSERT INTO nodes(name) VALUES ('x')`,
		`CREATE TABLE t(x)`,
		`PRAGMA user_version = 9`,
		`VACUUM INTO '` + elsewhere + `'`,
	} {
		if _, err := r.Query(ctx, 0, q); !errors.Is(err, ErrWriteQuery) {
			t.Errorf("%s: got %v, want ErrWriteQuery", q, err)
		}
	}
	// Other files stay out of reach, even read-only.
	for _, q := range []string{`ATTACH DATABASE '` + path + `' AS other`, `ATTACH ':memory:' AS m`} {
		if _, err := r.Query(ctx, 0, q); err == nil {
			t.Errorf("%s: no error", q)
		}
	}
	if _, err := os.Stat(elsewhere); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a query created %s", elsewhere)
	}
	// Below the statement check, the connection itself is read-only.
	if err := r.conn.Exec(`DELETE FROM event_chunks`); !errors.Is(err, sqlite3.READONLY) {
		t.Errorf("raw DELETE on the reader's connection: got %v, want SQLITE_READONLY", err)
	}
	if sp, err := r.TimeSpan(); err != nil || sp.Events != 100 {
		t.Errorf("events after write attempts: %+v, %v", sp, err)
	}
}

func TestQueryShapes(t *testing.T) {
	path := tempDB(t)
	writeDB(t, path, Options{}, newWorkload(61, "n", 1, 1e18).events(100))
	r := openReader(t, path)
	ctx := context.Background()
	res, err := r.Query(ctx, 10, `SELECT timestamp, op_name, 1.5, NULL, x'00ff' FROM events`)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != 10 || !res.Truncated {
		t.Errorf("maxRows 10: got %d rows, truncated=%v", len(res.Rows), res.Truncated)
	}
	row := res.Rows[0]
	if _, ok := row[0].(int64); !ok || row[2] != 1.5 || row[3] != nil || string(row[4].([]byte)) != "\x00\xff" {
		t.Errorf("row types: %#v", row)
	}
	res, err = r.Query(ctx, 0, `SELECT count(*) FROM events WHERE pid = ?`, 1)
	if err != nil || res.Truncated || res.Rows[0][0] != int64(100) {
		t.Errorf("bound query: %+v, %v", res, err)
	}
	// Schema introspection is reading too.
	for _, q := range []string{`PRAGMA table_info(event_chunks)`, `SELECT name FROM pragma_table_info('events')`, `EXPLAIN QUERY PLAN SELECT * FROM events`} {
		if res, err := r.Query(ctx, 0, q); err != nil || len(res.Rows) == 0 {
			t.Errorf("%s: %v, %v", q, res, err)
		}
	}
	for _, bad := range []string{``, `SELECT 1; SELECT 2`, `SELECT * FROM nowhere`, `SELEC 1`} {
		if _, err := r.Query(ctx, 0, bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
	if _, err := r.Query(ctx, 0, `SELECT ?`, 1, 2); err == nil {
		t.Error("extra arguments: no error")
	}
	ctx2, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := r.Query(ctx2, 0, `SELECT count(*) FROM events`); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: got %v", err)
	}
}
