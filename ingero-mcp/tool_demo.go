package mcp

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"ingero.dev/common/causal"
	"ingero.dev/common/recording"
	"ingero.dev/common/report"
)

// DemoIn picks a synthetic scenario.
type DemoIn struct {
	Common
	Scenario string `json:"scenario,omitempty" jsonschema:"incident (default), cpu-contention, gpu-contention, gpu-steal, contention, cold-start, memcpy-bottleneck or periodic-spike"`
	Seed     uint64 `json:"seed,omitempty" jsonschema:"seed of the generated events (default 1; the same seed gives the same recording)"`
}

// DemoOut is what the scenario recorded and what the analysis found.
type DemoOut struct {
	Scenario string        `json:"scenario"`
	Mode     string        `json:"mode"`
	Command  string        `json:"command" fence:"ours"`
	Note     string        `json:"note" fence:"ours"`
	Stats    report.Stats  `json:"stats"`
	Chains   report.Chains `json:"chains"`
}

// demoTimeout bounds one scenario: synthetic ones take about a second.
const demoTimeout = 2 * time.Minute

var scenarioRE = regexp.MustCompile(`^[a-z][a-z0-9-]{0,40}$`)

// runDemo runs `ingero demo --mode synthetic` into a temporary database
// and analyses it. Only the synthetic mode: the real ones trace as root
// and load a CPU and the GPU for a minute, not something an agent should
// start on a node. demo is a command of its own, so it runs as a process.
func (s *server) runDemo(ctx context.Context, in DemoIn) (*DemoOut, error) {
	name := cmp.Or(in.Scenario, "incident")
	if !scenarioRE.MatchString(name) {
		return nil, fmt.Errorf("scenario %q: a name such as incident or cpu-contention", name)
	}
	if _, err := parseSince(in.Since); err != nil {
		return nil, err
	}
	argv, err := s.sibling("demo")
	if err != nil {
		return nil, fmt.Errorf("run_demo runs 'ingero demo', which is %w", err)
	}
	dir, err := os.MkdirTemp("", "ingero-mcp-demo-")
	if err != nil {
		return nil, fmt.Errorf("run_demo: %w", err)
	}
	defer os.RemoveAll(dir)
	db := filepath.Join(dir, name+".db")
	seed := cmp.Or(in.Seed, 1)
	argv = append(argv, "--mode", "synthetic", "--seed", strconv.FormatUint(seed, 10), "-d", db, name)
	if _, _, err := runSibling(ctx, demoTimeout, 16<<20, argv); err != nil {
		return nil, err
	}
	rec, err := recording.OpenFile(db)
	if err != nil {
		return nil, fmt.Errorf("reading the demo's recording: %w", err)
	}
	defer rec.Close()
	w, err := windowOf(rec.Reader, in.Since)
	if err != nil {
		return nil, err
	}
	rep, err := causal.Analyze(ctx, rec.Reader, causal.Options{FromNs: w.FromNs, ToNs: w.ToNs})
	if err != nil {
		return nil, fmt.Errorf("analysing the demo's recording: %w", err)
	}
	shown := []string{"ingero", "demo", "--mode", "synthetic", "--seed", strconv.FormatUint(seed, 10), "-d", "FILE", name}
	return &DemoOut{
		Scenario: name,
		Mode:     "synthetic",
		Command:  strings.Join(shown, " "),
		Note: "events generated with realistic timing through the same statistics, store and causal engine as a real trace; " +
			"the recording was temporary and is gone: run the command with a -d FILE of your choosing to keep one, then 'ingero mcp -d FILE'",
		Stats:  report.NewStats(rep),
		Chains: report.NewChains(rep, nil),
	}, nil
}
