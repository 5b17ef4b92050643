package report

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"ingero.dev/common/causal"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// TestGoldenShapes pins every shape, byte for byte, as the commands print
// it: a changed golden is a changed public contract (docs/json.md).
func TestGoldenShapes(t *testing.T) {
	rep := fixtureReport()
	// --last alone leaves the start open; a window may hold no events.
	noStart, none := *rep, causal.Report{ToNs: at(5 * time.Minute)}
	noStart.FromNs = 0
	tests := []struct {
		name string
		v    any
	}{
		{"chains", NewChains(rep, nil)},
		{"chains_annotations", NewChains(rep, [][]map[string]string{{{"phase": "train"}, {"step": "1490"}}, nil})},
		{"chains_open_window", NewChains(&noStart, nil)},
		{"chains_none", NewChains(&none, nil)},
		{"per_process", NewPerProcess(rep)},
		{"stats", NewStats(rep)},
		{"stats_aggregate", NewSummaryStats(at(0), at(5*time.Minute), fixtureSummary())},
		{"check", []CheckResult{
			{Name: "Kernel", OK: true, Level: "pass", Detail: "6.18.0"},
			{Name: "NVIDIA driver", OK: false, Level: "fail", Detail: "not loaded; /dev/nvidia0 is missing", Hint: "install the NVIDIA driver"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteJSON(&buf, tt.v); err != nil {
				t.Fatal(err)
			}
			if !json.Valid(buf.Bytes()) {
				t.Fatalf("invalid JSON:\n%s", buf.Bytes())
			}
			path := filepath.Join("testdata", tt.name+".golden")
			if *update {
				if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(buf.Bytes(), want) {
				t.Errorf("%s differs from %s:\n%s", tt.name, path, buf.Bytes())
			}
		})
	}
}
