// Package memory loads and attaches the memory family: the page faults,
// reclaim and compaction stalls of traced threads, and each traced
// process's resident and swapped memory once a second. Faults are summed
// in the kernel (see memory.c); reclaim and compaction are one record each.
// Nothing is sampled.
package memory

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/btf"
	"github.com/cilium/ebpf/link"

	"ingero.dev/bpf/ring"
	"ingero.dev/bpf/shared"
	"ingero.dev/common/event"
)

// DefaultRingBytes is the ring size when Options.RingBytes is 0: about
// 2,900 stall records of 88 bytes, far more than one 50 ms poll sees.
const DefaultRingBytes = 1 << 18

// Options configure a Tracer.
type Options struct {
	// RingBytes is the ring buffer size: a power of two of at least 4096.
	RingBytes int
	// Summary is how often fault sums and memory usage are read (1 s).
	Summary time.Duration
	// Clock maps kernel time to wall time; pass the one ring.NewClock()
	// every family shares. Zero measures a clock at Load.
	Clock ring.Clock
	// Reader tunes the ring reader.
	Reader ring.Options

	// classifyByVMA takes the path of kernels without mm_filemap_fault,
	// for tests.
	classifyByVMA bool
}

// Tracer is a loaded memory probe family.
type Tracer struct {
	coll   *ebpf.Collection
	maps   *shared.Maps
	reader *ring.Reader
	dec    *decoder
	faults *faultDrain
	since  time.Time
	// byFilemap: mm_filemap_fault tells file faults from swap-ins.
	byFilemap bool

	mu    sync.Mutex
	links []link.Link
	bg    *ring.Background
}

// Load loads the programs into the kernel, sharing m's maps.
func Load(m *shared.Maps, opts Options) (*Tracer, error) {
	if opts.Clock == (ring.Clock{}) {
		opts.Clock = ring.NewClock()
	}
	if opts.Summary <= 0 {
		opts.Summary = time.Second
	}
	spec, err := loadMemory()
	if err != nil {
		return nil, err
	}
	if _, err = ring.Configure(spec, memoryMapMemEvents, memoryVarWakeBytes, opts.RingBytes, DefaultRingBytes); err != nil {
		return nil, err
	}
	byFilemap, err := kernelHasTracepoint("mm_filemap_fault")
	if err != nil {
		return nil, err
	}
	if byFilemap = byFilemap && !opts.classifyByVMA; !byFilemap {
		// A tp_btf program whose tracepoint the kernel lacks fails the
		// whole collection: faults are classed by their mapping instead.
		delete(spec.Programs, memoryProgFilemapFault)
		if err := spec.Variables[memoryVarClassifyByVma].Set(uint32(1)); err != nil {
			return nil, fmt.Errorf("configuring memory probes: %w", err)
		}
	}
	coll, err := ebpf.NewCollectionWithOptions(spec, ebpf.CollectionOptions{MapReplacements: m.Replacements()})
	if err != nil {
		return nil, fmt.Errorf("loading memory probes: %w", err)
	}
	t := &Tracer{coll: coll, maps: m, byFilemap: byFilemap, dec: &decoder{clock: opts.Clock}, since: time.Now()}
	t.faults = newFaultDrain(coll.Maps[memoryMapFaultSums], t.dec)
	ro := opts.Reader
	ro.Tick, ro.OnTick = opts.Summary, t.tick
	t.reader, err = ring.NewReader(coll.Maps[memoryMapMemEvents], t.dec.decode, ro)
	if err != nil {
		coll.Close()
		return nil, err
	}
	t.bg = ring.NewBackground(t.reader)
	return t, nil
}

// tick is the reader's OnTick: fault sums, then memory usage.
func (t *Tracer) tick(now time.Time, batch []event.Event) []event.Event {
	start := t.since.UnixNano()
	t.since = now
	batch = t.faults.drain(start, batch)
	pids, err := t.maps.PIDs()
	if err != nil {
		return batch
	}
	return usageEvents(now.UnixNano(), pids, batch)
}

// Attach attaches the tracepoints (BTF tracepoints: no tracefs needed).
// All are required.
func (t *Tracer) Attach() (warnings []error, err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, name := range []string{memoryProgPageFaultUser, memoryProgMemSchedSwitch,
		memoryProgDirectReclaimBegin, memoryProgDirectReclaimEnd, memoryProgMemcgReclaimBegin, memoryProgMemcgReclaimEnd,
		memoryProgCompactionBegin, memoryProgCompactionEnd, memoryProgFilemapFault} {
		if name == memoryProgFilemapFault && !t.byFilemap {
			continue
		}
		l, err := link.AttachTracing(link.TracingOptions{Program: t.coll.Programs[name]})
		if err != nil {
			return nil, fmt.Errorf("attaching %s: %w", name, err)
		}
		t.links = append(t.links, l)
	}
	return nil, nil
}

// Clock is the kernel-to-wall mapping the Tracer's events use.
func (t *Tracer) Clock() ring.Clock { return t.dec.clock }

// Start reads records and summaries into batches for sink until Close.
func (t *Tracer) Start(sink func([]event.Event)) { t.bg.Start(sink) }

// Err returns why reading stopped before Close, if it did.
func (t *Tracer) Err() error { return t.bg.Err() }

// Stats returns the reader's counts. Kernel losses are in shared.Counters:
// records the ring had no room for under event.SourceHost, threads the
// state map could not hold as CallStateFull, fault sums it could not hold
// as SummaryFull.
func (t *Tracer) Stats() ring.Stats { return t.reader.Stats() }

// Close detaches, delivers what is left (with a last summary) and
// releases everything.
func (t *Tracer) Close() error {
	t.mu.Lock()
	links := t.links
	t.links = nil
	t.mu.Unlock()
	for _, l := range links {
		l.Close()
	}
	err := t.bg.Stop()
	t.coll.Close()
	return err
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
