package export

import (
	"bufio"
)

// Field numbers from Perfetto's protos/perfetto/trace/perfetto_trace.proto
// (testdata holds the copy the tests decode with).
const (
	fTracePacket = 1 // Trace.packet

	fPacketTimestamp       = 8
	fPacketTrackEvent      = 11
	fPacketSequenceID      = 10 // trusted_packet_sequence_id
	fPacketInterned        = 12
	fPacketSequenceFlags   = 13
	fPacketTrackDescriptor = 60

	seqIncrementalStateCleared = 1
	seqNeedsIncrementalState   = 2

	fTrackUUID    = 1
	fTrackName    = 2
	fTrackProcess = 3
	fTrackThread  = 4
	fTrackParent  = 5
	fTrackCounter = 8

	fProcessPID  = 1
	fProcessName = 6
	fThreadPID   = 1
	fThreadTID   = 2
	fThreadName  = 5

	fCounterUnitName = 6

	fEventCategoryIIDs = 3
	fEventDebug        = 4
	fEventType         = 9
	fEventNameIID      = 10
	fEventTrackUUID    = 11
	fEventDoubleValue  = 44
	fEventFlowIDs      = 47
	fEventTermFlowIDs  = 48

	typeSliceBegin = 1
	typeSliceEnd   = 2
	typeInstant    = 3
	typeCounter    = 4

	fDebugNameIID = 1
	fDebugBool    = 2
	fDebugUint    = 3
	fDebugInt     = 4
	fDebugDouble  = 5
	fDebugString  = 6

	fInternedCategories = 1
	fInternedEventNames = 2
	fInternedDebugNames = 3
	fInternedIID        = 1 // EventName.iid, EventCategory.iid, DebugAnnotationName.iid
	fInternedName       = 2

	sequenceID = 1
)

// perfettoSink writes the native Perfetto trace: a stream of TracePackets,
// each as Trace.packet, so the file grows packet by packet and nothing is
// held back. Names of events, categories and arguments are interned on the
// one packet sequence; the first packet clears incremental state.
type perfettoSink struct {
	w       *bufio.Writer
	buf     msg
	pkt     msg
	first   bool
	names   interner
	cats    interner
	debug   interner
	newName []internEntry
	newCat  []internEntry
	newDbg  []internEntry
	stats   *sinkStats
}

type internEntry struct {
	iid  uint64
	name string
}

// interner hands out interning IDs, from 1, per distinct string.
type interner map[string]uint64

func (in interner) id(s string, fresh *[]internEntry) uint64 {
	if id, ok := in[s]; ok {
		return id
	}
	id := uint64(len(in) + 1)
	in[s] = id
	*fresh = append(*fresh, internEntry{id, s})
	return id
}

func newPerfettoSink(w *bufio.Writer) *perfettoSink {
	return &perfettoSink{w: w, first: true, names: interner{}, cats: interner{}, debug: interner{}, stats: &sinkStats{}}
}

func (s *perfettoSink) counts() *sinkStats { return s.stats }

// emit writes the packet in s.pkt as one Trace.packet field.
func (s *perfettoSink) emit() error {
	s.buf = s.buf[:0].bytes(fTracePacket, s.pkt)
	_, err := s.w.Write(s.buf)
	return err
}

func (s *perfettoSink) header(m msg, ts int64) msg {
	if ts != 0 {
		m = m.uint(fPacketTimestamp, uint64(ts))
	}
	m = m.uint(fPacketSequenceID, sequenceID)
	if s.first {
		s.first = false
		return m.uint(fPacketSequenceFlags, seqIncrementalStateCleared)
	}
	return m.uint(fPacketSequenceFlags, seqNeedsIncrementalState)
}

func (s *perfettoSink) track(t *track) error {
	s.stats.tracks++
	m := s.header(s.pkt[:0], 0)
	m = m.nested(fPacketTrackDescriptor, func(d msg) msg {
		d = d.uint(fTrackUUID, t.uuid)
		if t.parent != 0 {
			d = d.uint(fTrackParent, t.parent)
		}
		switch t.kind {
		case trackProcess:
			d = d.nested(fTrackProcess, func(p msg) msg {
				return p.int(fProcessPID, int64(t.pid)).str(fProcessName, t.name)
			})
		case trackThread:
			d = d.nested(fTrackThread, func(p msg) msg {
				return p.int(fThreadPID, int64(t.pid)).int(fThreadTID, int64(t.tid)).str(fThreadName, t.name)
			})
		case trackCounter:
			d = d.str(fTrackName, t.name)
			d = d.nested(fTrackCounter, func(c msg) msg { return c.str(fCounterUnitName, t.unit) })
		default:
			d = d.str(fTrackName, t.name)
		}
		return d
	})
	s.pkt = m
	return s.emit()
}

func (s *perfettoSink) slice(sl *slice) error {
	if sl.dur <= 0 {
		s.stats.instants++
		return s.event(sl, sl.ts, typeInstant, true)
	}
	s.stats.slices++
	if err := s.event(sl, sl.ts, typeSliceBegin, true); err != nil {
		return err
	}
	return s.event(sl, sl.ts+sl.dur, typeSliceEnd, false)
}

func (s *perfettoSink) event(sl *slice, ts int64, typ uint64, full bool) error {
	var nameIID, catIID uint64
	if full {
		nameIID = s.names.id(sl.name, &s.newName)
		catIID = s.cats.id(sl.cat, &s.newCat)
		for i := range sl.args {
			sl.args[i].iid = s.debug.id(sl.args[i].name, &s.newDbg)
		}
	}
	m := s.header(s.pkt[:0], ts)
	m = s.interned(m)
	m = m.nested(fPacketTrackEvent, func(e msg) msg {
		e = e.uint(fEventType, typ).uint(fEventTrackUUID, sl.track.uuid)
		if !full {
			return e
		}
		e = e.uint(fEventCategoryIIDs, catIID).uint(fEventNameIID, nameIID)
		for i := range sl.args {
			a := &sl.args[i]
			e = e.nested(fEventDebug, func(d msg) msg {
				d = d.uint(fDebugNameIID, a.iid)
				switch a.kind {
				case argInt:
					return d.int(fDebugInt, a.i)
				case argUint:
					return d.uint(fDebugUint, a.u)
				case argFloat:
					return d.double(fDebugDouble, a.f)
				case argBool:
					return d.bool(fDebugBool, a.u != 0)
				case argID:
					return d.eventID(fDebugString, a.s, a.i)
				}
				return d.str(fDebugString, a.s)
			})
		}
		if sl.flowOut != 0 {
			s.stats.flows++
			e = e.fixed64(fEventFlowIDs, sl.flowOut)
		}
		for _, id := range sl.flowIn {
			e = e.fixed64(fEventTermFlowIDs, id)
		}
		return e
	})
	s.pkt = m
	return s.emit()
}

// interned adds the names first used by this packet.
func (s *perfettoSink) interned(m msg) msg {
	if len(s.newName)+len(s.newCat)+len(s.newDbg) == 0 {
		return m
	}
	m = m.nested(fPacketInterned, func(d msg) msg {
		for _, list := range []struct {
			field int
			ents  []internEntry
		}{{fInternedCategories, s.newCat}, {fInternedEventNames, s.newName}, {fInternedDebugNames, s.newDbg}} {
			for _, e := range list.ents {
				d = d.nested(list.field, func(n msg) msg { return n.uint(fInternedIID, e.iid).str(fInternedName, e.name) })
			}
		}
		return d
	})
	s.newName, s.newCat, s.newDbg = s.newName[:0], s.newCat[:0], s.newDbg[:0]
	return m
}

func (s *perfettoSink) counter(t *track, ts int64, v float64) error {
	s.stats.counters++
	m := s.header(s.pkt[:0], ts)
	m = m.nested(fPacketTrackEvent, func(e msg) msg {
		return e.uint(fEventType, typeCounter).uint(fEventTrackUUID, t.uuid).double(fEventDoubleValue, v)
	})
	s.pkt = m
	return s.emit()
}

func (s *perfettoSink) finish() error { return nil }
