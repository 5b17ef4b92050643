package fleete2e

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"
)

// fleet3 is the fan-out proof's fleet: three real dashboards serving
// different recordings behind TLS and a token. gpu-c sits behind a proxy
// that holds each request for slow; the fourth address is down.
type fleet3 struct {
	pki                 *pki
	a, b, c             *recording
	addrA, addrB, addrC string
	dead                string
}

func startFleet(t *testing.T, slow time.Duration) *fleet3 {
	f := &fleet3{pki: newPKI(t)}
	f.a = newRecording("gpu-a", 40*time.Second, 8_000_000, false)
	f.b = newRecording("gpu-b", 30*time.Second, 60_000_000, true)
	f.c = newRecording("gpu-c", 20*time.Second, 9_000_000, false)
	f.addrA = startDashboard(t, f.a.write(t), f.pki.serverArgs()...).addr
	f.addrB = startDashboard(t, f.b.write(t), f.pki.serverArgs()...).addr
	direct := startDashboard(t, f.c.write(t), f.pki.serverArgs()...).addr
	f.addrC = startProxy(t, f.pki, direct, slow, 0)
	f.dead = deadAddr(t)
	return f
}

func (f *fleet3) nodes(addrs ...string) []string {
	return append([]string{"--nodes", strings.Join(addrs, ",")}, f.pki.clientArgs()...)
}

// TestQueryFanOut: every reachable node's rows, with the node column
// first and the recording's own count; the down node and the node slower
// than --node-timeout are warnings, not failures.
func TestQueryFanOut(t *testing.T) {
	f := startFleet(t, 3*time.Second)
	args := append(f.nodes(f.addrA, f.addrB, f.addrC, f.dead), "--node-timeout", "1s", "--json",
		"SELECT node AS recorded_node, count(*) AS n, sum(op_name = 'cudaStreamSynchronize') AS syncs FROM events")
	r := runQuery(t, args...)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.err)
	}
	rows := jsonRows(t, r.out)
	want := map[string]*recording{f.addrA: f.a, f.addrB: f.b}
	if len(rows) != len(want) {
		t.Fatalf("%d rows, want one per reachable node: %s", len(rows), r.out)
	}
	for _, row := range rows {
		rec := want[row["node"].(string)]
		if rec == nil {
			t.Fatalf("row of an unexpected node: %v", row)
		}
		if row["recorded_node"] != rec.node || row["n"] != json.Number(itoa(len(rec.events))) || row["syncs"] != json.Number(itoa(rec.syncs())) {
			t.Errorf("row %v, want node %s with %d events and %d syncs", row, rec.node, len(rec.events), rec.syncs())
		}
	}
	for _, w := range []string{f.dead + ": ", "connection refused", f.addrC + ": no answer within 1s"} {
		if !strings.Contains(r.err, w) {
			t.Errorf("stderr lacks %q:\n%s", w, r.err)
		}
	}
}

// TestQuerySlowNodeWithinTimeout: a slow node that answers inside
// --node-timeout is kept.
func TestQuerySlowNodeWithinTimeout(t *testing.T) {
	f := startFleet(t, 300*time.Millisecond)
	r := runQuery(t, append(f.nodes(f.addrA, f.addrC), "--node-timeout", "30s", "SELECT count(*) AS n FROM events")...)
	if r.code != 0 || r.err != "" {
		t.Fatalf("exit %d, stderr %q", r.code, r.err)
	}
	for _, want := range []string{"node", f.addrA + "  " + itoa(len(f.a.events)), f.addrC + "  " + itoa(len(f.c.events)), "(2 rows)"} {
		if !strings.Contains(r.out, want) {
			t.Errorf("table lacks %q:\n%s", want, r.out)
		}
	}
}

// TestQueryAllNodesDown: no answer at all is an error, naming each node.
func TestQueryAllNodesDown(t *testing.T) {
	p := newPKI(t)
	d1, d2 := deadAddr(t), deadAddr(t)
	r := runQuery(t, append([]string{"--nodes", d1 + "," + d2}, append(p.clientArgs(), "SELECT 1")...)...)
	if r.code != 1 || !strings.Contains(r.err, "none of the 2 nodes answered") || !strings.Contains(r.err, d1) || !strings.Contains(r.err, d2) {
		t.Fatalf("exit %d, stderr %q; want 1 naming both nodes", r.code, r.err)
	}
}

// TestQueryEventListing: without SQL, each node's newest --limit events
// of the window, merged oldest first, filtered by --op.
func TestQueryEventListing(t *testing.T) {
	f := startFleet(t, 0)
	r := runQuery(t, append(f.nodes(f.addrA, f.addrB), "--from", t0.Format(time.RFC3339), "--to", t0.Add(time.Hour).Format(time.RFC3339),
		"--op", "cudaStreamSynchronize", "--limit", "5", "--json")...)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.err)
	}
	rows := jsonRows(t, r.out)
	if len(rows) != 10 {
		t.Fatalf("%d rows, want 5 per node:\n%s", len(rows), r.out)
	}
	var last int64
	perNode := map[string]int{}
	for _, row := range rows {
		ts, _ := row["timestamp"].(json.Number).Int64()
		if ts < last {
			t.Errorf("rows out of time order at %v", row)
		}
		last = ts
		if row["op"] != "cudaStreamSynchronize" {
			t.Errorf("--op let through %v", row)
		}
		perNode[row["node"].(string)]++
	}
	if perNode[f.addrA] != 5 || perNode[f.addrB] != 5 {
		t.Errorf("rows per node %v, want 5 each", perNode)
	}
}

// TestClockSkew: a node whose /api/v1/time runs 2 s ahead is named; the
// same fleet without the shift raises no skew warning.
func TestClockSkew(t *testing.T) {
	f := startFleet(t, 0)
	direct := startDashboard(t, f.c.write(t), f.pki.serverArgs()...).addr
	skewed := startProxy(t, f.pki, direct, 0, 2*time.Second)
	r := runQuery(t, append(f.nodes(f.addrA, f.addrB, skewed), "SELECT 1 AS one")...)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.err)
	}
	skewNear2s(t, r.err, skewed, "ahead of")
	if strings.Count(r.err, "clock skew") != 1 {
		t.Errorf("want exactly one node named:\n%s", r.err)
	}
	behind := startProxy(t, f.pki, direct, 0, -2*time.Second)
	r = runQuery(t, append(f.nodes(f.addrA, f.addrB, behind), "SELECT 1 AS one")...)
	skewNear2s(t, r.err, behind, "behind")
	r = runQuery(t, append(f.nodes(f.addrA, f.addrB, f.addrC), "SELECT 1 AS one")...)
	if strings.Contains(r.err, "clock skew") {
		t.Errorf("skew reported for nodes sharing this host's clock:\n%s", r.err)
	}
}

func itoa(n int) string { return fmtInt(n) }

// skewNear2s checks that stderr names node as about 2 s (within the
// loopback round trips' slack) ahead of or behind the others.
func skewNear2s(t *testing.T, stderr, node, dir string) {
	t.Helper()
	m := regexp.MustCompile(`clock skew: ` + regexp.QuoteMeta(node) + ` is ~(\S+) ` + dir + ` the other nodes`).FindStringSubmatch(stderr)
	if m == nil {
		t.Errorf("no skew warning naming %s as %s the others:\n%s", node, dir, stderr)
		return
	}
	d, err := time.ParseDuration(m[1])
	if err != nil || d < 1900*time.Millisecond || d > 2100*time.Millisecond {
		t.Errorf("skew of %s given as %q, want about 2s", node, m[1])
	}
}
