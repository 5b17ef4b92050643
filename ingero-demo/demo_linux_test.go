package demo

import (
	"bufio"
	"strings"
	"testing"

	"ingero.dev/bpf/standin/standintest"
	"ingero.dev/common/ndjson"
	"ingero.dev/ingero-demo/internal/scenario"
)

// TestRealModeNamesEveryPlantedCause runs every scenario as `make demo`
// does as root here: real ingero trace on the stand-in library, real
// plants, real ingero explain. Each report must name what was planted in
// a HIGH or MEDIUM chain.
func TestRealModeNamesEveryPlantedCause(t *testing.T) {
	standintest.RequireBPF(t)
	standintest.Require(t)
	standintest.Exclusive(t)
	useCommand(t, "trace")
	useCommand(t, "explain")
	out, errOut, code := run(t, "--mode", "standin", "--span", "6s")
	if code != 0 {
		t.Fatalf("exit %d: %s\n%s", code, errOut, out)
	}
	if !strings.HasPrefix(out, "ingero demo: real mode: ingero trace records a stand-in CUDA library") {
		t.Errorf("the output does not start by saying which mode runs:\n%.300s", out)
	}
	parts := strings.Split(out, "\n== [")
	if len(parts) != len(scenario.All())+1 {
		t.Fatalf("%d scenarios ran, want %d:\n%s", len(parts)-1, len(scenario.All()), out)
	}
	for i, s := range scenario.All() {
		part := parts[i+1]
		if s.Real.Synthetic != "" {
			if !strings.Contains(part, "synthetic: "+s.Real.Synthetic) {
				t.Errorf("%s: does not say it runs synthetic and why:\n%s", s.Name, part)
			}
		} else if !strings.Contains(part, "ingero trace: ") || !strings.Contains(part, " lost: 0 dropped in the kernel, 0 in user space") {
			t.Errorf("%s: no trace exit summary, or events were lost:\n%s", s.Name, part)
		} else if !strings.Contains(part, "Hit: {step=") {
			// The stand-in loop annotates its steps over trace's socket.
			t.Errorf("%s: no chain names the training steps it hit:\n%s", s.Name, part)
		}
		if !namedInAChain(part, s.Culprit) {
			t.Errorf("%s: no HIGH or MEDIUM chain names the planted cause %q:\n%s", s.Name, s.Culprit, part)
		}
	}
}

// TestRealModeJSON: --json prints what trace recorded, one event a line,
// the planted hog named as the training loop's preemptor; the narration
// goes to stderr.
func TestRealModeJSON(t *testing.T) {
	standintest.RequireBPF(t)
	standintest.Require(t)
	standintest.Exclusive(t)
	useCommand(t, "trace")
	out, errOut, code := run(t, "--mode", "standin", "--span", "5s", "--json", "cpu-contention")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(errOut, "ingero demo: real mode") || !strings.Contains(errOut, "ffmpeg (PID ") {
		t.Errorf("stderr does not narrate the run:\n%s", errOut)
	}
	var train, preempted int
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		e, err := ndjson.Decode(sc.Bytes())
		if err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		if e.Comm == trainComm {
			train++
			if e.PeerComm == "ffmpeg" {
				preempted++
			}
		}
	}
	if train < 1000 || preempted == 0 {
		t.Errorf("%d events of the training loop, %d naming ffmpeg as its preemptor; want many and some", train, preempted)
	}
}
