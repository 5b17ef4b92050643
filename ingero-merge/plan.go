package merge

import (
	"fmt"
	"strings"

	"ingero.dev/common/cli"
)

// interval is a range of sequence numbers [lo, hi) of one node.
type interval struct{ lo, hi int64 }

// plan names every input's nodes and chooses sequence offsets so that no
// two events of the output share an ID. IDs are kept wherever they are
// free, so an ID quoted from a node's own recording finds the same event
// in the merged one; only a node seen in two inputs with overlapping IDs
// (two runs of one node, each counting from 1) is renumbered, and warns.
func plan(srcs []*source, forceNode string) (warnings []string, err error) {
	used := map[string][]interval{}
	next := map[string]int64{}
	for _, s := range srcs {
		for i := range s.nodes {
			n := &s.nodes[i]
			if n.name == "" {
				if forceNode == "" {
					return nil, cli.Usagef("%s holds events recorded without a node name; name its node with --force-node NAME", s.path)
				}
				n.merged = forceNode
			}
			if overlaps(used[n.merged], n.lo, n.hi) {
				n.offset = next[n.merged] - n.lo
				warnings = append(warnings, fmt.Sprintf("%s: node %s's event IDs %s:%d…%d are taken by an earlier input (another run of the same node?); renumbered as %s:%d…%d",
					s.path, n.merged, n.merged, n.lo, n.hi-1, n.merged, n.lo+n.offset, n.hi-1+n.offset))
			}
			used[n.merged] = append(used[n.merged], interval{n.lo + n.offset, n.hi + n.offset})
			next[n.merged] = max(next[n.merged], n.hi+n.offset)
		}
	}
	if forceNode != "" && !anyUnnamedRecords(srcs) {
		warnings = append(warnings, fmt.Sprintf("--force-node %s was not needed: every input names its node", forceNode))
	}
	return warnings, nil
}

func overlaps(ivs []interval, lo, hi int64) bool {
	for _, iv := range ivs {
		if lo < iv.hi && iv.lo < hi {
			return true
		}
	}
	return false
}

// anyUnnamedRecords reports whether an input holds events or records of an
// unnamed node, which --force-node names.
func anyUnnamedRecords(srcs []*source) bool {
	for _, s := range srcs {
		if s.unnamed {
			return true
		}
	}
	return false
}

// renameID rewrites the "<node>:" prefix of a session or chain ID.
func renameID(id, from, to string) string {
	if from == to {
		return id
	}
	if rest, ok := strings.CutPrefix(id, from+":"); ok {
		return to + ":" + rest
	}
	return id
}
