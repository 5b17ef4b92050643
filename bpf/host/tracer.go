// Package host loads and attaches the host family: scheduler and process
// tracepoints filtered in the kernel to the traced processes, and the
// per-second CPU contention summary. Host events are never sampled.
package host

import (
	"fmt"
	"sync"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"

	"ingero.dev/bpf/ring"
	"ingero.dev/bpf/shared"
	"ingero.dev/common/event"
)

// DefaultRingBytes is the ring size when Options.RingBytes is 0.
const DefaultRingBytes = 2 << 20

// Options configure a Tracer.
type Options struct {
	// RingBytes is the ring buffer size: a power of two of at least 4096.
	RingBytes int
	// Summary is how often the contention summary is drained (1 s).
	Summary time.Duration
	// Clock maps kernel time to wall time; pass one ring.NewClock() to
	// every family so that all events share one time base. Zero measures
	// a clock at Load.
	Clock ring.Clock
	// Reader tunes the ring reader.
	Reader ring.Options
}

// Tracer is a loaded host probe family.
type Tracer struct {
	coll   *ebpf.Collection
	reader *ring.Reader
	dec    *decoder
	drain  *drainer

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
	spec, err := loadHost()
	if err != nil {
		return nil, err
	}
	if opts.RingBytes, err = ring.Configure(spec, hostMapHostEvents, hostVarWakeBytes, opts.RingBytes, DefaultRingBytes); err != nil {
		return nil, err
	}
	coll, err := ebpf.NewCollectionWithOptions(spec, ebpf.CollectionOptions{MapReplacements: m.Replacements()})
	if err != nil {
		return nil, fmt.Errorf("loading host probes: %w", err)
	}
	t := &Tracer{coll: coll, dec: newDecoder(opts.Clock)}
	t.drain = newDrainer(coll.Maps[hostMapContention], t.dec)
	ro := opts.Reader
	ro.Tick, ro.OnTick = opts.Summary, t.drain.tick
	t.reader, err = ring.NewReader(coll.Maps[hostMapHostEvents], t.dec.decode, ro)
	if err != nil {
		coll.Close()
		return nil, err
	}
	t.bg = ring.NewBackground(t.reader)
	return t, nil
}

// Attach attaches the tracepoints. The scheduler and process ones are
// required; oom/mark_victim needs tracefs (sysreq.EnsureTracefs) and comes
// back as a warning when it cannot attach.
func (t *Tracer) Attach() (warnings []error, err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, name := range []string{hostProgSchedSwitch, hostProgSchedWakeup, hostProgSchedProcessFork,
		hostProgSchedProcessExec, hostProgSchedProcessExit} {
		l, err := link.AttachTracing(link.TracingOptions{Program: t.coll.Programs[name]})
		if err != nil {
			return nil, fmt.Errorf("attaching tracepoint %s: %w", name, err)
		}
		t.links = append(t.links, l)
	}
	l, err := link.Tracepoint("oom", "mark_victim", t.coll.Programs[hostProgMarkVictim], nil)
	if err != nil {
		return []error{fmt.Errorf("attaching tracepoint oom/mark_victim, OOM kills will not be seen: %w", err)}, nil
	}
	t.links = append(t.links, l)
	return nil, nil
}

// Clock is the kernel-to-wall mapping the Tracer's events use.
func (t *Tracer) Clock() ring.Clock { return t.dec.clock }

// Start reads records and summaries into batches for sink until Close.
func (t *Tracer) Start(sink func([]event.Event)) {
	t.bg.Start(sink)
}

// Err returns why reading stopped before Close, if it did: a ring that
// could not be read.
func (t *Tracer) Err() error { return t.bg.Err() }

// Stats returns the reader's counts; kernel losses are in shared.Counters.
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
