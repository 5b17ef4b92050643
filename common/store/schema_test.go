package store

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/ncruces/go-sqlite3"
	"ingero.dev/common/event"
)

func TestNewSchema(t *testing.T) {
	path := tempDB(t)
	writeDB(t, path, Options{}, nil)
	r := openReader(t, path)
	if r.SchemaVersion() != 2 {
		t.Fatalf("schema version %d, want 2", r.SchemaVersion())
	}
	res, err := r.Query(context.Background(), 0, `SELECT key, value FROM schema_info ORDER BY key`)
	if err != nil {
		t.Fatal(err)
	}
	info := map[string]any{}
	for _, row := range res.Rows {
		info[row[0].(string)] = row[1]
	}
	if info["version"] != "2" || info["time_unit"] != "unix_ns" || info["duration_unit"] != "ns" {
		t.Errorf("schema_info = %v", info)
	}
	res, err = r.Query(context.Background(), 0, `SELECT count(*) FROM ops`)
	if err != nil {
		t.Fatal(err)
	}
	if n := res.Rows[0][0].(int64); n != int64(len(event.Ops())) {
		t.Errorf("ops table has %d rows, want %d", n, len(event.Ops()))
	}
	res, err = r.Query(context.Background(), 0, `SELECT name, layer FROM sources WHERE id = ?`, uint8(event.SourceDriver))
	if err != nil || len(res.Rows) != 1 || res.Rows[0][0] != "driver" || res.Rows[0][1] != "DRIVER" {
		t.Errorf("driver source row = %v, %v", res, err)
	}
	res, err = r.Query(context.Background(), 0, `PRAGMA auto_vacuum`)
	if err != nil || res.Rows[0][0] != int64(2) {
		t.Errorf("auto_vacuum = %v, %v; want 2 (incremental)", res, err)
	}
	// Header bytes 18 and 19 are 2 in WAL mode and 1 in rollback mode.
	img, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if img[18] != 1 || img[19] != 1 {
		t.Errorf("file format bytes after Close = %d,%d; want 1,1 (not WAL)", img[18], img[19])
	}
	if _, err := os.Stat(path + "-wal"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("closed database left a WAL file behind: %v", err)
	}
}

func setUserVersion(t *testing.T, path string, v int) {
	t.Helper()
	c, err := sqlite3.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Exec(`PRAGMA user_version = ` + strconv.Itoa(v)); err != nil {
		t.Fatal(err)
	}
}

func TestNewerSchemaIsRefused(t *testing.T) {
	path := tempDB(t)
	writeDB(t, path, Options{}, newWorkload(1, "n", 1, 1e18).events(10))
	setUserVersion(t, path, 3)
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := "database " + path + " has schema v3, newer than this ingero understands (v2): upgrade ingero"
	_, rerr := OpenReadOnly(path)
	_, werr := OpenWriter(path, Options{})
	for name, err := range map[string]error{"reader": rerr, "writer": werr} {
		if err == nil || err.Error() != want || !errors.Is(err, ErrNewerSchema) {
			t.Errorf("%s: got %v, want %q", name, err, want)
		}
	}
	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Error("refusing a newer database changed the file")
	}
}

func TestMissingDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope.db")
	_, err := OpenReadOnly(path)
	if !errors.Is(err, ErrNoDatabase) || !strings.Contains(err.Error(), path) {
		t.Fatalf("got %v, want ErrNoDatabase naming %s", err, path)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("OpenReadOnly created the file")
	}
}

func TestBadFilesGiveErrorsNotPanics(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.db")
	writeDB(t, good, Options{ChunkEvents: 512}, newWorkload(1, "n", 1, 1e18).events(20000))
	img, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	garbage := bytes.Repeat([]byte("this is not a database "), 300)
	for _, tc := range []struct {
		name   string
		path   string
		writer bool // whether OpenWriter must refuse it too
	}{
		{"garbage", write("garbage.db", garbage), true},
		{"empty", write("empty.db", nil), false},
		{"half", write("half.db", img[:len(img)/2]), false},
		{"header only", write("header.db", img[:100]), false},
		{"foreign sqlite", foreignDB(t, dir), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := OpenReadOnly(tc.path)
			if err == nil {
				r.Close()
				t.Fatal("OpenReadOnly accepted it")
			}
			if !errors.Is(err, ErrNotIngero) || !strings.Contains(err.Error(), tc.path) || strings.Contains(err.Error(), "\n") {
				t.Errorf("got %q, want a one-line ErrNotIngero naming the file", err)
			}
			if tc.writer {
				if w, err := OpenWriter(tc.path, Options{}); err == nil {
					w.Close()
					t.Error("OpenWriter accepted it")
				} else if !errors.Is(err, ErrNotIngero) {
					t.Errorf("writer: got %v, want ErrNotIngero", err)
				}
			}
		})
	}
	// Damage inside chunk blobs shows up when the chunks are read.
	damaged := append([]byte(nil), img...)
	for i := len(damaged) / 4; i < len(damaged)*3/4; i += 97 {
		damaged[i] ^= 0x5a
	}
	p := write("damaged.db", damaged)
	r, err := OpenReadOnly(p)
	if err != nil {
		if !errors.Is(err, ErrNotIngero) {
			t.Fatalf("damaged: got %v", err)
		}
		return
	}
	defer r.Close()
	err = r.Events(context.Background(), Filter{}, func(*event.Event) error { return nil })
	if err == nil {
		_, err = r.OpSummary(context.Background(), Filter{FromNs: 1e18 + 5e7})
	}
	if err == nil {
		t.Fatal("reading a damaged database reported no error")
	}
	t.Logf("damaged database: %v", err)
}

// foreignDB is an SQLite file some other program made.
func foreignDB(t *testing.T, dir string) string {
	p := filepath.Join(dir, "foreign.db")
	c, err := sqlite3.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Exec(`CREATE TABLE people(name TEXT)`); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestEmptyFileBecomesADatabaseForTheWriter(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fresh.db")
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	writeDB(t, path, Options{}, newWorkload(1, "n", 1, 1e18).events(10))
	r := openReader(t, path)
	if sp, err := r.TimeSpan(); err != nil || sp.Events != 10 {
		t.Fatalf("TimeSpan = %+v, %v", sp, err)
	}
}

func TestDamagedChunkIsReportedWhenRead(t *testing.T) {
	path := tempDB(t)
	writeDB(t, path, Options{ChunkEvents: 512}, newWorkload(1, "n", 1, 1e18).events(5000))
	c, err := sqlite3.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	stmt, _, err := c.Prepare(`SELECT data FROM event_chunks ORDER BY id LIMIT 1 OFFSET 3`)
	if err != nil {
		t.Fatal(err)
	}
	if !stmt.Step() {
		t.Fatal(stmt.Err())
	}
	blob := stmt.ColumnBlob(0, nil)
	stmt.Close()
	c.Close()
	img, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	at := bytes.Index(img, blob[:64])
	if at < 0 {
		t.Fatal("chunk bytes not found in the file")
	}
	for i := at + 20; i < at+60; i++ {
		img[i] ^= 0xff
	}
	if err := os.WriteFile(path, img, 0o644); err != nil {
		t.Fatal(err)
	}
	r := openReader(t, path)
	err = r.Events(context.Background(), Filter{}, func(*event.Event) error { return nil })
	if !errors.Is(err, ErrNotIngero) || !strings.Contains(err.Error(), "chunk 4") {
		t.Fatalf("got %v, want a corruption error naming chunk 4", err)
	}
	// The summaries are intact, so aggregates still work.
	if _, err := r.OpSummary(context.Background(), Filter{}); err != nil {
		t.Fatalf("OpSummary: %v", err)
	}
}
