package dashboard

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"ingero.dev/common/cli"
	"ingero.dev/common/event"
	"ingero.dev/common/report"
	"ingero.dev/common/store"
)

// topChainWindow is how far back from the window's end the overview
// looks for the chain it headlines.
const topChainWindow = 5 * time.Minute

// systemFresh is how old the newest snapshot may be for the overview to
// show it as the host's current state.
const systemFresh = time.Minute

type recordingJSON struct {
	Path          string `json:"path"`
	Format        string `json:"format"` // database or stream
	SchemaVersion int    `json:"schema_version"`
}

type sessionJSON struct {
	ID          string  `json:"id"`
	Node        string  `json:"node"`
	Host        string  `json:"host"`
	Kernel      string  `json:"kernel"`
	GPUModel    string  `json:"gpu_model"`
	GPUDriver   string  `json:"gpu_driver"`
	CUDAVersion string  `json:"cuda_version"`
	Version     string  `json:"version"`
	Start       string  `json:"start"`
	Stop        *string `json:"stop"` // null while running or after a crash
	Events      uint64  `json:"events"`
	KernelDrops uint64  `json:"kernel_drops"`
	UserDrops   uint64  `json:"user_drops"`
	SampledOut  uint64  `json:"sampled_out"`
}

type overviewJSON struct {
	Window    report.Window `json:"window"`
	Live      bool          `json:"live"`
	Recording recordingJSON `json:"recording"`
	// Events, FirstEvent and LastEvent cover the whole recording.
	Events     int64        `json:"events"`
	FirstEvent *string      `json:"first_event"`
	LastEvent  *string      `json:"last_event"`
	Chains     int64        `json:"chains"`
	Sessions   int          `json:"sessions"`
	Session    *sessionJSON `json:"session"` // the newest, null when none
	// System is the newest snapshot, when one is at most a minute older
	// than the window's end; SystemNote says why it is null otherwise.
	System     *snapshotJSON `json:"system"`
	SystemNote string        `json:"system_note,omitempty"`
	// TopChain is the most severe chain detected in the five minutes
	// before the window's end (the newest among equals); null when none.
	TopChain any    `json:"top_chain"`
	Status   string `json:"status"` // HEALTHY, or DEGRADED while a HIGH or MEDIUM chain is recent
	Server   struct {
		Version string `json:"version"`
		Started string `json:"started"`
	} `json:"server"`
}

func (a *api) overview(_ context.Context, r *store.Reader, req *http.Request) (any, error) {
	w, err := a.window(r, req)
	if err != nil {
		return nil, err
	}
	out := overviewJSON{Window: w.json(), Live: w.Live, Status: "HEALTHY",
		Recording: recordingJSON{Path: a.src.path, Format: a.src.kind.String(), SchemaVersion: r.SchemaVersion()}}
	out.Server.Version = cli.Version()
	out.Server.Started = stamp(a.started.UnixNano())
	sp, err := r.TimeSpan()
	if err != nil {
		return nil, err
	}
	out.Events = sp.Events
	if sp.Events > 0 {
		f, l := stamp(sp.FirstNs), stamp(sp.LastNs)
		out.FirstEvent, out.LastEvent = &f, &l
	}
	res, err := r.Query(context.Background(), 1, `SELECT count(*) FROM chains`)
	if err != nil {
		return nil, fmt.Errorf("counting chains: %w", err)
	}
	out.Chains = res.Rows[0][0].(int64)
	sessions, err := r.Sessions()
	if err != nil {
		return nil, err
	}
	out.Sessions = len(sessions)
	if len(sessions) > 0 {
		out.Session = sessionOut(sessions[len(sessions)-1])
	}
	if out.System, out.SystemNote, err = latestSystem(r, w.ToNs); err != nil {
		return nil, err
	}
	chains, err := r.Chains(w.ToNs-int64(topChainWindow), w.ToNs)
	if err != nil {
		return nil, err
	}
	if top, ok := mostSevere(chains); ok {
		out.TopChain = chainOut(top)
		if top.Severity >= event.SeverityMedium {
			out.Status = "DEGRADED"
		}
	}
	return out, nil
}

func sessionOut(s event.Session) *sessionJSON {
	out := &sessionJSON{ID: s.ID, Node: s.Node, Host: s.Host, Kernel: s.Kernel, GPUModel: s.GPUModel,
		GPUDriver: s.GPUDriver, CUDAVersion: s.CUDAVersion, Version: s.Version, Start: stamp(s.StartNs),
		Events: s.Stats.Events, KernelDrops: s.Stats.KernelDrops, UserDrops: s.Stats.UserDrops, SampledOut: s.Stats.SampledOut}
	if s.StopNs != 0 {
		stop := stamp(s.StopNs)
		out.Stop = &stop
	}
	return out
}

func latestSystem(r *store.Reader, endNs int64) (*snapshotJSON, string, error) {
	snaps, err := r.Snapshots(endNs-int64(systemFresh), endNs)
	if err != nil {
		return nil, "", err
	}
	if len(snaps) == 0 {
		return nil, "no host snapshot in the minute before " + stamp(endNs) + ": trace samples the host once a second while it records", nil
	}
	s := snapshotOut(snaps[len(snaps)-1])
	return &s, "", nil
}

// mostSevere picks the most severe chain, the newest among equals.
func mostSevere(chains []event.Chain) (event.Chain, bool) {
	var best event.Chain
	found := false
	for _, c := range chains {
		if !found || c.Severity > best.Severity || (c.Severity == best.Severity && c.DetectedNs > best.DetectedNs) {
			best, found = c, true
		}
	}
	return best, found
}
