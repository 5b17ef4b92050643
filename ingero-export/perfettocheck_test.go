package export

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"sort"
)

// A structural validator of our own for the Perfetto output: it decodes
// the wire format field by field and checks the rules trace_processor
// relies on (declared tracks, interned names before use, one sequence,
// balanced slices, flows that end where they started).

type pbField struct {
	num, wire int
	v         uint64
	b         []byte
}

func pbParse(b []byte) ([]pbField, error) {
	var out []pbField
	for len(b) > 0 {
		key, n := binary.Uvarint(b)
		if n <= 0 {
			return nil, errors.New("bad tag varint")
		}
		b = b[n:]
		f := pbField{num: int(key >> 3), wire: int(key & 7)}
		switch f.wire {
		case wireVarint:
			f.v, n = binary.Uvarint(b)
			if n <= 0 {
				return nil, fmt.Errorf("field %d: bad varint", f.num)
			}
			b = b[n:]
		case wireI64:
			if len(b) < 8 {
				return nil, fmt.Errorf("field %d: short fixed64", f.num)
			}
			f.v, b = binary.LittleEndian.Uint64(b), b[8:]
		case wireBytes:
			l, n := binary.Uvarint(b)
			if n <= 0 || uint64(len(b)-n) < l {
				return nil, fmt.Errorf("field %d: bad length", f.num)
			}
			f.b, b = b[n:n+int(l)], b[n+int(l):]
		default:
			return nil, fmt.Errorf("field %d: wire type %d", f.num, f.wire)
		}
		out = append(out, f)
	}
	return out, nil
}

type pbTrack struct {
	uuid, parent uint64
	kind         string
	pid, tid     int64
	name         string
}

type pbEvent struct {
	ts       int64
	typ      uint64
	name     string
	cat      string
	args     map[string]any
	flowOut  []uint64
	flowIn   []uint64
	counter  float64
	order    int
	trackUID uint64
}

type pbTrace struct {
	tracks   map[uint64]*pbTrack
	events   map[uint64][]*pbEvent // by track
	slices   int
	instants int
	counters int
	flows    int
}

func checkPerfetto(data []byte) (*pbTrace, error) {
	packets, err := pbParse(data)
	if err != nil {
		return nil, fmt.Errorf("trace: %w", err)
	}
	tr := &pbTrace{tracks: map[uint64]*pbTrack{}, events: map[uint64][]*pbEvent{}}
	interned := map[int]map[uint64]string{1: {}, 2: {}, 3: {}}
	pids := map[int64]bool{}
	threads := map[[2]int64]bool{}
	for i, p := range packets {
		if p.num != 1 || p.wire != wireBytes {
			return nil, fmt.Errorf("top-level field %d is not Trace.packet", p.num)
		}
		fields, err := pbParse(p.b)
		if err != nil {
			return nil, fmt.Errorf("packet %d: %w", i, err)
		}
		var seq, flags uint64
		var ts int64
		var te, td []byte
		for _, f := range fields {
			switch f.num {
			case fPacketSequenceID:
				seq = f.v
			case fPacketSequenceFlags:
				flags = f.v
			case fPacketTimestamp:
				ts = int64(f.v)
			case fPacketInterned:
				if err := internInto(f.b, interned); err != nil {
					return nil, fmt.Errorf("packet %d: %w", i, err)
				}
			case fPacketTrackEvent:
				te = f.b
			case fPacketTrackDescriptor:
				td = f.b
			}
		}
		wantFlags := uint64(seqNeedsIncrementalState)
		if i == 0 {
			wantFlags = seqIncrementalStateCleared
		}
		if seq != sequenceID || flags != wantFlags {
			return nil, fmt.Errorf("packet %d: sequence %d flags %d, want %d %d", i, seq, flags, sequenceID, wantFlags)
		}
		if td != nil {
			t, err := parseTrack(td)
			if err != nil {
				return nil, fmt.Errorf("packet %d: %w", i, err)
			}
			if tr.tracks[t.uuid] != nil || t.uuid == 0 {
				return nil, fmt.Errorf("packet %d: track uuid %d declared twice or zero", i, t.uuid)
			}
			if t.parent != 0 && tr.tracks[t.parent] == nil {
				return nil, fmt.Errorf("packet %d: track %q has an undeclared parent", i, t.name)
			}
			switch t.kind {
			case "process":
				if pids[t.pid] {
					return nil, fmt.Errorf("packet %d: pid %d has two process tracks", i, t.pid)
				}
				pids[t.pid] = true
			case "thread":
				k := [2]int64{t.pid, t.tid}
				if threads[k] || tr.tracks[t.parent] == nil || tr.tracks[t.parent].pid != t.pid {
					return nil, fmt.Errorf("packet %d: thread %v is repeated or not under its process", i, k)
				}
				threads[k] = true
			}
			tr.tracks[t.uuid] = t
		}
		if te != nil {
			e, err := parseEvent(te, interned)
			if err != nil {
				return nil, fmt.Errorf("packet %d: %w", i, err)
			}
			if tr.tracks[e.trackUID] == nil {
				return nil, fmt.Errorf("packet %d: event on undeclared track %d", i, e.trackUID)
			}
			e.ts, e.order = ts, i
			if ts <= 0 {
				return nil, fmt.Errorf("packet %d: event without a timestamp", i)
			}
			tr.events[e.trackUID] = append(tr.events[e.trackUID], e)
		}
	}
	return tr, tr.checkEvents()
}

func internInto(b []byte, interned map[int]map[uint64]string) error {
	fields, err := pbParse(b)
	if err != nil {
		return err
	}
	for _, f := range fields {
		m := interned[f.num]
		if m == nil {
			return fmt.Errorf("interned field %d not written by us", f.num)
		}
		ent, err := pbParse(f.b)
		if err != nil {
			return err
		}
		var iid uint64
		var name string
		for _, e := range ent {
			switch e.num {
			case fInternedIID:
				iid = e.v
			case fInternedName:
				name = string(e.b)
			}
		}
		if _, dup := m[iid]; dup || iid == 0 {
			return fmt.Errorf("iid %d interned twice", iid)
		}
		m[iid] = name
	}
	return nil
}

func parseTrack(b []byte) (*pbTrack, error) {
	fields, err := pbParse(b)
	if err != nil {
		return nil, err
	}
	t := &pbTrack{kind: "plain"}
	for _, f := range fields {
		switch f.num {
		case fTrackUUID:
			t.uuid = f.v
		case fTrackParent:
			t.parent = f.v
		case fTrackName:
			t.name = string(f.b)
		case fTrackCounter:
			t.kind = "counter"
		case fTrackProcess, fTrackThread:
			sub, err := pbParse(f.b)
			if err != nil {
				return nil, err
			}
			t.kind = map[int]string{fTrackProcess: "process", fTrackThread: "thread"}[f.num]
			for _, s := range sub {
				switch {
				case s.num == fProcessPID: // == fThreadPID
					t.pid = int64(int32(s.v))
				case f.num == fTrackThread && s.num == fThreadTID:
					t.tid = int64(s.v)
				case s.num == fProcessName && f.num == fTrackProcess, s.num == fThreadName && f.num == fTrackThread:
					t.name = string(s.b)
				}
			}
		}
	}
	return t, nil
}

func parseEvent(b []byte, interned map[int]map[uint64]string) (*pbEvent, error) {
	fields, err := pbParse(b)
	if err != nil {
		return nil, err
	}
	e := &pbEvent{args: map[string]any{}}
	lookup := func(kind int, iid uint64) (string, error) {
		s, ok := interned[kind][iid]
		if !ok {
			return "", fmt.Errorf("iid %d (kind %d) used before it was interned", iid, kind)
		}
		return s, nil
	}
	for _, f := range fields {
		switch f.num {
		case fEventType:
			e.typ = f.v
		case fEventTrackUUID:
			e.trackUID = f.v
		case fEventNameIID:
			if e.name, err = lookup(fInternedEventNames, f.v); err != nil {
				return nil, err
			}
		case fEventCategoryIIDs:
			if e.cat, err = lookup(fInternedCategories, f.v); err != nil {
				return nil, err
			}
		case fEventDoubleValue:
			e.counter = math.Float64frombits(f.v)
		case fEventFlowIDs:
			e.flowOut = append(e.flowOut, f.v)
		case fEventTermFlowIDs:
			e.flowIn = append(e.flowIn, f.v)
		case fEventDebug:
			sub, err := pbParse(f.b)
			if err != nil {
				return nil, err
			}
			var name string
			var val any
			for _, s := range sub {
				switch s.num {
				case fDebugNameIID:
					if name, err = lookup(fInternedDebugNames, s.v); err != nil {
						return nil, err
					}
				case fDebugString:
					val = string(s.b)
				case fDebugInt:
					val = int64(s.v)
				case fDebugUint:
					val = s.v
				case fDebugDouble:
					val = math.Float64frombits(s.v)
				}
			}
			e.args[name] = val
		}
	}
	if e.typ < typeSliceBegin || e.typ > typeCounter {
		return nil, fmt.Errorf("event type %d", e.typ)
	}
	if e.typ != typeSliceEnd && e.typ != typeCounter && e.name == "" {
		return nil, errors.New("event without a name")
	}
	return e, nil
}

// checkEvents replays each track in time order (as trace_processor sorts
// it): slices must nest, counters sit on counter tracks, and every flow
// must end after it began.
func (tr *pbTrace) checkEvents() error {
	flowStart := map[uint64]int64{}
	var ends []*pbEvent
	for uuid, evs := range tr.events {
		sort.SliceStable(evs, func(i, j int) bool { return evs[i].ts < evs[j].ts })
		var stack []*pbEvent
		for _, e := range evs {
			isCounter := tr.tracks[uuid].kind == "counter"
			if isCounter != (e.typ == typeCounter) {
				return fmt.Errorf("track %q: event type %d on a %s track", tr.tracks[uuid].name, e.typ, tr.tracks[uuid].kind)
			}
			switch e.typ {
			case typeSliceBegin:
				stack = append(stack, e)
				tr.slices++
			case typeSliceEnd:
				if len(stack) == 0 {
					return fmt.Errorf("track %q: slice end at %d without a begin", tr.tracks[uuid].name, e.ts)
				}
				stack = stack[:len(stack)-1]
			case typeInstant:
				tr.instants++
			case typeCounter:
				tr.counters++
			}
			for _, id := range e.flowOut {
				if _, dup := flowStart[id]; dup {
					return fmt.Errorf("flow %d starts twice", id)
				}
				flowStart[id] = e.ts
				tr.flows++
			}
			if len(e.flowIn) > 0 {
				ends = append(ends, e)
			}
		}
		if len(stack) != 0 {
			return fmt.Errorf("track %q: %d slices never end", tr.tracks[uuid].name, len(stack))
		}
	}
	for _, e := range ends {
		for _, id := range e.flowIn {
			start, ok := flowStart[id]
			if !ok || start > e.ts {
				return fmt.Errorf("flow %d ends at %d but starts at %d (%v)", id, e.ts, start, ok)
			}
		}
	}
	return nil
}

// named returns the events of the tracks called name.
func (tr *pbTrace) named(name string) []*pbEvent {
	var out []*pbEvent
	for uuid, t := range tr.tracks {
		if t.name == name {
			out = append(out, tr.events[uuid]...)
		}
	}
	return out
}
