package merge

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"

	"ingero.dev/common/event"
	"ingero.dev/common/store"
	"ingero.dev/common/timerange"
)

// Clocks of different hosts share no reference in a recording: each
// session's clock_mono_ns only ties kernel time to that host's wall clock.
// So skew is estimated from what the recordings do show:
//   - within a node, two sessions of one boot (monotonic clock still
//     rising) must agree on when the machine booted; a difference is a
//     step of the wall clock between them;
//   - across nodes, synchronising NCCL collectives (all-reduce, all-gather,
//     reduce-scatter, broadcast) end together on every rank, so the median
//     gap between each completion and the nearest one on the other node is
//     the offset of their clocks;
//   - nodes whose recordings do not overlap in time at all are named, since
//     that is either two separate runs or a skew as large as the gap.

// maxSkewSamples bounds the collective completions read per node.
const maxSkewSamples = 20000

// minSkewMatches is how many matched completions an estimate needs.
const minSkewMatches = 8

var syncCollectives = []string{"ncclAllReduce", "ncclAllGather", "ncclReduceScatter", "ncclBroadcast"}

func estimateSkew(ctx context.Context, srcs []*source, threshold time.Duration) ([]string, error) {
	warns := bootSteps(srcs, threshold)
	spans := nodeSpans(srcs)
	names := make([]string, 0, len(spans))
	for n := range spans {
		names = append(names, n)
	}
	sort.Strings(names)
	ends := map[string][]int64{}
	for _, n := range names {
		e, err := collectiveEnds(ctx, srcs, n)
		if err != nil {
			return nil, err
		}
		ends[n] = e
	}
	for i, a := range names {
		for _, b := range names[i+1:] {
			sa, sb := spans[a], spans[b]
			if sa.hi < sb.lo || sb.hi < sa.lo {
				gap := max(sb.lo-sa.hi, sa.lo-sb.hi)
				warns = append(warns, fmt.Sprintf("%s and %s recorded at disjoint times, %s apart: separate runs, or clocks that far apart",
					a, b, timerange.FormatDuration(time.Duration(gap))))
				continue
			}
			off, n := medianOffset(ends[a], ends[b])
			if n >= minSkewMatches && time.Duration(abs(off)) > threshold {
				dir := "ahead of"
				if off < 0 {
					dir = "behind"
				}
				warns = append(warns, fmt.Sprintf("clock skew: %s is ~%s %s %s (from %d matched NCCL collective completions; threshold %s)",
					b, timerange.FormatDuration(time.Duration(abs(off))), dir, a, n, timerange.FormatDuration(threshold)))
			}
		}
	}
	return warns, nil
}

func nodeSpans(srcs []*source) map[string]interval {
	out := map[string]interval{}
	for _, s := range srcs {
		for _, n := range s.nodes {
			sp, ok := out[n.merged]
			if !ok {
				sp = interval{n.tMin, n.tMax}
			}
			out[n.merged] = interval{min(sp.lo, n.tMin), max(sp.hi, n.tMax)}
		}
	}
	return out
}

// collectiveEnds returns when node's synchronising collectives completed,
// sorted, at most maxSkewSamples of them.
func collectiveEnds(ctx context.Context, srcs []*source, node string) ([]int64, error) {
	var keys []event.Key
	for _, name := range syncCollectives {
		if oi, ok := event.OpByName(name); ok {
			keys = append(keys, event.Key{Source: oi.Source, Op: oi.Op})
		}
	}
	var out []int64
	errFull := errors.New("enough samples")
	for _, s := range srcs {
		for _, n := range s.nodes {
			if n.merged != node {
				continue
			}
			err := s.rec.Events(ctx, store.Filter{Ops: keys}, func(ev *event.Event) error {
				if ev.Node != n.name || ev.DurNs <= 0 {
					return nil
				}
				out = append(out, ev.TimeNs+ev.DurNs)
				if len(out) >= maxSkewSamples {
					return errFull
				}
				return nil
			})
			if err != nil && !errors.Is(err, errFull) {
				return nil, fmt.Errorf("reading collectives of %s: %w", s.path, err)
			}
		}
	}
	slices.Sort(out)
	return out, nil
}

// matchTolerance is how close two ranks' completions of one collective
// are expected to be once the clocks are aligned (network latency).
const matchTolerance = 2_000_000

// maxSkewSearch bounds the offsets tried.
const maxSkewSearch = int64(60e9)

// medianOffset aligns b's completions to a's: it tries every offset that
// maps a's middle completion onto one of b's, keeps the one under which
// most of a's completions find a partner on b (ties: the smallest offset),
// and returns the median gap of those pairs and their number. Trying all
// offsets rather than the nearest neighbour matters: collectives repeat
// every step, so a skew longer than half a step would otherwise alias to
// a small one; the step-to-step jitter of real training tells the true
// alignment apart.
func medianOffset(a, b []int64) (int64, int) {
	if len(a) == 0 || len(b) == 0 {
		return 0, 0
	}
	probe := sample(a, 200)
	mid := a[len(a)/2]
	best, bestN := int64(0), -1
	for _, tb := range b {
		d := tb - mid
		if abs(d) > maxSkewSearch {
			continue
		}
		n := 0
		for _, t := range probe {
			if _, ok := nearest(b, t+d); ok {
				n++
			}
		}
		if n > bestN || (n == bestN && abs(d) < abs(best)) {
			best, bestN = d, n
		}
	}
	var diffs []int64
	for _, t := range a {
		if tb, ok := nearest(b, t+best); ok {
			diffs = append(diffs, tb-t)
		}
	}
	if len(diffs) == 0 {
		return 0, 0
	}
	slices.Sort(diffs)
	return diffs[len(diffs)/2], len(diffs)
}

// nearest finds the element of sorted xs within matchTolerance of t.
func nearest(xs []int64, t int64) (int64, bool) {
	i, _ := slices.BinarySearch(xs, t)
	for _, j := range []int{i - 1, i} {
		if j >= 0 && j < len(xs) && abs(xs[j]-t) <= matchTolerance {
			return xs[j], true
		}
	}
	return 0, false
}

func sample(xs []int64, n int) []int64 {
	if len(xs) <= n {
		return xs
	}
	out := make([]int64, 0, n)
	for i := range n {
		out = append(out, xs[i*len(xs)/n])
	}
	return out
}

func abs(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}
