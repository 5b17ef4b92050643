package mcp

import (
	"fmt"
	"strings"
	"time"

	"ingero.dev/common/store"
	"ingero.dev/common/timerange"
)

// window is the span of the recording one call looks at.
type window struct {
	FromNs, ToNs int64 // inclusive; 0 leaves a side open
	Span         store.Span
}

// windowOf resolves a call's since. A recording is usually read after the
// fact, often on another machine, so since counts back from its last
// event, not from the clock: "the last 5 minutes" of a file recorded
// yesterday are the 5 minutes before it stopped. While trace is still
// writing, the last event is now, and both readings agree.
func windowOf(r *store.Reader, since string) (window, error) {
	sp, err := r.TimeSpan()
	if err != nil {
		return window{}, err
	}
	w := window{Span: sp}
	d, err := parseSince(since)
	if err != nil {
		return window{}, err
	}
	if d <= 0 || sp.Events == 0 || int64(d) >= sp.LastNs-sp.FirstNs {
		return w, nil // reaches back past the first event: all of it
	}
	// The end stays open: chains and snapshots may come after the last
	// event, and nothing recorded later should fall out.
	w.FromNs = sp.LastNs - int64(d)
	return w, nil
}

// parseSince reads a since input; empty is 0, all of the recording.
func parseSince(since string) (time.Duration, error) {
	since = strings.TrimSpace(since)
	if since == "" {
		return 0, nil
	}
	d, err := timerange.ParseDuration(since)
	if err != nil {
		return 0, fmt.Errorf("since %q: %w", since, err)
	}
	return d, nil
}
