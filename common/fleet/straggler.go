package fleet

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"ingero.dev/common/hist"
)

// Straggler thresholds: a node's p99 of an op must be this many times
// the other nodes' median, and this much longer, to be named. Both, so
// that neither 3 µs against 1 µs nor 101 ms against 100 ms is a straggler.
const (
	StragglerFactor = 2.0
	StragglerMinGap = time.Millisecond
	// stragglerMinCalls keeps a handful of calls from deciding a p99.
	stragglerMinCalls = 20
)

// Straggler is a node whose tail latency of a waiting op stands out.
type Straggler struct {
	Node      string  `json:"node"`
	NodeName  string  `json:"node_name"`
	Source    string  `json:"source"`
	Op        string  `json:"op"`
	P99Ns     int64   `json:"p99_ns"`
	OthersP99 int64   `json:"others_p99_ns"` // median p99 of the other nodes
	Factor    float64 `json:"factor"`
	Calls     int64   `json:"calls"`
}

func (s Straggler) String() string {
	name := s.Node
	if s.NodeName != "" && s.NodeName != s.Node {
		name += " (" + s.NodeName + ")"
	}
	return fmt.Sprintf("%s: %s p99 %s, %.1fx the other nodes' median %s over %s calls", name, s.Op,
		hist.FormatNs(s.P99Ns), s.Factor, hist.FormatNs(s.OthersP99), hist.FormatCount(s.Calls))
}

// waitOp reports whether an op is where a rank waits for the GPU or its
// peers: a slow rank shows there first (synchronisation and collectives).
func waitOp(source, op string) bool {
	return source == "nccl" || strings.Contains(op, "Synchronize") || strings.Contains(op, "EventQuery") || strings.HasPrefix(op, "nccl")
}

// Stragglers names, per waiting op recorded on at least two nodes, the
// nodes whose p99 stands out against the others' median; the largest
// factor first.
func Stragglers(nodes []NodeChains) []Straggler {
	type entry struct {
		nc    *NodeChains
		p99   int64
		calls int64
	}
	byOp := map[[2]string][]entry{}
	for i := range nodes {
		for _, o := range nodes[i].Ops {
			if o.P99Ns == nil || o.Calls < stragglerMinCalls || !waitOp(o.Source, o.Op) {
				continue
			}
			k := [2]string{o.Source, o.Op}
			byOp[k] = append(byOp[k], entry{&nodes[i], *o.P99Ns, o.Calls})
		}
	}
	var out []Straggler
	for k, es := range byOp {
		if len(es) < 2 {
			continue
		}
		for i, e := range es {
			others := make([]time.Duration, 0, len(es)-1)
			for j, o := range es {
				if j != i {
					others = append(others, time.Duration(o.p99))
				}
			}
			ref := int64(median(others))
			if ref <= 0 || float64(e.p99) < StragglerFactor*float64(ref) || time.Duration(e.p99-ref) < StragglerMinGap {
				continue
			}
			out = append(out, Straggler{Node: e.nc.Node.Name, NodeName: e.nc.NodeName, Source: k[0], Op: k[1], P99Ns: e.p99,
				OthersP99: ref, Factor: float64(e.p99) / float64(ref), Calls: e.calls})
		}
	}
	slices.SortFunc(out, func(a, b Straggler) int {
		return cmp.Or(cmp.Compare(b.Factor, a.Factor), cmp.Compare(a.Node, b.Node), cmp.Compare(a.Op, b.Op))
	})
	return out
}
