package explain

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
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

// No way of running explain changes a byte of the recording, its mtime or
// what lies beside it.
func TestRecordingIsNeverChanged(t *testing.T) {
	for name, path := range map[string]string{"database": writeFixtureDB(t), "stream": writeFixtureStream(t)} {
		before := stateOf(t, path)
		time.Sleep(20 * time.Millisecond) // so that a touch would show in mtime
		for _, args := range [][]string{nil, {"--json"}, {"--chains"}, {"--chains", "--json", "--annotations"},
			{"--per-process"}, {"--per-process", "--json"}, {"--annotations"}, {"--last", "100"}, {"--since", "1w", "--pid", "4821"}} {
			if r := run(t, append([]string{"-d", path}, args...)...); r.code != 0 {
				t.Errorf("%s %q: exit %d: %s", name, args, r.code, r.err)
			}
		}
		after := stateOf(t, path)
		if !bytes.Equal(before.data, after.data) {
			t.Errorf("%s: the file's bytes changed", name)
		}
		if !before.mtime.Equal(after.mtime) {
			t.Errorf("%s: the file's mtime changed: %v → %v", name, before.mtime, after.mtime)
		}
		if !slices.Equal(before.dir, after.dir) {
			t.Errorf("%s: files beside it changed: %v → %v", name, before.dir, after.dir)
		}
	}
}
