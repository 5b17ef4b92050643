package trace

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"ingero.dev/bpf/standin/standintest"
	"ingero.dev/common/event"
)

// TestOTLPReachesACollector traces a stand-in workload with --otlp into a
// real OpenTelemetry Collector (otlpreceiver to the file exporter, built
// from test/otelcol) on loopback, and checks that the counts it received
// equal the recording's, with the node named on the resource.
func TestOTLPReachesACollector(t *testing.T) {
	standintest.RequireBPF(t)
	art := standintest.Require(t)
	col := otelcolBinary(t)
	dir := t.TempDir()
	endpoint := freeLoopbackPort(t)
	out := filepath.Join(dir, "metrics.json")
	conf := fmt.Sprintf(`receivers:
  otlp:
    protocols:
      http:
        endpoint: %s
exporters:
  file:
    path: %s
service:
  telemetry:
    metrics:
      level: none
  pipelines:
    metrics:
      receivers: [otlp]
      exporters: [file]
`, endpoint, out)
	cfg := filepath.Join(dir, "otelcol.yaml")
	if err := os.WriteFile(cfg, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	collector := startCollector(t, col, cfg)

	db := filepath.Join(dir, "t.db")
	tr := startTrace(t, "-d", db, "--node", "e2e-node", "--launch-latency", "--otlp", endpoint)
	tr.waitLine("ingero trace: watching every CUDA process", 20*time.Second)
	counts := runTraced(t, tr, art, nil, "--pattern", "basic", "--iterations", "10")
	tr.stop() // pushes the final, cumulative numbers
	collector.stop(t)

	evs, _ := eventsOf(t, db, uint32(counts.PID))
	recorded := gotCounts(evs)
	assertSameCounts(t, "database", wantCounts(counts), recorded)
	got := readOTLPFile(t, out)
	if got.node != "e2e-node" || got.service != "ingero" {
		t.Errorf("resource names node %q, service %q; want e2e-node, ingero", got.node, got.service)
	}
	assertSameCounts(t, "OTLP ingero.op.duration", recorded, got.calls)
	var launches uint64
	for _, e := range evs {
		if info, ok := event.LookupOp(e.Source, e.Op); ok && info.Class == event.ClassLaunch {
			launches++
		}
	}
	if launches == 0 || got.launches != launches {
		t.Errorf("the collector received %d launches, the recording holds %d", got.launches, launches)
	}
}

var (
	otelcolOnce sync.Once
	otelcolBin  string
	otelcolErr  error
)

// otelcolBinary builds test/otelcol, a module outside go.work, once per
// test process.
func otelcolBinary(t *testing.T) string {
	t.Helper()
	otelcolOnce.Do(func() {
		d, err := os.MkdirTemp("", "ingero-otelcol-")
		if err != nil {
			otelcolErr = err
			return
		}
		otelcolBin = filepath.Join(d, "otelcol-ingero")
		cmd := exec.Command("go", "build", "-o", otelcolBin, ".")
		cmd.Dir = "../test/otelcol"
		cmd.Env = append(os.Environ(), "GOWORK=off")
		if out, err := cmd.CombinedOutput(); err != nil {
			otelcolErr = fmt.Errorf("building test/otelcol: %v\n%s", err, out)
		}
	})
	if otelcolErr != nil {
		t.Fatal(otelcolErr)
	}
	return otelcolBin
}

type collectorProc struct {
	cmd  *exec.Cmd
	mu   sync.Mutex
	logs strings.Builder
	done chan struct{}
}

func startCollector(t *testing.T, bin, cfg string) *collectorProc {
	t.Helper()
	c := &collectorProc{cmd: exec.Command(bin, "--config="+cfg), done: make(chan struct{})}
	errPipe, err := c.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ready := make(chan struct{})
	go func() {
		defer close(c.done)
		sc := bufio.NewScanner(errPipe)
		for sc.Scan() {
			c.mu.Lock()
			c.logs.WriteString(sc.Text() + "\n")
			c.mu.Unlock()
			if strings.Contains(sc.Text(), "Everything is ready") {
				close(ready)
			}
		}
	}()
	t.Cleanup(func() { c.cmd.Process.Kill(); c.cmd.Wait() })
	select {
	case <-ready:
	case <-c.done:
		t.Fatalf("the collector exited:\n%s", c.log())
	case <-time.After(60 * time.Second):
		t.Fatalf("the collector never became ready:\n%s", c.log())
	}
	return c
}

func (c *collectorProc) log() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.logs.String()
}

// stop ends the collector as an operator does, so the file is flushed.
func (c *collectorProc) stop(t *testing.T) {
	t.Helper()
	c.cmd.Process.Signal(syscall.SIGTERM)
	<-c.done
	if err := c.cmd.Wait(); err != nil {
		t.Fatalf("the collector: %v\n%s", err, c.log())
	}
}

// otlpReceived is what the collector wrote: the largest value each
// cumulative series reached, which is the last push's.
type otlpReceived struct {
	node, service string
	calls         map[string]uint64 // ingero.op.duration counts of cuda/driver, by op
	launches      uint64
}

// The OTLP/JSON shape the file exporter writes, as far as the test reads.
type otlpAttr struct {
	Key   string
	Value struct{ StringValue string }
}

type otlpPoint struct {
	Attributes []otlpAttr
	Count      string // uint64 fields are JSON strings in OTLP/JSON
	AsInt      string
}

func attr(as []otlpAttr, k string) string {
	for _, a := range as {
		if a.Key == k {
			return a.Value.StringValue
		}
	}
	return ""
}

func readOTLPFile(t *testing.T, path string) otlpReceived {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("the collector wrote nothing: %v", err)
	}
	defer f.Close()
	got := otlpReceived{calls: map[string]uint64{}}
	launches := map[string]uint64{} // by op and process
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		var req struct {
			ResourceMetrics []struct {
				Resource     struct{ Attributes []otlpAttr }
				ScopeMetrics []struct {
					Metrics []struct {
						Name      string
						Histogram struct{ DataPoints []otlpPoint }
						Sum       struct{ DataPoints []otlpPoint }
					}
				}
			}
		}
		if err := json.Unmarshal(sc.Bytes(), &req); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		for _, rm := range req.ResourceMetrics {
			got.node, got.service = attr(rm.Resource.Attributes, "ingero.node"), attr(rm.Resource.Attributes, "service.name")
			for _, sm := range rm.ScopeMetrics {
				for _, m := range sm.Metrics {
					switch m.Name {
					case "ingero.op.duration":
						perSeries := map[string]uint64{}
						for _, p := range m.Histogram.DataPoints {
							if s := attr(p.Attributes, "source"); s == "cuda" || s == "driver" {
								perSeries[attr(p.Attributes, "op")] += parseUint(t, p.Count)
							}
						}
						for op, n := range perSeries {
							got.calls[op] = max(got.calls[op], n)
						}
					case "ingero.launches":
						for _, p := range m.Sum.DataPoints {
							k := attr(p.Attributes, "op") + "/" + attr(p.Attributes, "process")
							launches[k] = max(launches[k], parseUint(t, p.AsInt))
						}
					}
				}
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	for _, n := range launches {
		got.launches += n
	}
	return got
}

func parseUint(t *testing.T, s string) uint64 {
	t.Helper()
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		t.Fatalf("OTLP count %q: %v", s, err)
	}
	return n
}
