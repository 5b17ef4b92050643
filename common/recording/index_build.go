package recording

import (
	"cmp"
	"fmt"
	"slices"

	"ingero.dev/common/batch"
	"ingero.dev/common/event"
	"ingero.dev/common/stream"
)

// builder folds frames into the index with the store's rules for each
// record kind, so a stream reads exactly as its import into a database
// would: a process sighting widens the known one, a snapshot or chain
// replaces the one with the same key, a stack is kept once.
type builder struct {
	ix     *streamIndex
	dec    *decoders
	warns  []warning
	open   int // index in ix.sessions of the session still open, or -1
	names  map[nameKey]int
	snaps  map[snapKey]int
	chains map[string]int
}

type (
	nameKey struct {
		node string
		pid  uint32
		comm string
	}
	snapKey struct {
		ts   int64
		node string
	}
)

func (b *builder) begin(s event.Session) {
	b.open = -1
	if s.ID == "" || slices.ContainsFunc(b.ix.sessions, func(o event.Session) bool { return o.ID == s.ID }) {
		return
	}
	if s.Flags == nil {
		s.Flags = map[string]string{}
	}
	if s.PIDFilter == nil {
		s.PIDFilter = []uint32{}
	}
	b.open = len(b.ix.sessions)
	b.ix.sessions = append(b.ix.sessions, s)
}

func (b *builder) frame(fr stream.Frame) {
	ix := b.ix
	switch fr.Kind {
	case stream.KindEvents:
		b.events(fr)
	case stream.KindStacks:
		for _, s := range fr.Stacks {
			if _, ok := ix.stacks[s.ID]; !ok {
				ix.stacks[s.ID] = s
			}
		}
	case stream.KindSnapshots:
		for _, s := range fr.Snapshots {
			k := snapKey{s.TimeNs, s.Node}
			if i, ok := b.snaps[k]; ok {
				ix.snaps[i] = s
				continue
			}
			b.snaps[k] = len(ix.snaps)
			ix.snaps = append(ix.snaps, s)
		}
	case stream.KindProcesses:
		for _, p := range fr.Processes {
			b.name(p)
		}
	case stream.KindChains:
		for _, c := range fr.Chains {
			// The store reads an empty timeline or evidence back as empty,
			// not absent.
			if c.Timeline == nil {
				c.Timeline = []event.TimelineEntry{}
			}
			if c.Evidence == nil {
				c.Evidence = map[string]any{}
			}
			if i, ok := b.chains[c.ID]; ok {
				ix.chains[i] = c
				continue
			}
			b.chains[c.ID] = len(ix.chains)
			ix.chains = append(ix.chains, c)
		}
	case stream.KindAnnotations:
		ix.anns = append(ix.anns, fr.Annotations...)
	case stream.KindTrailer:
		if fr.Trailer != nil && b.open >= 0 {
			s := &ix.sessions[b.open]
			s.StopNs, s.Stats = fr.Trailer.StopNs, fr.Trailer.Stats
			b.open = -1
		}
	case stream.KindHeader:
		// Another session appended to the same file (a restarted trace):
		// a session still open here was cut off without its trailer.
		if fr.Header != nil {
			if b.open >= 0 {
				b.warn(fr.Offset, fmt.Sprintf("session %s was cut off before its trailer", ix.sessions[b.open].ID))
			}
			b.begin(stream.Session(*fr.Header, nil))
		}
	}
}

func (b *builder) name(p event.ProcessName) {
	k := nameKey{p.Node, p.PID, p.Comm}
	i, ok := b.names[k]
	if !ok {
		b.names[k] = len(b.ix.names)
		b.ix.names = append(b.ix.names, p)
		return
	}
	have := &b.ix.names[i]
	if p.Cmdline != "" {
		have.Cmdline = p.Cmdline
	}
	have.FirstNs = min(have.FirstNs, p.FirstNs)
	have.LastNs = max(have.LastNs, p.LastNs)
}

// summarize fills m from the frame's events: its size, time range and
// per-(pid, op) summary.
func summarize(m *frameMeta, briefs []batch.Brief) {
	m.n = len(briefs)
	if m.n == 0 {
		return
	}
	m.tMin, m.tMax = briefs[0].TimeNs, briefs[0].TimeNs
	// A frame holds few distinct (pid, op) pairs and long runs of one, so
	// the last row hit, then a scan of the rows, beats a map.
	last := -1
	for i := range briefs {
		ev := &briefs[i]
		m.tMin, m.tMax = min(m.tMin, ev.TimeNs), max(m.tMax, ev.TimeNs)
		if last < 0 || m.ops[last].pid != ev.PID || m.ops[last].key != ev.Key {
			last = slices.IndexFunc(m.ops, func(r opRow) bool { return r.pid == ev.PID && r.key == ev.Key })
			if last < 0 {
				last = len(m.ops)
				m.ops = append(m.ops, opRow{pid: ev.PID, key: ev.Key})
			}
		}
		m.ops[last].add(ev)
	}
	m.ops = slices.Clip(m.ops)
}

// finish puts the records in the orders the store returns them in.
func (b *builder) finish() {
	ix := b.ix
	slices.SortStableFunc(ix.names, func(a, c event.ProcessName) int {
		return cmp.Or(cmp.Compare(a.Node, c.Node), cmp.Compare(a.PID, c.PID), cmp.Compare(a.FirstNs, c.FirstNs))
	})
	slices.SortStableFunc(ix.snaps, func(a, c event.Snapshot) int {
		return cmp.Or(cmp.Compare(a.TimeNs, c.TimeNs), cmp.Compare(a.Node, c.Node))
	})
	slices.SortStableFunc(ix.chains, func(a, c event.Chain) int {
		return cmp.Or(cmp.Compare(c.Severity, a.Severity), cmp.Compare(a.DetectedNs, c.DetectedNs), cmp.Compare(a.ID, c.ID))
	})
	slices.SortStableFunc(ix.anns, func(a, c event.Annotation) int { return cmp.Compare(a.TimeNs, c.TimeNs) })
	slices.SortStableFunc(ix.sessions, func(a, c event.Session) int {
		return cmp.Or(cmp.Compare(a.StartNs, c.StartNs), cmp.Compare(a.ID, c.ID))
	})
}
