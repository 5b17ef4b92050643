package shared

import "fmt"

// SetSampling makes the cuda, driver and graph probes keep one record in
// every. 0 and 1 keep all. Host records are never sampled.
func (m *Maps) SetSampling(every uint32) error {
	v := mapsSettings{SampleEvery: every}
	if err := m.objs.Settings.Update(uint32(0), &v, 0); err != nil {
		return fmt.Errorf("setting sampling to 1 in %d: %w", every, err)
	}
	return nil
}

// Sampling returns the current 1-in-N setting (0 or 1: all).
func (m *Maps) Sampling() (uint32, error) {
	var v mapsSettings
	if err := m.objs.Settings.Lookup(uint32(0), &v); err != nil {
		return 0, fmt.Errorf("reading sampling: %w", err)
	}
	return v.SampleEvery, nil
}

// Adaptive is --sampling-rate 0: it raises 1-in-N while the ring keeps
// losing records and lowers it again once the losses stop. Feed it the
// CUDA-side drop total once a second.
type Adaptive struct {
	every     uint32
	last      uint64
	lossy     int // consecutive ticks with new drops
	quiet     int // consecutive ticks without
	primed    bool
	MaxEvery  uint32 // the coarsest rate it will use; default 1<<16
	RaiseTick int    // ticks of drops before doubling; default 2
	LowerTick int    // quiet ticks before halving; default 10
}

// Tick takes the current drop total and returns the rate to use, and
// whether it changed. The first tick only primes the baseline.
func (a *Adaptive) Tick(drops uint64) (every uint32, changed bool) {
	if a.every == 0 {
		a.every = 1
	}
	if !a.primed {
		a.primed, a.last = true, drops
		return a.every, false
	}
	grew := drops > a.last
	a.last = drops
	if grew {
		a.lossy, a.quiet = a.lossy+1, 0
	} else {
		a.lossy, a.quiet = 0, a.quiet+1
	}
	switch {
	case a.lossy >= orDefault(a.RaiseTick, 2) && a.every < orDefault(a.MaxEvery, 1<<16):
		a.every *= 2
		a.lossy = 0
		return a.every, true
	case a.quiet >= orDefault(a.LowerTick, 10) && a.every > 1:
		a.every /= 2
		a.quiet = 0
		return a.every, true
	}
	return a.every, false
}

func orDefault[T int | uint32](v, def T) T {
	if v == 0 {
		return def
	}
	return v
}
