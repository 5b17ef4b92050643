// Package cuda loads and attaches the CUDA uprobe family: libcudart
// (source cuda) and libcuda (source driver). Probes attach once per
// library file for every process (pid -1) and filter in the kernel on the
// shared target map, so a process that starts later is traced as soon as
// it is tracked. bpf/README.md explains how each call is counted once.
package cuda

import (
	"fmt"
	"sync"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/features"
	"github.com/cilium/ebpf/link"

	"ingero.dev/bpf/ring"
	"ingero.dev/bpf/shared"
	"ingero.dev/common/event"
)

// DefaultRingBytes is the ring size when Options.RingBytes is 0: about
// 80,000 records, a quarter second of a launch storm at full speed.
const DefaultRingBytes = 8 << 20

// ReturnMode says where return probes attach.
type ReturnMode uint8

const (
	// ReturnSystemWide attaches return probes for every process, like the
	// entries. Safe where the kernel lets the uretprobe syscall through any
	// seccomp filter (package seccomp decides).
	ReturnSystemWide ReturnMode = iota
	// ReturnPerProcess attaches return probes per traced process, only for
	// those whose seccomp filter allows them; the others get entry records.
	ReturnPerProcess
)

// Options configure a Tracer.
type Options struct {
	// RingBytes is the ring buffer size: a power of two of at least 4096.
	RingBytes int
	// LaunchLatency adds return probes on launches, for launch durations.
	LaunchLatency bool
	// RuntimeLaunches counts every process's launches at the runtime's
	// cudaLaunchKernel (both layers attached: a debug mode that costs a
	// second trap per launch). Off, launches count at the driver once
	// calibration saw the driver below the runtime.
	RuntimeLaunches bool
	ReturnProbes    ReturnMode
	// Calibrate is how often Refresh runs: launch layers are re-evaluated
	// and exited processes forgotten (1 s).
	Calibrate time.Duration
	// Clock maps kernel time to wall time; pass one ring.NewClock() to
	// every family so that all events share one time base. Zero measures
	// a clock at Load.
	Clock ring.Clock
	// Reader tunes the ring reader (batch size, poll deadline).
	Reader ring.Options
	// Stacks, when set, has every record carry the calling thread's user
	// stack (--stack), which it turns into the event's StackID.
	Stacks StackResolver
}

// StackResolver turns the return addresses of a call's user stack,
// innermost first, into a stored stack's ID (package stacks).
type StackResolver interface {
	Resolve(pid, tid uint32, ips []uint64) uint64
}

// haveUprobeMulti is a variable so that tests can take the older kernels'
// path (one perf link per function) here too.
var haveUprobeMulti = func() bool { return features.HaveBPFLinkUprobeMulti() == nil }

// Tracer is a loaded CUDA probe family.
type Tracer struct {
	opts   Options
	maps   *shared.Maps
	coll   *ebpf.Collection
	reader *ring.Reader
	dec    *decoder

	multi bool // links are uprobe_multi (Linux 6.6+), else one perf link per function

	mu       sync.Mutex
	links    []link.Link
	attached map[fileID]string
	procs    map[uint32]*proc
	pyGen    uint32 // the last description given to the kernel walker

	stop chan struct{}
	bg   *ring.Background
	wg   sync.WaitGroup // the calibration loop
}

// Load loads the programs into the kernel, sharing m's maps. Nothing is
// attached yet.
func Load(m *shared.Maps, opts Options) (*Tracer, error) {
	if opts.Clock == (ring.Clock{}) {
		opts.Clock = ring.NewClock()
	}
	if opts.Calibrate <= 0 {
		opts.Calibrate = time.Second
	}
	spec, err := loadCuda()
	if err != nil {
		return nil, err
	}
	if opts.RingBytes, err = ring.Configure(spec, cudaMapCudaEvents, cudaVarWakeBytes, opts.RingBytes, DefaultRingBytes); err != nil {
		return nil, err
	}
	if err := spec.Variables[cudaVarLaunchLatency].Set(opts.LaunchLatency); err != nil {
		return nil, fmt.Errorf("setting launch latency: %w", err)
	}
	if err := spec.Variables[cudaVarCaptureStack].Set(opts.Stacks != nil); err != nil {
		return nil, fmt.Errorf("setting stack capture: %w", err)
	}
	if err := spec.Variables[cudaVarPyWalk].Set(kernelPy(opts) != nil); err != nil {
		return nil, fmt.Errorf("setting the kernel Python walker: %w", err)
	}
	if kernelPy(opts) == nil {
		// An LRU map's entries are allocated up front: 12 MiB of code
		// objects that only the kernel walker fills.
		spec.Maps[cudaMapPyCodes].MaxEntries = 1
		spec.Maps[cudaMapPyTstates].MaxEntries = 1
	}
	multi := haveUprobeMulti()
	if !multi {
		// Older kernels: the same programs, attached per function.
		for _, p := range spec.Programs {
			if p.AttachType == ebpf.AttachTraceUprobeMulti {
				p.AttachType = ebpf.AttachNone
			}
		}
	}
	coll, err := ebpf.NewCollectionWithOptions(spec, ebpf.CollectionOptions{MapReplacements: m.Replacements()})
	if err != nil {
		return nil, fmt.Errorf("loading cuda probes: %w", err)
	}
	t := &Tracer{
		opts:     opts,
		maps:     m,
		multi:    multi,
		coll:     coll,
		dec:      newDecoder(opts.Clock, opts.Stacks, kernelPy(opts), pyCodes{coll.Maps[cudaMapPyCodes]}.read),
		attached: map[fileID]string{},
		procs:    map[uint32]*proc{},
		stop:     make(chan struct{}),
	}
	t.reader, err = ring.NewReader(coll.Maps[cudaMapCudaEvents], t.dec.decode, opts.Reader)
	if err != nil {
		coll.Close()
		return nil, err
	}
	t.bg = ring.NewBackground(t.reader)
	// Call state dies with its thread, whatever the tracked processes.
	for _, p := range []string{cudaProgCudaThreadExit, cudaProgCudaExec} {
		l, err := link.AttachTracing(link.TracingOptions{Program: coll.Programs[p]})
		if err != nil {
			t.Close()
			return nil, fmt.Errorf("attaching %s: %w", p, err)
		}
		t.links = append(t.links, l)
	}
	return t, nil
}

// Clock is the kernel-to-wall mapping the Tracer's events use.
func (t *Tracer) Clock() ring.Clock { return t.dec.clock }

// Start reads records into batches for sink, from a goroutine of its own,
// until Close. sink must not keep the slice (see ring.Reader.Run).
func (t *Tracer) Start(sink func([]event.Event)) {
	t.bg.Start(sink)
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		tick := time.NewTicker(t.opts.Calibrate)
		defer tick.Stop()
		for {
			select {
			case <-t.stop:
				return
			case <-tick.C:
				t.Refresh()
			}
		}
	}()
}

// Err returns why reading stopped before Close, if it did: a ring that
// could not be read.
func (t *Tracer) Err() error { return t.bg.Err() }

// Stats returns the reader's counts; kernel losses are in shared.Counters.
func (t *Tracer) Stats() ring.Stats { return t.reader.Stats() }

// Close detaches every probe, delivers what is left in the ring, and
// releases everything. Safe to call once, with or without Start.
func (t *Tracer) Close() error {
	t.mu.Lock()
	links := t.links
	t.links = nil
	for _, p := range t.procs {
		links = append(links, p.links()...)
	}
	t.procs = map[uint32]*proc{}
	t.mu.Unlock()
	closeAll(links)
	close(t.stop)
	// Detached, so nothing more arrives: deliver what is left.
	err := t.bg.Stop()
	t.wg.Wait()
	t.coll.Close()
	return err
}
