package shared

import "testing"

func TestAdaptiveRaisesUnderSustainedDropsAndLowersWhenQuiet(t *testing.T) {
	var a Adaptive
	steps := []struct {
		drops   uint64
		every   uint32
		changed bool
	}{
		{100, 1, false}, // primes the baseline
		{200, 1, false}, // one lossy second is not sustained
		{300, 2, true},
		{300, 2, false},
		{400, 2, false},
		{500, 4, true},
	}
	for i, s := range steps {
		every, changed := a.Tick(s.drops)
		if every != s.every || changed != s.changed {
			t.Fatalf("step %d (drops %d): got 1 in %d changed %v, want 1 in %d changed %v",
				i, s.drops, every, changed, s.every, s.changed)
		}
	}
	for i := 0; i < 9; i++ {
		if every, changed := a.Tick(500); changed {
			t.Fatalf("lowered to %d after %d quiet ticks", every, i+1)
		}
	}
	if every, changed := a.Tick(500); !changed || every != 2 {
		t.Errorf("after 10 quiet ticks: 1 in %d, changed %v", every, changed)
	}
}

func TestAdaptiveStopsAtMax(t *testing.T) {
	a := Adaptive{MaxEvery: 4, RaiseTick: 1}
	drops := uint64(0)
	for range 10 {
		drops += 10
		a.Tick(drops)
	}
	if every, _ := a.Tick(drops + 10); every != 4 {
		t.Errorf("1 in %d, want the maximum 4", every)
	}
}

func TestTargetValueRefusesTooManyRanges(t *testing.T) {
	_, err := Target{CudartText: make([]Range, MaxRanges+1)}.value()
	if err == nil {
		t.Error("five ranges accepted")
	}
	v, err := Target{ReturnProbes: true, CudartText: []Range{{1, 2}, {3, 4}}}.value()
	if err != nil || v.Nranges != 2 || v.Flags != flagReturnProbes || v.Hi[1] != 4 {
		t.Errorf("value %+v, %v", v, err)
	}
	if s := stateOf(&v); !s.ReturnProbes || s.RuntimeLaunch || len(s.CudartText) != 2 || s.CudartText[1] != (Range{3, 4}) {
		t.Errorf("round trip: %+v", s)
	}
}
