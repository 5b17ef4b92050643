package dashboard

import (
	"context"
	"net/http"

	"ingero.dev/common/event"
	"ingero.dev/common/report"
	"ingero.dev/common/store"
)

// maxPoints bounds a series: a chart 1280 px wide shows no more, and a
// day of one-second snapshots would be 86,400.
var maxPoints = 600

type snapshotJSON struct {
	Timestamp   string  `json:"timestamp"`
	TimestampNs int64   `json:"timestamp_ns"`
	Node        string  `json:"node"`
	CPUPct      float64 `json:"cpu_pct"`
	MemPct      float64 `json:"mem_pct"`
	MemAvailMB  int64   `json:"mem_avail_mb"`
	SwapUsedMB  int64   `json:"swap_used_mb"`
	Load1       float64 `json:"load1"`
}

type snapshotsJSON struct {
	Window report.Window `json:"window"`
	Live   bool          `json:"live"`
	// Samples are the snapshots recorded in the window; Averaged > 1 says
	// how many consecutive samples each point averages (CPU, memory and
	// load averaged, swap and available memory too) to stay below
	// maxPoints per node.
	Averaged  int            `json:"averaged"`
	Snapshots []snapshotJSON `json:"snapshots"`
}

func snapshotOut(s event.Snapshot) snapshotJSON {
	return snapshotJSON{Timestamp: stamp(s.TimeNs), TimestampNs: s.TimeNs, Node: s.Node, CPUPct: s.CPUPct,
		MemPct: s.MemPct, MemAvailMB: s.MemAvailMB, SwapUsedMB: s.SwapUsedMB, Load1: s.Load1}
}

func (a *api) snapshots(_ context.Context, r *store.Reader, req *http.Request) (any, error) {
	w, err := a.window(r, req)
	if err != nil {
		return nil, err
	}
	snaps, err := r.Snapshots(w.FromNs, w.ToNs)
	if err != nil {
		return nil, err
	}
	byNode := map[string][]event.Snapshot{}
	var nodes []string
	for _, s := range snaps {
		if _, ok := byNode[s.Node]; !ok {
			nodes = append(nodes, s.Node)
		}
		byNode[s.Node] = append(byNode[s.Node], s)
	}
	step := 1
	for _, n := range nodes {
		step = max(step, (len(byNode[n])+maxPoints-1)/maxPoints)
	}
	out := snapshotsJSON{Window: w.json(), Live: w.Live, Averaged: step, Snapshots: []snapshotJSON{}}
	for _, n := range nodes {
		for _, s := range downsample(byNode[n], step) {
			out.Snapshots = append(out.Snapshots, snapshotOut(s))
		}
	}
	return out, nil
}

// downsample averages each run of step snapshots into one, timed at the
// run's last sample.
func downsample(snaps []event.Snapshot, step int) []event.Snapshot {
	if step <= 1 {
		return snaps
	}
	out := make([]event.Snapshot, 0, len(snaps)/step+1)
	for i := 0; i < len(snaps); i += step {
		run := snaps[i:min(i+step, len(snaps))]
		avg := event.Snapshot{TimeNs: run[len(run)-1].TimeNs, Node: run[0].Node}
		for _, s := range run {
			avg.CPUPct += s.CPUPct
			avg.MemPct += s.MemPct
			avg.MemAvailMB += s.MemAvailMB
			avg.SwapUsedMB += s.SwapUsedMB
			avg.Load1 += s.Load1
		}
		n := float64(len(run))
		avg.CPUPct /= n
		avg.MemPct /= n
		avg.Load1 /= n
		avg.MemAvailMB /= int64(len(run))
		avg.SwapUsedMB /= int64(len(run))
		out = append(out, avg)
	}
	return out
}

func (a *api) window(r *store.Reader, req *http.Request) (window, error) {
	d, all, err := parseSince(req.URL.Query())
	if err != nil {
		return window{}, err
	}
	return resolveWindow(r, a.now(), a.src.live(), d, all)
}
