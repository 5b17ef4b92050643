package merge

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ingero.dev/common/cli/clitest"
	"ingero.dev/common/event"
	"ingero.dev/common/recording/recordingtest"
	"ingero.dev/common/store"
	"ingero.dev/common/store/storetest"
)

func TestMergeCarriesEverythingWithProvenance(t *testing.T) {
	a, b, c := makeNode("node-a", 1000, 0), makeNode("node-b", 700, 50), makeNode("node-c", 333, 90)
	inputs := []string{writeDB(t, a), writeDB(t, b), writeStream(t, c)}
	var before []storetest.FileState
	for _, in := range inputs {
		before = append(before, storetest.Capture(t, in, true))
	}
	out := filepath.Join(t.TempDir(), "cluster.db")
	// Flags after the inputs, as the spec writes them.
	r := runMerge(t, append(inputs, "-o", out)...)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.err)
	}
	for i, in := range inputs {
		before[i].Same(t, storetest.Capture(t, in, true), in)
	}
	if !strings.Contains(r.out, "2033 events from 3 nodes") {
		t.Errorf("summary %q", r.out)
	}
	if strings.Contains(r.err, "warning") {
		t.Errorf("unexpected warnings: %s", r.err)
	}
	m := openOut(t, out)
	for _, n := range []nodeRecording{a, b, c} {
		if got := queryInt(t, m, `SELECT count(*) FROM events WHERE node = ?`, n.node); got != int64(len(n.events)) {
			t.Errorf("%s: %d events, want %d", n.node, got, len(n.events))
		}
		if got := queryInt(t, m, `SELECT count(DISTINCT id) FROM events WHERE node = ?`, n.node); got != int64(len(n.events)) {
			t.Errorf("%s: %d distinct IDs, want %d", n.node, got, len(n.events))
		}
		// IDs are kept: the node's first event is still <node>:1.
		ev, ok, err := m.Event(context.Background(), store.EventID{Node: n.node, Seq: 1})
		if err != nil || !ok || ev != n.events[0] {
			t.Errorf("%s:1 = %+v %v %v, want %+v", n.node, ev, ok, err, n.events[0])
		}
		if got := queryInt(t, m, `SELECT count(*) FROM process_names WHERE node = ? AND pid = 100`, n.node); got != 1 {
			t.Errorf("%s: %d process names for pid 100, want 1 (PIDs collide across nodes)", n.node, got)
		}
		if got := queryInt(t, m, `SELECT count(*) FROM snapshots WHERE node = ?`, n.node); got != 2 {
			t.Errorf("%s: %d snapshots", n.node, got)
		}
		if got := queryInt(t, m, `SELECT count(*) FROM chains WHERE node = ?`, n.node); got != 1 {
			t.Errorf("%s: %d chains", n.node, got)
		}
		if got := queryInt(t, m, `SELECT count(*) FROM annotations WHERE node = ? AND pid = 100`, n.node); got != 1 {
			t.Errorf("%s: %d annotations", n.node, got)
		}
		if got := queryInt(t, m, `SELECT count(*) FROM sessions WHERE node = ? AND stop_ns > 0`, n.node); got != 1 {
			t.Errorf("%s: %d finished sessions", n.node, got)
		}
		if got := queryInt(t, m, `SELECT count(*) FROM event_chunks c JOIN nodes n ON n.id = c.node_id
			WHERE n.name = ? AND c.session_id = ?`, n.node, n.session().ID); got == 0 {
			t.Errorf("%s: chunks lost their session", n.node)
		}
	}
	if got := queryInt(t, m, `SELECT count(*) FROM events`); got != 2033 {
		t.Errorf("%d events, want 2033", got)
	}
	if got := queryInt(t, m, `SELECT count(*) FROM stacks`); got != 2 {
		t.Errorf("%d stacks, want the 2 shared ones once", got)
	}
	if got := queryInt(t, m, `SELECT count(*) FROM annotations`); got != 3 {
		t.Errorf("%d annotations", got)
	}
	// The summary table agrees with the events.
	if got := queryInt(t, m, `SELECT sum(count) FROM chunk_ops`); got != 2033 {
		t.Errorf("chunk_ops count %d", got)
	}
}

func TestSameNodeTwiceIsRenumbered(t *testing.T) {
	a1, a2 := makeNode("node-a", 500, 0), makeNode("node-a", 300, 5e9)
	out := filepath.Join(t.TempDir(), "m.db")
	r := runMerge(t, writeDB(t, a1), writeDB(t, a2), "-o", out)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.err)
	}
	if !strings.Contains(r.err, "renumbered as node-a:501…800") {
		t.Errorf("no renumbering warning: %s", r.err)
	}
	m := openOut(t, out)
	if got := queryInt(t, m, `SELECT count(DISTINCT id) FROM events`); got != 800 {
		t.Errorf("%d distinct IDs, want 800", got)
	}
	ev, ok, err := m.Event(context.Background(), store.EventID{Node: "node-a", Seq: 501})
	if err != nil || !ok || ev != a2.events[0] {
		t.Errorf("node-a:501 = %+v, want the second run's first event", ev)
	}
	if got := queryInt(t, m, `SELECT count(*) FROM sessions`); got != 2 {
		t.Errorf("%d sessions, want 2 (re-keyed apart)", got)
	}
	if !strings.Contains(r.err, "session node-a:1796000000000000000 is in both") {
		t.Errorf("no warning about the session recorded twice: %s", r.err)
	}
	// New events recorded into the merged file continue after both runs.
	if got := queryInt(t, m, `SELECT next_seq FROM nodes WHERE name = 'node-a'`); got != 801 {
		t.Errorf("next_seq %d", got)
	}
}

func TestForceNodeNamesUnnamedInput(t *testing.T) {
	anon := makeNode("", 100, 0)
	in := writeDB(t, anon)
	dir := t.TempDir()
	r := runMerge(t, in, "-o", filepath.Join(dir, "x.db"))
	clitest.OneLineFailure(t, "ingero merge", r.code, r.out, r.err, 2, "--force-node NAME")
	out := filepath.Join(dir, "m.db")
	r = runMerge(t, "--force-node", "legacy", in, "-o", out)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.err)
	}
	m := openOut(t, out)
	if got := queryInt(t, m, `SELECT count(*) FROM events WHERE node = 'legacy'`); got != 100 {
		t.Errorf("%d events of legacy", got)
	}
	ev, ok, _ := m.Event(context.Background(), store.EventID{Node: "legacy", Seq: 1})
	if !ok || ev.Node != "legacy" {
		t.Errorf("legacy:1 = %+v", ev)
	}
	for _, q := range []string{`SELECT count(*) FROM sessions WHERE node = 'legacy' AND id LIKE 'legacy:%'`,
		`SELECT count(*) FROM chains WHERE node = 'legacy' AND id LIKE 'legacy:%'`,
		`SELECT count(*) FROM snapshots WHERE node = 'legacy'`,
		`SELECT count(*) FROM annotations WHERE node = 'legacy'`,
		`SELECT count(*) FROM process_names WHERE node = 'legacy'`} {
		if queryInt(t, m, q) == 0 {
			t.Errorf("%s: none", q)
		}
	}
}

func TestOutputRules(t *testing.T) {
	in := writeDB(t, makeNode("n1", 10, 0))
	dir := t.TempDir()
	out := filepath.Join(dir, "m.db")
	must(t, os.WriteFile(out, []byte("keep me"), 0o644))
	r := runMerge(t, in, "-o", out)
	clitest.OneLineFailure(t, "ingero merge", r.code, r.out, r.err, 2, "pass --force to replace it")
	if b, _ := os.ReadFile(out); string(b) != "keep me" {
		t.Fatal("the existing output was touched")
	}
	must(t, os.WriteFile(out+"-wal", []byte("stale"), 0o644))
	if r := runMerge(t, in, "-o", out, "--force"); r.code != 0 {
		t.Fatalf("--force: exit %d: %s", r.code, r.err)
	}
	if _, err := os.Stat(out + "-wal"); err == nil {
		t.Error("a stale WAL of the replaced file was left beside the new one")
	}
	if got := queryInt(t, openOut(t, out), `SELECT count(*) FROM events`); got != 10 {
		t.Errorf("%d events", got)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("left behind: %v", ents)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{in, "-o", in, "--force"}, "is also an input"},
		{[]string{in, in, "-o", filepath.Join(dir, "y.db")}, "is given twice"},
		{[]string{in}, "-o FILE"},
		{[]string{"-o", filepath.Join(dir, "y.db")}, "give the recordings to merge"},
		{[]string{"--nodes", "h1:8080", "-o", filepath.Join(dir, "y.db")}, "--nodes"},
		{[]string{filepath.Join(dir, "nope.db"), "-o", filepath.Join(dir, "y.db")}, "does not exist"},
		{[]string{in, "-o", filepath.Join(dir, "y.db"), "--clock-skew-threshold", "0s"}, "must be above 0"},
	} {
		r := runMerge(t, tt.args...)
		clitest.OneLineFailure(t, "ingero merge", r.code, r.out, r.err, 2, tt.want)
	}
	bad := filepath.Join(dir, "bad.db")
	must(t, os.WriteFile(bad, []byte("not a recording at all"), 0o644))
	r = runMerge(t, in, bad, "-o", filepath.Join(dir, "z.db"))
	clitest.OneLineFailure(t, "ingero merge", r.code, r.out, r.err, 1, "bad.db")
	if _, err := os.Stat(filepath.Join(dir, "z.db")); err == nil {
		t.Error("a failed merge left its output")
	}
}

// collectives gives node n NCCL all-reduces about every 50ms (with the
// step-to-step jitter of real training) that complete at the same true
// instants on every node, read by a clock off by skew.
func collectives(node string, skew int64) nodeRecording {
	r := makeNode(node, 10, 0)
	ar, _ := event.OpByName("ncclAllReduce")
	end := t0
	for i := range 40 {
		end += 40e6 + int64(i*7919%20)*1e6
		start := end - 2e6 - int64(i%5)*1e5 // ranks arrive at different times
		r.events = append(r.events, event.Event{TimeNs: start + skew, DurNs: end - start, PID: 100, TID: 100,
			Source: ar.Source, Op: ar.Op, Node: node})
	}
	return r
}

func TestClockSkewFromCollectives(t *testing.T) {
	a := writeDB(t, collectives("rank0", 0))
	for _, tt := range []struct {
		skew int64
		want string
	}{{20e6, ""}, {-157e6, "rank1 is ~157ms behind rank0"}, {3e9, "rank1 is ~3s ahead of rank0"}} {
		b := writeDB(t, collectives("rank1", tt.skew))
		r := runMerge(t, a, b, "-o", filepath.Join(t.TempDir(), "m.db"))
		if r.code != 0 {
			t.Fatalf("exit %d: %s", r.code, r.err)
		}
		if tt.want == "" && strings.Contains(r.err, "clock skew") || !strings.Contains(r.err, tt.want) {
			t.Errorf("skew %dns: want %q in: %s", tt.skew, tt.want, r.err)
		}
	}
}

func TestProgressOnStderr(t *testing.T) {
	saved := progressMinEvents
	progressMinEvents = 1
	t.Cleanup(func() { progressMinEvents = saved })
	a, b := writeDB(t, makeNode("n1", 3000, 0)), writeDB(t, makeNode("n2", 3000, 0))
	r := runMergeEvery(t, 0, a, b, "-o", filepath.Join(t.TempDir(), "m.db"))
	if r.code != 0 || !strings.Contains(r.err, "of 6000 events (") || !strings.Contains(r.err, "6000 events in") {
		t.Errorf("exit %d, stderr %q", r.code, r.err)
	}
	if strings.Contains(r.out, "ingero merge:") {
		t.Error("progress went to stdout")
	}
	r = runMergeEvery(t, 0, a, b, "-o", filepath.Join(t.TempDir(), "m.db"), "--quiet")
	if r.err != "" {
		t.Errorf("--quiet printed %q", r.err)
	}
}

func TestBadRecordings(t *testing.T) {
	good := writeDB(t, makeNode("n1", 10, 0))
	for _, bad := range recordingtest.BadRecordings(t, good) {
		if strings.Contains(bad.Path, "missing") {
			continue // a usage error, tested in TestOutputRules
		}
		out := filepath.Join(t.TempDir(), "m.db")
		r := runMerge(t, good, bad.Path, "-o", out)
		clitest.OneLineFailure(t, "ingero merge", r.code, r.out, r.err, 1, bad.Want)
		if _, err := os.Stat(out); err == nil {
			t.Errorf("%s: a failed merge left %s", bad.Path, out)
		}
	}
}
