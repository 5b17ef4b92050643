package explain

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"ingero.dev/common/event"
)

// Launches recorded entry-only carry no latency: --per-process shows their
// count and rate, never p50=0ns, and the JSON says the latency was not
// recorded. The sync, timed, keeps its percentiles.
func TestUntimedLaunchesShowRate(t *testing.T) {
	var evs []event.Event
	for i := range 200 {
		ts := at(time.Duration(i) * 50 * time.Millisecond) // 20 steps a second for 10 s
		evs = append(evs,
			event.Event{TimeNs: ts, PID: 77, TID: 77, Comm: "train", Source: event.SourceCUDA, Op: event.CudaLaunchKernel, Node: "n"},
			event.Event{TimeNs: ts + 1e6, PID: 77, TID: 77, Comm: "train", Source: event.SourceCUDA, Op: event.CudaStreamSynchronize, DurNs: 2e6, Node: "n"})
	}
	db := writeDB(t, evs)
	r := run(t, "-d", db, "--per-process")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.err)
	}
	var launch, sync string
	for _, l := range strings.Split(r.out, "\n") {
		switch {
		case strings.Contains(l, "cudaLaunchKernel"):
			launch = l
		case strings.Contains(l, "cudaStreamSynchronize"):
			sync = l
		}
	}
	if !strings.Contains(launch, "200 calls") || !strings.Contains(launch, "20.1/s (latency not recorded)") || strings.Contains(launch, "p50") {
		t.Errorf("launch line: %q", launch)
	}
	if !strings.Contains(sync, "p50=2ms") {
		t.Errorf("sync line: %q", sync)
	}
	if !strings.Contains(r.out, "wall time of thread 77 (train)") {
		t.Errorf("no wall-time account:\n%s", r.out)
	}
	r = run(t, "-d", db, "--per-process", "--json")
	var out struct {
		Processes []struct {
			Ops []struct {
				Op              string  `json:"op"`
				LatencyRecorded bool    `json:"latency_recorded"`
				PerSecond       float64 `json:"per_second"`
			} `json:"ops"`
		} `json:"processes"`
	}
	if err := json.Unmarshal([]byte(r.out), &out); err != nil || len(out.Processes) != 1 {
		t.Fatalf("json %v: %s", err, r.out)
	}
	for _, o := range out.Processes[0].Ops {
		if o.LatencyRecorded != (o.Op == "cudaStreamSynchronize") || o.PerSecond < 20 || o.PerSecond > 20.2 {
			t.Errorf("op %+v", o)
		}
	}
}
