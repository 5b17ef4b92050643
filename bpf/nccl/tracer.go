// Package nccl loads and attaches the NCCL family: uprobes on libnccl's
// collectives, point-to-point calls and communicator setup, recorded as
// events (source nccl) with their rank, number of ranks and a hash of the
// communicator's ncclUniqueId, the same on every rank. Libraries are found
// the way libcudart is, in traced processes' maps (common/cudalib).
package nccl

import (
	"fmt"
	"os"
	"sync"
	"syscall"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/features"
	"github.com/cilium/ebpf/link"

	"ingero.dev/bpf/ring"
	"ingero.dev/bpf/shared"
	"ingero.dev/common/cudalib"
	"ingero.dev/common/event"
)

// DefaultRingBytes: collectives come at most a few thousand a second.
const DefaultRingBytes = 2 << 20

// Options configure a Tracer.
type Options struct {
	RingBytes int
	// Returns attaches return probes in every process, for durations and
	// return codes; without, calls are recorded at entry only. Set it only
	// where return probes are safe system-wide (see cuda.ReturnSystemWide).
	Returns bool
	Clock   ring.Clock
	Reader  ring.Options
}

// Tracer is a loaded NCCL probe family.
type Tracer struct {
	opts   Options
	coll   *ebpf.Collection
	reader *ring.Reader
	dec    *decoder
	multi  bool
	bg     *ring.Background

	mu       sync.Mutex
	links    []link.Link
	attached map[[2]uint64]string
}

// probe is one exported function and the cookie nccl_enter reads.
type probe struct {
	symbol string
	cookie uint64
}

// probes are the entry points an application calls. ncclBcast is the
// in-place broadcast; it records as ncclBroadcast.
var probes = []probe{
	{"ncclAllReduce", uint64(event.NCCLAllReduce)},
	{"ncclAllGather", uint64(event.NCCLAllGather)},
	{"ncclReduceScatter", uint64(event.NCCLReduceScatter)},
	{"ncclBroadcast", uint64(event.NCCLBroadcast)},
	{"ncclBcast", uint64(event.NCCLBroadcast) | 0x80},
	{"ncclSend", uint64(event.NCCLSend)},
	{"ncclRecv", uint64(event.NCCLRecv)},
	{"ncclCommInitRank", uint64(event.NCCLCommInitRank)},
	{"ncclCommInitRankConfig", uint64(event.NCCLCommInitRank)},
	{"ncclCommDestroy", uint64(event.NCCLCommDestroy)},
}

// Load loads the programs, sharing m's maps (the traced targets).
func Load(m *shared.Maps, opts Options) (*Tracer, error) {
	if opts.Clock == (ring.Clock{}) {
		opts.Clock = ring.NewClock()
	}
	spec, err := loadNccl()
	if err != nil {
		return nil, err
	}
	if _, err = ring.Configure(spec, ncclMapNcclEvents, ncclVarWakeBytes, opts.RingBytes, DefaultRingBytes); err != nil {
		return nil, err
	}
	if err := spec.Variables[ncclVarWithReturns].Set(opts.Returns); err != nil {
		return nil, fmt.Errorf("setting NCCL return probes: %w", err)
	}
	multi := features.HaveBPFLinkUprobeMulti() == nil
	if !multi {
		for _, p := range spec.Programs {
			if p.AttachType == ebpf.AttachTraceUprobeMulti {
				p.AttachType = ebpf.AttachNone
			}
		}
	}
	coll, err := ebpf.NewCollectionWithOptions(spec, ebpf.CollectionOptions{MapReplacements: m.Replacements()})
	if err != nil {
		return nil, fmt.Errorf("loading NCCL probes: %w", err)
	}
	t := &Tracer{opts: opts, coll: coll, dec: &decoder{clock: opts.Clock}, multi: multi, attached: map[[2]uint64]string{}}
	t.reader, err = ring.NewReader(coll.Maps[ncclMapNcclEvents], t.dec.decode, opts.Reader)
	if err != nil {
		coll.Close()
		return nil, err
	}
	t.bg = ring.NewBackground(t.reader)
	l, err := link.AttachTracing(link.TracingOptions{Program: coll.Programs[ncclProgNcclThreadExit]})
	if err != nil {
		t.Close()
		return nil, fmt.Errorf("attaching NCCL thread exit: %w", err)
	}
	t.links = append(t.links, l)
	return t, nil
}

// Attach probes one libnccl file for every process; a file already probed
// is skipped. Functions the library lacks come back as warnings.
func (t *Tracer) Attach(path string) (warnings []error, err error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return nil, fmt.Errorf("reading %s: no device and inode", path)
	}
	id := [2]uint64{uint64(st.Dev), st.Ino}
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, done := t.attached[id]; done {
		return nil, nil
	}
	names := make([]string, len(probes))
	for i, p := range probes {
		names[i] = p.symbol
	}
	present, _, err := cudalib.Symbols(path, names)
	if err != nil {
		return nil, err
	}
	has := map[string]bool{}
	for _, s := range present {
		has[s] = true
	}
	var use []probe
	for _, p := range probes {
		if has[p.symbol] {
			use = append(use, p)
		} else if p.symbol != "ncclBcast" && p.symbol != "ncclCommInitRankConfig" {
			warnings = append(warnings, fmt.Errorf("%s has no %s; it is not traced", path, p.symbol))
		}
	}
	if len(use) == 0 {
		return warnings, fmt.Errorf("attaching %s: none of its NCCL functions were found", path)
	}
	ex, err := link.OpenExecutable(path)
	if err != nil {
		return warnings, fmt.Errorf("opening %s: %w", path, err)
	}
	var links []link.Link
	if t.opts.Returns {
		ls, err := t.attachGroup(ex, use, ncclProgNcclReturn, true)
		if err != nil {
			return warnings, fmt.Errorf("attaching NCCL return probes in %s: %w", path, err)
		}
		links = append(links, ls...)
	}
	ls, err := t.attachGroup(ex, use, ncclProgNcclEnter, false)
	if err != nil {
		closeAll(links)
		return warnings, fmt.Errorf("attaching NCCL probes in %s: %w", path, err)
	}
	t.links = append(t.links, append(links, ls...)...)
	t.attached[id] = path
	return warnings, nil
}

func (t *Tracer) attachGroup(ex *link.Executable, ps []probe, prog string, ret bool) ([]link.Link, error) {
	p := t.coll.Programs[prog]
	if t.multi {
		syms := make([]string, len(ps))
		cookies := make([]uint64, len(ps))
		for i, pr := range ps {
			syms[i], cookies[i] = pr.symbol, pr.cookie
		}
		attach := ex.UprobeMulti
		if ret {
			attach = ex.UretprobeMulti
		}
		l, err := attach(syms, p, &link.UprobeMultiOptions{Cookies: cookies})
		if err != nil {
			return nil, err
		}
		return []link.Link{l}, nil
	}
	var links []link.Link
	for _, pr := range ps {
		attach := ex.Uprobe
		if ret {
			attach = ex.Uretprobe
		}
		l, err := attach(pr.symbol, p, &link.UprobeOptions{Cookie: pr.cookie})
		if err != nil {
			closeAll(links)
			return nil, err
		}
		links = append(links, l)
	}
	return links, nil
}

// Start reads records into batches for sink until Close.
func (t *Tracer) Start(sink func([]event.Event)) { t.bg.Start(sink) }

// Stats returns the reader's counts; ring losses are in shared.Counters
// under event.SourceNCCL.
func (t *Tracer) Stats() ring.Stats { return t.reader.Stats() }

// Close detaches, delivers what is left and releases everything.
func (t *Tracer) Close() error {
	t.mu.Lock()
	links := t.links
	t.links = nil
	t.mu.Unlock()
	closeAll(links)
	err := t.bg.Stop()
	t.coll.Close()
	return err
}

// closeAll detaches concurrently: each uprobe detach waits for an RCU
// grace period, and concurrent waits can share one.
func closeAll(links []link.Link) {
	var wg sync.WaitGroup
	for _, l := range links {
		wg.Go(func() { l.Close() })
	}
	wg.Wait()
}
