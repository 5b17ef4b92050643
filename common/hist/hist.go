package hist

import (
	"math"
)

// Histogram counts int64 nanosecond values in log-linear buckets.
type Histogram struct {
	count    uint64
	sum      int64
	min, max int64
	octaves  [numOctaves]*[subCount]uint64
}

// Record adds one value. It is the per-event hot path of trace: no
// allocation except the first time a value lands in a new octave.
func (h *Histogram) Record(v int64) {
	if v < 0 {
		v = 0
	}
	oct, sub := bucketOf(uint64(v))
	o := h.octaves[oct]
	if o == nil {
		o = h.grow(oct)
	}
	o[sub]++
	if h.count == 0 {
		h.min, h.max = v, v
	} else if v < h.min {
		h.min = v
	} else if v > h.max {
		h.max = v
	}
	h.count++
	h.sum = addSat(h.sum, v)
}

// grow is Record's cold path, kept out of line so Record stays small.
func (h *Histogram) grow(oct int) *[subCount]uint64 {
	o := new([subCount]uint64)
	h.octaves[oct] = o
	return o
}

// RecordN adds n copies of one value, for sources that are already
// aggregated, such as in-kernel histograms.
func (h *Histogram) RecordN(v int64, n uint64) {
	if n == 0 {
		return
	}
	if v < 0 {
		v = 0
	}
	oct, sub := bucketOf(uint64(v))
	if h.octaves[oct] == nil {
		h.octaves[oct] = new([subCount]uint64)
	}
	h.octaves[oct][sub] += n
	if h.count == 0 || v < h.min {
		h.min = v
	}
	if h.count == 0 || v > h.max {
		h.max = v
	}
	h.count += n
	h.sum = addSat(h.sum, mulSat(v, n))
}

// addSat adds two non-negative values, saturating at MaxInt64 instead of
// wrapping, so that a sum of huge values stays an upper bound.
func addSat(a, b int64) int64 {
	if s := a + b; s >= a {
		return s
	}
	return math.MaxInt64
}

func mulSat(v int64, n uint64) int64 {
	if n == 1 {
		return v
	}
	if v != 0 && n > uint64(math.MaxInt64/v) {
		return math.MaxInt64
	}
	return v * int64(n)
}

// Count is the number of recorded values.
func (h *Histogram) Count() uint64 { return h.count }

// Sum is the exact sum of the recorded values, saturating at MaxInt64.
func (h *Histogram) Sum() int64 { return h.sum }

// Min is the smallest recorded value, 0 when empty.
func (h *Histogram) Min() int64 { return h.min }

// Max is the largest recorded value, 0 when empty.
func (h *Histogram) Max() int64 { return h.max }

// Mean is Sum/Count, 0 when empty.
func (h *Histogram) Mean() float64 {
	if h.count == 0 {
		return 0
	}
	return float64(h.sum) / float64(h.count)
}

// Reset empties the histogram and keeps its octaves allocated for reuse.
func (h *Histogram) Reset() {
	for _, o := range h.octaves {
		if o != nil {
			*o = [subCount]uint64{}
		}
	}
	h.count, h.sum, h.min, h.max = 0, 0, 0, 0
}

// Merge adds every value of o to h, as if h had recorded them itself.
func (h *Histogram) Merge(o *Histogram) {
	if o.count == 0 {
		return
	}
	for i, src := range o.octaves {
		if src == nil {
			continue
		}
		dst := h.octaves[i]
		if dst == nil {
			dst = new([subCount]uint64)
			h.octaves[i] = dst
		}
		for j, n := range src {
			dst[j] += n
		}
	}
	if h.count == 0 || o.min < h.min {
		h.min = o.min
	}
	if h.count == 0 || o.max > h.max {
		h.max = o.max
	}
	h.count += o.count
	h.sum = addSat(h.sum, o.sum)
}

// Clone returns an independent copy.
func (h *Histogram) Clone() *Histogram {
	c := &Histogram{count: h.count, sum: h.sum, min: h.min, max: h.max}
	for i, o := range h.octaves {
		if o != nil {
			cp := *o
			c.octaves[i] = &cp
		}
	}
	return c
}
