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
	buildMu sync.Mutex
	built   = map[string]string{}
)

// useCommand builds ingero-<name> once per test process and points the
// demo at it through $INGERO_<NAME>, so that the demo runs the real
// command, as it does for users.
func useCommand(t *testing.T, name string) {
	t.Helper()
	buildMu.Lock()
	defer buildMu.Unlock()
	bin, ok := built[name]
	if !ok {
		dir, err := os.MkdirTemp("", "ingero-"+name+"-bin-")
		if err != nil {
			t.Fatal(err)
		}
		bin = filepath.Join(dir, "ingero-"+name)
		cmd := exec.Command("go", "build", "-o", bin, "./cmd/ingero-"+name)
		cmd.Dir = "../ingero-" + name
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("building ingero-%s: %v\n%s", name, err, out)
		}
		built[name] = bin
	}
	t.Setenv("INGERO_"+strings.ToUpper(name), bin)
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
	useCommand(t, "explain")
	for _, s := range scenario.All() {
		t.Run(s.Name, func(t *testing.T) {
			out, errOut, code := run(t, "--no-gpu", s.Name)
			if code != 0 {
				t.Fatalf("exit %d: %s\n%s", code, errOut, out)
			}
			report := out[strings.Index(out, "recorded "):]
			if !namedInAChain(report, s.Culprit) {
				t.Errorf("no HIGH or MEDIUM chain names the planted cause %q:\n%s", s.Culprit, report)
			}
			// The loop annotates its steps: each chain names those it hit.
			if strings.Contains(report, "[HIGH]") && !strings.Contains(report, "Hit: {step=") {
				t.Errorf("no chain names the training steps it hit:\n%s", report)
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
	out, _, code := run(t, "--no-gpu", "--json", "--span", "5s", "incident")
	if code != 0 || strings.Count(out, "\n") < 1000 || !strings.Contains(out, `"process_name":"python3"`) {
		t.Fatalf("exit %d, %d lines", code, strings.Count(out, "\n"))
	}
}
