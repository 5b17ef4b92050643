package hist

import "math"

// NearestRank is the 1-based rank that quantile q selects among n sorted
// values: ceil(q·n) clamped to [1, n]. Exact percentiles elsewhere in
// ingero use it too, so histogram and exact answers agree on which value
// is meant. A tiny epsilon keeps float artefacts such as 0.95·100 =
// 95.00000000000001 from moving the rank up by one.
func NearestRank(q float64, n uint64) uint64 {
	if n == 0 {
		return 0
	}
	r := math.Ceil(q*float64(n) - 1e-9)
	switch {
	case !(r >= 1): // also catches NaN
		return 1
	case r >= float64(n):
		return n
	}
	return uint64(r)
}

// Quantile returns the nearest-rank q-quantile (0 ≤ q ≤ 1) as described
// in the package documentation; 0 when the histogram is empty.
func (h *Histogram) Quantile(q float64) int64 {
	if h.count == 0 {
		return 0
	}
	rank := NearestRank(q, h.count)
	if rank == 1 {
		return h.min
	}
	if rank == h.count {
		return h.max
	}
	var seen uint64
	for oct, o := range h.octaves {
		if o == nil {
			continue
		}
		for sub, n := range o {
			seen += n
			if seen >= rank {
				return min(max(bucketMid(oct, sub), h.min), h.max)
			}
		}
	}
	return h.max // unreachable while bucket counts sum to count
}

// Bucket is one non-empty bucket: Count values in [Lo, Hi].
type Bucket struct {
	Lo, Hi int64
	Count  uint64
}

// Buckets calls fn for every non-empty bucket in ascending order until fn
// returns false, for renderers that draw the distribution itself.
func (h *Histogram) Buckets(fn func(Bucket) bool) {
	for oct, o := range h.octaves {
		if o == nil {
			continue
		}
		for sub, n := range o {
			if n == 0 {
				continue
			}
			lo := bucketLo(oct, sub)
			if !fn(Bucket{Lo: lo, Hi: lo + bucketWidth(oct) - 1, Count: n}) {
				return
			}
		}
	}
}
