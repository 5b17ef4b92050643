package export

import (
	"bytes"
	"compress/gzip"
	"io"
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

func exportTo(t *testing.T, f *fixture, name string, args ...string) []byte {
	t.Helper()
	out := filepath.Join(t.TempDir(), name)
	before := storetest.Capture(t, f.path, true)
	r := runExport(t, append([]string{"-d", f.path, "-o", out}, args...)...)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.err)
	}
	before.Same(t, storetest.Capture(t, f.path, true), "the recording")
	data := readFile(t, out)
	if strings.HasSuffix(name, ".gz") {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		must(t, err)
		data, err = io.ReadAll(zr)
		must(t, err)
	}
	return data
}

func TestPerfettoStructure(t *testing.T) {
	f := writeFixture(t)
	tr, err := checkPerfetto(exportTo(t, f, "trace.perfetto-trace"))
	if err != nil {
		t.Fatal(err)
	}
	slices, instants := f.slicesAndInstants()
	if tr.slices != slices || tr.instants != instants || tr.counters != 5*f.snapshots || tr.flows != f.flows {
		t.Errorf("slices %d instants %d counters %d flows %d, want %d %d %d %d",
			tr.slices, tr.instants, tr.counters, tr.flows, slices, instants, 5*f.snapshots, f.flows)
	}
	// Both nodes' PID 100 are their own processes.
	procs := map[string]int64{}
	for _, tk := range tr.tracks {
		if tk.kind == "process" {
			procs[tk.name] = tk.pid
		}
	}
	a, b := procs["trainer 100 @node-a"], procs["server 100 @node-b"]
	if a == 0 || b == 0 || a == b || procs["node-a (host)"] == 0 {
		t.Errorf("process tracks %v", procs)
	}
	off := tr.named("python 101 off-CPU")
	if len(off) != 2 || off[0].name != "preempted by logrotate" || off[0].args["preemptor"] != "logrotate (4711)" {
		t.Errorf("off-CPU track: %+v", off)
	}
	var launchOut, syncIn bool
	for _, e := range tr.named("python 100") {
		switch e.args["id"] {
		case "node-a:2":
			launchOut = len(e.flowOut) == 1
		case "node-a:3":
			syncIn = len(e.flowIn) == 1
		case "node-a:1":
			if len(e.flowOut) != 0 {
				t.Error("the first launch, which a later launch on its stream superseded, starts a flow")
			}
		case "node-a:7":
			if e.name == "cudaMalloc" && e.typ == typeSliceBegin && (e.args["return_code"] != int64(2) || e.args["stack_id"] != "0xfeedface" || e.args["call_site"] != "train.py:12 (load_model)" || e.args["size"] != uint64(1<<20)) {
				t.Errorf("malloc args %v", e.args)
			}
		}
	}
	if !launchOut || !syncIn {
		t.Errorf("no arrow from the launch to the sync that waited for it (out %v, in %v)", launchOut, syncIn)
	}
	high := tr.named("HIGH causal chains")
	if len(high) != 1 || high[0].name != "HIGH: logrotate preempted python" || high[0].args["fix"] != "move it" {
		t.Errorf("chain instants %+v", high)
	}
	if cpu := tr.named("CPU %"); len(cpu) != 6 || cpu[2].counter != 42 { // two nodes' tracks
		t.Errorf("CPU counter %+v", cpu)
	}
}

func TestChromeJSONStructure(t *testing.T) {
	f := writeFixture(t)
	for _, name := range []string{"trace.json", "trace.json.gz"} {
		tr, err := checkJSON(exportTo(t, f, name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		slices, instants := f.slicesAndInstants()
		if tr.complete != slices || tr.instants != instants || tr.counters != 5*f.snapshots || tr.flows != f.flows {
			t.Errorf("%s: complete %d instants %d counters %d flows %d, want %d %d %d %d", name,
				tr.complete, tr.instants, tr.counters, tr.flows, slices, instants, 5*f.snapshots, f.flows)
		}
		names := map[string]bool{}
		for _, n := range tr.processNames {
			names[n] = true
		}
		if !names["trainer 100 @node-a"] || !names["server 100 @node-b"] || len(tr.processNames) != 4 {
			t.Errorf("%s: processes %v", name, tr.processNames)
		}
		for ev, row := range map[string]string{"HIGH: logrotate preempted python": "HIGH causal chains",
			"MEDIUM: swap in use": "MEDIUM causal chains", "preempted by logrotate": "python 101 off-CPU", "cudaMemcpy": "python 100"} {
			if tr.rowOf[ev] != row {
				t.Errorf("%s: %q is on row %q, want %q", name, ev, tr.rowOf[ev], row)
			}
		}
	}
}

func TestSelection(t *testing.T) {
	f := writeFixture(t)
	// --since counts back from the newest event (node-a's launch at +400µs).
	tr, err := checkPerfetto(exportTo(t, f, "t.pftrace", "--since", "150us", "--chains", "stored"))
	if err != nil {
		t.Fatal(err)
	}
	// Events at +300µs and +400µs, no chains or snapshots in that window.
	if tr.slices != 1 || tr.instants != 1 || tr.counters != 0 {
		t.Errorf("--since 150us: %d slices %d instants %d counters", tr.slices, tr.instants, tr.counters)
	}
	js, err := checkJSON(exportTo(t, f, "t.json", "--pid", "100", "--format", "chrome-json"))
	if err != nil {
		t.Fatal(err)
	}
	if js.complete+js.instants != len(f.events)+len(f.chains) {
		t.Errorf("--pid 100 kept %d of %d", js.complete+js.instants, len(f.events)+len(f.chains))
	}
	empty := filepath.Join(t.TempDir(), "empty.db")
	w, err := store.OpenWriter(empty, store.Options{})
	must(t, err)
	must(t, w.Close())
	out := filepath.Join(t.TempDir(), "empty.json")
	r := runExport(t, "-d", empty, "-o", out, "--pid", "999")
	if r.code != 0 || !strings.Contains(r.err, "warning: the trace is empty: no events, chains, annotations or snapshots of --pid 999 in the recording") {
		t.Errorf("empty export: exit %d, stderr %q", r.code, r.err)
	}
	if _, err := checkJSON(readFile(t, out)); err != nil {
		t.Errorf("empty JSON trace: %v", err)
	}
	js, err = checkJSON(exportTo(t, f, "t.json", "--pid", "999"))
	if err != nil {
		t.Fatal(err)
	}
	if js.complete != 0 || js.instants != 1 { // the host-wide chain stays
		t.Errorf("--pid 999: %d complete, %d instants", js.complete, js.instants)
	}
}

func TestChainsAnalysedWhenNoneStored(t *testing.T) {
	f := writeFixture(t)
	stored, err := checkPerfetto(exportTo(t, f, "t.pftrace"))
	must(t, err)
	analysed, err := checkPerfetto(exportTo(t, f, "t.pftrace", "--chains", "analyze"))
	must(t, err)
	none, err := checkPerfetto(exportTo(t, f, "t.pftrace", "--chains", "none"))
	must(t, err)
	_, instants := f.slicesAndInstants()
	if stored.instants != instants || none.instants != instants-len(f.chains) {
		t.Errorf("stored: %d instants, none: %d; want %d and %d", stored.instants, none.instants, instants, instants-len(f.chains))
	}
	for _, evs := range analysed.events {
		for _, e := range evs {
			if strings.HasSuffix(e.name, "causal chains") || e.cat == "causal_chain" && e.args["source"] != "found by analysis at export" {
				t.Errorf("analysed chain %q does not say where it came from", e.name)
			}
		}
	}
}

func TestFormatByName(t *testing.T) {
	f := writeFixture(t)
	if _, err := checkPerfetto(exportTo(t, f, "trace")); err != nil {
		t.Errorf("no suffix: %v", err)
	}
	if _, err := checkPerfetto(exportTo(t, f, "trace.pftrace.gz")); err != nil {
		t.Errorf(".gz: %v", err)
	}
	out := filepath.Join(t.TempDir(), "trace.json")
	r := runExport(t, "-d", f.path, "-o", out, "--format", "perfetto")
	if r.code != 0 || !strings.Contains(r.err, "will hold Perfetto's protobuf, not JSON") {
		t.Errorf("--format perfetto -o trace.json: exit %d, stderr %q", r.code, r.err)
	}
	if _, err := checkPerfetto(readFile(t, out)); err != nil {
		t.Error(err)
	}
	r = runExport(t, "-d", f.path, "-o", "-", "--format", "chrome-json")
	if _, err := checkJSON([]byte(r.out)); r.code != 0 || err != nil {
		t.Errorf("-o -: exit %d: %v", r.code, err)
	}
}

func TestUsageErrors(t *testing.T) {
	f := writeFixture(t)
	dir := t.TempDir()
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"-d", f.path}, "name the trace file with -o"},
		{[]string{"-d", f.path, "-o", filepath.Join(dir, "x"), "--format", "json"}, "did you mean chrome-json"},
		{[]string{"-d", f.path, "-o", filepath.Join(dir, "x"), "--format", "svg"}, "use perfetto or chrome-json"},
		{[]string{"-d", f.path, "-o", f.path}, "is a recording"},
		{[]string{"-d", f.path, "-o", dir}, "is a directory"},
		{[]string{"--nodes", "a:1", "--from", "2026-05-24T15:00:00Z", "-o", filepath.Join(dir, "x")}, "--from/--to do not apply to --nodes"},
		{[]string{"--nodes", "a:1", "--node-events", "0", "-o", filepath.Join(dir, "x")}, "--node-events 0"},
		{[]string{"-d", f.path, "-o", filepath.Join(dir, "x"), "--pid", "x"}, "not a process id"},
		{[]string{"-d", f.path, "-o", filepath.Join(dir, "x"), "extra"}, "takes no arguments"},
		{[]string{"-d", f.path, "-o", filepath.Join(dir, "x"), "--chains", "all"}, "use auto, stored, analyze or none"},
	} {
		r := runExport(t, tt.args...)
		clitest.OneLineFailure(t, "ingero export", r.code, r.out, r.err, 2, tt.want)
	}
	r := runExport(t, "-d", filepath.Join(dir, "missing.db"), "-o", filepath.Join(dir, "x"))
	clitest.OneLineFailure(t, "ingero export", r.code, r.out, r.err, 1, "missing.db")
}

// A stream file exports like a database, and is left as it was.
func TestExportFromStream(t *testing.T) {
	f := writeFixture(t)
	f.path = recordingtest.WriteStream(t, recordingtest.Recording{Events: f.events, Chains: f.chains})
	f.snapshots = 0
	tr, err := checkPerfetto(exportTo(t, f, "s.perfetto-trace"))
	if err != nil {
		t.Fatal(err)
	}
	slices, instants := f.slicesAndInstants()
	if tr.slices != slices || tr.instants != instants || tr.flows != f.flows {
		t.Errorf("from a stream: slices %d instants %d flows %d, want %d %d %d", tr.slices, tr.instants, tr.flows, slices, instants, f.flows)
	}
}

// Annotations become slices (spans) and instants on their node, with the
// labels as args; overlapping spans take separate rows, so slices nest.
func TestAnnotationsOnTheTimeline(t *testing.T) {
	f := writeFixture(t)
	w, err := store.OpenWriter(f.path, store.Options{FlushInterval: -1})
	must(t, err)
	must(t, w.PutAnnotations([]event.Annotation{
		{TimeNs: t0, SpanStart: t0, SpanEnd: t0 + 300_000, PID: 100, Node: "node-a", Labels: map[string]string{"request_id": "r1"}},
		{TimeNs: t0 + 100_000, SpanStart: t0 + 100_000, SpanEnd: t0 + 400_000, PID: 100, Node: "node-a", Labels: map[string]string{"request_id": "r2"}},
		{TimeNs: t0 + 350_000, Node: "node-a", Labels: map[string]string{"phase": "eval"}},
	}))
	must(t, w.Close())
	tr, err := checkPerfetto(exportTo(t, f, "a.perfetto-trace"))
	if err != nil {
		t.Fatal(err)
	}
	slices, instants := f.slicesAndInstants()
	if tr.slices != slices+2 || tr.instants != instants+1 {
		t.Errorf("slices %d instants %d, want %d %d", tr.slices, tr.instants, slices+2, instants+1)
	}
	first, second := tr.named("annotations"), tr.named("annotations 2")
	if len(first) != 3 || len(second) != 2 || first[0].name != "request_id=r1" || first[0].args["request_id"] != "r1" ||
		second[0].name != "request_id=r2" {
		t.Errorf("annotation rows: %d and %d events", len(first), len(second))
	}
	js, err := checkJSON(exportTo(t, f, "a.json"))
	if err != nil {
		t.Fatal(err)
	}
	if js.rowOf["phase=eval"] != "annotations" || js.rowOf["request_id=r2"] != "annotations 2" {
		t.Errorf("JSON rows: %v", js.rowOf)
	}
}

func TestBadRecordings(t *testing.T) {
	f := writeFixture(t)
	for _, bad := range recordingtest.BadRecordings(t, f.path) {
		out := filepath.Join(t.TempDir(), "x.json")
		r := runExport(t, "-d", bad.Path, "-o", out)
		clitest.OneLineFailure(t, "ingero export", r.code, r.out, r.err, 1, bad.Want)
		if _, err := os.Stat(out); err == nil {
			t.Errorf("%s: a failed export left %s", bad.Path, out)
		}
	}
}
