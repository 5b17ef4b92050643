package hist

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

func assertSame(t *testing.T, a, b *Histogram) {
	t.Helper()
	ea, _ := a.AppendBinary(nil)
	eb, _ := b.AppendBinary(nil)
	if !bytes.Equal(ea, eb) {
		t.Fatalf("histograms differ:\n%x\n%x", ea, eb)
	}
	for _, q := range quantiles {
		if a.Quantile(q) != b.Quantile(q) {
			t.Fatalf("Quantile(%v): %d vs %d", q, a.Quantile(q), b.Quantile(q))
		}
	}
	if a.Count() != b.Count() || a.Sum() != b.Sum() || a.Min() != b.Min() || a.Max() != b.Max() {
		t.Fatalf("summary differs: %d/%d/%d/%d vs %d/%d/%d/%d",
			a.Count(), a.Sum(), a.Min(), a.Max(), b.Count(), b.Sum(), b.Min(), b.Max())
	}
}

func TestMergeEqualsUnion(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	var a, b, union Histogram
	for i := range 20_000 {
		v := r.Int64N(1 << uint(10+r.IntN(30)))
		if i%3 == 0 {
			a.Record(v)
		} else {
			b.Record(v)
		}
		union.Record(v)
	}
	merged := a.Clone()
	merged.Merge(&b)
	assertSame(t, merged, &union)

	// Order does not matter, and merging into an empty histogram copies.
	other := b.Clone()
	other.Merge(&a)
	assertSame(t, other, &union)
	var empty Histogram
	empty.Merge(&union)
	assertSame(t, &empty, &union)
	union.Merge(&Histogram{})
	assertSame(t, &empty, &union)
}

func TestCloneIsIndependent(t *testing.T) {
	var h Histogram
	h.Record(1_000)
	c := h.Clone()
	c.Record(2_000_000)
	if h.Count() != 1 || h.Max() != 1_000 {
		t.Fatal("Clone shares storage with the original")
	}
}

func TestResetEmpties(t *testing.T) {
	var h, fresh Histogram
	h.Record(42_000)
	h.Reset()
	assertSame(t, &h, &fresh)
	h.Record(7)
	fresh.Record(7)
	assertSame(t, &h, &fresh)
}
