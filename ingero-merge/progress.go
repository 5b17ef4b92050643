package merge

import (
	"fmt"
	"io"
	"time"
)

// Inputs smaller than this merge in about a second: no progress lines.
// A variable so that tests can see progress on small inputs.
var progressMinEvents int64 = 2_000_000

// progress prints how far the merge is on stderr, at most once per
// interval, for merges large enough to take a while.
type progress struct {
	w       io.Writer
	total   int64
	copied  int64
	every   time.Duration
	last    time.Time
	start   time.Time
	enabled bool
}

func newProgress(srcs []*source, req *request, w io.Writer) *progress {
	p := &progress{w: w, every: req.progressEvery, start: time.Now()}
	p.last = p.start
	for _, s := range srcs {
		for _, n := range s.nodes {
			p.total += n.events
		}
	}
	p.enabled = !req.quiet && p.total >= progressMinEvents
	return p
}

func (p *progress) add(s *source, n int64) {
	p.copied += n
	if !p.enabled {
		return
	}
	if now := time.Now(); now.Sub(p.last) >= p.every {
		p.last = now
		fmt.Fprintf(p.w, "ingero merge: %s: %s of %s events (%d%%)\n", s.path, count(p.copied), count(p.total), p.copied*100/max(p.total, 1))
	}
}

func (p *progress) done() {
	if p.enabled {
		fmt.Fprintf(p.w, "ingero merge: %s events in %s\n", count(p.copied), time.Since(p.start).Round(time.Millisecond))
	}
}

func count(n int64) string {
	switch {
	case n >= 1_000_000:
		return fmt.Sprintf("%.1fM", float64(n)/1e6)
	case n >= 10_000:
		return fmt.Sprintf("%.1fk", float64(n)/1e3)
	}
	return fmt.Sprint(n)
}
