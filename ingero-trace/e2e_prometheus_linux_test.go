package trace

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"ingero.dev/bpf/standin/standintest"
	"ingero.dev/common/event"
	"ingero.dev/common/testenv"
)

// TestPrometheusMatchesRecording traces a stand-in workload with
// --prometheus, lints a live scrape with promtool, has a real Prometheus
// server scrape trace on loopback, and checks that its PromQL answer, the
// workload's own counts and the recording agree call for call.
func TestPrometheusMatchesRecording(t *testing.T) {
	standintest.RequireBPF(t)
	art := standintest.Require(t)
	promtool := testenv.RequireTool(t, "promtool", "prometheus")
	promServer := testenv.RequireTool(t, "prometheus", "prometheus")
	dir := t.TempDir()
	db := filepath.Join(dir, "t.db")
	tr := startTrace(t, "-d", db, "--node", "e2e-node", "--launch-latency", "--prometheus", "127.0.0.1:0")
	metricsURL := tr.urlAfter("Prometheus metrics on ", 20*time.Second)
	tr.waitLine("ingero trace: watching every CUDA process", 20*time.Second)
	prom := startPrometheus(t, promServer, strings.TrimSuffix(strings.TrimPrefix(metricsURL, "http://"), "/metrics"))

	counts := runTraced(t, tr, art, nil, "--pattern", "basic", "--iterations", "10")
	want := wantCounts(counts)
	// Only this workload makes CUDA calls while the host-wide lock
	// startTrace takes is held: other tests' stand-ins wait for it.
	query := `sum by (op) (ingero_op_duration_seconds_count{source=~"cuda|driver",node="e2e-node"})`
	got := prom.waitQuery(t, query, want, 90*time.Second)
	t.Logf("PromQL %s = %v", query, got)

	body := fetch(t, metricsURL)
	lint := exec.Command(promtool, "check", "metrics")
	lint.Stdin = bytes.NewReader(body)
	if out, err := lint.CombinedOutput(); err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Errorf("promtool check metrics on a live scrape (%d bytes): %v\n%s", len(body), err, out)
	}
	launches := prom.query(t, `sum(ingero_launches_total{node="e2e-node"})`)
	tr.stop()

	evs, _ := eventsOf(t, db, uint32(counts.PID))
	recorded := gotCounts(evs)
	assertSameCounts(t, "database", want, recorded)
	assertSameCounts(t, "PromQL", recorded, got)
	var recLaunches uint64
	for _, e := range evs {
		if info, ok := event.LookupOp(e.Source, e.Op); ok && info.Class == event.ClassLaunch {
			recLaunches++
		}
	}
	if recLaunches == 0 || launches[""] != recLaunches {
		t.Errorf("PromQL counts %d launches, the recording %d", launches[""], recLaunches)
	}
}

// urlAfter waits for a stderr line with prefix and returns the rest.
func (tr *tracer) urlAfter(prefix string, timeout time.Duration) string {
	tr.t.Helper()
	tr.waitLine(prefix, timeout)
	tr.mu.Lock()
	defer tr.mu.Unlock()
	for _, l := range tr.lines {
		if i := strings.Index(l, prefix); i >= 0 {
			return strings.TrimSpace(l[i+len(prefix):])
		}
	}
	return ""
}

func fetch(t *testing.T, u string) []byte {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %v", u, resp.StatusCode, err)
	}
	return b
}

// freeLoopbackPort asks the kernel for a port; a tool that takes only a
// fixed port then binds it.
func freeLoopbackPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// promServerProc is a real Prometheus scraping one target every second.
type promServerProc struct{ api string }

func startPrometheus(t *testing.T, bin, target string) *promServerProc {
	t.Helper()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "prometheus.yml")
	conf := fmt.Sprintf("global:\n  scrape_interval: 1s\n  scrape_timeout: 900ms\nscrape_configs:\n  - job_name: ingero\n    static_configs:\n      - targets: [%q]\n", target)
	if err := os.WriteFile(cfg, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	listen := freeLoopbackPort(t)
	cmd := exec.Command(bin, "--config.file="+cfg, "--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+listen, "--log.level=warn")
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("prometheus log:\n%s", logs.String())
		}
	})
	return &promServerProc{api: "http://" + listen}
}

// query runs an instant PromQL query and returns each series' value,
// keyed by its op label ("" for none). A server still starting answers
// nothing.
func (p *promServerProc) query(t *testing.T, q string) map[string]uint64 {
	t.Helper()
	resp, err := http.Get(p.api + "/api/v1/query?query=" + url.QueryEscape(q))
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	var r struct {
		Status string
		Data   struct {
			Result []struct {
				Metric map[string]string
				Value  [2]any
			}
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil || r.Status != "success" {
		return nil
	}
	out := map[string]uint64{}
	for _, s := range r.Data.Result {
		v, _ := s.Value[1].(string)
		n, err := strconv.ParseFloat(v, 64)
		if err != nil {
			t.Fatalf("%s: value %q", q, v)
		}
		out[s.Metric["op"]] = uint64(n)
	}
	return out
}

// waitQuery polls until the query's answer equals want, or gives the
// last answer after timeout; how long scraping takes on a loaded host is
// not what is tested, the counts are.
func (p *promServerProc) waitQuery(t *testing.T, q string, want map[string]uint64, timeout time.Duration) map[string]uint64 {
	t.Helper()
	var got map[string]uint64
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
		got = p.query(t, q)
		if equalCounts(got, want) {
			return got
		}
	}
	return got
}

func equalCounts(a, b map[string]uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
