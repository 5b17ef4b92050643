package dashboard

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"ingero.dev/common/report"
	"ingero.dev/common/store"
	"ingero.dev/common/timerange"
)

// liveSlack is how recent a recording's newest event or snapshot must be
// for the recording to count as live. Trace samples the host every
// second, so a running trace is never this far behind.
const liveSlack = 30 * time.Second

// window is the span an endpoint answers for. Relative windows ("the
// last 5 minutes") end now while trace records; on a finished recording
// they end at its last data, so an old recording still shows something.
type window struct {
	FromNs int64 // 0: from the start of the recording
	ToNs   int64
	Live   bool
}

// parseSince reads the since parameter: a CLI duration (90s, 5m, 2d),
// or "all" (or nothing) for the whole recording.
func parseSince(q url.Values) (d time.Duration, all bool, err error) {
	v := strings.TrimSpace(q.Get("since"))
	if v == "" || v == "all" || v == "0" {
		return 0, true, nil
	}
	d, err = timerange.ParseDuration(v)
	if err != nil {
		return 0, false, badRequest("since: %v", err)
	}
	return d, false, nil
}

// recordingEnd is the time of the newest event or snapshot, 0 when the
// recording holds neither.
func recordingEnd(r *store.Reader) (int64, error) {
	// Both maxima come from an index: no walk over a day of chunks.
	res, err := r.Query(context.Background(), 1, `SELECT max(
		(SELECT coalesce(max(t_max), 0) FROM event_chunks), (SELECT coalesce(max(ts), 0) FROM snapshots))`)
	if err != nil {
		return 0, fmt.Errorf("reading the recording's end: %w", err)
	}
	end, _ := res.Rows[0][0].(int64)
	return end, nil
}

// resolveWindow anchors since at now (live recordings) or at the end of
// the recording.
func resolveWindow(r *store.Reader, now time.Time, live bool, since time.Duration, all bool) (window, error) {
	end, err := recordingEnd(r)
	if err != nil {
		return window{}, err
	}
	if live {
		if live, err = sessionOpen(r); err != nil {
			return window{}, err
		}
	}
	w := window{ToNs: now.UnixNano()}
	if live && end > 0 && now.UnixNano()-end <= int64(liveSlack) {
		w.Live = true
	} else if end > 0 {
		w.ToNs = end
	}
	if !all {
		w.FromNs = max(w.ToNs-int64(since), 1)
	}
	return w, nil
}

// json is the window as every response carries it (from is null for
// the whole recording); responses say beside it whether it is live.
func (w window) json() report.Window { return report.NewWindow(w.FromNs, w.ToNs) }

// stamp is the RFC 3339 form every ingero JSON output uses.
func stamp(ns int64) string { return report.Stamp(ns) }

// sessionOpen reports whether trace may still be recording: a session
// without a stop time (a crashed one too, which the age of the data then
// rules out), or no session at all in a file written without them.
func sessionOpen(r *store.Reader) (bool, error) {
	res, err := r.Query(context.Background(), 1, `SELECT NOT EXISTS (SELECT 1 FROM sessions) OR EXISTS (SELECT 1 FROM sessions WHERE stop_ns = 0)`)
	if err != nil {
		return false, fmt.Errorf("reading sessions: %w", err)
	}
	return res.Rows[0][0] == int64(1), nil
}
