package fleete2e

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"ingero.dev/common/testenv"
)

// collectorConfig is the config docs/fleet.md ships, cut from between
// its markers, so the test checks exactly what a reader copies.
func collectorConfig(t *testing.T) []byte {
	t.Helper()
	doc, err := os.ReadFile("../../docs/fleet.md")
	must(t, err)
	m := regexp.MustCompile("(?s)<!-- BEGIN COLLECTOR CONFIG -->\n```yaml\n(.*?)```\n<!-- END COLLECTOR CONFIG -->").FindSubmatch(doc)
	if m == nil {
		t.Fatal("docs/fleet.md has no collector config between its markers")
	}
	return m[1]
}

type collectorYAML struct {
	Receivers  map[string]any `yaml:"receivers"`
	Processors map[string]any `yaml:"processors"`
	Exporters  map[string]any `yaml:"exporters"`
	Service    struct {
		Pipelines map[string]struct {
			Receivers  []string `yaml:"receivers"`
			Processors []string `yaml:"processors"`
			Exporters  []string `yaml:"exporters"`
		} `yaml:"pipelines"`
	} `yaml:"service"`
}

// TestCollectorConfigShape checks, without a collector, what the docs
// promise of the config: every component a pipeline names is defined,
// OTLP in, metrics to Prometheus and ClickHouse, chains (logs) to
// ClickHouse, the memory limiter first.
func TestCollectorConfigShape(t *testing.T) {
	var c collectorYAML
	must(t, yaml.Unmarshal(collectorConfig(t), &c))
	for name, p := range c.Service.Pipelines {
		for _, r := range p.Receivers {
			if _, ok := c.Receivers[r]; !ok {
				t.Errorf("pipeline %s: receiver %s is not defined", name, r)
			}
		}
		for _, pr := range p.Processors {
			if _, ok := c.Processors[pr]; !ok {
				t.Errorf("pipeline %s: processor %s is not defined", name, pr)
			}
		}
		for _, e := range p.Exporters {
			if _, ok := c.Exporters[e]; !ok {
				t.Errorf("pipeline %s: exporter %s is not defined", name, e)
			}
		}
		if len(p.Processors) == 0 || p.Processors[0] != "memory_limiter" {
			t.Errorf("pipeline %s: processors %v, want memory_limiter first", name, p.Processors)
		}
		if !slices.Equal(p.Receivers, []string{"otlp"}) {
			t.Errorf("pipeline %s: receivers %v, want otlp", name, p.Receivers)
		}
	}
	if m := c.Service.Pipelines["metrics"]; !slices.Contains(m.Exporters, "prometheus") || !slices.Contains(m.Exporters, "clickhouse") {
		t.Errorf("metrics pipeline exports to %v, want prometheus and clickhouse", m.Exporters)
	}
	if l := c.Service.Pipelines["logs"]; !slices.Contains(l.Exporters, "clickhouse") {
		t.Errorf("logs pipeline exports to %v, want clickhouse", l.Exporters)
	}
}

var (
	collectorOnce sync.Once
	collectorBin  string
	collectorErr  error
)

// otelcol builds test/otelcol-fleet, a collector from the collector's Go
// modules; without them (no network, cold module cache) the test skips
// with the reason, and fails under INGERO_E2E=1.
func otelcol(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds an OpenTelemetry Collector; skipped with -short")
	}
	collectorOnce.Do(func() {
		dir, err := os.MkdirTemp("", "ingero-otelcol-fleet-")
		if err != nil {
			collectorErr = err
			return
		}
		collectorBin = filepath.Join(dir, "otelcol-fleet")
		cmd := exec.Command("go", "build", "-o", collectorBin, ".")
		cmd.Dir = "../../test/otelcol-fleet"
		cmd.Env = append(os.Environ(), "GOWORK=off")
		if out, err := cmd.CombinedOutput(); err != nil {
			collectorErr = fmt.Errorf("building test/otelcol-fleet: %v\n%s", err, out)
		}
	})
	if collectorErr != nil {
		testenv.Unavailable(t, collectorErr.Error())
	}
	return collectorBin
}

// TestCollectorValidates runs the collector's own validate on the
// documented config: every key is checked by the component that owns
// it. A misspelt key must fail the same way, or the check proves nothing.
func TestCollectorValidates(t *testing.T) {
	bin := otelcol(t)
	dir := t.TempDir()
	good := filepath.Join(dir, "collector.yaml")
	must(t, os.WriteFile(good, collectorConfig(t), 0o644))
	if out, err := exec.Command(bin, "validate", "--config=file:"+good).CombinedOutput(); err != nil {
		t.Fatalf("validate rejected docs/fleet.md's config: %v\n%s", err, out)
	}
	bad := filepath.Join(dir, "bad.yaml")
	must(t, os.WriteFile(bad, bytes.Replace(collectorConfig(t), []byte("metric_expiration:"), []byte("metric_expiry:"), 1), 0o644))
	if out, err := exec.Command(bin, "validate", "--config=file:"+bad).CombinedOutput(); err == nil || !strings.Contains(string(out), "metric_expiry") {
		t.Errorf("validate accepted a misspelt key: %v\n%s", err, out)
	}
}

// TestCollectorToPrometheus starts the collector on loopback with the
// documented config (ClickHouse left out of the pipelines: there is no
// server here), pushes OTLP/HTTP metrics from two nodes and reads them
// back from its Prometheus endpoint with the node as a label.
func TestCollectorToPrometheus(t *testing.T) {
	bin := otelcol(t)
	var c map[string]any
	must(t, yaml.Unmarshal(collectorConfig(t), &c))
	pipes := c["service"].(map[string]any)["pipelines"].(map[string]any)
	pipes["metrics"].(map[string]any)["exporters"] = []string{"prometheus"}
	pipes["logs"].(map[string]any)["exporters"] = []string{"debug"}
	c["exporters"].(map[string]any)["debug"] = map[string]any{}
	b, err := yaml.Marshal(c)
	must(t, err)
	cfg := filepath.Join(t.TempDir(), "collector.yaml")
	must(t, os.WriteFile(cfg, b, 0o644))

	otlpHTTP, otlpGRPC, prom := freePort(t), freePort(t), freePort(t)
	cmd := exec.Command(bin, "--config=file:"+cfg)
	cmd.Env = append(os.Environ(), "OTLP_HTTP_LISTEN="+otlpHTTP, "OTLP_GRPC_LISTEN="+otlpGRPC, "PROM_LISTEN="+prom)
	var logs syncBuf
	cmd.Stdout, cmd.Stderr = &logs, &logs
	must(t, cmd.Start())
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(15 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
	})
	push := func(node string, n int) error {
		body := fmt.Sprintf(`{"resourceMetrics":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"ingero"}},{"key":"ingero.node","value":{"stringValue":%q}}]},
"scopeMetrics":[{"scope":{"name":"ingero"},"metrics":[{"name":"ingero.events","unit":"1","sum":{"aggregationTemporality":2,"isMonotonic":true,
"dataPoints":[{"asInt":"%d","timeUnixNano":"%d","attributes":[{"key":"family","value":{"stringValue":"cuda"}}]}]}}]}]}]}`, node, n, time.Now().UnixNano())
		resp, err := http.Post("http://"+otlpHTTP+"/v1/metrics", "application/json", strings.NewReader(body))
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b, _ := io.ReadAll(resp.Body)
			return fmt.Errorf("%s: %s", resp.Status, b)
		}
		return nil
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		err := push("gpu-a", 1234)
		if err == nil {
			break
		}
		select {
		case <-exited:
			t.Fatalf("the collector exited: %s", logs.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("the collector took no OTLP for 60 s: %v\n%s", err, logs.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
	must(t, push("gpu-b", 987))
	want := []*regexp.Regexp{
		regexp.MustCompile(`(?m)^ingero_events_total\{[^}]*ingero_node="gpu-a"[^}]*\} 1234$`),
		regexp.MustCompile(`(?m)^ingero_events_total\{[^}]*ingero_node="gpu-b"[^}]*\} 987$`),
	}
	var scrape string
	for time.Now().Before(deadline) {
		resp, err := http.Get("http://" + prom + "/metrics")
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			scrape = string(b)
			if want[0].MatchString(scrape) && want[1].MatchString(scrape) {
				return
			}
		}
		time.Sleep(200 * time.Millisecond) // the batch processor holds points up to its 5 s timeout
	}
	t.Fatalf("the scrape lacks both nodes' counters:\n%s\ncollector log:\n%s", scrape, logs.String())
}

func freePort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	defer ln.Close()
	return ln.Addr().String()
}

// TestMain removes the collector built for the run (50 MB).
func TestMain(m *testing.M) {
	code := m.Run()
	if collectorBin != "" {
		os.RemoveAll(filepath.Dir(collectorBin))
	}
	os.Exit(code)
}
