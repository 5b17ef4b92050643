package dashboard

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ingero.dev/common/event"
	"ingero.dev/common/recording/recordingtest"
	"ingero.dev/common/store"
	"ingero.dev/common/stream"
)

// TestLiveDatabase serves a database that a store.Writer (trace's) keeps
// writing: later polls see the new events, and windows end now.
func TestLiveDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "live.db")
	w, err := store.OpenWriter(path, store.Options{FlushInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	now := time.Now()
	must(t, w.BeginSession(event.Session{ID: "n:1", Node: "n", Host: "n", StartNs: now.Add(-time.Minute).UnixNano(), Flags: map[string]string{}, PIDFilter: []uint32{}}))
	batch := func(n int) {
		t.Helper()
		base := time.Now().UnixNano()
		evs := make([]event.Event, n)
		for i := range evs {
			evs[i] = event.Event{TimeNs: base + int64(i), PID: 7, TID: 7, Comm: "python3", Source: event.SourceCUDA, Op: event.CudaStreamSynchronize, DurNs: 1000, Node: "n", GPU: 0}
		}
		must(t, w.Append(evs))
		must(t, w.PutSnapshots([]event.Snapshot{{TimeNs: base, Node: "n", CPUPct: 12, MemPct: 30, Load1: 1}}))
		must(t, w.Flush())
	}
	batch(100)
	ts := startServer(t, "-d", path)
	var o struct {
		Events int64
		Live   bool
		Window struct{ To string }
	}
	ts.getJSON(t, "/api/v1/overview", &o)
	if o.Events != 100 || !o.Live {
		t.Fatalf("overview %+v, want 100 events, live", o)
	}
	if !strings.Contains(ts.out.String(), "live while trace records") {
		t.Errorf("banner %q", ts.out)
	}
	batch(250)
	time.Sleep(cacheTTL + 100*time.Millisecond)
	ts.getJSON(t, "/api/v1/overview", &o)
	if o.Events != 350 {
		t.Errorf("after trace wrote 250 more: %d events, want 350", o.Events)
	}
	var ops struct{ Events int64 }
	ts.getJSON(t, "/api/v1/ops?since=1m", &ops)
	if ops.Events != 350 {
		t.Errorf("ops over the last minute: %d events, want 350", ops.Events)
	}
}

func TestStreamFile(t *testing.T) {
	f, _ := shared(t)
	path := recordingtest.WriteStream(t, recordingtest.Recording{Events: f.events, Chains: f.chains, StopNs: at(fixtureSpan)})
	ts := startServer(t, "-d", path)
	var o struct {
		Events    int64
		Chains    int64
		Live      bool
		Recording struct{ Format string }
	}
	ts.getJSON(t, "/api/v1/overview", &o)
	if o.Events != int64(len(f.events)) || o.Chains != 3 || o.Live || o.Recording.Format != "stream" {
		t.Errorf("overview of a stream %+v", o)
	}
	if !strings.Contains(ts.out.String(), "stream, loaded again whenever it grows") {
		t.Errorf("banner %q", ts.out)
	}
}

func TestPage(t *testing.T) {
	ts := startServer(t, "-d", fixtureDB(t))
	status, hdr, body := ts.request(t, http.MethodGet, "/", nil, nil)
	if status != http.StatusOK || !strings.Contains(string(body), `<script src="app.js"`) {
		t.Fatalf("GET /: %d %.200s", status, body)
	}
	csp := hdr.Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") || hdr.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("page headers %v", hdr)
	}
	for _, f := range []string{"/app.js", "/style.css"} {
		if status, _, body := ts.request(t, http.MethodGet, f, nil, nil); status != http.StatusOK || len(body) < 1000 {
			t.Errorf("GET %s: %d, %d bytes", f, status, len(body))
		}
	}
	if status, _, _ := ts.request(t, http.MethodPost, "/", strings.NewReader("x"), nil); status != http.StatusMethodNotAllowed {
		t.Errorf("POST /: %d, want 405", status)
	}
	// Nothing on the page comes from elsewhere: no CDN, works offline.
	for _, f := range []string{"/", "/app.js", "/style.css"} {
		_, _, body := ts.request(t, http.MethodGet, f, nil, nil)
		// The SVG namespace is a name, not a fetch.
		body = []byte(strings.ReplaceAll(string(body), "'http://www.w3.org/2000/svg'", ""))
		for _, ext := range []string{"http://", "https://", "//cdn"} {
			if strings.Contains(string(body), ext) {
				t.Errorf("%s refers to %s", f, ext)
			}
		}
	}
}

// TestEmptyRecording: trace has just created the database and recorded
// nothing yet; every endpoint answers, with empty lists and reasons.
func TestEmptyRecording(t *testing.T) {
	path := filepath.Join(t.TempDir(), "empty.db")
	w, err := store.OpenWriter(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	must(t, w.BeginSession(event.Session{ID: "n:1", Node: "n", Host: "n", StartNs: time.Now().UnixNano(), Flags: map[string]string{}, PIDFilter: []uint32{}}))
	must(t, w.Flush())
	defer w.Close()
	ts := startServer(t, "-d", path)
	for _, p := range []string{"overview", "ops?since=5m", "ops", "chains", "processes?since=1h", "snapshots", "capabilities", "graph-metrics", "graph-events", "time"} {
		var v map[string]any
		ts.getJSON(t, "/api/v1/"+p, &v)
	}
	var o struct {
		Events     int64
		FirstEvent *string `json:"first_event"`
		System     *struct{}
		SystemNote string `json:"system_note"`
		Status     string
	}
	ts.getJSON(t, "/api/v1/overview", &o)
	if o.Events != 0 || o.FirstEvent != nil || o.System != nil || o.SystemNote == "" || o.Status != "HEALTHY" {
		t.Errorf("overview of an empty recording %+v", o)
	}
}

// TestGrowingStream serves a stream file that trace is still writing:
// once the file grows, the next checks load it again and the answers
// count the new events; windows end now while it grows.
func TestGrowingStream(t *testing.T) {
	old := reloadEvery
	reloadEvery = 50 * time.Millisecond
	t.Cleanup(func() { reloadEvery = old })
	path := filepath.Join(t.TempDir(), "live.stream")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	now := time.Now()
	w, err := stream.NewWriter(f, stream.Header{SessionID: "n:1", Node: "n", Host: "n", StartNs: now.Add(-time.Second).UnixNano()})
	if err != nil {
		t.Fatal(err)
	}
	batch := func(n int) {
		t.Helper()
		evs := make([]event.Event, n)
		base := time.Now().UnixNano()
		for i := range evs {
			evs[i] = event.Event{TimeNs: base + int64(i), PID: 7, TID: 7, Comm: "python3", Source: event.SourceCUDA, Op: event.CudaMemcpy, DurNs: 5000, Node: "n", GPU: 0}
		}
		must(t, w.WriteEvents(evs))
	}
	batch(100)
	ts := startServer(t, "-d", path)
	var o struct {
		Events int64
		Live   bool
	}
	ts.getJSON(t, "/api/v1/overview", &o)
	if o.Events != 100 || !o.Live {
		t.Fatalf("overview %+v, want 100 events, live", o)
	}
	batch(400)
	deadline := time.Now().Add(10 * time.Second)
	for o.Events != 500 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
		ts.getJSON(t, "/api/v1/overview", &o)
	}
	if o.Events != 500 {
		t.Fatalf("after the stream grew: %d events, want 500", o.Events)
	}
	var ops struct{ Events int64 }
	ts.getJSON(t, "/api/v1/ops?since=1m", &ops)
	if ops.Events != 500 {
		t.Errorf("ops over the last minute: %d, want 500", ops.Events)
	}
}
