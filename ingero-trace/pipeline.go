package trace

import (
	"fmt"
	"io"
	"sync"
	"time"

	"ingero.dev/bpf/stacks"
	"ingero.dev/common/causal"
	"ingero.dev/common/event"
	"ingero.dev/common/ndjson"
	"ingero.dev/common/sysinfo"
	"ingero.dev/common/tui"
)

// pipeline is the one goroutine that sees every event: the live view's
// statistics, the outputs, process names and fork/exec follow-up all run
// here in arrival order, so none of them needs a lock.
type pipeline struct {
	batches chan []event.Event
	pool    sync.Pool
	done    chan struct{}

	out     *outputs
	stats   *tui.Stats
	live    *causal.Live
	meter   *meter // nil without --prometheus or --otlp
	names   *nameBook
	onFork  func()
	stacks  *stacks.Resolver // nil with --stack=false
	verbose io.Writer
	node    string
	events  uint64
}

func newPipeline(node string, out *outputs, stats *tui.Stats, onFork func(), verbose io.Writer) *pipeline {
	return &pipeline{
		// A handful of batches in flight: beyond that the readers wait and
		// the rings absorb the burst, where any loss is counted.
		batches: make(chan []event.Event, 64),
		done:    make(chan struct{}),
		out:     out, stats: stats, onFork: onFork, verbose: verbose, node: node,
		names: newNameBook(),
		live:  causal.NewLive(node),
	}
}

// sink is what the ring readers call; it copies because they reuse the
// batch, and blocks rather than drop when the pipeline is behind.
func (p *pipeline) sink(batch []event.Event) {
	var buf []event.Event
	if v := p.pool.Get(); v != nil {
		buf = (*v.(*[]event.Event))[:0]
	}
	buf = append(buf, batch...)
	p.batches <- buf
}

// run handles batches and, once a second, calls tick. It returns after
// stop has closed the batch channel and everything is handled.
func (p *pipeline) run(tick func(now time.Time)) {
	defer close(p.done)
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case b, ok := <-p.batches:
			if !ok {
				return
			}
			p.handle(b)
		case now := <-t.C:
			tick(now)
		}
	}
}

func (p *pipeline) stop() {
	close(p.batches)
	<-p.done
}

func (p *pipeline) handle(b []event.Event) {
	p.events += uint64(len(b))
	for i := range b {
		e := &b[i]
		e.Node = p.node
		p.stats.Observe(e)
		p.names.see(e)
		if e.Source == event.SourceHost && (e.Op == event.ProcessFork || e.Op == event.ProcessExec) {
			p.onFork()
		}
		if p.verbose != nil {
			printEvent(p.verbose, e)
		}
	}
	p.live.Observe(b)
	// The stacks these events point at were stored by the reader that
	// decoded them: written first, a reader of the stream never meets an
	// unknown stack ID.
	if p.stacks != nil {
		p.out.stacks(p.stacks.Drain())
	}
	if p.meter != nil {
		p.meter.observe(b)
	}
	p.out.events(b)
	p.pool.Put(&b)
}

func printEvent(w io.Writer, e *event.Event) {
	fmt.Fprintf(w, "%s %s[%d/%d] %-6s %-22s %10s ret=%d",
		e.Time().Format("15:04:05.000000"), ndjson.Printable(e.Comm), e.PID, e.TID, e.Source.Layer(), e.OpName(),
		time.Duration(e.DurNs), e.Ret)
	// The args decoded by op, with the names --json uses (docs/json.md).
	if pairs := ndjson.Pairs(e); pairs != "" {
		fmt.Fprintf(w, " %s", pairs)
	}
	fmt.Fprintln(w)
}

// nameBook remembers which names each PID was seen with (traced processes
// and the tasks that preempted them), so explain can name a culprit long
// after it exited. A process is named after its main thread: its other
// threads carry names of their own (PyTorch's "pt_autograd_0", the CUDA
// driver's "cuda00001400006"), which would otherwise stand for it.
type nameBook struct {
	byKey map[nameKey]*event.ProcessName
	dirty map[nameKey]bool
	// known holds the PIDs with a name: until the main thread shows, the
	// first worker thread's name stands in.
	known map[uint32]bool
}

type nameKey struct {
	pid  uint32
	comm string
}

func newNameBook() *nameBook {
	return &nameBook{byKey: map[nameKey]*event.ProcessName{}, dirty: map[nameKey]bool{},
		known: map[uint32]bool{}}
}

func (n *nameBook) see(e *event.Event) {
	if e.TID == e.PID || !n.known[e.PID] {
		n.note(e.Node, e.PID, e.Comm, e.TimeNs)
	}
	// A peer is a process ID with the comm of whichever of its threads
	// ran: it names the process only until a better name is known.
	if e.PeerPID != 0 && e.PeerComm != "" && !n.known[e.PeerPID] {
		n.note(e.Node, e.PeerPID, e.PeerComm, e.TimeNs)
	}
}

func (n *nameBook) note(node string, pid uint32, comm string, t int64) {
	n.known[pid] = true
	k := nameKey{pid, comm}
	r := n.byKey[k]
	if r == nil {
		r = &event.ProcessName{Node: node, PID: pid, Comm: comm, FirstNs: t, LastNs: t}
		n.byKey[k] = r
		n.dirty[k] = true
		return
	}
	if t > r.LastNs+int64(time.Second) { // last-seen is kept to the second
		r.LastNs = t
		n.dirty[k] = true
	}
}

// flush returns the names that changed since the last flush.
func (n *nameBook) flush() []event.ProcessName {
	out := make([]event.ProcessName, 0, len(n.dirty))
	for k := range n.dirty {
		out = append(out, *n.byKey[k])
	}
	clear(n.dirty)
	return out
}

// snapshotter samples the host once a second through the deadband.
type snapshotter struct {
	s  *sysinfo.Sampler
	db *sysinfo.Deadband
}
