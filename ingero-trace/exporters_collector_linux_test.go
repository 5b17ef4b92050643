package trace

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/NVIDIA/go-nvml/pkg/nvml"
	"github.com/NVIDIA/go-nvml/pkg/nvml/mock"

	"ingero.dev/common/event"
	"ingero.dev/common/gpu"
)

// throttledGPU is an NVML (go-nvml's mock) with one H200 held by its
// power cap.
func throttledGPU() *mock.Interface {
	dev := &mock.Device{
		GetUUIDFunc: func() (string, nvml.Return) { return "GPU-6d2a", nvml.SUCCESS },
		GetCurrentClocksEventReasonsFunc: func() (uint64, nvml.Return) {
			return nvml.ClocksEventReasonSwPowerCap, nvml.SUCCESS
		},
	}
	return &mock.Interface{
		InitFunc:                   func() nvml.Return { return nvml.SUCCESS },
		ShutdownFunc:               func() nvml.Return { return nvml.SUCCESS },
		DeviceGetCountFunc:         func() (int, nvml.Return) { return 1, nvml.SUCCESS },
		DeviceGetHandleByIndexFunc: func(int) (nvml.Device, nvml.Return) { return dev, nvml.SUCCESS },
	}
}

// TestChainsAndThrottleReachACollector pushes to a real collector what
// needs no eBPF: chains as log records (once each, again when more
// severe), throttle gauges polled through NVML, and the resource naming
// node, GPU and driver.
func TestChainsAndThrottleReachACollector(t *testing.T) {
	col := otelcolBinary(t)
	dir := t.TempDir()
	endpoint := freeLoopbackPort(t)
	metricsOut, logsOut := filepath.Join(dir, "metrics.json"), filepath.Join(dir, "logs.json")
	conf := fmt.Sprintf(`receivers:
  otlp:
    protocols:
      http:
        endpoint: %s
exporters:
  file/metrics:
    path: %s
  file/logs:
    path: %s
service:
  telemetry:
    metrics:
      level: none
  pipelines:
    metrics:
      receivers: [otlp]
      exporters: [file/metrics]
    logs:
      receivers: [otlp]
      exporters: [file/logs]
`, endpoint, metricsOut, logsOut)
	cfg := filepath.Join(dir, "otelcol.yaml")
	if err := os.WriteFile(cfg, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	collector := startCollector(t, col, cfg)

	gpus, err := gpu.NewSamplerWith(throttledGPU())
	if err != nil {
		t.Fatal(err)
	}
	sess := event.Session{Node: "unit-node", GPUModel: "NVIDIA H200", GPUDriver: "580.65.06"}
	var warn strings.Builder
	exp, err := startExporters(&exportFlags{otlp: endpoint, throttle: 10 * time.Millisecond}, time.Now(), false, sess, gpus, &warn)
	if err != nil {
		t.Fatal(err)
	}
	exp.meter().observe([]event.Event{cudaEvent(7, "train", event.CudaMalloc, time.Millisecond)})
	first := []event.Chain{
		{ID: "unit-node:cpu-preemption:cudaStreamSync:7", Node: "unit-node", Severity: event.SeverityMedium, Rule: "cpu-preemption", PID: 7, Summary: "sync waits on a preempted thread", DetectedNs: 1},
		{ID: "unit-node:host-bound::0", Node: "unit-node", Severity: event.SeverityLow, Rule: "host-bound", Summary: "host-bound"},
	}
	exp.chains(first)
	exp.chains(first) // the same chains again: nothing new to send
	rose := first[0]
	rose.Severity = event.SeverityHigh
	exp.chains([]event.Chain{rose})
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		exp.m.mu.Lock()
		polled := len(exp.m.throttle) > 0
		exp.m.mu.Unlock()
		if polled {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the throttle poller never ran")
		}
	}
	exp.stop()
	gpus.Close()
	collector.stop(t)
	if strings.Contains(warn.String(), "warning") {
		t.Errorf("warnings: %s", warn.String())
	}

	type rec struct{ sev, rule, res string }
	var recs []rec
	eachLine(t, logsOut, func(line []byte) {
		var req struct {
			ResourceLogs []struct {
				Resource  struct{ Attributes []otlpAttr }
				ScopeLogs []struct {
					LogRecords []struct {
						EventName    string
						SeverityText string
						Attributes   []otlpAttr
					}
				}
			}
		}
		if err := json.Unmarshal(line, &req); err != nil {
			t.Fatal(err)
		}
		for _, rl := range req.ResourceLogs {
			res := attr(rl.Resource.Attributes, "ingero.node") + "/" + attr(rl.Resource.Attributes, "gpu.model") + "/" + attr(rl.Resource.Attributes, "gpu.driver.version")
			for _, sl := range rl.ScopeLogs {
				for _, r := range sl.LogRecords {
					if r.EventName == "ingero.chain" {
						recs = append(recs, rec{r.SeverityText, attr(r.Attributes, "ingero.chain.rule"), res})
					}
				}
			}
		}
	})
	want := []rec{{"MEDIUM", "cpu-preemption", ""}, {"LOW", "host-bound", ""}, {"HIGH", "cpu-preemption", ""}}
	if len(recs) != len(want) {
		t.Fatalf("the collector received %d chain records, want %d: %+v", len(recs), len(want), recs)
	}
	for i, r := range recs {
		if r.sev != want[i].sev || r.rule != want[i].rule || r.res != "unit-node/NVIDIA H200/580.65.06" {
			t.Errorf("record %d = %+v, want %s %s on unit-node/NVIDIA H200/580.65.06", i, r, want[i].sev, want[i].rule)
		}
	}

	gauges := map[string]float64{}
	eachLine(t, metricsOut, func(line []byte) {
		var req struct {
			ResourceMetrics []struct {
				ScopeMetrics []struct {
					Metrics []struct {
						Name  string
						Gauge struct {
							DataPoints []struct {
								Attributes []otlpAttr
								AsDouble   float64
							}
						}
					}
				}
			}
		}
		if err := json.Unmarshal(line, &req); err != nil {
			t.Fatal(err)
		}
		for _, rm := range req.ResourceMetrics {
			for _, sm := range rm.ScopeMetrics {
				for _, m := range sm.Metrics {
					for _, p := range m.Gauge.DataPoints {
						gauges[m.Name+"/"+attr(p.Attributes, "uuid")] = p.AsDouble
					}
				}
			}
		}
	})
	for name, v := range map[string]float64{"gpu.throttle.power.active/GPU-6d2a": 1, "gpu.throttle.sw.active/GPU-6d2a": 1,
		"gpu.throttle.thermal.active/GPU-6d2a": 0, "gpu.throttle.hw.active/GPU-6d2a": 0} {
		if got, ok := gauges[name]; !ok || got != v {
			t.Errorf("%s = %v (received: %v), want %v", name, got, ok, v)
		}
	}
}

func eachLine(t *testing.T, path string, f func([]byte)) {
	t.Helper()
	file, err := os.Open(path)
	if err != nil {
		t.Fatalf("the collector wrote nothing: %v", err)
	}
	defer file.Close()
	sc := bufio.NewScanner(file)
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		f(sc.Bytes())
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
}
