package shared

import (
	"errors"
	"fmt"

	"github.com/cilium/ebpf"
)

// MaxRanges is how many libcudart text ranges one process may register.
const MaxRanges = 4

// Flags of a traced process, as the probes read them (ingero.h).
const (
	flagReturnProbes  = 0x1
	flagRuntimeLaunch = 0x2
	flagForked        = 0x4
	flagRetGlobal     = 0x8
	flagRTGlobal      = 0x10
)

// Range is a half-open range of user addresses [Lo, Hi).
type Range struct{ Lo, Hi uint64 }

// Target is what the probes know of one traced process.
type Target struct {
	// ReturnProbes says return probes may fire in the process: its seccomp
	// filter lets the uretprobe syscall through (package seccomp).
	ReturnProbes bool
	// RuntimeLaunch says the runtime's cudaLaunchKernel probe counts the
	// process's launches, so the driver probe skips launches whose caller
	// lies in libcudart.
	RuntimeLaunch bool
	// CudartText holds the text ranges of the libcudart copies the process
	// maps; a driver launch called from one is a runtime launch.
	CudartText []Range
	// GlobalReturns and GlobalRuntimeLaunch say the probes behind
	// ReturnProbes and RuntimeLaunch are attached for every process, so
	// that a child enrolled at fork keeps them. Probes attached for this
	// pid alone do not fire in a child: it starts without them (entry
	// records, launches at the driver) until user space adds it.
	GlobalReturns       bool
	GlobalRuntimeLaunch bool
}

// TargetState is a Target as the kernel holds it now.
type TargetState struct {
	Target
	// Forked says the kernel enrolled the process when a traced parent
	// forked it.
	Forked bool
	// RuntimeLaunches and SeenByDriver count, while RuntimeLaunch is set,
	// the runtime launches and how many of them the driver probe saw below.
	RuntimeLaunches, SeenByDriver uint64
}

// Track adds or replaces a traced process.
func (m *Maps) Track(pid uint32, t Target) error {
	v, err := t.value()
	if err != nil {
		return fmt.Errorf("tracking pid %d: %w", pid, err)
	}
	if err := m.objs.Targets.Update(pid, &v, ebpf.UpdateAny); err != nil {
		return fmt.Errorf("tracking pid %d: %w", pid, err)
	}
	return nil
}

// Untrack stops tracing a process; an unknown pid is not an error.
func (m *Maps) Untrack(pid uint32) error {
	err := m.objs.Targets.Delete(pid)
	if err != nil && !errors.Is(err, ebpf.ErrKeyNotExist) {
		return fmt.Errorf("untracking pid %d: %w", pid, err)
	}
	return nil
}

// Lookup returns the kernel's view of a traced process.
func (m *Maps) Lookup(pid uint32) (TargetState, bool, error) {
	var v mapsTarget
	if err := m.objs.Targets.Lookup(pid, &v); err != nil {
		if errors.Is(err, ebpf.ErrKeyNotExist) {
			return TargetState{}, false, nil
		}
		return TargetState{}, false, fmt.Errorf("looking up pid %d: %w", pid, err)
	}
	return stateOf(&v), true, nil
}

// SetRuntimeLaunch flips where a process's launches count, keeping what
// else the kernel holds for it. It is one map update, so no launch is
// counted twice or missed at the switch.
func (m *Maps) SetRuntimeLaunch(pid uint32, on bool) error {
	var v mapsTarget
	if err := m.objs.Targets.Lookup(pid, &v); err != nil {
		return fmt.Errorf("looking up pid %d: %w", pid, err)
	}
	v.Flags &^= flagRuntimeLaunch
	if on {
		v.Flags |= flagRuntimeLaunch
	}
	if err := m.objs.Targets.Update(pid, &v, ebpf.UpdateExist); err != nil {
		return fmt.Errorf("updating pid %d: %w", pid, err)
	}
	return nil
}

// PIDs lists the traced processes, including those the kernel enrolled.
func (m *Maps) PIDs() ([]uint32, error) {
	var pids []uint32
	var pid uint32
	it := m.objs.Targets.Iterate()
	var v mapsTarget
	for it.Next(&pid, &v) {
		pids = append(pids, pid)
	}
	if err := it.Err(); err != nil {
		return nil, fmt.Errorf("listing traced pids: %w", err)
	}
	return pids, nil
}

func (t Target) value() (mapsTarget, error) {
	var v mapsTarget
	if len(t.CudartText) > MaxRanges {
		return v, fmt.Errorf("%d ranges: %w", len(t.CudartText), errTooManyRanges)
	}
	if t.ReturnProbes {
		v.Flags |= flagReturnProbes
	}
	if t.RuntimeLaunch {
		v.Flags |= flagRuntimeLaunch
	}
	if t.GlobalReturns {
		v.Flags |= flagRetGlobal
	}
	if t.GlobalRuntimeLaunch {
		v.Flags |= flagRTGlobal
	}
	for i, r := range t.CudartText {
		v.Lo[i], v.Hi[i] = r.Lo, r.Hi
	}
	v.Nranges = uint32(len(t.CudartText))
	return v, nil
}

func stateOf(v *mapsTarget) TargetState {
	s := TargetState{
		Target: Target{
			ReturnProbes:        v.Flags&flagReturnProbes != 0,
			RuntimeLaunch:       v.Flags&flagRuntimeLaunch != 0,
			GlobalReturns:       v.Flags&flagRetGlobal != 0,
			GlobalRuntimeLaunch: v.Flags&flagRTGlobal != 0,
		},
		Forked:          v.Flags&flagForked != 0,
		RuntimeLaunches: v.RtLaunches,
		SeenByDriver:    v.RtSeenByDriver,
	}
	for i := 0; i < int(min(v.Nranges, MaxRanges)); i++ {
		s.CudartText = append(s.CudartText, Range{v.Lo[i], v.Hi[i]})
	}
	return s
}
