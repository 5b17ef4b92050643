package explain

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"ingero.dev/common/event"
	"ingero.dev/common/store"
)

func writeDB(t *testing.T, evs []event.Event) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "run.db")
	w, err := store.OpenWriter(path, store.Options{FlushInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Append(evs); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

type reportJSON struct {
	Events int64 `json:"events"`
	Chains []struct {
		Severity  string `json:"severity"`
		Rule      string `json:"rule"`
		PID       uint32 `json:"pid"`
		Summary   string `json:"summary"`
		RootCause string `json:"root_cause"`
		Fix       string `json:"fix"`
		Timeline  []struct {
			Timestamp, Layer, Detail string
		} `json:"timeline"`
	} `json:"chains"`
}

// The real engine, through the real store and this command: a preempted
// training loop gets a HIGH chain whose root cause names the preemptor,
// in the text and in the JSON.
func TestPreemptionIsExplainedEndToEnd(t *testing.T) {
	db := writeFixtureDB(t)
	text := run(t, "-d", db)
	if text.code != 0 || text.err != "" {
		t.Fatalf("exit %d: %s", text.code, text.err)
	}
	if !strings.HasPrefix(text.out, "INCIDENT REPORT - ") || !strings.Contains(text.out, "Root cause: logrotate (PID 8821) preempted") {
		t.Errorf("the report does not blame logrotate:\n%s", text.out)
	}
	r := run(t, "-d", db, "--json")
	var rep reportJSON
	if err := json.Unmarshal([]byte(r.out), &rep); err != nil || r.code != 0 {
		t.Fatalf("exit %d, %v:\n%s", r.code, err, r.out)
	}
	found := false
	for _, ch := range rep.Chains {
		if ch.Severity == "HIGH" && ch.PID == 4821 && strings.Contains(ch.RootCause, "logrotate") {
			found = true
			if len(ch.Timeline) == 0 || ch.Fix == "" {
				t.Errorf("chain without timeline or fix: %+v", ch)
			}
		}
	}
	if !found || rep.Events != int64(len(fixtureEvents())) {
		t.Errorf("events %d (want %d), chains %+v: no HIGH chain for PID 4821 naming logrotate", rep.Events, len(fixtureEvents()), rep.Chains)
	}
}

// The same loop without the preemption, alone on the GPU, is clean.
func TestCleanRunHasNoHighChain(t *testing.T) {
	db := writeDB(t, workload(false, false))
	r := run(t, "-d", db, "--json")
	var rep reportJSON
	if err := json.Unmarshal([]byte(r.out), &rep); err != nil || r.code != 0 {
		t.Fatalf("exit %d, %v:\n%s", r.code, err, r.out)
	}
	for _, ch := range rep.Chains {
		if ch.Severity == "HIGH" {
			t.Errorf("clean run: HIGH chain %s: %s", ch.Rule, ch.Summary)
		}
	}
	if text := run(t, "-d", db); !strings.Contains(text.out, "events analysed") && !strings.HasPrefix(text.out, "No causal chains found in ") {
		t.Errorf("clean run report:\n%s", text.out)
	}
}

// The breakdown's numbers come from the engine's histograms; the goldens
// pin them and the layout.
func TestPerProcessEndToEnd(t *testing.T) {
	db := writeFixtureDB(t)
	for name, args := range map[string][]string{"e2e_per_process_json": {"--per-process", "--json"}, "e2e_per_process_pid": {"--per-process", "--pid", "5032"}} {
		r := run(t, append([]string{"-d", db}, args...)...)
		if r.code != 0 || r.err != "" {
			t.Fatalf("%s: exit %d: %s", name, r.code, r.err)
		}
		out := r.out
		if i := strings.Index(out, "\nINCIDENT REPORT"); i >= 0 {
			out = out[:i+1] // the chains' wording belongs to the engine's tests
		}
		if i := strings.Index(out, "\nNo causal chains"); i >= 0 {
			out = out[:i+1]
		}
		golden(t, name, out)
	}
}
