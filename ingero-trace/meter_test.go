package trace

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"ingero.dev/common/event"
	"ingero.dev/common/gpu"
)

func cudaEvent(pid uint32, comm string, op event.Op, dur time.Duration) event.Event {
	return event.Event{PID: pid, TID: pid, Comm: comm, Source: event.SourceCUDA, Op: op, DurNs: int64(dur)}
}

// scrape serves m on loopback and parses one scrape, as Prometheus does.
func scrape(t *testing.T, m *meter) map[string]*dto.MetricFamily {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var addr net.Addr
	done, err := servePrometheus(ctx, "127.0.0.1:0", m, "n1", &strings.Builder{}, func(a net.Addr) { addr = a })
	if err != nil {
		t.Fatal(err)
	}
	defer func() { cancel(); <-done }()
	resp, err := http.Get(fmt.Sprintf("http://%s/metrics", addr))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return fams
}

// series finds the one series of name whose labels include want.
func series(t *testing.T, fams map[string]*dto.MetricFamily, name string, want map[string]string) *dto.Metric {
	t.Helper()
	f := fams[name]
	if f == nil {
		t.Fatalf("no %s in the scrape", name)
	}
next:
	for _, m := range f.Metric {
		for k, v := range want {
			found := false
			for _, l := range m.Label {
				found = found || (l.GetName() == k && l.GetValue() == v)
			}
			if !found {
				continue next
			}
		}
		return m
	}
	t.Fatalf("no %s series with %v", name, want)
	return nil
}

func TestMeterCountsLaunchesAndDurations(t *testing.T) {
	m := newMeter(time.Now(), false)
	var b []event.Event
	for range 7 {
		b = append(b, cudaEvent(10, "train", event.CudaLaunchKernel, 0))
	}
	b = append(b, cudaEvent(10, "train", event.CudaMalloc, 2*time.Millisecond),
		cudaEvent(10, "train", event.CudaMalloc, 40*time.Millisecond))
	m.observe(b[:4])
	m.observe(b[4:])
	m.setChains([]event.Chain{{Severity: event.SeverityHigh}, {Severity: event.SeverityHigh}, {Severity: event.SeverityLow}})
	m.setThrottle([]gpu.Throttle{{Index: 0, UUID: "GPU-a", Power: true, SW: true}})
	m.setSnapshot(event.Snapshot{CPUPct: 50, MemAvailMB: 3, GPUs: []event.GPUUtil{{GPU: 0, UtilPct: 87, MemPct: -1}}})

	fams := scrape(t, m)
	if v := series(t, fams, "ingero_launches_total", map[string]string{"op": "cudaLaunchKernel", "process": "train"}).Counter.GetValue(); v != 7 {
		t.Errorf("launches = %v, want 7", v)
	}
	if v := series(t, fams, "ingero_events_total", map[string]string{"source": "cuda", "node": "n1"}).Counter.GetValue(); v != 9 {
		t.Errorf("cuda events = %v, want 9", v)
	}
	h := series(t, fams, "ingero_op_duration_seconds", map[string]string{"op": "cudaMalloc"}).Histogram
	if h.GetSampleCount() != 2 || h.GetSampleSum() < 0.041 || h.GetSampleSum() > 0.043 {
		t.Errorf("cudaMalloc histogram count %d sum %v, want 2 and 0.042 s", h.GetSampleCount(), h.GetSampleSum())
	}
	for _, bk := range h.Bucket {
		want := uint64(0)
		switch {
		case bk.GetUpperBound() >= 0.05:
			want = 2
		case bk.GetUpperBound() >= 0.0025:
			want = 1
		}
		if bk.GetCumulativeCount() != want {
			t.Errorf("bucket le=%g holds %d, want %d", bk.GetUpperBound(), bk.GetCumulativeCount(), want)
		}
	}
	// Launches without --launch-latency have no duration to observe.
	if f := fams["ingero_op_duration_seconds"]; len(f.Metric) != 1 {
		t.Errorf("%d duration series, want only cudaMalloc's", len(f.Metric))
	}
	if v := series(t, fams, "ingero_causal_chains", map[string]string{"severity": "high"}).Gauge.GetValue(); v != 2 {
		t.Errorf("high chains = %v, want 2", v)
	}
	if v := series(t, fams, "gpu_throttle_power_active", map[string]string{"gpu": "0", "uuid": "GPU-a"}).Gauge.GetValue(); v != 1 {
		t.Errorf("power throttle = %v, want 1", v)
	}
	if v := series(t, fams, "gpu_throttle_thermal_active", map[string]string{"gpu": "0"}).Gauge.GetValue(); v != 0 {
		t.Errorf("thermal throttle = %v, want 0", v)
	}
	if v := series(t, fams, "ingero_system_memory_available_bytes", nil).Gauge.GetValue(); v != 3<<20 {
		t.Errorf("available memory = %v bytes, want 3 MiB", v)
	}
	if v := series(t, fams, "ingero_gpu_utilization_ratio", map[string]string{"gpu": "0"}).Gauge.GetValue(); v != 0.87 {
		t.Errorf("GPU utilization = %v, want 0.87", v)
	}
	if _, ok := fams["ingero_gpu_memory_busy_ratio"]; ok {
		t.Error("a GPU memory share NVML did not give (-1) was exported")
	}
}

func TestProcessLabelsAreCapped(t *testing.T) {
	m := newMeter(time.Now(), true)
	var b []event.Event
	for i := range maxProcessLabels + 8 {
		b = append(b, cudaEvent(uint32(100+i), fmt.Sprintf("proc%d", i), event.CudaLaunchKernel, time.Microsecond))
	}
	// A PID keeps its label when a later thread carries another name.
	b = append(b, event.Event{PID: 100, TID: 101, Comm: "pt_autograd_0", Source: event.SourceCUDA, Op: event.CudaLaunchKernel, DurNs: 1000})
	m.observe(b)
	procs := map[string]float64{}
	for _, s := range scrape(t, m)["ingero_launches_total"].Metric {
		for _, l := range s.Label {
			if l.GetName() == "process" {
				procs[l.GetValue()] += s.Counter.GetValue()
			}
		}
	}
	if len(procs) != maxProcessLabels+1 || procs[otherProcess] != 8 || procs["proc0"] != 2 {
		t.Errorf("%d process labels (other %v, proc0 %v), want %d with 8 in other and 2 in proc0",
			len(procs), procs[otherProcess], procs["proc0"], maxProcessLabels+1)
	}
}

func TestPrometheusAddressIsRefusedOffLoopback(t *testing.T) {
	for addr, ok := range map[string]bool{"127.0.0.1:9464": true, "localhost:0": true, "[::1]:9464": true,
		":9464": false, "0.0.0.0:9464": false, "10.0.0.5:9464": false, "9464": false} {
		err := checkPromAddr(addr)
		if (err == nil) != ok {
			t.Errorf("%s: %v", addr, err)
		}
		if err != nil && !strings.Contains(err.Error(), "--prometheus") {
			t.Errorf("%s: the error does not name the flag: %v", addr, err)
		}
	}
}
