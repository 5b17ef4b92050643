package dashboard

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"ingero.dev/common/event"
	"ingero.dev/common/hist"
	"ingero.dev/common/store/storetest"
)

// served is one fixture recording behind one server, shared by the
// endpoint tests.
func served(t *testing.T) (*fixture, string, *testServer) {
	t.Helper()
	f, path := fixtureCopy(t)
	before := storetest.Capture(t, path, true)
	ts := startServer(t, "-d", path)
	t.Cleanup(func() { before.Same(t, storetest.Capture(t, path, true), "serving the dashboard") })
	return f, path, ts
}

func num(t *testing.T, v any) float64 {
	t.Helper()
	n, ok := v.(json.Number)
	if !ok {
		t.Fatalf("want a number, got %T %v", v, v)
	}
	f, err := n.Float64()
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// exactQuantile is nearest-rank over the fixture's durations of one op.
func (f *fixture) exactQuantile(op string, q float64) int64 {
	var d []int64
	for _, e := range f.events {
		if event.OpName(e.Source, e.Op) == op {
			d = append(d, e.DurNs)
		}
	}
	slices.Sort(d)
	return d[hist.NearestRank(q, uint64(len(d)))-1]
}

func (f *fixture) calls(op string, pid uint32) int64 {
	var n int64
	for _, e := range f.events {
		if event.OpName(e.Source, e.Op) == op && (pid == 0 || e.PID == pid) {
			n++
		}
	}
	return n
}

func TestOps(t *testing.T) {
	f, _, ts := served(t)
	var ops struct {
		Window struct{ From, To *string }
		Events json.Number
		Mode   string
		Live   bool
		Ops    []map[string]any
		Sample struct{ Events json.Number }
		Series struct {
			BucketNs json.Number `json:"bucket_ns"`
			Buckets  int
			Ops      []struct {
				Op     string
				Calls  []int64
				MeanNs []int64 `json:"mean_ns"`
			}
		}
	}
	ts.getJSON(t, "/api/v1/ops?since=5m", &ops)
	// A finished recording: the window ends at its last data, not now.
	if ops.Live || *ops.Window.To != "2026-05-24T15:45:00.000000000Z" || *ops.Window.From != "2026-05-24T15:40:00.000000000Z" {
		t.Errorf("window %v..%v live=%v, want the recording's last five minutes, not live", *ops.Window.From, *ops.Window.To, ops.Live)
	}
	if got := ops.Events.String(); got != fmt.Sprint(len(f.events)) || ops.Mode != "percentiles" {
		t.Errorf("events %s mode %s, want %d in percentiles mode", got, ops.Mode, len(f.events))
	}
	seen := map[string]bool{}
	for _, o := range ops.Ops {
		name := o["op"].(string)
		seen[name] = true
		if got, want := int64(num(t, o["calls"])), f.calls(name, 0); got != want {
			t.Errorf("%s: %d calls, want %d", name, got, want)
		}
		for _, q := range []struct {
			key string
			q   float64
		}{{"p50_ns", 0.5}, {"p95_ns", 0.95}, {"p99_ns", 0.99}} {
			got, want := num(t, o[q.key]), float64(f.exactQuantile(name, q.q))
			if math.Abs(got-want) > want/256+1 {
				t.Errorf("%s %s = %v, want %v within 0.4%%", name, q.key, got, want)
			}
		}
	}
	for _, want := range []string{"cudaLaunchKernel", "cuLaunchKernel", "cudaStreamSynchronize", "cudaMemcpy", "sched_switch"} {
		if !seen[want] {
			t.Errorf("ops lacks %s", want)
		}
	}
	// Series: every GPU call of the window lands in one bucket.
	var inSeries, gpu int64
	for _, s := range ops.Series.Ops {
		for _, c := range s.Calls {
			inSeries += c
		}
		if len(s.Calls) != ops.Series.Buckets || len(s.MeanNs) != ops.Series.Buckets {
			t.Errorf("series %s has %d/%d points, want %d", s.Op, len(s.Calls), len(s.MeanNs), ops.Series.Buckets)
		}
	}
	for _, e := range f.events {
		if e.Source != event.SourceHost {
			gpu++
		}
	}
	if inSeries != gpu || ops.Series.BucketNs.String() != fmt.Sprint(int64(5*time.Second)) {
		t.Errorf("series hold %d calls in %s ns buckets, want %d in 5 s buckets", inSeries, ops.Series.BucketNs, gpu)
	}
}

func TestOpsSampledBeyondCap(t *testing.T) {
	f, _, ts := served(t)
	old := maxSample
	maxSample = 1000
	t.Cleanup(func() { maxSample = old })
	var ops struct {
		Mode   string
		Ops    []map[string]any
		Recent []map[string]any
		Sample struct {
			Events   int64
			Complete bool
		}
	}
	ts.getJSON(t, "/api/v1/ops?since=all", &ops)
	// The sample is whole chunks: at least the cap, less than one chunk more.
	if ops.Mode != "aggregate" || ops.Sample.Complete || ops.Sample.Events < 1000 || ops.Sample.Events >= 1000+4096 || len(ops.Recent) == 0 {
		t.Fatalf("mode %s sample %+v recent %d, want aggregate over a sample of about 1000 events", ops.Mode, ops.Sample, len(ops.Recent))
	}
	for _, o := range ops.Ops {
		if _, ok := o["p99_ns"]; ok {
			t.Errorf("%s has p99_ns in aggregate mode", o["op"])
		}
		if got, want := int64(num(t, o["calls"])), f.calls(o["op"].(string), 0); got != want {
			t.Errorf("%s: %d calls, want %d: counts stay exact beyond the sample", o["op"], got, want)
		}
	}
}

func TestChains(t *testing.T) {
	f, _, ts := served(t)
	var c struct {
		Events json.Number
		Chains []struct {
			ID, Severity, Summary, RootCause, Fix string
			Timeline                              []struct{ Timestamp, Layer, Detail string }
			Annotations                           []map[string]string
		}
	}
	ts.getJSON(t, "/api/v1/chains?since=1h", &c)
	var got []string
	for _, ch := range c.Chains {
		got = append(got, ch.Severity+" "+ch.ID)
	}
	want := []string{"HIGH " + f.chains[0].ID, "MEDIUM " + f.chains[1].ID, "LOW " + f.chains[2].ID}
	if !slices.Equal(got, want) {
		t.Fatalf("chains %q, want %q", got, want)
	}
	high := c.Chains[0]
	if len(high.Timeline) != 3 || high.Timeline[1].Layer != "HOST" || !strings.Contains(high.Fix, "nice -n 19") {
		t.Errorf("HIGH chain %+v lacks its timeline or fix", high)
	}
	// The run's phase annotation (an instant at the start) covers it.
	if len(high.Annotations) != 1 || high.Annotations[0]["phase"] != "train" {
		t.Errorf("annotations %v, want the phase=train instant", high.Annotations)
	}
	// 90 s back from the end: only the MEDIUM chain (at 4:00) is inside.
	ts.getJSON(t, "/api/v1/chains?since=90s", &c)
	if len(c.Chains) != 1 || c.Chains[0].Severity != "MEDIUM" {
		t.Errorf("since=90s gave %d chains, want the MEDIUM one", len(c.Chains))
	}
}

func TestProcesses(t *testing.T) {
	f, _, ts := served(t)
	var p struct {
		Processes []struct {
			PID  uint32
			Name string
			Ops  []struct {
				Op        string
				Calls     int64
				P99Ns     int64   `json:"p99_ns"`
				MaxNs     int64   `json:"max_ns"`
				Recorded  bool    `json:"latency_recorded"`
				PerSecond float64 `json:"per_second"`
			}
		}
		Contention bool
	}
	ts.getJSON(t, "/api/v1/processes?since=all", &p)
	if len(p.Processes) != 2 || p.Processes[0].PID != trainPID || p.Processes[0].Name != "python3" ||
		p.Processes[1].PID != embedPID || p.Processes[1].Name != "embedding-svc" || !p.Contention {
		t.Fatalf("processes %+v contention=%v, want python3 then embedding-svc, contended", p.Processes, p.Contention)
	}
	for _, pr := range p.Processes {
		for _, o := range pr.Ops {
			if o.Op == "sched_switch" {
				t.Errorf("host op %s listed among GPU API calls", o.Op)
			}
			if want := f.calls(o.Op, pr.PID); o.Calls != want {
				t.Errorf("PID %d %s: %d calls, want %d", pr.PID, o.Op, o.Calls, want)
			}
			// Entry-only launches carry no duration: the page shows their
			// rate, never "p50 0ns".
			if o.Recorded != (o.MaxNs > 0) || o.PerSecond <= 0 {
				t.Errorf("PID %d %s: latency_recorded %v with max %d ns, per_second %g", pr.PID, o.Op, o.Recorded, o.MaxNs, o.PerSecond)
			}
		}
	}
}

func TestSnapshots(t *testing.T) {
	f, _, ts := served(t)
	type snaps struct {
		Averaged  int
		Snapshots []struct {
			TimestampNs int64   `json:"timestamp_ns"`
			CPUPct      float64 `json:"cpu_pct"`
		}
	}
	var s snaps
	ts.getJSON(t, "/api/v1/snapshots?since=60s", &s)
	if len(s.Snapshots) != 61 || s.Averaged != 1 {
		t.Fatalf("%d snapshots (averaged %d), want the 61 of the last minute", len(s.Snapshots), s.Averaged)
	}
	last := f.snapshots[len(f.snapshots)-1]
	if got := s.Snapshots[60]; got.TimestampNs != last.TimeNs || got.CPUPct != last.CPUPct {
		t.Errorf("last snapshot %+v, want %+v", got, last)
	}
	old := maxPoints
	maxPoints = 100
	t.Cleanup(func() { maxPoints = old })
	ts.getJSON(t, "/api/v1/snapshots?since=all", &s)
	if s.Averaged != 4 || len(s.Snapshots) != 76 {
		t.Errorf("301 snapshots under a 100-point cap: %d points averaging %d, want 76 averaging 4", len(s.Snapshots), s.Averaged)
	}
}

func TestOverview(t *testing.T) {
	f, path, ts := served(t)
	var o struct {
		Events    int64
		Chains    int64
		Sessions  int
		Live      bool
		Status    string
		Recording struct{ Path, Format string }
		Session   struct {
			GPUModel  string `json:"gpu_model"`
			UserDrops int64  `json:"user_drops"`
			Stop      *string
		}
		System *struct {
			CPUPct float64 `json:"cpu_pct"`
		}
		TopChain struct{ ID string } `json:"top_chain"`
	}
	ts.getJSON(t, "/api/v1/overview", &o)
	if o.Events != int64(len(f.events)) || o.Chains != 3 || o.Sessions != 1 || o.Live || o.Recording.Path != path || o.Recording.Format != "database" {
		t.Errorf("overview %+v", o)
	}
	if o.Session.GPUModel != "NVIDIA H100 80GB HBM3" || o.Session.UserDrops != 12 || o.Session.Stop == nil {
		t.Errorf("session %+v", o.Session)
	}
	if o.System == nil || o.System.CPUPct != f.snapshots[len(f.snapshots)-1].CPUPct {
		t.Errorf("system %+v, want the last snapshot", o.System)
	}
	// Five minutes back from the end holds all three chains: the HIGH one
	// leads and makes the node DEGRADED.
	if o.TopChain.ID != f.chains[0].ID || o.Status != "DEGRADED" {
		t.Errorf("top chain %q status %s, want %s DEGRADED", o.TopChain.ID, o.Status, f.chains[0].ID)
	}
}

func TestCapabilities(t *testing.T) {
	_, _, ts := served(t)
	var c struct {
		Available    int
		Capabilities []struct{ ID, Status, Needs string }
	}
	ts.getJSON(t, "/api/v1/capabilities", &c)
	status := map[string]string{}
	for _, cap := range c.Capabilities {
		status[cap.ID] = cap.Status
		if cap.Status != "available" && cap.Needs == "" {
			t.Errorf("%s is %s but says nothing of what it needs", cap.ID, cap.Status)
		}
	}
	want := map[string]string{
		"cuda-runtime": "available", "cuda-driver": "available", "kernel-launches": "available", "memcpy": "available",
		"gpu-memory-calls": "available", "cpu-scheduling": "available", "system": "available", "causal-chains": "available",
		"gpu-info": "available", "block-io": "no-data", "cuda-graphs": "no-data", "stacks": "no-data",
		"gpu-utilization": "not-collected", "gpu-kernel-time": "not-collected", "pcie": "not-collected",
	}
	n := 0
	for id, w := range want {
		if status[id] != w {
			t.Errorf("%s: %q, want %q", id, status[id], w)
		}
	}
	for _, s := range status {
		if s == "available" {
			n++
		}
	}
	if c.Available != n {
		t.Errorf("available = %d, but %d are", c.Available, n)
	}
}

func TestGraphEndpointsSayWhyEmpty(t *testing.T) {
	_, _, ts := served(t)
	var m struct {
		TotalEvents int64 `json:"total_events"`
		Note        string
	}
	ts.getJSON(t, "/api/v1/graph-metrics?since=all", &m)
	if m.TotalEvents != 0 || !strings.Contains(m.Note, "no graph probes") {
		t.Errorf("graph-metrics %+v, want no events and the reason", m)
	}
	var e struct {
		Events []json.RawMessage
		Note   string
	}
	ts.getJSON(t, "/api/v1/graph-events", &e)
	if len(e.Events) != 0 || e.Note == "" {
		t.Errorf("graph-events %+v", e)
	}
	status, _, body := ts.request(t, http.MethodGet, "/api/v1/graph-events?limit=0", nil, nil)
	if status != http.StatusBadRequest || !strings.Contains(errorOf(t, body), "limit") {
		t.Errorf("limit=0: %d %s", status, body)
	}
}

func TestTime(t *testing.T) {
	_, _, ts := served(t)
	before := time.Now().UnixNano()
	var tm struct {
		TimestampNs int64 `json:"timestamp_ns"`
		Timestamp   string
	}
	ts.getJSON(t, "/api/v1/time", &tm)
	after := time.Now().UnixNano()
	if tm.TimestampNs < before || tm.TimestampNs > after || tm.Timestamp != stamp(tm.TimestampNs) {
		t.Errorf("time %+v outside [%d, %d]", tm, before, after)
	}
}

func TestSinceTakesCLIDurations(t *testing.T) {
	_, _, ts := served(t)
	var w struct{ Window struct{ From *string } }
	ts.getJSON(t, "/api/v1/snapshots?since=2d", &w)
	if w.Window.From == nil || *w.Window.From != "2026-05-22T15:45:00.000000000Z" {
		t.Errorf("since=2d from %v, want two days before the recording's end", w.Window.From)
	}
	ts.getJSON(t, "/api/v1/ops?since=1h30m", &w)
	if *w.Window.From != "2026-05-24T14:15:00.000000000Z" {
		t.Errorf("since=1h30m from %v", *w.Window.From)
	}
	for _, bad := range []string{"5x", "-5m", "m"} {
		status, _, body := ts.request(t, http.MethodGet, "/api/v1/ops?since="+bad, nil, nil)
		if msg := errorOf(t, body); status != http.StatusBadRequest || !strings.Contains(msg, "since") || !strings.Contains(msg, "e.g. 90s") {
			t.Errorf("since=%s: %d %q, want 400 naming since with examples", bad, status, msg)
		}
	}
}

func TestUnknownEndpointAndMethod(t *testing.T) {
	_, _, ts := served(t)
	status, _, body := ts.request(t, http.MethodGet, "/api/v1/nope", nil, nil)
	if status != http.StatusNotFound || !strings.Contains(errorOf(t, body), "docs/api.md") {
		t.Errorf("unknown endpoint: %d %s", status, body)
	}
	if status, _, _ := ts.request(t, http.MethodGet, "/api/v1/query", nil, nil); status != http.StatusMethodNotAllowed {
		t.Errorf("GET /api/v1/query: %d, want 405", status)
	}
	if status, _, _ := ts.request(t, http.MethodPost, "/api/v1/ops", nil, nil); status != http.StatusMethodNotAllowed {
		t.Errorf("POST /api/v1/ops: %d, want 405", status)
	}
}

// TestWideSeries checks the long-window path (buckets summed in SQL):
// every GPU call still lands in exactly one bucket.
func TestWideSeries(t *testing.T) {
	f, _, ts := served(t)
	var ops struct {
		Series struct {
			BucketNs int64 `json:"bucket_ns"`
			Ops      []struct{ Calls []int64 }
		}
	}
	ts.getJSON(t, "/api/v1/ops?since=6h", &ops)
	var in, gpu int64
	for _, s := range ops.Series.Ops {
		for _, c := range s.Calls {
			in += c
		}
	}
	for _, e := range f.events {
		if e.Source != event.SourceHost {
			gpu++
		}
	}
	if ops.Series.BucketNs < int64(wideBucket) || in != gpu {
		t.Errorf("6h: %d calls in %d ns buckets, want all %d in buckets of %s or more", in, ops.Series.BucketNs, gpu, wideBucket)
	}
}
