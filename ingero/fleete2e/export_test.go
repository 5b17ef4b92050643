package fleete2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type traceEvent struct {
	Name string         `json:"name"`
	Ph   string         `json:"ph"`
	Pid  int64          `json:"pid"`
	Cat  string         `json:"cat"`
	Args map[string]any `json:"args"`
}

// TestExportAcrossNodes: export --nodes draws one process track per
// node with every event of each reachable node's window as a slice or
// instant, and the chains of each node; the down node is a warning.
func TestExportAcrossNodes(t *testing.T) {
	f := startFleet(t, 0)
	out := filepath.Join(t.TempDir(), "fleet.json")
	r := runExport(t, append(f.nodes(f.addrA, f.addrB, f.dead), "--format", "chrome-json", "-o", out)...)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.err)
	}
	if !strings.Contains(r.err, f.dead) {
		t.Errorf("no warning for the down node: %q", r.err)
	}
	b, err := os.ReadFile(out)
	must(t, err)
	var doc struct {
		TraceEvents []traceEvent `json:"traceEvents"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		var arr []traceEvent
		must(t, json.Unmarshal(b, &arr))
		doc.TraceEvents = arr
	}
	procName := map[int64]string{}
	for _, e := range doc.TraceEvents {
		if e.Ph == "M" && e.Name == "process_name" {
			procName[e.Pid], _ = e.Args["name"].(string)
		}
	}
	syncs := map[string]int{}
	chains := 0
	for _, e := range doc.TraceEvents {
		if e.Name == "cudaStreamSynchronize" && e.Ph == "X" {
			for _, node := range []string{"gpu-a", "gpu-b"} {
				if strings.Contains(procName[e.Pid], node) {
					syncs[node]++
				}
			}
		}
		if strings.Contains(e.Cat, "chain") {
			chains++
		}
	}
	if syncs["gpu-a"] != f.a.syncs() || syncs["gpu-b"] != f.b.syncs() {
		t.Errorf("sync slices per node %v, want gpu-a %d, gpu-b %d (process names %v)", syncs, f.a.syncs(), f.b.syncs(), procName)
	}
	if want := len(f.a.chains) + len(f.b.chains); chains != want {
		t.Errorf("%d chain marks, want %d", chains, want)
	}
}
