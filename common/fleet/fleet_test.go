package fleet

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ingero.dev/common/report"
)

func TestParseNodes(t *testing.T) {
	nodes, err := ParseNodes([]string{"gpu-1:8443", " https://10.0.0.2:8443/ ", "http://127.0.0.1:8080", "http://[::1]:9"}, false)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"https://gpu-1:8443", "https://10.0.0.2:8443", "http://127.0.0.1:8080", "http://[::1]:9"}
	for i, n := range nodes {
		if n.Base.String() != want[i] {
			t.Errorf("node %d: %s, want %s", i, n.Base, want[i])
		}
	}
	if nodes[1].Name != "https://10.0.0.2:8443" {
		t.Errorf("name %q keeps what was written, less the slash", nodes[1].Name)
	}
	for in, frag := range map[string]string{
		"http://10.0.0.5:8080":         "--insecure",
		"gpu-1":                        "no port",
		"gpu-1:8443/api":               "not HOST:PORT",
		"ftp://gpu-1:21":               "neither https nor http",
		"https://user@gpu-1:8443":      "not HOST:PORT",
		"gpu-1:8443,gpu-1:8443":        "twice",
		"https://gpu-1:8443?x=1":       "not HOST:PORT",
		"http://evil.localhost.com:80": "--insecure",
	} {
		_, err := ParseNodes(strings.Split(in, ","), false)
		if err == nil || !strings.Contains(err.Error(), frag) {
			t.Errorf("ParseNodes(%q) = %v, want an error naming %q", in, err, frag)
		}
	}
	if _, err := ParseNodes([]string{"http://10.0.0.5:8080"}, true); err != nil {
		t.Errorf("--insecure still refused plain HTTP: %v", err)
	}
}

func skewOf(name string, off, rtt time.Duration) Skew {
	return Skew{Node: Node{Name: name}, Offset: off, RTT: rtt}
}

func TestSkewWarnings(t *testing.T) {
	ms := time.Millisecond
	cases := []struct {
		skews []Skew
		want  []string // nodes named, in order
	}{
		{[]Skew{skewOf("a", 0, ms), skewOf("b", 2*ms, ms), skewOf("c", -3*ms, ms)}, nil},
		{[]Skew{skewOf("a", 0, ms), skewOf("b", 2*ms, ms), skewOf("c", 2*time.Second, ms)}, []string{"c is ~1.998s ahead"}},
		{[]Skew{skewOf("a", 0, ms), skewOf("b", 2*ms, ms), skewOf("c", -500*ms, ms)}, []string{"c is ~500ms behind"}},
		// Two nodes: the later one is named, not both.
		{[]Skew{skewOf("a", 0, ms), skewOf("b", 300*ms, ms)}, []string{"b is ~300ms ahead"}},
		// 150 ms off but a 200 ms round trip: within what the estimate can tell.
		{[]Skew{skewOf("a", 0, ms), skewOf("b", 0, ms), skewOf("c", 150*ms, 200*ms)}, nil},
		{[]Skew{skewOf("a", 5*time.Second, ms)}, nil},
	}
	for i, c := range cases {
		got := SkewWarnings(c.skews, 100*ms)
		if len(got) != len(c.want) {
			t.Errorf("case %d: %q, want %d warnings", i, got, len(c.want))
			continue
		}
		for j, w := range c.want {
			if !strings.Contains(got[j], "clock skew: "+w) {
				t.Errorf("case %d: %q lacks %q", i, got[j], w)
			}
		}
	}
}

func TestMedian(t *testing.T) {
	if m := median([]time.Duration{5, 1, 3}); m != 3 {
		t.Errorf("median of 5,1,3 = %d", m)
	}
	if m := median([]time.Duration{4, 1, 3, 2}); m != 2 {
		t.Errorf("median of 4,1,3,2 = %d, want 2 (mean of the middle two, integer)", m)
	}
}

func chain(rule, op, sev, node, detected string) report.Chain {
	return report.Chain{ID: node + ":" + rule, Rule: rule, Op: op, Severity: sev, Node: node, Detected: detected, Summary: sev + " " + node}
}

func TestMergeChains(t *testing.T) {
	nodes := []NodeChains{
		{Node: Node{Name: "h1:8443"}, NodeName: "gpu-1", Chains: []report.Chain{
			chain("cpu-preemption", "cudaStreamSynchronize", "MEDIUM", "gpu-1", "2026-05-24T15:41:00.000000000Z"),
			chain("gpu-contention", "", "LOW", "gpu-1", "2026-05-24T15:41:00.000000000Z")}},
		{Node: Node{Name: "h2:8443"}, NodeName: "gpu-2", Chains: []report.Chain{
			chain("cpu-preemption", "cudaStreamSynchronize", "HIGH", "gpu-2", "2026-05-24T15:40:00.000000000Z"),
			chain("memcpy-bound", "cudaMemcpy", "MEDIUM", "gpu-2", "2026-05-24T15:40:00.000000000Z")}},
	}
	got := MergeChains(nodes)
	if len(got) != 3 {
		t.Fatalf("%d chains, want 3", len(got))
	}
	if got[0].Rule != "cpu-preemption" || got[0].Severity != "HIGH" || got[0].Summary != "HIGH gpu-2" || len(got[0].Seen) != 2 {
		t.Errorf("first %+v: want the preemption chain as gpu-2 (HIGH) saw it, seen on both", got[0])
	}
	if got[0].Seen[0].Node != "h2:8443" || got[0].Seen[1].Severity != "MEDIUM" {
		t.Errorf("sightings %+v: most severe first", got[0].Seen)
	}
	if got[1].Rule != "memcpy-bound" || got[2].Rule != "gpu-contention" {
		t.Errorf("order %s, %s: want MEDIUM before LOW", got[1].Rule, got[2].Rule)
	}
}

func op(src, name string, calls, p99 int64) report.OpStat {
	return report.OpStat{Source: src, Op: name, Calls: calls, P99Ns: &p99}
}

func TestStragglers(t *testing.T) {
	mk := func(name string, ops ...report.OpStat) NodeChains {
		return NodeChains{Node: Node{Name: name}, NodeName: "n-" + name, Ops: ops}
	}
	ms := int64(time.Millisecond)
	nodes := []NodeChains{
		mk("a", op("cuda", "cudaStreamSynchronize", 500, 9*ms), op("cuda", "cudaMalloc", 500, 90*ms)),
		mk("b", op("cuda", "cudaStreamSynchronize", 500, 10*ms), op("nccl", "ncclAllReduce", 100, 4*ms)),
		mk("c", op("cuda", "cudaStreamSynchronize", 500, 45*ms), op("nccl", "ncclAllReduce", 100, 5*ms)),
		mk("d", op("cuda", "cudaStreamSynchronize", 5, 900*ms)), // too few calls to judge
	}
	got := Stragglers(nodes)
	if len(got) != 1 || got[0].Node != "c" || got[0].Op != "cudaStreamSynchronize" || got[0].OthersP99 != 9500*int64(time.Microsecond) {
		t.Fatalf("stragglers %+v, want c's sync against the others' median 9.5ms", got)
	}
	if s := got[0].String(); !strings.Contains(s, "c (n-c): cudaStreamSynchronize p99 45ms, 4.7x the other nodes' median 9.5ms") {
		t.Errorf("String() = %q", s)
	}
	// Tiny absolute gaps are not stragglers, whatever the factor.
	small := []NodeChains{mk("a", op("cuda", "cudaDeviceSynchronize", 100, 10_000)), mk("b", op("cuda", "cudaDeviceSynchronize", 100, 90_000))}
	if got := Stragglers(small); len(got) != 0 {
		t.Errorf("a 80 µs gap named a straggler: %+v", got)
	}
}

func TestLoadConfig(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ingero.yaml")
	os.WriteFile(path, []byte("agent:\n  node: x\nfleet:\n  nodes: [gpu-1:8443, gpu-2:8443]\n  ca_cert: tls/ca.pem\n  token_file: /etc/ingero/token\n"), 0o644)
	fc, from, err := LoadConfig([]string{filepath.Join(dir, "missing.yaml"), path})
	if err != nil || from != path {
		t.Fatalf("LoadConfig: %v from %q", err, from)
	}
	if len(fc.Nodes) != 2 || fc.CACert != filepath.Join(dir, "tls/ca.pem") || fc.TokenFile != "/etc/ingero/token" {
		t.Errorf("config %+v: want two nodes, ca_cert beside the file, absolute token path kept", fc)
	}
	os.WriteFile(path, []byte("fleet:\n  nodes: gpu-1:8443\n"), 0o644)
	if _, _, err := LoadConfig([]string{path}); err == nil || !strings.Contains(err.Error(), "list of HOST:PORT") {
		t.Errorf("a scalar fleet.nodes: %v", err)
	}
	if fc, from, err := LoadConfig([]string{filepath.Join(dir, "none.yaml")}); err != nil || from != "" || len(fc.Nodes) != 0 {
		t.Errorf("no file: %+v %q %v, want nothing and no error", fc, from, err)
	}
	t.Setenv(ConfigEnv, filepath.Join(dir, "named-but-missing.yaml"))
	if _, _, err := LoadConfig(ConfigPaths()); err == nil {
		t.Error("a missing $INGERO_CONFIG file was ignored")
	}
}
