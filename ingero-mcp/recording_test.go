package mcp

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ingero.dev/common/cli"
	"ingero.dev/common/recording/recordingtest"
	"ingero.dev/common/store/storetest"
)

// A stream file serves like a database, and stays as it was.
func TestStreamRecording(t *testing.T) {
	f := trainingFixture()
	file := recordingtest.WriteStream(t, recordingtest.Recording{Events: f.events, Chains: f.chains, StopNs: at(180e9)})
	before := storetest.Capture(t, file, true)
	cs := connect(t, file)
	chains := ok(t, cs, "get_causal_chains", verboseArgs(nil))
	if rc, _ := path(chains.structured, "chains", 0, "root_cause").(string); !strings.Contains(rc, "logrotate") {
		t.Errorf("chains over a stream: %.300s", chains.text)
	}
	ok(t, cs, "run_sql", map[string]any{"query": "SELECT count(*) FROM events"})
	check := ok(t, cs, "get_check", verboseArgs(nil))
	if p, _ := path(check.structured, "recording", "path").(string); !strings.HasSuffix(p, "(stream)") {
		t.Errorf("recording path %q", p)
	}
	storetest.Capture(t, file, true).Same(t, before, "after serving a stream file")
}

// Before trace has written anything, the server runs and the tools that
// need the recording say where it is expected.
func TestRecordingNotThereYet(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "later.db")
	cs := connect(t, missing)
	fails(t, cs, "get_trace_stats", nil, "no database at "+missing)
	check := ok(t, cs, "get_check", verboseArgs(nil))
	if note, _ := path(check.structured, "note").(string); !strings.Contains(note, "no database at") {
		t.Errorf("get_check note %q", note)
	}
	// The file appears: the next call reads it.
	if err := os.Rename(trainingFixture().write(t), missing); err != nil {
		t.Fatal(err)
	}
	ok(t, cs, "get_trace_stats", nil)
}

// A file that is not a recording fails at start, in one line, exit 1; a
// missing one is a warning and the server runs (until stdin closes).
func TestStartupChecksTheFile(t *testing.T) {
	junk := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(junk, []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	var errb bytes.Buffer
	stdio := cli.Stdio{In: strings.NewReader(""), Out: io.Discard, Err: &errb}
	if code := cli.Run(New(stdio), []string{"-d", junk}, stdio); code != 1 || strings.Count(errb.String(), "\n") != 1 ||
		!strings.Contains(errb.String(), "neither an ingero database nor an ingero stream file") {
		t.Errorf("junk file: exit %d, %q", code, errb.String())
	}
	errb.Reset()
	missing := filepath.Join(t.TempDir(), "later.db")
	if code := cli.Run(New(stdio), []string{"-d", missing}, stdio); code != 0 || !strings.Contains(errb.String(), "warning: no database at "+missing) {
		t.Errorf("missing file: exit %d, %q", code, errb.String())
	}
}
