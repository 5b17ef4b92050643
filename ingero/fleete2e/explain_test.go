package fleete2e

import (
	"encoding/json"
	"strings"
	"testing"
)

type explainJSON struct {
	Nodes []struct {
		Node     string `json:"node"`
		NodeName string `json:"node_name"`
		Events   int64  `json:"events"`
		Chains   int    `json:"chains"`
	} `json:"nodes"`
	Chains []struct {
		Rule     string `json:"rule"`
		Severity string `json:"severity"`
		Seen     []struct {
			Node     string `json:"node"`
			NodeName string `json:"node_name"`
			Severity string `json:"severity"`
		} `json:"seen_on"`
	} `json:"chains"`
	Stragglers []struct {
		Node     string  `json:"node"`
		NodeName string  `json:"node_name"`
		Op       string  `json:"op"`
		Factor   float64 `json:"factor"`
		P99Ns    int64   `json:"p99_ns"`
	} `json:"stragglers"`
	Warnings []string `json:"warnings"`
}

// TestExplainAcrossNodes: the contention chain all three nodes stored is
// one chain seen on three nodes; gpu-b's preemption chain is its own;
// gpu-b, whose stream syncs take 60 ms against the others' 8–9 ms, is
// the straggler; the down node is a warning.
func TestExplainAcrossNodes(t *testing.T) {
	f := startFleet(t, 0)
	r := runExplain(t, append(f.nodes(f.addrA, f.addrB, f.addrC, f.dead), "--since", "1h", "--json")...)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.err)
	}
	var rep explainJSON
	if err := json.Unmarshal([]byte(r.out), &rep); err != nil {
		t.Fatalf("%v: %s", err, r.out)
	}
	if len(rep.Nodes) != 3 || len(rep.Warnings) != 1 || !strings.Contains(rep.Warnings[0], f.dead) {
		t.Fatalf("nodes %+v, warnings %q; want 3 nodes and the dead one warned", rep.Nodes, rep.Warnings)
	}
	if len(rep.Chains) != 2 {
		t.Fatalf("%d chains, want 2 (one merged across nodes): %s", len(rep.Chains), r.out)
	}
	high, low := rep.Chains[0], rep.Chains[1]
	if high.Rule != "cpu-preemption" || high.Severity != "HIGH" || len(high.Seen) != 1 || high.Seen[0].NodeName != "gpu-b" {
		t.Errorf("first chain %+v, want gpu-b's HIGH preemption", high)
	}
	if low.Rule != "gpu-contention" || len(low.Seen) != 3 {
		t.Errorf("second chain %+v, want the contention chain seen on 3 nodes", low)
	}
	seen := map[string]string{}
	for _, s := range low.Seen {
		seen[s.Node] = s.NodeName
	}
	if seen[f.addrA] != "gpu-a" || seen[f.addrB] != "gpu-b" || seen[f.addrC] != "gpu-c" {
		t.Errorf("contention chain seen on %v", seen)
	}
	if len(rep.Stragglers) != 1 || rep.Stragglers[0].Node != f.addrB || rep.Stragglers[0].Op != "cudaStreamSynchronize" || rep.Stragglers[0].Factor < 5 {
		t.Errorf("stragglers %+v, want gpu-b's cudaStreamSynchronize", rep.Stragglers)
	}
	// The p99 of gpu-b's syncs: the spread tops out at 60 ms × 1.45.
	if p := rep.Stragglers[0].P99Ns; len(rep.Stragglers) == 1 && (p < 60_000_000 || p > 88_000_000) {
		t.Errorf("straggler p99 %d ns, want within gpu-b's sync durations (60–87 ms)", p)
	}

	text := runExplain(t, append(f.nodes(f.addrA, f.addrB, f.addrC), "--since", "1h")...)
	for _, want := range []string{
		"FLEET INCIDENT REPORT - 3 nodes answered of 3 asked",
		"[HIGH] cudaStreamSync p99=60ms - CPU contention",
		"Seen on 3 nodes:",
		"STRAGGLERS",
		f.addrB + " (gpu-b): cudaStreamSynchronize p99",
	} {
		if !strings.Contains(text.out, want) {
			t.Errorf("text lacks %q:\n%s", want, text.out)
		}
	}

	// Two healthy nodes: nothing stands out.
	calm := runExplain(t, append(f.nodes(f.addrA, f.addrC), "--since", "1h")...)
	if !strings.Contains(calm.out, "No straggler") {
		t.Errorf("a straggler among healthy nodes:\n%s", calm.out)
	}
}
