package mcp

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"ingero.dev/common/event"
	"ingero.dev/common/store/storetest"
)

// hostileFixture is a crafted recording: a 10 MB process name, a command
// line of a million arguments, a stack of a million frames, a stored
// chain with a million timeline steps.
func hostileFixture() fixture {
	f := trainingFixture()
	huge := strings.Repeat("A", 10<<20)
	for i := range f.events {
		if f.events[i].PID == 5032 {
			f.events[i].Comm = huge
		}
	}
	f.names = append(f.names, event.ProcessName{Node: "gpu-node-07", PID: 5032, Comm: huge,
		Cmdline: strings.Repeat("arg\x00", 1_000_000), FirstNs: at(0), LastNs: at(time.Minute)})
	frames := make([]event.Frame, 1_000_000)
	for i := range frames {
		frames[i] = event.Frame{IP: uint64(i), Symbol: "f"}
	}
	f.stacks[0].Frames = frames
	steps := make([]event.TimelineEntry, 1_000_000)
	for i := range steps {
		steps[i] = event.TimelineEntry{TimeNs: at(time.Second), Layer: "HOST", Detail: "x"}
	}
	f.chains[0].Timeline = steps
	return f
}

func TestHostileRecording(t *testing.T) {
	db := hostileFixture().write(t)
	before := storetest.Capture(t, db, true)
	cs := connect(t, db)

	pp := ok(t, cs, "get_per_process", nil)
	if len(pp.text) > 64<<10 {
		t.Errorf("get_per_process: %d bytes for two processes", len(pp.text))
	}
	// The store keeps 4 KiB of a name; the answer keeps 1000 bytes.
	names := ok(t, cs, "run_sql", verboseArgs(map[string]any{"query": "SELECT DISTINCT comm FROM events"}))
	if path(names.structured, "cut_cells") != 1.0 {
		t.Errorf("names: %.300s", names.text)
	}
	st := ok(t, cs, "get_stacks", verboseArgs(nil))
	if n := len(path(st.structured, "stacks", 0, "frames").([]any)); n != maxFrames {
		t.Errorf("stack of a million frames: %d shown", n)
	}
	if note, _ := path(st.structured, "stacks", 0, "frames_note").(string); !strings.Contains(note, "only the frames in its first") {
		t.Errorf("frames_note %q", note)
	}
	stored := ok(t, cs, "get_causal_chains", verboseArgs(map[string]any{"stored": true}))
	if n := len(path(stored.structured, "chains", 0, "timeline").([]any)); n != maxSteps {
		t.Errorf("stored timeline of a million steps: %d shown", n)
	}
	sql := ok(t, cs, "run_sql", verboseArgs(map[string]any{"query": "SELECT comm, cmdline FROM process_names"}))
	if path(sql.structured, "cut_cells").(float64) < 2 || len(sql.text) > 64<<10 {
		t.Errorf("huge cells: cut %v, %d bytes", path(sql.structured, "cut_cells"), len(sql.text))
	}
	// Every row of a 10 MB name fits no answer: cut to the cap, said so.
	big := ok(t, cs, "run_sql", verboseArgs(map[string]any{"query": "SELECT comm, timestamp FROM events", "limit": 10000}))
	if path(big.structured, "truncated") != true || len(big.text) > maxResponse {
		t.Errorf("big answer: truncated %v, %d bytes", path(big.structured, "truncated"), len(big.text))
	}
	ok(t, cs, "get_check", nil)
	ok(t, cs, "get_trace_stats", nil)
	storetest.Capture(t, db, true).Same(t, before, "after the hostile recording's tools")
}

func TestHostileSQL(t *testing.T) {
	fx := trainingFixture()
	db := fx.write(t)
	before := storetest.Capture(t, db, true)
	// Only the runaway statement runs under a short limit: a legitimate scan
	// under the same second failed on a loaded CI host, which says nothing
	// about the guard.
	cs := connect(t, db)
	short := sqlLimits
	short.Timeout = time.Second
	runaway := connect(t, db, func(s *server) { s.sqlLimits = short })
	for _, tc := range []struct{ query, want string }{
		{"INSERT INTO chains(id) VALUES ('x')", "refused"},
		{"DELETE FROM event_chunks", "refused"},
		{"UPDATE sessions SET host = 'x'", "refused"},
		{"CREATE TABLE t(x)", "refused"},
		{"DROP TABLE chains", "refused"},
		{"ATTACH DATABASE '/tmp/other.db' AS o", "refused"},
		{"PRAGMA writable_schema = 1", "refused"},
		{"VACUUM INTO '/tmp/copy.db'", "refused"},
		{"BEGIN IMMEDIATE", "refused"},
		{"SELECT 1; DELETE FROM chains", "more than one statement"},
		{"SELECT length(randomblob(1000000000))", "larger than allowed: over 16777216 bytes"},
		{"SELECT length(group_concat(zeroblob(1000000))) FROM events", "larger than allowed"},
	} {
		fails(t, cs, "run_sql", map[string]any{"query": tc.query}, tc.want)
	}
	fails(t, runaway, "run_sql", map[string]any{"query": "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r"}, "past its time limit")
	ok(t, runaway, "run_sql", map[string]any{"query": "SELECT 1"})
	r := ok(t, cs, "run_sql", map[string]any{"query": "SELECT count(*) AS n FROM events"})
	if want := fmt.Sprint(len(fx.events)); !strings.Contains(r.text, want) {
		t.Errorf("count after hostile SQL: %.200s, want %s", r.text, want)
	}
	storetest.Capture(t, db, true).Same(t, before, "after hostile SQL")
}

func TestHostileArguments(t *testing.T) {
	cs := connect(t, trainingFixture().write(t))
	pids := make([]int, 1_000_000)
	for i := range pids {
		pids[i] = i + 1
	}
	fails(t, cs, "get_causal_chains", map[string]any{"pids": pids}, "at most 1024")
	fails(t, cs, "get_per_process", map[string]any{"pids": pids}, "at most 1024")
	fails(t, cs, "run_sql", map[string]any{"query": "SELECT '" + strings.Repeat("x", 5<<20) + "'"}, "at most 65536")
	ok(t, cs, "get_trace_stats", nil)
}
