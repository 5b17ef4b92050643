package batchtest

import (
	"slices"
	"testing"

	"ingero.dev/common/event"
)

// These tests hold the generators to their documentation, so that the
// benchmarks' bytes-per-event cannot improve by the data getting easier.

func TestLaunchStormIsDeterministic(t *testing.T) {
	a, b, c := LaunchStorm(5, 2000), LaunchStorm(5, 2000), LaunchStorm(6, 2000)
	if !slices.Equal(a, b) {
		t.Fatal("same seed, different events")
	}
	if slices.Equal(a, c) {
		t.Fatal("different seeds, same events")
	}
}

func TestLaunchStormLooksLikePyTorch(t *testing.T) {
	evs := LaunchStorm(1, 4096)
	if len(evs) != 4096 {
		t.Fatalf("%d events", len(evs))
	}
	fns := map[uint64]bool{}
	tids := map[uint32]bool{}
	var fnSeq []uint64
	var gaps []float64
	byKernel := map[uint64][]float64{} // the gap before each launch, by kernel
	var other int
	durs := map[int64]bool{}
	for i, ev := range evs {
		tids[ev.TID] = true
		if ev.PID != evs[0].PID {
			t.Fatal("more than one process")
		}
		if i > 0 {
			if ev.TimeNs <= evs[i-1].TimeNs {
				t.Fatal("time does not advance")
			}
			if ev.Op == event.CuLaunchKernel && evs[i-1].Op == event.CuLaunchKernel {
				gaps = append(gaps, float64(ev.TimeNs-evs[i-1].TimeNs))
				byKernel[ev.Args[0]] = append(byKernel[ev.Args[0]], gaps[len(gaps)-1])
			}
		}
		if ev.Source == event.SourceDriver && ev.Op == event.CuLaunchKernel {
			if ev.DurNs != 0 {
				t.Fatal("a launch has a duration")
			}
			fns[ev.Args[0]] = true
			fnSeq = append(fnSeq, ev.Args[0])
			continue
		}
		other++
		durs[ev.DurNs] = true
	}
	if len(fns) < 5 || len(fns) > 20 {
		t.Errorf("%d distinct kernels, want 5–20", len(fns))
	}
	if len(tids) > 2 {
		t.Errorf("%d threads", len(tids))
	}
	if frac := float64(other) / float64(len(evs)); frac < 0.01 || frac > 0.1 || len(durs) < other*9/10 {
		t.Errorf("%.1f%% copies and syncs with %d distinct durations", 100*frac, len(durs))
	}
	slices.Sort(gaps)
	if median := gaps[len(gaps)/2]; median < 5000 || median > 8000 {
		t.Errorf("median launch gap %.0f ns", median)
	}
	// Jitter: the same kernel's gaps must spread, not only the mix of
	// kernels with different typical gaps.
	var iqrs []float64
	for _, g := range byKernel {
		slices.Sort(g)
		iqrs = append(iqrs, g[len(g)*3/4]-g[len(g)/4])
	}
	slices.Sort(iqrs)
	if iqr := iqrs[len(iqrs)/2]; iqr < 400 {
		t.Errorf("median interquartile range of a kernel's gaps is %.0f ns", iqr)
	}
	for period := 1; period <= len(fnSeq)/2; period++ {
		if slices.Equal(fnSeq[period:], fnSeq[:len(fnSeq)-period]) {
			t.Fatalf("the kernel sequence repeats exactly every %d launches", period)
		}
	}
}

func TestMixedMergesHostEvents(t *testing.T) {
	evs := Mixed(1, 4096)
	if len(evs) != 4096 {
		t.Fatalf("%d events", len(evs))
	}
	host := 0
	for i, ev := range evs {
		if i > 0 && ev.TimeNs < evs[i-1].TimeNs {
			t.Fatal("not in time order")
		}
		if ev.Source != event.SourceDriver && ev.Source != event.SourceCUDA {
			host++
		}
	}
	if host < 1100 || host > 1300 {
		t.Fatalf("%d host events of 4096", host)
	}
}
