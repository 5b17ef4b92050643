package export

import (
	"context"
	"fmt"

	"ingero.dev/common/event"
	"ingero.dev/common/recording"
	"ingero.dev/common/store"
)

// selection is what the command line chose to export.
type selection struct {
	fromNs, toNs int64 // inclusive; 0 leaves a side open
	pids         []uint32
	chains       string // chainsAuto, chainsStored, chainsAnalyze or chainsNone
}

// Where the causal chains on the timeline come from.
const (
	chainsAuto    = "auto" // stored ones, else found by analysing the window
	chainsStored  = "stored"
	chainsAnalyze = "analyze"
	chainsNone    = "none"
)

func (sel *selection) wantPID(pid uint32) bool {
	if len(sel.pids) == 0 {
		return true
	}
	for _, p := range sel.pids {
		if p == pid {
			return true
		}
	}
	return false
}

// builder turns a recording into timeline rows and slices, in one pass
// over the events in time order. Its memory is the tracks (one per
// process and thread) and the newest launch per stream.
type builder struct {
	tr       *tracks
	out      sink
	sl       slice
	argBuf   []arg
	pending  map[procKey]map[uint64]*pendingLaunch // (node, pid) → stream → launch
	nextFlow uint64
	argNames map[event.Key][4]string
	// The op of the previous event and its arg names: launch storms
	// repeat one op, so most lookups end here.
	lastKey   event.Key
	lastNames *[4]string
	// stacks reads a stored stack; sites caches each stack's call site.
	stacks func([]uint64) (map[uint64]event.Stack, error)
	sites  map[uint64]string
}

func build(ctx context.Context, rec *recording.Recording, sel selection, out sink) error {
	nodes, err := nodeNames(rec)
	if err != nil {
		return err
	}
	if len(nodes) > maxNodes {
		return fmt.Errorf("the recording holds %d nodes; a trace shows at most %d side by side: merge fewer nodes into the file you export", len(nodes), maxNodes)
	}
	names, err := rec.ProcessNames()
	if err != nil {
		return err
	}
	b := &builder{tr: newTracks(out, nodes, names), out: out, pending: map[procKey]map[uint64]*pendingLaunch{},
		argNames: map[event.Key][4]string{}, stacks: rec.Source.Stacks, sites: map[uint64]string{}}
	err = rec.Scan(ctx, store.Filter{FromNs: sel.fromNs, ToNs: sel.toNs, PIDs: sel.pids}, func(id store.EventID, ev *event.Event) error {
		return b.event(id, ev)
	})
	if err != nil {
		return err
	}
	if err := b.flushAll(); err != nil {
		return err
	}
	if err := b.snapshots(rec, sel); err != nil {
		return err
	}
	if err := b.chains(ctx, rec, sel); err != nil {
		return err
	}
	if err := b.annotations(rec, sel); err != nil {
		return err
	}
	return out.finish()
}

// nodeNames lists every node the recording mentions, so that the pid
// numbering is fixed before the first track is declared.
func nodeNames(rec *recording.Recording) ([]string, error) {
	res, err := rec.Query(context.Background(), 0, `SELECT name FROM nodes UNION SELECT node FROM snapshots UNION SELECT node FROM chains`)
	if err != nil {
		return nil, fmt.Errorf("reading nodes: %w", err)
	}
	var out []string
	for _, row := range res.Rows {
		s, _ := row[0].(string)
		out = append(out, s)
	}
	return out, nil
}

func (b *builder) event(id store.EventID, ev *event.Event) error {
	info, _ := event.LookupOp(ev.Source, ev.Op)
	switch {
	case ev.Source == event.SourceHost && (ev.Op == event.SchedSwitch || ev.Op == event.CPUContention):
		return b.offCPU(id, ev)
	case info.Class == event.ClassLaunch || (ev.Source == event.SourceGraph && ev.Op == event.GraphLaunch):
		return b.launch(id, ev)
	case info.Class == event.ClassSync:
		return b.sync(id, ev)
	}
	return b.call(id, ev, 0, nil)
}

// call writes an event as a slice on its thread (an instant when it has
// no duration), with its args.
func (b *builder) call(id store.EventID, ev *event.Event, flowOut uint64, flowIn []uint64) error {
	th, err := b.tr.thread(ev)
	if err != nil {
		return err
	}
	args, err := b.args(id, ev)
	if err != nil {
		return err
	}
	b.sl = slice{track: th, ts: ev.TimeNs, dur: ev.DurNs, name: ev.OpName(), cat: category(ev.Source),
		args: args, flowOut: flowOut, flowIn: flowIn}
	return b.out.slice(&b.sl)
}

// category groups the CUDA runtime, driver and graph calls as "cuda" (their
// names tell them apart: cuda… is the runtime, cu… the driver): a launch
// and the sync that waited for it must share a category for DevTools to
// draw the arrow between them.
func category(src event.Source) string {
	switch src {
	case event.SourceCUDA, event.SourceDriver, event.SourceGraph:
		return "cuda"
	}
	return src.String()
}

func (b *builder) offCPU(id store.EventID, ev *event.Event) error {
	tr, err := b.tr.offCPUTrack(ev)
	if err != nil {
		return err
	}
	peer := fmt.Sprintf("%s (%d)", ev.PeerComm, ev.PeerPID)
	name := "blocked"
	switch {
	case ev.Op == event.CPUContention:
		name = "CPU shared with " + ev.PeerComm
	case ev.Args[1] == 1:
		name = "preempted by " + ev.PeerComm
	}
	b.argBuf = append(b.argBuf[:0], idArg(id.Node, id.Seq))
	if ev.PeerPID != 0 || ev.PeerComm != "" {
		label := "preemptor"
		if ev.Op == event.CPUContention {
			label = "other_task"
		}
		b.argBuf = append(b.argBuf, strArg(label, peer))
	}
	b.argBuf = b.opArgs(b.argBuf, ev)
	b.sl = slice{track: tr, ts: ev.TimeNs, dur: ev.DurNs, name: name, cat: "sched", args: b.argBuf}
	return b.out.slice(&b.sl)
}
