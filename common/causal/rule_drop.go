package causal

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"ingero.dev/common/event"
	"ingero.dev/common/hist"
)

// dropRun is the worst sustained stretch of buckets below the reference.
type dropRun struct {
	op        *opState
	lo, hi    int     // buckets [lo, hi)
	ref, mean float64 // calls per bucket
	lost      float64
}

// ruleThroughputDrop: an op's call rate fell well below its own usual
// peak for a sustained period while the process kept running.
func ruleThroughputDrop(v *view, p *proc) []*finding {
	tb := &v.e.tb
	first, last := tb.index(p.gpuFirst)+1, tb.index(p.gpuLast) // whole buckets only
	if last-first < dropMinBuckets {
		return nil
	}
	secs := float64(tb.width) / 1e9
	var best *dropRun
	var others []string
	for _, o := range p.opList {
		r := worstDrop(tb, o, first, last, secs)
		if r == nil {
			continue
		}
		if best == nil || r.op.h.Count() > best.op.h.Count() {
			if best != nil {
				others = append(others, best.op.name)
			}
			best = r
		} else {
			others = append(others, o.name)
		}
	}
	if best == nil {
		return nil
	}
	depth := 1 - best.mean/best.ref
	dur := int64(best.hi-best.lo) * tb.width
	sev := event.SeverityMedium
	if depth >= dropHighDepth && dur >= dropHighSeconds*1e9 {
		sev = event.SeverityHigh
	}
	strength := depth * float64(best.hi-best.lo) / float64(last-first)
	o := best.op
	f := v.newFinding("throughput-drop", p.node, o.name, p.pid, sev, strength)
	from, to := tb.start(best.lo), tb.start(best.hi)
	refRate, runRate := best.ref/secs, best.mean/secs
	f.Summary = fmt.Sprintf("%s rate fell %s for %s (%s/s against %s/s)", o.name, fmtPct(depth), fmtDur(dur),
		fmtRateN(runRate), fmtRateN(refRate))
	causes, fixes, entries := dropCauses(v, p, best.lo, best.hi, first, last)
	f.RootCause = fmt.Sprintf("%s called %s %s/s from %s for %s, %s below its usual %s/s", p.label(), o.name,
		fmtRateN(runRate), clock(from, v.loc), fmtDur(dur), fmtPct(depth), fmtRateN(refRate))
	if len(causes) > 0 {
		f.RootCause += "; in the same seconds " + strings.Join(causes, ", and ") + "."
		f.Fix = strings.Join(fixes, " ")
	} else {
		f.RootCause += "; no host cause was recorded in those seconds (preemption, block IO, memory pressure and other GPU users were at their usual levels), so the slowdown comes from the workload itself: a data-loading stall, an evaluation or checkpoint phase, or slower inputs."
		f.Fix = fmt.Sprintf("Look at what %s does from %s: `py-spy dump --pid %d` while it happens, or torch.profiler around those steps; if it is a data-loading stall, raise DataLoader num_workers and prefetch_factor.",
			p.comm, clock(from, v.loc), p.pid)
	}
	if len(others) > 0 {
		f.RootCause += " Also dropped: " + strings.Join(others, ", ") + "."
	}
	layer := o.key.Source.Layer()
	f.add(from, layer, fmt.Sprintf("%s fell to %s/s (usual %s/s)", o.name, fmtRateN(runRate), fmtRateN(refRate)))
	for _, te := range entries {
		f.add(from, te.Layer, te.Detail)
	}
	if best.hi < last {
		f.add(to, layer, fmt.Sprintf("%s back to %s/s", o.name, fmtRateN(float64(o.rate.at(tb, best.hi))/secs)))
	}
	f.Evidence["pid"], f.Evidence["comm"], f.Evidence["op"] = p.pid, p.comm, o.name
	f.Evidence["reference_rate"] = round2(refRate)
	f.Evidence["drop_rate"] = round2(runRate)
	f.Evidence["drop"] = round4(depth)
	f.Evidence["from_ns"], f.Evidence["to_ns"], f.Evidence["duration_ns"] = from, to, dur
	f.Evidence["lost_calls"] = int64(best.lost)
	f.Evidence["bucket_ns"] = tb.width
	f.Evidence["coincident"] = causes
	if len(others) > 0 {
		f.Evidence["also_dropped"] = others
	}
	return []*finding{f.done()}
}

// worstDrop finds the run of buckets in [first, last) with the most calls
// lost against the op's reference rate.
func worstDrop(tb *timebase, o *opState, first, last int, secs float64) *dropRun {
	if !o.gpu || o.h.Count() < minCalls {
		return nil
	}
	counts := make([]int64, last-first)
	for i := range counts {
		counts[i] = o.rate.at(tb, first+i)
	}
	sorted := slices.Clone(counts)
	slices.Sort(sorted)
	ref := float64(sorted[hist.NearestRank(dropRefQuantile, uint64(len(sorted)))-1])
	if ref/secs < dropMinRate {
		return nil
	}
	minLen := max(1, int(math.Ceil(dropMinSeconds/secs)))
	var best *dropRun
	for i := 0; i < len(counts); {
		if float64(counts[i]) >= dropFraction*ref {
			i++
			continue
		}
		j, sum := i, int64(0)
		for j < len(counts) && float64(counts[j]) < dropFraction*ref {
			sum += counts[j]
			j++
		}
		// A full stop is a pause or an exit, not a slower rate; and a
		// slow start is a warm-up, not a drop from anything.
		if j-i >= minLen && sum > 0 && i > 0 {
			n := float64(j - i)
			r := &dropRun{op: o, lo: first + i, hi: first + j, ref: ref, mean: float64(sum) / n, lost: ref*n - float64(sum)}
			if best == nil || r.lost > best.lost {
				best = r
			}
		}
		i = j
	}
	return best
}

// fmtRateN renders a call rate.
func fmtRateN(r float64) string {
	if r >= 100 {
		return fmtCount(int64(math.Round(r)))
	}
	return fmt.Sprintf("%.1f", r)
}
