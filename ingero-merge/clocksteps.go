package merge

import (
	"fmt"
	"sort"
	"time"
)

// bootSteps compares the boot instants that consecutive sessions of one
// node imply (start wall time minus monotonic time). When the monotonic
// clock kept rising between them the host did not reboot, so a difference
// is the wall clock stepping (NTP, or by hand) between the sessions.
func bootSteps(srcs []*source, threshold time.Duration) []string {
	type ref struct {
		start, mono int64
		id          string
	}
	byNode := map[string][]ref{}
	for _, s := range srcs {
		sessions, err := s.rec.Sessions()
		if err != nil {
			continue // copyRecords reports it
		}
		for _, ses := range sessions {
			if ses.ClockMonoNs > 0 {
				node := s.rename(ses.Node)
				byNode[node] = append(byNode[node], ref{ses.StartNs, ses.ClockMonoNs, ses.ID})
			}
		}
	}
	var warns []string
	nodes := make([]string, 0, len(byNode))
	for n := range byNode {
		nodes = append(nodes, n)
	}
	sort.Strings(nodes)
	for _, node := range nodes {
		refs := byNode[node]
		sort.Slice(refs, func(i, j int) bool { return refs[i].start < refs[j].start })
		for i := 1; i < len(refs); i++ {
			p, c := refs[i-1], refs[i]
			if c.mono <= p.mono {
				continue // rebooted in between: nothing to compare
			}
			step := (c.start - c.mono) - (p.start - p.mono)
			if time.Duration(abs(step)) > threshold {
				warns = append(warns, fmt.Sprintf("clock skew: %s's wall clock moved by %+.3fs between sessions %s and %s of one boot (NTP step?); their times are that much apart",
					node, float64(step)/1e9, p.id, c.id))
			}
		}
	}
	return warns
}
