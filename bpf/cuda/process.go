package cuda

import (
	"fmt"
	"time"

	"github.com/cilium/ebpf/link"

	"ingero.dev/bpf/shared"
)

// Library is one CUDA library file as a process maps it.
type Library struct {
	Path string
	// Text holds the executable ranges of the file in the process.
	Text []shared.Range
}

// Process describes a process to trace.
type Process struct {
	PID uint32
	// Runtime lists the libcudart copies it maps; Driver the libcuda ones.
	Runtime []Library
	Driver  []Library
	// ReturnProbes says its seccomp filter lets return probes run
	// (package seccomp). Without it, every call gets an entry record.
	ReturnProbes bool
}

// Layer is where a process's runtime launches are counted.
type Layer uint8

const (
	// LayerDriver: at the driver's cuLaunchKernel entry, attributed to the
	// runtime by the caller's address. One trap per launch.
	LayerDriver Layer = iota
	// LayerRuntime: at the runtime's cudaLaunchKernel entry; the driver
	// probe skips launches called from libcudart. Used until calibration
	// sees the driver below the runtime, and for good where it does not.
	LayerRuntime
)

func (l Layer) String() string {
	if l == LayerRuntime {
		return "runtime"
	}
	return "driver"
}

type proc struct {
	layer    Layer
	rtLinks  []link.Link // per-process runtime launch probes
	retLinks []link.Link // per-process return probes (ReturnPerProcess)
	lastRT   uint64
	lastSeen uint64
	detachAt time.Time // when rtLinks may go, after a switch to the driver
}

func (p *proc) links() []link.Link {
	return append(append([]link.Link(nil), p.rtLinks...), p.retLinks...)
}

// AddProcess starts tracing a process, or updates one already traced
// (after an exec, or when it maps a new library). Its launches start at
// the runtime layer until calibration settles them (README.md).
func (t *Tracer) AddProcess(p Process) error {
	// Mappings read now still hold when the process's last records are
	// read after it exited.
	if tr, ok := t.opts.Stacks.(interface{ Track(pid uint32) }); ok {
		tr.Track(p.PID)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if old, ok := t.procs[p.PID]; ok {
		closeAll(old.links())
		delete(t.procs, p.PID)
	}
	st := &proc{}
	var text []shared.Range
	for _, lib := range p.Runtime {
		text = append(text, lib.Text...)
	}
	if len(text) > shared.MaxRanges {
		text = text[:shared.MaxRanges]
	}
	rtLaunch := len(p.Runtime) > 0
	if rtLaunch && !t.opts.RuntimeLaunches {
		for _, lib := range p.Runtime {
			ls, err := t.attachRuntimeLaunch(lib.Path, p.PID, p.ReturnProbes)
			if err != nil {
				closeAll(st.links())
				return err
			}
			st.rtLinks = append(st.rtLinks, ls...)
		}
		// A libcudart without a launch symbol leaves launches to the driver.
		rtLaunch = len(st.rtLinks) > 0
	}
	if rtLaunch {
		st.layer = LayerRuntime
	}
	retOK := p.ReturnProbes
	if retOK && t.opts.ReturnProbes == ReturnPerProcess {
		ls, err := t.attachProcessReturns(p)
		if err != nil {
			closeAll(st.links())
			return err
		}
		st.retLinks = ls
	}
	target := shared.Target{
		ReturnProbes:        retOK,
		RuntimeLaunch:       rtLaunch,
		CudartText:          text,
		GlobalReturns:       t.opts.ReturnProbes == ReturnSystemWide,
		GlobalRuntimeLaunch: t.opts.RuntimeLaunches,
	}
	if err := t.describePython(p.PID); err != nil {
		closeAll(st.links())
		return err
	}
	if err := t.maps.Track(p.PID, target); err != nil {
		closeAll(st.links())
		return err
	}
	t.procs[p.PID] = st
	return nil
}

// RemoveProcess stops tracing a process and drops its own probes.
func (t *Tracer) RemoveProcess(pid uint32) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if p, ok := t.procs[pid]; ok {
		closeAll(p.links())
		delete(t.procs, pid)
	}
	if kernelPy(t.opts) != nil {
		if err := t.coll.Maps[cudaMapPyProcs].Delete(pid); err != nil && !isNotExist(err) {
			return fmt.Errorf("forgetting the interpreter of %d: %w", pid, err)
		}
	}
	return t.maps.Untrack(pid)
}

// LaunchLayer says where a traced process's runtime launches count now.
func (t *Tracer) LaunchLayer(pid uint32) (Layer, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	p, ok := t.procs[pid]
	if !ok {
		return 0, false
	}
	return p.layer, true
}

func (t *Tracer) attachRuntimeLaunch(path string, pid uint32, returns bool) ([]link.Link, error) {
	links, _, err := t.attachSet(path, runtimeLaunchProbes, pid, returns, true)
	if err != nil {
		return nil, fmt.Errorf("attaching runtime launch probes for pid %d: %w", pid, err)
	}
	return links, nil
}

func (t *Tracer) attachProcessReturns(p Process) ([]link.Link, error) {
	var links []link.Link
	for _, set := range []struct {
		libs   []Library
		probes []probe
	}{{p.Runtime, runtimeSet()}, {p.Driver, driverSet()}} {
		for _, lib := range set.libs {
			ls, _, err := t.attachSet(lib.Path, set.probes, p.PID, true, false)
			if err != nil {
				closeAll(links)
				return nil, fmt.Errorf("attaching return probes for pid %d: %w", p.PID, err)
			}
			links = append(links, ls...)
		}
	}
	return links, nil
}
