package demo

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"ingero.dev/common/cli"
	"ingero.dev/ingero-demo/internal/scenario"
)

var (
	explainOnce sync.Once
	explainBin  string
	explainErr  error
)

// useRealExplain builds ingero-explain so the demo's report comes from the
// real command, as it does for users.
func useRealExplain(t *testing.T) {
	t.Helper()
	explainOnce.Do(func() {
		dir, err := os.MkdirTemp("", "ingero-explain-bin-")
		if err != nil {
			explainErr = err
			return
		}
		explainBin = filepath.Join(dir, "ingero-explain")
		cmd := exec.Command("go", "build", "-o", explainBin, "./cmd/ingero-explain")
		cmd.Dir = "../ingero-explain"
		if out, err := cmd.CombinedOutput(); err != nil {
			explainErr = err
			t.Logf("%s", out)
		}
	})
	if explainErr != nil {
		t.Fatalf("building ingero-explain: %v", explainErr)
	}
	t.Setenv("INGERO_EXPLAIN", explainBin)
}

func run(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	stdio := cli.Stdio{In: strings.NewReader(""), Out: &out, Err: &errb}
	code := cli.Run(New(stdio), args, stdio)
	return out.String(), errb.String(), code
}

// TestEveryScenarioNamesItsPlantedCause is the demo's promise: each
// scenario's report names what was planted.
func TestEveryScenarioNamesItsPlantedCause(t *testing.T) {
	useRealExplain(t)
	for _, s := range scenario.All() {
		t.Run(s.Name, func(t *testing.T) {
			out, errOut, code := run(t, "--no-gpu", s.Name)
			if code != 0 {
				t.Fatalf("exit %d: %s\n%s", code, errOut, out)
			}
			report := out[strings.Index(out, "recorded "):]
			if !strings.Contains(report, s.Culprit) {
				t.Errorf("the report does not name the planted cause %q:\n%s", s.Culprit, report)
			}
		})
	}
}

func TestUsage(t *testing.T) {
	if _, errOut, code := run(t, "incidnet"); code != cli.ExitUsage || !strings.Contains(errOut, `did you mean "incident"`) {
		t.Errorf("typo: exit %d, %q", code, errOut)
	}
	if _, _, code := run(t, "--span", "1s"); code != cli.ExitUsage {
		t.Errorf("--span 1s: exit %d", code)
	}
}

func TestJSONPrintsEvents(t *testing.T) {
	out, _, code := run(t, "--json", "--span", "5s", "incident")
	if code != 0 || strings.Count(out, "\n") < 1000 || !strings.Contains(out, `"process_name":"python3"`) {
		t.Fatalf("exit %d, %d lines", code, strings.Count(out, "\n"))
	}
}
