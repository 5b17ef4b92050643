// Package blockio loads and attaches the block IO family: every read,
// write, discard and flush request that reaches a block device driver,
// host-wide, timed from issue to completion and charged to the task that
// submitted it (see blockio.c for what that task is). Records are never
// sampled.
package blockio

import (
	"errors"
	"fmt"
	"sync"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/btf"
	"github.com/cilium/ebpf/link"

	"ingero.dev/bpf/ring"
	"ingero.dev/bpf/shared"
	"ingero.dev/common/event"
)

// DefaultRingBytes is the ring size when Options.RingBytes is 0: about
// 11,000 records of 96 bytes, one 50 ms reader poll at 200,000 requests a
// second.
const DefaultRingBytes = 1 << 20

// Options configure a Tracer.
type Options struct {
	// RingBytes is the ring buffer size: a power of two of at least 4096.
	RingBytes int
	// Clock maps kernel time to wall time; pass the one ring.NewClock()
	// every family shares. Zero measures a clock at Load.
	Clock ring.Clock
	// Reader tunes the ring reader.
	Reader ring.Options
}

// Tracer is a loaded block IO probe family.
type Tracer struct {
	coll   *ebpf.Collection
	reader *ring.Reader
	dec    *decoder
	// bySubmitter says block_io_start loaded: requests are charged to the
	// task that submitted them rather than the one that issued them.
	bySubmitter bool

	mu     sync.Mutex
	links  []link.Link
	closed bool
	// unmatched and missed are the counts Close read last, for
	// Unmatched and Missed after it.
	unmatched, missed uint64
	bg                *ring.Background
}

// Load loads the programs into the kernel, sharing m's maps.
func Load(m *shared.Maps, opts Options) (*Tracer, error) {
	if opts.Clock == (ring.Clock{}) {
		opts.Clock = ring.NewClock()
	}
	spec, err := loadBlockio()
	if err != nil {
		return nil, err
	}
	if _, err = ring.Configure(spec, blockioMapIoEvents, blockioVarWakeBytes, opts.RingBytes, DefaultRingBytes); err != nil {
		return nil, err
	}
	bySubmitter, err := kernelHasTracepoint("block_io_start")
	if err != nil {
		return nil, err
	}
	if !bySubmitter {
		// A tp_btf program whose tracepoint the kernel lacks fails the
		// whole collection; the family works without it (see Attach).
		delete(spec.Programs, blockioProgBlockIoStart)
	}
	coll, err := ebpf.NewCollectionWithOptions(spec, ebpf.CollectionOptions{MapReplacements: m.Replacements()})
	if err != nil {
		return nil, fmt.Errorf("loading block IO probes: %w", err)
	}
	t := &Tracer{coll: coll, dec: newDecoder(opts.Clock), bySubmitter: bySubmitter}
	t.reader, err = ring.NewReader(coll.Maps[blockioMapIoEvents], t.dec.decode, opts.Reader)
	if err != nil {
		coll.Close()
		return nil, err
	}
	t.bg = ring.NewBackground(t.reader)
	return t, nil
}

// kernelHasTracepoint reports whether the running kernel's BTF declares
// the BTF tracepoint name.
func kernelHasTracepoint(name string) (bool, error) {
	k, err := btf.LoadKernelSpec()
	if err != nil {
		return false, fmt.Errorf("reading kernel BTF: %w", err)
	}
	var td *btf.Typedef
	err = k.TypeByName("btf_trace_"+name, &td)
	if errors.Is(err, btf.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("looking up tracepoint %s in kernel BTF: %w", name, err)
	}
	return true, nil
}

// Attach attaches the tracepoints. A kernel without block_io_start (before
// Linux 6.5) comes back as a warning: requests are then charged to the
// task that issued them to the driver, at times a kblockd worker.
func (t *Tracer) Attach() (warnings []error, err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	names := []string{blockioProgBlockRqMerge, blockioProgBlockRqRequeue, blockioProgBlockRqIssue, blockioProgBlockRqComplete}
	if t.bySubmitter {
		names = append(names, blockioProgBlockIoStart)
	} else {
		warnings = append(warnings, errors.New("this kernel has no block_io_start tracepoint (Linux 6.5+): block requests are charged to the task that issued them, at times a kblockd worker, not the one that submitted them"))
	}
	for _, name := range names {
		l, err := link.AttachTracing(link.TracingOptions{Program: t.coll.Programs[name]})
		if err != nil {
			return nil, fmt.Errorf("attaching tracepoint %s: %w", name, err)
		}
		t.links = append(t.links, l)
	}
	return warnings, nil
}

// Clock is the kernel-to-wall mapping the Tracer's events use.
func (t *Tracer) Clock() ring.Clock { return t.dec.clock }

// Start reads records into batches for sink until Close.
func (t *Tracer) Start(sink func([]event.Event)) {
	t.bg.Start(sink)
}

// Err returns why reading stopped before Close, if it did: a ring that
// could not be read.
func (t *Tracer) Err() error { return t.bg.Err() }

// Stats returns the reader's counts. Kernel losses are in shared.Counters:
// under event.SourceIO the records the ring had no room for, and as
// CallStateFull the requests the in-flight map had no room for. Requests
// whose completion the kernel never reported are counted by Missed.
func (t *Tracer) Stats() ring.Stats { return t.reader.Stats() }

// Unmatched counts completions whose issue the probes did not see:
// requests already in flight when they attached, or that could not be
// remembered (also counted as CallStateFull). They are not recorded.
// After Close it returns the count at Close.
func (t *Tracer) Unmatched() (uint64, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return t.unmatched, nil
	}
	return t.readCounter(blockioMapUnmatched)
}

// Missed counts requests whose completion never ran the probes (Linux 6.18
// skips about one in a thousand), found when their request slot is reused:
// their records are lost. After Close it returns the count at Close.
func (t *Tracer) Missed() (uint64, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return t.missed, nil
	}
	return t.readCounter(blockioMapMissed)
}

func (t *Tracer) readCounter(name string) (uint64, error) {
	var perCPU []uint64
	if err := t.coll.Maps[name].Lookup(uint32(0), &perCPU); err != nil {
		return 0, fmt.Errorf("reading the block IO counter %s: %w", name, err)
	}
	var n uint64
	for _, v := range perCPU {
		n += v
	}
	return n, nil
}

// Close detaches, delivers what is left and releases everything.
func (t *Tracer) Close() error {
	t.mu.Lock()
	links := t.links
	t.links = nil
	t.mu.Unlock()
	for _, l := range links {
		l.Close()
	}
	err := t.bg.Stop()
	t.mu.Lock()
	// They stay 0 if the maps cannot be read.
	t.unmatched, _ = t.readCounter(blockioMapUnmatched)
	t.missed, _ = t.readCounter(blockioMapMissed)
	t.closed = true
	t.coll.Close()
	t.mu.Unlock()
	return err
}
