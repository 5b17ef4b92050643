// Package shared owns the maps that every probe family sees as one: the
// traced processes, the loss counters and the sampling setting. They are
// created here, once, and handed to each family's collection as map
// replacements, so that a child the host family enrolls at fork is traced
// by the CUDA family at once and every counter has one home.
package shared

import (
	"errors"
	"fmt"

	"github.com/cilium/ebpf"
)

// Maps are the shared maps, created in the kernel.
type Maps struct {
	objs mapsObjects
}

// New creates the shared maps. It needs CAP_BPF (root).
func New() (*Maps, error) {
	m := &Maps{}
	if err := loadMapsObjects(&m.objs, nil); err != nil {
		return nil, fmt.Errorf("creating shared maps: %w", err)
	}
	return m, nil
}

// Replacements returns the shared maps by the names every family's C
// declares them with, for ebpf.CollectionOptions.MapReplacements.
func (m *Maps) Replacements() map[string]*ebpf.Map {
	return map[string]*ebpf.Map{
		mapsMapTargets:   m.objs.Targets,
		mapsMapDrops:     m.objs.Drops,
		mapsMapSampled:   m.objs.Sampled,
		mapsMapErrors:    m.objs.Errors,
		mapsMapSettings:  m.objs.Settings,
		mapsMapSampleSeq: m.objs.SampleSeq,
	}
}

// Close releases the maps; families that use them keep their own
// references until they close.
func (m *Maps) Close() error {
	return m.objs.Close()
}

// Spec returns the maps' specification without touching the kernel; tests
// use it to check record layouts.
func Spec() (*ebpf.CollectionSpec, error) {
	return loadMaps()
}

var errTooManyRanges = errors.New("more libcudart text ranges than the probes check")
