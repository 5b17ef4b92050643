package export

import (
	"fmt"
	"sort"

	"ingero.dev/common/event"
)

// nodeBits is where a node's number goes in the pids and tids of a
// multi-node trace: Linux PIDs stay below 2^22 (pid_max), so node i's PID
// p shows as (i+1)<<22 | p, and Perfetto, which merges processes by PID,
// keeps two nodes' PID 100 apart. A one-node trace shows the real PIDs.
const nodeBits = 22

// maxNodes keeps every shown pid and tid below 2^30, so that the JSON
// format's off-CPU rows (tid + 2^30) still fit a signed 32-bit integer.
const maxNodes = 1<<(30-nodeBits) - 1

// tracks hands out the timeline's rows, declaring each to the sink on
// first use. Its maps grow with the processes and threads, not events.
type tracks struct {
	out       sink
	multi     bool
	nodeIdx   map[string]uint32
	nodes     map[string]*track
	procs     map[procKey]*track
	threads   map[procKey]*track
	offCPU    map[procKey]*track
	chains    map[string]*track
	counters  map[string]*track
	annLanes  map[string]*track
	procNames map[procKey]string
	next      uint64
}

type procKey struct {
	node string
	id   uint32
}

func newTracks(out sink, nodes []string, names []event.ProcessName) *tracks {
	sort.Strings(nodes)
	t := &tracks{out: out, multi: len(nodes) > 1, nodeIdx: map[string]uint32{}, nodes: map[string]*track{},
		procs: map[procKey]*track{}, threads: map[procKey]*track{}, offCPU: map[procKey]*track{},
		chains: map[string]*track{}, counters: map[string]*track{}, annLanes: map[string]*track{}, procNames: map[procKey]string{}}
	for i, n := range nodes {
		t.nodeIdx[n] = uint32(i)
	}
	// The latest name of each PID wins: that is what it ran as longest
	// in most recordings (a launcher exec'ing python).
	for _, p := range names {
		t.procNames[procKey{p.Node, p.PID}] = p.Comm
	}
	return t
}

func (t *tracks) uuid() uint64 { t.next++; return t.next }

// shown maps a node's pid or tid to the number the trace shows.
func (t *tracks) shown(node string, id uint32) uint32 {
	if !t.multi {
		return id
	}
	return (t.index(node)+1)<<nodeBits | id
}

func (t *tracks) index(node string) uint32 {
	i, ok := t.nodeIdx[node]
	if !ok {
		i = uint32(len(t.nodeIdx))
		t.nodeIdx[node] = i
		t.multi = t.multi || i > 0
	}
	return i
}

func nodeLabel(node string) string {
	if node == "" {
		return "local"
	}
	return node
}

// node returns the node's own process track, for its host counters and
// causal chains; its pid is the node's number with no process bits.
func (t *tracks) node(node string) (*track, error) {
	if tr := t.nodes[node]; tr != nil {
		return tr, nil
	}
	tr := &track{uuid: t.uuid(), kind: trackProcess, pid: (t.index(node) + 1) << nodeBits,
		name: nodeLabel(node) + " (host)"}
	t.nodes[node] = tr
	return tr, t.out.track(tr)
}

func (t *tracks) process(node string, pid uint32, comm string) (*track, error) {
	k := procKey{node, pid}
	if tr := t.procs[k]; tr != nil {
		return tr, nil
	}
	if n := t.procNames[k]; n != "" {
		comm = n
	}
	name := fmt.Sprintf("%s %d", comm, pid)
	if t.multi {
		name += " @" + nodeLabel(node)
	}
	tr := &track{uuid: t.uuid(), kind: trackProcess, pid: t.shown(node, pid), name: name}
	t.procs[k] = tr
	return tr, t.out.track(tr)
}

func (t *tracks) thread(ev *event.Event) (*track, error) {
	k := procKey{ev.Node, ev.TID}
	if tr := t.threads[k]; tr != nil {
		return tr, nil
	}
	p, err := t.process(ev.Node, ev.PID, ev.Comm)
	if err != nil {
		return nil, err
	}
	tr := &track{uuid: t.uuid(), parent: p.uuid, kind: trackThread, pid: p.pid, tid: t.shown(ev.Node, ev.TID),
		name: fmt.Sprintf("%s %d", ev.Comm, ev.TID)}
	t.threads[k] = tr
	return tr, t.out.track(tr)
}

// offCPUTrack holds a thread's off-CPU intervals beside its calls: an
// interval can start inside one call and end inside the next, which a
// thread's own stack of slices could not show.
func (t *tracks) offCPUTrack(ev *event.Event) (*track, error) {
	k := procKey{ev.Node, ev.TID}
	if tr := t.offCPU[k]; tr != nil {
		return tr, nil
	}
	th, err := t.thread(ev)
	if err != nil {
		return nil, err
	}
	tr := &track{uuid: t.uuid(), parent: th.parent, kind: trackPlain, pid: th.pid, tid: th.tid,
		name: fmt.Sprintf("%s %d off-CPU", ev.Comm, ev.TID), sortIndex: 1, offCPU: true}
	t.offCPU[k] = tr
	return tr, t.out.track(tr)
}

func (t *tracks) chainTrack(node string, sev event.Severity) (*track, error) {
	key := node + "\x00" + sev.String()
	if tr := t.chains[key]; tr != nil {
		return tr, nil
	}
	n, err := t.node(node)
	if err != nil {
		return nil, err
	}
	tr := &track{uuid: t.uuid(), parent: n.uuid, kind: trackPlain, pid: n.pid, tid: n.pid + uint32(4-sev),
		name: sev.String() + " causal chains", sortIndex: int(4 - sev)}
	t.chains[key] = tr
	return tr, t.out.track(tr)
}

func (t *tracks) counter(node, name, unit string) (*track, error) {
	key := node + "\x00" + name
	if tr := t.counters[key]; tr != nil {
		return tr, nil
	}
	n, err := t.node(node)
	if err != nil {
		return nil, err
	}
	tr := &track{uuid: t.uuid(), parent: n.uuid, kind: trackCounter, pid: n.pid, name: name, unit: unit}
	t.counters[key] = tr
	return tr, t.out.track(tr)
}

// annotationTrack is lane i of the node's annotation rows.
func (t *tracks) annotationTrack(node string, lane int) (*track, error) {
	key := fmt.Sprintf("%s\x00%d", node, lane)
	if tr := t.annLanes[key]; tr != nil {
		return tr, nil
	}
	n, err := t.node(node)
	if err != nil {
		return nil, err
	}
	name := "annotations"
	if lane > 0 {
		name = fmt.Sprintf("annotations %d", lane+1)
	}
	// JSON rows of the node: chains use tids +1…+3, annotations +16 on.
	tr := &track{uuid: t.uuid(), parent: n.uuid, kind: trackPlain, pid: n.pid, tid: n.pid + 16 + uint32(lane),
		name: name, sortIndex: 8 + lane}
	t.annLanes[key] = tr
	return tr, t.out.track(tr)
}
