package fleet

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"ingero.dev/common/event"
	"ingero.dev/common/ndjson"
	"ingero.dev/common/report"
)

// NodeRecording is what a node's dashboard gives of its window: events
// (the newest, up to the limit asked), the chains stored and the host
// snapshots, enough for export to draw the node's timeline.
type NodeRecording struct {
	Node      Node
	NodeName  string
	Events    []event.Event
	Matched   int64 // events in the window; more than len(Events) when the limit cut
	Chains    []event.Chain
	Snapshots []event.Snapshot
}

type snapshotsJSON struct {
	Snapshots []struct {
		TimestampNs int64   `json:"timestamp_ns"`
		Node        string  `json:"node"`
		CPUPct      float64 `json:"cpu_pct"`
		MemPct      float64 `json:"mem_pct"`
		MemAvailMB  int64   `json:"mem_avail_mb"`
		SwapUsedMB  int64   `json:"swap_used_mb"`
		Load1       float64 `json:"load1"`
	} `json:"snapshots"`
}

// Recordings fetches every node's window (since: a duration or "all").
func Recordings(ctx context.Context, c *Client, since string, limit int) ([]NodeRecording, []string, error) {
	q := url.Values{"since": {since}}
	res := Each(ctx, c, func(ctx context.Context, n Node) (NodeRecording, error) {
		nr := NodeRecording{Node: n}
		var ov overviewJSON
		if err := c.Get(ctx, n, "/api/v1/overview", nil, &ov); err != nil {
			return nr, err
		}
		if ov.Session != nil {
			nr.NodeName = ov.Session.Node
		}
		var ch report.Chains
		if err := c.Get(ctx, n, "/api/v1/chains", q, &ch); err != nil {
			return nr, err
		}
		for _, rc := range ch.Chains {
			ec, err := chainOf(rc)
			if err != nil {
				return nr, err
			}
			nr.Chains = append(nr.Chains, ec)
		}
		var sn snapshotsJSON
		if err := c.Get(ctx, n, "/api/v1/snapshots", q, &sn); err != nil {
			return nr, err
		}
		for _, s := range sn.Snapshots {
			nr.Snapshots = append(nr.Snapshots, event.Snapshot{TimeNs: s.TimestampNs, Node: s.Node, CPUPct: s.CPUPct, MemPct: s.MemPct,
				MemAvailMB: s.MemAvailMB, SwapUsedMB: s.SwapUsedMB, Load1: s.Load1})
		}
		eq := url.Values{"since": {since}, "limit": {strconv.Itoa(limit)}}
		var err error
		nr.Events, nr.Matched, err = c.events(ctx, n, eq)
		return nr, err
	})
	var out []NodeRecording
	var warns []string
	var errs []error
	for _, r := range res {
		if r.Err != nil {
			warns = append(warns, fmt.Sprintf("%s: %v", r.Node.Name, r.Err))
			errs = append(errs, fmt.Errorf("%s: %w", r.Node.Name, r.Err))
			continue
		}
		if int64(len(r.Value.Events)) < r.Value.Matched {
			warns = append(warns, fmt.Sprintf("%s: only the newest %d of the window's %d events (raise --limit, or narrow --since)", r.Node.Name, len(r.Value.Events), r.Value.Matched))
		}
		out = append(out, r.Value)
	}
	if len(out) == 0 {
		return nil, nil, allFailed(errs)
	}
	return out, warns, nil
}

// events reads GET /api/v1/events: NDJSON lines of trace --json, under
// the same response cap as every other answer.
func (c *Client) events(ctx context.Context, n Node, q url.Values) ([]event.Event, int64, error) {
	var body []byte
	var matched int64
	err := c.raw(ctx, n, "/api/v1/events", q, func(h http.Header, b []byte) error {
		body = b
		matched, _ = strconv.ParseInt(h.Get("X-Ingero-Window-Events"), 10, 64)
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	var evs []event.Event
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		ev, err := ndjson.Decode(sc.Bytes())
		if err != nil {
			return nil, 0, fmt.Errorf("event %d: %w", len(evs)+1, err)
		}
		evs = append(evs, ev)
	}
	return evs, max(matched, int64(len(evs))), sc.Err()
}

// chainOf turns a chain of the API back into the stored form.
func chainOf(rc report.Chain) (event.Chain, error) {
	sev, ok := event.ParseSeverity(rc.Severity)
	if !ok {
		return event.Chain{}, fmt.Errorf("chain %s: severity %q", rc.ID, rc.Severity)
	}
	det, err := time.Parse(time.RFC3339Nano, rc.Detected)
	if err != nil {
		return event.Chain{}, fmt.Errorf("chain %s: %w", rc.ID, err)
	}
	ch := event.Chain{ID: rc.ID, Node: rc.Node, DetectedNs: det.UnixNano(), Severity: sev, Rule: rc.Rule, Op: rc.Op, PID: rc.PID,
		Summary: rc.Summary, RootCause: rc.RootCause, Fix: rc.Fix, Evidence: rc.Evidence}
	for _, st := range rc.Timeline {
		ts, err := time.Parse(time.RFC3339Nano, st.Timestamp)
		if err != nil {
			return event.Chain{}, fmt.Errorf("chain %s: %w", rc.ID, err)
		}
		ch.Timeline = append(ch.Timeline, event.TimelineEntry{TimeNs: ts.UnixNano(), Layer: st.Layer, Detail: st.Detail})
	}
	return ch, nil
}
