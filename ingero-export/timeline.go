package export

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"ingero.dev/common/causal"
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
}

// pendingLaunch is the newest launch on a stream, held back until the next
// event on that stream says whether a sync waited for it.
type pendingLaunch struct {
	id store.EventID
	ev event.Event
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
		argNames: map[event.Key][4]string{}}
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
	b.sl = slice{track: th, ts: ev.TimeNs, dur: ev.DurNs, name: ev.OpName(), cat: category(ev.Source),
		args: b.args(id, ev), flowOut: flowOut, flowIn: flowIn}
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

// streamOf returns the stream a launch goes to or a sync waits for;
// all is true for syncs that wait for every stream of the process.
func streamOf(ev *event.Event) (stream uint64, all bool) {
	switch {
	case ev.Source == event.SourceCUDA && ev.Op == event.CudaStreamSynchronize,
		ev.Source == event.SourceDriver && ev.Op == event.CuStreamSynchronize:
		return ev.Args[0], false
	case ev.Source == event.SourceCUDA && ev.Op == event.CudaDeviceSynchronize,
		ev.Source == event.SourceDriver && ev.Op == event.CuCtxSynchronize:
		return 0, true
	case ev.Source == event.SourceCUDA && ev.Op == event.CudaEventSynchronize:
		return 0, false // waits for an event, whose stream is not recorded
	}
	return ev.Args[1], false // launches: function, stream, …
}

func (b *builder) launch(id store.EventID, ev *event.Event) error {
	k := procKey{ev.Node, ev.PID}
	streams := b.pending[k]
	if streams == nil {
		streams = map[uint64]*pendingLaunch{}
		b.pending[k] = streams
	}
	stream, _ := streamOf(ev)
	if old := streams[stream]; old != nil {
		if err := b.call(old.id, &old.ev, 0, nil); err != nil {
			return err
		}
		old.id, old.ev = id, *ev
		return nil
	}
	streams[stream] = &pendingLaunch{id: id, ev: *ev}
	return nil
}

// sync draws an arrow from the launch it waited for (the newest on its
// stream, or on every stream for a device sync) to the sync.
func (b *builder) sync(id store.EventID, ev *event.Event) error {
	stream, all := streamOf(ev)
	streams := b.pending[procKey{ev.Node, ev.PID}]
	if ev.Source == event.SourceCUDA && ev.Op == event.CudaEventSynchronize {
		streams = nil
	}
	var waited []uint64
	for s := range streams {
		if all || s == stream {
			waited = append(waited, s)
		}
	}
	slices.Sort(waited)
	var in []uint64
	for _, s := range waited {
		pl := streams[s]
		b.nextFlow++
		if err := b.call(pl.id, &pl.ev, b.nextFlow, nil); err != nil {
			return err
		}
		in = append(in, b.nextFlow)
		delete(streams, s)
	}
	return b.call(id, ev, 0, in)
}

func (b *builder) flushAll() error {
	for _, streams := range b.pending {
		for _, pl := range streams {
			if err := b.call(pl.id, &pl.ev, 0, nil); err != nil {
				return err
			}
		}
	}
	b.pending = nil
	return nil
}

func (b *builder) args(id store.EventID, ev *event.Event) []arg {
	b.argBuf = append(b.argBuf[:0], idArg(id.Node, id.Seq))
	if ev.Ret != 0 {
		b.argBuf = append(b.argBuf, intArg("return_code", int64(ev.Ret)))
	}
	if ev.GPU >= 0 {
		b.argBuf = append(b.argBuf, intArg("gpu", int64(ev.GPU)))
	}
	if ev.StackID != 0 {
		b.argBuf = append(b.argBuf, strArg("stack_id", "0x"+strconv.FormatUint(ev.StackID, 16)))
	}
	if ev.PeerPID != 0 || ev.PeerComm != "" {
		b.argBuf = append(b.argBuf, strArg("peer", fmt.Sprintf("%s (%d)", ev.PeerComm, ev.PeerPID)))
	}
	b.argBuf = b.opArgs(b.argBuf, ev)
	return b.argBuf
}

// opArgs names the op's non-zero args after docs/events.md ("args: size,
// device pointer" gives size and device_pointer).
func (b *builder) opArgs(out []arg, ev *event.Event) []arg {
	if ev.Key() != b.lastKey || b.lastNames == nil {
		names, ok := b.argNames[ev.Key()]
		if !ok {
			info, _ := event.LookupOp(ev.Source, ev.Op)
			names = argNamesOf(info.Description)
			b.argNames[ev.Key()] = names
		}
		b.lastKey, b.lastNames = ev.Key(), &names
	}
	names := b.lastNames
	for i, v := range ev.Args {
		if v == 0 {
			continue
		}
		name := names[i]
		if name == "" {
			name = "arg" + strconv.Itoa(i)
		}
		out = append(out, uintArg(name, v))
	}
	return out
}

func (b *builder) snapshots(rec *recording.Recording, sel selection) error {
	snaps, err := rec.Snapshots(sel.fromNs, sel.toNs)
	if err != nil {
		return err
	}
	for _, s := range snaps {
		for _, c := range []struct {
			name, unit string
			v          float64
		}{
			{"CPU %", "%", s.CPUPct}, {"memory %", "%", s.MemPct},
			{"MemAvailable MiB", "MiB", float64(s.MemAvailMB)}, {"swap used MiB", "MiB", float64(s.SwapUsedMB)},
			{"load average (1 min)", "", s.Load1},
		} {
			tr, err := b.tr.counter(s.Node, c.name, c.unit)
			if err != nil {
				return err
			}
			if err := b.out.counter(tr, s.TimeNs, c.v); err != nil {
				return err
			}
		}
	}
	return nil
}

func (b *builder) chains(ctx context.Context, rec *recording.Recording, sel selection) error {
	if sel.chains == chainsNone {
		return nil
	}
	var chains []event.Chain
	var err error
	if sel.chains != chainsAnalyze {
		if chains, err = rec.Chains(sel.fromNs, sel.toNs); err != nil {
			return err
		}
	}
	analysed := false
	if sel.chains == chainsAnalyze || (sel.chains == chainsAuto && len(chains) == 0) {
		// A recording made without live analysis holds no chains: find
		// them as 'ingero explain' would, over the exported window.
		rep, err := causal.Analyze(ctx, rec.Reader, causal.Options{FromNs: sel.fromNs, ToNs: sel.toNs, PIDs: sel.pids})
		if err != nil {
			return fmt.Errorf("analysing for causal chains: %w", err)
		}
		chains, analysed = rep.Chains, true
	}
	for _, c := range chains {
		if c.PID != 0 && !sel.wantPID(c.PID) {
			continue
		}
		tr, err := b.tr.chainTrack(c.Node, c.Severity)
		if err != nil {
			return err
		}
		args := []arg{strArg("id", c.ID), strArg("severity", c.Severity.String()), strArg("rule", c.Rule),
			strArg("root_cause", c.RootCause), strArg("fix", c.Fix)}
		if len(c.Timeline) > 0 {
			args = append(args, strArg("timeline", timelineText(c.Timeline)))
		}
		if analysed {
			args = append(args, strArg("source", "found by analysis at export"))
		}
		if c.Op != "" {
			args = append(args, strArg("op", c.Op))
		}
		if c.PID != 0 {
			args = append(args, uintArg("pid", uint64(c.PID)))
		}
		b.sl = slice{track: tr, ts: c.DetectedNs, name: c.Severity.String() + ": " + c.Summary,
			cat: "causal_chain", args: args, global: true}
		if err := b.out.slice(&b.sl); err != nil {
			return err
		}
	}
	return nil
}

func timelineText(tl []event.TimelineEntry) string {
	var sb strings.Builder
	for i, te := range tl {
		if i > 0 {
			sb.WriteByte('\n')
		}
		fmt.Fprintf(&sb, "%s [%s] %s", time.Unix(0, te.TimeNs).UTC().Format("15:04:05.000000"), te.Layer, te.Detail)
	}
	return sb.String()
}
