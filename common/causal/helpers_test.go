package causal

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"ingero.dev/common/event"
	"ingero.dev/common/hist"
)

func TestSeriesWidensAndKeepsSums(t *testing.T) {
	tb := newTimebase(0, 10e9)
	var s series
	var total int64
	rng := rand.New(rand.NewPCG(1, 2))
	var ts []int64
	for i := 0; i < 5000; i++ {
		t := rng.Int64N(int64(maxBuckets) * 5e9) // far past one-second buckets
		ts = append(ts, t)
		s.add(&tb, t, 3)
		total += 3
	}
	if tb.width != 8e9 {
		t.Errorf("width %d after %d s, want 8 s", tb.width, int64(maxBuckets)*5)
	}
	if got := s.sumRange(&tb, 0, maxBuckets); got != total {
		t.Errorf("sum %d, want %d", got, total)
	}
	// Every value sits in the bucket of its time under the final width.
	want := map[int]int64{}
	for _, t := range ts {
		want[int(t/tb.width)] += 3
	}
	for i, v := range want {
		if s.at(&tb, i) != v {
			t.Fatalf("bucket %d = %d, want %d", i, s.at(&tb, i), v)
		}
	}
	// A series created before the widening catches up when read.
	var early series
	tb2 := newTimebase(0, 0)
	early.add(&tb2, 1.5e9, 7)
	var other series
	other.add(&tb2, int64(maxBuckets)*3e9/2, 1)
	if early.at(&tb2, 0) != 7 || tb2.width != 2e9 {
		t.Errorf("early series %v width %d", early.vals, tb2.width)
	}
}

func TestLevelKeepsLastValue(t *testing.T) {
	var l level
	for i := int64(0); i < 3*maxBuckets; i++ {
		l.set(i*1e9+5, i)
	}
	ts, vs := l.points()
	if len(ts) > maxBuckets || vs[len(vs)-1] != 3*maxBuckets-1 {
		t.Fatalf("%d points, last %d", len(ts), vs[len(vs)-1])
	}
	for i := 1; i < len(vs); i++ {
		if vs[i] <= vs[i-1] || ts[i] <= ts[i-1] {
			t.Fatalf("points not increasing at %d", i)
		}
	}
}

func TestHistogramDifferences(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var all, sub hist.Histogram
	var rest, under []int64
	for i := 0; i < 20000; i++ {
		v := int64(1e6 * math.Exp(rng.NormFloat64()*0.5))
		all.Record(v)
		if rng.IntN(3) == 0 {
			v2 := v * 2
			all.Record(v2)
			sub.Record(v2)
			under = append(under, v2)
		}
		rest = append(rest, v)
	}
	slices.Sort(rest)
	for _, q := range []float64{0.1, 0.5, 0.9} {
		want := rest[hist.NearestRank(q, uint64(len(rest)))-1]
		got := quantileWithout(&all, &sub, q)
		if math.Abs(float64(got-want)) > 0.01*float64(want) {
			t.Errorf("q%v without: %d, exact %d", q, got, want)
		}
	}
	// Brute-force AUC on a sample, against the histogram's.
	var wins float64
	for _, u := range under[:500] {
		for i := 0; i < 2000; i++ {
			o := rest[i*len(rest)/2000]
			switch {
			case u > o:
				wins++
			case u == o:
				wins += 0.5
			}
		}
	}
	a, z := auc(&all, &sub)
	if want := wins / (500 * 2000); math.Abs(a-want) > 0.03 || z < 10 {
		t.Errorf("auc %v (z %v), brute force %v", a, z, want)
	}
	if a, _ := auc(&all, &hist.Histogram{}); a != 0.5 {
		t.Errorf("auc of nothing %v", a)
	}
	thr := rest[len(rest)/2]
	var n int64
	for _, v := range rest {
		if v > thr {
			n++
		}
	}
	for _, v := range under {
		if v > thr {
			n++
		}
	}
	if got := countAbove(&all, thr); math.Abs(float64(got-n)) > 0.01*float64(n) {
		t.Errorf("countAbove %d, exact %d", got, n)
	}
}

func TestFitLine(t *testing.T) {
	ts := []int64{0, 1e9, 2e9, 3e9, 4e9}
	slope, r2 := fitLine(ts, []int64{10, 20, 30, 40, 50})
	if math.Abs(slope*1e9-10) > 1e-9 || math.Abs(r2-1) > 1e-9 {
		t.Errorf("slope %v r2 %v", slope, r2)
	}
	if _, r2 := fitLine(ts, []int64{10, 50, 10, 50, 10}); r2 > 0.1 {
		t.Errorf("zigzag r2 %v", r2)
	}
}

func TestFormat(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{fmtCount(847), "847"}, {fmtCount(12847), "12,847"}, {fmtCount(-1234567), "-1,234,567"},
		{fmtBytes(512), "512 B"}, {fmtBytes(256 << 20), "256 MiB"}, {fmtBytes(1288490188), "1.2 GiB"},
		{fmtPct(0.37), "37%"}, {fmtPct(0.004), "0.4%"}, {fmtX(8.46), "8.5x"},
		{fmtRate(256<<20, 21e6), "12.8 GB/s"}, {procName("", 7), "(PID 7)"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

func TestRankBySeverityThenStrength(t *testing.T) {
	mk := func(id string, sev event.Severity, strength float64) *finding {
		return &finding{Chain: event.Chain{ID: id, Severity: sev}, strength: strength}
	}
	weak := mk("a", event.SeverityHigh, 0.1)
	strong := mk("a", event.SeverityHigh, 0.4)
	got := rank([]*finding{
		mk("m", event.SeverityMedium, 0.9), weak, mk("b", event.SeverityHigh, 0.2), strong, mk("l", event.SeverityLow, 1),
	})
	var ids []string
	for _, c := range got {
		ids = append(ids, c.ID)
	}
	if !slices.Equal(ids, []string{"a", "b", "m", "l"}) {
		t.Errorf("order %v", ids)
	}
	if weak.strength != 0.1 {
		t.Error("rank changed a finding")
	}
}
