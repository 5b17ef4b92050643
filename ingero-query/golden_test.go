package query

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestGoldenOutputs(t *testing.T) {
	db := writeFixtureDB(t)
	tests := []struct {
		name string
		args []string
	}{
		{"table", nil},
		{"table_filtered", []string{"--pid", "4821", "--op", "cudaStreamSync,cudaMalloc"}},
		{"table_limit", []string{"--limit", "3"}},
		{"table_annotations", []string{"--annotations"}},
		{"table_two_days", []string{"--from", "2026-05-23T23:00:00Z", "--to", "2026-05-24T15:40:02Z"}},
		{"table_empty", []string{"--from", "2026-05-24T10:00:00Z", "--to", "2026-05-24T11:00:00Z"}},
		{"json", []string{"--json"}},
		{"json_annotations", []string{"--json", "--annotations", "--pid", "4821,5032"}},
		{"json_limit", []string{"--json", "--limit", "2", "--since", "1d"}},
		{"sql_table", []string{"SELECT op_name, count(*) AS n, max(duration_ns) AS max_ns, sum(return_code != 0) AS errors FROM events GROUP BY 1 ORDER BY n DESC, 1"}},
		{"sql_json", []string{"--json", "SELECT pid, comm, op_name, duration_ns / 1e3 AS us, x'00ff' AS b, NULL AS none, 1 AS pid FROM events WHERE pid != 77 ORDER BY timestamp LIMIT 4"}},
		{"sql_capped", []string{"--max-rows", "2", "SELECT timestamp, op_name FROM events ORDER BY timestamp"}},
		{"sql_capped_json", []string{"--json", "--max-rows", "1", "SELECT op_name FROM events"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, append([]string{"-d", db}, tt.args...)...)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.err)
			}
			got := r.out
			if r.err != "" {
				got += "--- stderr\n" + r.err
			}
			golden(t, tt.name, got)
		})
	}
}

// The same recording as a stream file answers the same.
func TestStreamFileAnswersLikeTheDatabase(t *testing.T) {
	db, st := writeFixtureDB(t), writeFixtureStream(t)
	for _, args := range [][]string{nil, {"--json", "--annotations"}, {"SELECT count(*), sum(duration_ns) FROM events"}, {"--limit", "3", "--pid", "4821"}, {"--op", "cudaStreamSync", "--limit", "0", "--json"}, {"--since", "10m"}} {
		a := run(t, append([]string{"-d", db}, args...)...)
		b := run(t, append([]string{"-d", st}, args...)...)
		if a.code != 0 || b.code != 0 || a.out != b.out || b.err != "" {
			t.Errorf("%q: database (exit %d) and stream (exit %d, stderr %q) differ:\n%s\n---\n%s", args, a.code, b.code, b.err, a.out, b.out)
		}
		if strings.Count(b.out, "\n") < 2 {
			t.Errorf("%q: stream output too short: %q", args, b.out)
		}
	}
}

// Listing a stream's events reads it in place, so it works where no
// temporary file can be made (TMPDIR is a file); only SQL needs a
// database, and the temporary one is gone when query exits.
func TestStreamNeedsNoCopyButForSQL(t *testing.T) {
	st := writeFixtureStream(t)
	notADir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notADir, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TMPDIR", notADir)
	for _, args := range [][]string{nil, {"--json", "--annotations"}} {
		if r := run(t, append([]string{"-d", st}, args...)...); r.code != 0 || r.out == "" {
			t.Errorf("%q: exit %d: %s", args, r.code, r.err)
		}
	}
	if r := run(t, "-d", st, "SELECT count(*) FROM events"); r.code != 1 || !strings.Contains(r.err, "loading stream") {
		t.Errorf("SQL without a temporary directory: exit %d, stderr %q", r.code, r.err)
	}
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	if r := run(t, "-d", st, "SELECT count(*) FROM events"); r.code != 0 {
		t.Fatalf("SQL: exit %d: %s", r.code, r.err)
	}
	if left, _ := os.ReadDir(tmp); len(left) > 0 {
		t.Errorf("SQL left %s in TMPDIR", left[0].Name())
	}
}
