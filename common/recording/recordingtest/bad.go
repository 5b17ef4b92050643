package recordingtest

import (
	"os"
	"path/filepath"
	"testing"
)

// Bad is a file that is not a readable recording, and what the one-line
// error about it must hold.
type Bad struct {
	Path, Want string
}

// BadRecordings makes, from the valid database at good, every kind of
// file a command must refuse: missing, not a recording, empty, cut short,
// and with its pages overwritten.
func BadRecordings(t testing.TB, good string) []Bad {
	t.Helper()
	dir := t.TempDir()
	db, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	scrambled := append([]byte(nil), db...)
	for i := 100; i < len(scrambled); i++ {
		scrambled[i] = byte(i * 7)
	}
	files := []struct {
		name string
		data []byte
		want string
	}{
		{"garbage.db", []byte("this is not a recording at all, just text\n"), "neither an ingero database nor an ingero stream file"},
		{"empty.db", nil, "is empty"},
		// The SQLite magic is there, the rest is not.
		{"cut.db", db[:len(db)/2], "corrupt"},
		{"scrambled.db", scrambled, "scrambled.db"},
	}
	missing := filepath.Join(dir, "missing.db")
	out := []Bad{{missing, "no database at " + missing}}
	for _, f := range files {
		p := filepath.Join(dir, f.name)
		if err := os.WriteFile(p, f.data, 0o644); err != nil {
			t.Fatal(err)
		}
		out = append(out, Bad{p, f.want})
	}
	return out
}
