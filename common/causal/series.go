package causal

import "math"

// maxBuckets bounds every series: when a window outgrows it, buckets
// double in width, so a day-long window costs what a minute does.
const maxBuckets = 2048

// timebase is the bucket grid that an engine's series share, so that one
// bucket index means the same seconds in every series.
type timebase struct {
	origin int64 // start of bucket 0, Unix ns
	width  int64 // bucket width in ns: one second times a power of two
}

func newTimebase(origin, spanNs int64) timebase {
	tb := timebase{origin: origin, width: 1e9}
	for spanNs/tb.width >= maxBuckets {
		tb.width *= 2
	}
	return tb
}

// index is the bucket of t; times before the origin fall in bucket 0.
func (tb *timebase) index(t int64) int {
	if t < tb.origin {
		return 0
	}
	i := (t - tb.origin) / tb.width
	for i >= maxBuckets {
		tb.width *= 2
		i = (t - tb.origin) / tb.width
	}
	return int(i)
}

// start is the time bucket i begins.
func (tb *timebase) start(i int) int64 { return tb.origin + int64(i)*tb.width }

// series sums a quantity per bucket of a timebase.
type series struct {
	width int64
	vals  []int64
}

func (s *series) add(tb *timebase, t, v int64) {
	i := tb.index(t)
	s.sync(tb)
	if i >= len(s.vals) {
		s.vals = append(s.vals, make([]int64, i+1-len(s.vals))...)
	}
	s.vals[i] += v
}

// sync merges pairs of buckets until the series matches the timebase.
func (s *series) sync(tb *timebase) {
	if s.width == 0 || len(s.vals) == 0 {
		s.width = tb.width
		return
	}
	for s.width < tb.width {
		for i := 0; i < len(s.vals); i += 2 {
			v := s.vals[i]
			if i+1 < len(s.vals) {
				v += s.vals[i+1]
			}
			s.vals[i/2] = v
		}
		s.vals = s.vals[:(len(s.vals)+1)/2]
		s.width *= 2
	}
}

// at is bucket i's value (0 past the end), after syncing to tb.
func (s *series) at(tb *timebase, i int) int64 {
	s.sync(tb)
	if i < 0 || i >= len(s.vals) {
		return 0
	}
	return s.vals[i]
}

// sumRange sums buckets [lo, hi).
func (s *series) sumRange(tb *timebase, lo, hi int) int64 {
	var n int64
	for i := lo; i < hi; i++ {
		n += s.at(tb, i)
	}
	return n
}

// level records the last value seen in each bucket, such as the bytes a
// process holds: a gauge, where a series is a counter. It keeps its own
// timebase because the memory-leak rule outlives live windows.
type level struct {
	tb   timebase
	vals []int64 // math.MinInt64 marks an empty bucket
}

const noValue = math.MinInt64

func (l *level) set(t, v int64) {
	if l.tb.width == 0 {
		l.tb = newTimebase(t-t%1e9, 0)
	}
	w := l.tb.width
	i := l.tb.index(t)
	for w < l.tb.width {
		for j := 0; j < len(l.vals); j += 2 {
			v := l.vals[j]
			if j+1 < len(l.vals) && l.vals[j+1] != noValue {
				v = l.vals[j+1]
			}
			l.vals[j/2] = v
		}
		l.vals = l.vals[:(len(l.vals)+1)/2]
		w *= 2
	}
	for len(l.vals) <= i {
		l.vals = append(l.vals, noValue)
	}
	l.vals[i] = v
}

// points returns (bucket start, value) for every bucket with a value.
func (l *level) points() (ts, vs []int64) {
	for i, v := range l.vals {
		if v != noValue {
			ts = append(ts, l.tb.start(i))
			vs = append(vs, v)
		}
	}
	return ts, vs
}
