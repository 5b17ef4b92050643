package explain

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A stream file given with -d reads like the database it was made from.
func TestStreamFileAnswersLikeTheDatabase(t *testing.T) {
	db, st := writeFixtureDB(t), writeFixtureStream(t)
	for _, args := range [][]string{nil, {"--json", "--per-process"}, {"--chains", "--annotations"}, {"--last", "500", "--annotations"}, {"--pid", "4821", "--json"}, {"--since", "2m", "--per-process"}, {"--chains", "--pid", "5032"}} {
		a := run(t, append([]string{"-d", db}, args...)...)
		b := run(t, append([]string{"-d", st}, args...)...)
		if a.code != 0 || b.code != 0 || a.out != b.out || b.err != "" {
			t.Errorf("%q: database (exit %d) and stream (exit %d, stderr %q) differ:\n%s\n---\n%s", args, a.code, b.code, b.err, a.out, b.out)
		}
	}
}

// Damage in a stream file is reported on stderr, a line per problem, and
// the report covers what could be read.
func TestStreamDamageIsReported(t *testing.T) {
	data, err := os.ReadFile(writeFixtureStream(t))
	if err != nil {
		t.Fatal(err)
	}
	// Flip bytes inside the events frame, and cut the trailer off.
	data = append([]byte(nil), data[:len(data)-40]...)
	for i := len(data) / 2; i < len(data)/2+16; i++ {
		data[i] ^= 0xff
	}
	path := filepath.Join(t.TempDir(), "damaged.stream")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	r := runWith(t, fixedEngine(nil, nil), "-d", path, "--chains")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.err)
	}
	lines := strings.Split(strings.TrimSuffix(r.err, "\n"), "\n")
	if len(lines) < 2 {
		t.Errorf("stderr %q: want a warning for the damaged frame and one for the missing trailer", r.err)
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, "ingero explain: warning: ") {
			t.Errorf("stderr line %q is not a warning", l)
		}
	}
	if r.out == "" {
		t.Error("no report")
	}
}

// A stream file is analysed in place: explain makes no temporary copy,
// so it works where no temporary file can be made (TMPDIR is a file).
func TestStreamIsReadInPlace(t *testing.T) {
	st := writeFixtureStream(t)
	notADir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notADir, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TMPDIR", notADir)
	for _, args := range [][]string{nil, {"--per-process", "--annotations"}, {"--chains", "--json"}} {
		if r := run(t, append([]string{"-d", st}, args...)...); r.code != 0 || r.out == "" {
			t.Errorf("%q: exit %d: %s", args, r.code, r.err)
		}
	}
}
