package hist

import (
	"math"
	"math/rand/v2"
	"testing"
)

// latencies is a realistic spread: log-normal around 20µs.
func latencies(n int) []int64 {
	r := rand.New(rand.NewPCG(7, 8))
	out := make([]int64, n)
	for i := range out {
		out[i] = int64(math.Exp(r.NormFloat64()*1.5 + math.Log(20_000)))
	}
	return out
}

func BenchmarkRecord(b *testing.B) {
	vals := latencies(1 << 16)
	var h Histogram
	i := 0
	for b.Loop() {
		h.Record(vals[i&(1<<16-1)])
		i++
	}
}

func BenchmarkMerge(b *testing.B) {
	var src, dst Histogram
	for _, v := range latencies(100_000) {
		src.Record(v)
	}
	for b.Loop() {
		dst.Merge(&src)
	}
}

func BenchmarkQuantile(b *testing.B) {
	var h Histogram
	for _, v := range latencies(100_000) {
		h.Record(v)
	}
	for b.Loop() {
		_ = h.Quantile(0.99)
	}
}

func BenchmarkAppendBinary(b *testing.B) {
	var h Histogram
	for _, v := range latencies(100_000) {
		h.Record(v)
	}
	buf := make([]byte, 0, 4096)
	for b.Loop() {
		buf, _ = h.AppendBinary(buf[:0])
	}
	b.ReportMetric(float64(len(buf)), "bytes")
}

func BenchmarkUnmarshalBinary(b *testing.B) {
	var h Histogram
	for _, v := range latencies(100_000) {
		h.Record(v)
	}
	enc, _ := h.MarshalBinary()
	var d Histogram
	for b.Loop() {
		if err := d.UnmarshalBinary(enc); err != nil {
			b.Fatal(err)
		}
	}
}
