package export

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// These tests hand our output to real consumers: protoc decoding with
// Perfetto's own trace schema, and DevTools' trace engine parsing the JSON.
// `make test-deps` installs both; without them the tests skip, and fail
// under INGERO_E2E=1 (CI), which promises them.

func unavailable(t *testing.T, reason string) {
	t.Helper()
	if os.Getenv("INGERO_E2E") == "1" {
		t.Fatalf("INGERO_E2E=1 but the test cannot run: %s", reason)
	}
	t.Skip(reason)
}

func TestProtocDecodesWithPerfettoSchema(t *testing.T) {
	protoc, err := exec.LookPath("protoc")
	if err != nil {
		unavailable(t, "protoc not installed (make test-deps installs Debian's protobuf-compiler)")
	}
	f := writeFixture(t)
	data := exportTo(t, f, "trace.perfetto-trace")
	cmd := exec.Command(protoc, "--proto_path=testdata", "--decode=perfetto.protos.Trace", "testdata/perfetto_trace.proto")
	cmd.Stdin = bytes.NewReader(data)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("protoc: %v: %s", err, errb.String())
	}
	text := out.String()
	slices, instants := f.slicesAndInstants()
	for _, c := range []struct {
		needle string
		want   int
	}{
		{"type: TYPE_SLICE_BEGIN", slices},
		{"type: TYPE_SLICE_END", slices},
		{"type: TYPE_INSTANT", instants},
		{"type: TYPE_COUNTER", 5 * f.snapshots},
		{"flow_ids:", 2 * f.flows}, // flow_ids and terminating_flow_ids
		{"terminating_flow_ids:", f.flows},
		{`process_name: "trainer 100 @node-a"`, 1},
		{`process_name: "server 100 @node-b"`, 1},
		{`name: "preempted by logrotate"`, 1},
		{`name: "HIGH: logrotate preempted python"`, 1},
	} {
		if got := strings.Count(text, c.needle); got != c.want {
			t.Errorf("protoc's decoding has %d × %q, want %d", got, c.needle, c.want)
		}
	}
	if strings.Contains(text, "\n  1: ") || strings.Contains(text, "\n    1: ") {
		t.Error("protoc found fields the schema does not know (numbers instead of names)")
	}
}

// traceEngineDir is where `make test-deps` installs DevTools' engine.
func traceEngineDir() string {
	if d := os.Getenv("INGERO_TRACE_ENGINE"); d != "" {
		return d
	}
	return filepath.Join("..", ".cache", "node", "node_modules", "@paulirish", "trace_engine")
}

func TestTraceEngineParsesJSON(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		unavailable(t, "node not installed")
	}
	dir, err := filepath.Abs(traceEngineDir())
	must(t, err)
	if _, err := os.Stat(filepath.Join(dir, "package.json")); err != nil {
		unavailable(t, "@paulirish/trace_engine is not installed in "+dir+" (run make test-deps)")
	}
	f := writeFixture(t)
	out := filepath.Join(t.TempDir(), "trace.json")
	if r := runExport(t, "-d", f.path, "-o", out); r.code != 0 {
		t.Fatalf("export: %s", r.err)
	}
	cmd := exec.Command(node, "testdata/trace_engine_check.mjs", dir, out)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("trace engine: %v: %s", err, stderr.String())
	}
	var got struct {
		Processes    int               `json:"processes"`
		ProcessNames map[string]string `json:"processNames"`
		Threads      map[string]struct {
			Name    string `json:"name"`
			Entries int    `json:"entries"`
		} `json:"threads"`
		Entries int `json:"entries"`
		Flows   int `json:"flows"`
	}
	must(t, json.Unmarshal(stdout.Bytes(), &got))
	t.Logf("trace engine: %s", stdout.String())
	if got.Entries != len(f.events) || got.Flows != f.flows {
		t.Errorf("the engine read %d calls and %d arrows, want %d and %d", got.Entries, got.Flows, len(f.events), f.flows)
	}
	names := map[string]bool{}
	for _, n := range got.ProcessNames {
		names[n] = true
	}
	if !names["trainer 100 @node-a"] || !names["server 100 @node-b"] {
		t.Errorf("process names %v", got.ProcessNames)
	}
}
