package causal

import (
	"math"

	"ingero.dev/common/hist"
)

// Rules compare the calls made under a condition (a histogram of their
// own) with all calls of the op. Both histograms share bucket bounds, so
// "all minus under" is exact per bucket and needs no third histogram.

// countAbove counts the values that lie in buckets wholly above v.
func countAbove(h *hist.Histogram, v int64) int64 {
	var n uint64
	h.Buckets(func(b hist.Bucket) bool {
		if b.Lo > v {
			n += b.Count
		}
		return true
	})
	return int64(n)
}

// excessAbove sums (value − base) over values in buckets wholly above v,
// each value taken at its bucket's midpoint.
func excessAbove(h *hist.Histogram, v, base int64) int64 {
	var s int64
	h.Buckets(func(b hist.Bucket) bool {
		if b.Lo > v {
			mid := b.Lo + (b.Hi-b.Lo)/2
			s += int64(b.Count) * max(mid-base, 0)
		}
		return true
	})
	return s
}

// quantileWithout is the nearest-rank q-quantile of the values of all
// that are not in sub (sub's values must have been recorded in all too),
// at bucket midpoints; 0 when nothing is left.
func quantileWithout(all, sub *hist.Histogram, q float64) int64 {
	n := all.Count() - sub.Count()
	if n == 0 || all.Count() < sub.Count() {
		return 0
	}
	if sub.Count() == 0 {
		return all.Quantile(q)
	}
	minus := make(map[int64]uint64)
	sub.Buckets(func(b hist.Bucket) bool {
		minus[b.Lo] = b.Count
		return true
	})
	rank := hist.NearestRank(q, n)
	var seen uint64
	var out int64
	all.Buckets(func(b hist.Bucket) bool {
		c := b.Count - min(b.Count, minus[b.Lo])
		seen += c
		if c > 0 && seen >= rank {
			out = b.Lo + (b.Hi-b.Lo)/2
			return false
		}
		return true
	})
	return out
}

// auc is the probability that a value of sub exceeds a value of the rest
// of all (ties count half): 0.5 when sub is no slower, 1 when every value
// of sub is slower. z is its distance from 0.5 in standard errors of the
// Mann-Whitney statistic, so that small groups need a larger gap.
func auc(all, sub *hist.Histogram) (a, z float64) {
	n1 := float64(sub.Count())
	n2 := float64(all.Count() - sub.Count())
	if n1 == 0 || n2 <= 0 {
		return 0.5, 0
	}
	under := make(map[int64]uint64)
	sub.Buckets(func(b hist.Bucket) bool {
		under[b.Lo] = b.Count
		return true
	})
	var below, wins float64
	all.Buckets(func(b hist.Bucket) bool {
		u := float64(min(under[b.Lo], b.Count))
		o := float64(b.Count) - u
		wins += u * (below + o/2)
		below += o
		return true
	})
	a = wins / (n1 * n2)
	se := math.Sqrt((n1 + n2 + 1) / (12 * n1 * n2))
	return a, (a - 0.5) / se
}
