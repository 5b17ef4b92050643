package merge

import (
	"context"
	"fmt"
	"io"

	"ingero.dev/common/event"
	"ingero.dev/common/store"
)

// copyRecords carries everything beside the events: sessions (re-keyed
// when renamed or taken), stacks (deduplicated by their hash ID), process
// names and snapshots (keyed by node, so two nodes' PID 1 stay apart),
// chains and annotations.
func copyRecords(ctx context.Context, w *store.Writer, s *source, idx int, taken map[string]string, errw io.Writer) error {
	fail := func(what string, err error) error { return fmt.Errorf("merging %s of %s: %w", what, s.path, err) }
	sessions, err := s.rec.Sessions()
	if err != nil {
		return fail("sessions", err)
	}
	for _, ses := range sessions {
		old := ses.ID
		node := s.rename(ses.Node)
		ses.ID = renameID(ses.ID, ses.Node, node)
		ses.Node = node
		if first, dup := taken[ses.ID]; dup {
			id := fmt.Sprintf("%s~%d", ses.ID, idx+1)
			fmt.Fprintf(errw, "ingero merge: warning: session %s is in both %s and %s (one run recorded twice, as a database and a stream?): its events are counted twice; the second is kept as %s\n",
				ses.ID, first, s.path, id)
			ses.ID = id
		}
		taken[ses.ID] = s.path
		s.sessions[old] = ses.ID
		if err := w.BeginSession(ses); err != nil {
			return fail("sessions", err)
		}
	}
	stacks, err := s.rec.Stacks(nil)
	if err != nil {
		return fail("stacks", err)
	}
	list := make([]event.Stack, 0, len(stacks))
	for _, st := range stacks {
		list = append(list, st)
	}
	if err := w.PutStacks(list); err != nil {
		return fail("stacks", err)
	}
	names, err := s.rec.ProcessNames()
	if err != nil {
		return fail("process names", err)
	}
	for i := range names {
		names[i].Node = s.rename(names[i].Node)
	}
	if err := w.PutProcessNames(names); err != nil {
		return fail("process names", err)
	}
	snaps, err := s.rec.Snapshots(0, 0)
	if err != nil {
		return fail("snapshots", err)
	}
	for i := range snaps {
		snaps[i].Node = s.rename(snaps[i].Node)
	}
	if err := w.PutSnapshots(snaps); err != nil {
		return fail("snapshots", err)
	}
	chains, err := s.rec.Chains(0, 0)
	if err != nil {
		return fail("chains", err)
	}
	for i := range chains {
		c := &chains[i]
		node := s.rename(c.Node)
		c.ID, c.Node = renameID(c.ID, c.Node, node), node
	}
	if err := w.PutChains(chains); err != nil {
		return fail("chains", err)
	}
	anns, err := s.rec.Annotations(0, 0)
	if err != nil {
		return fail("annotations", err)
	}
	// Annotations of a v1 recording carry no node; an input of one node
	// can only have meant that node's.
	only := s.onlyNode(sessions)
	for i := range anns {
		a := &anns[i]
		if a.Node == "" {
			a.Node = only
		}
		a.Node = s.rename(a.Node)
	}
	if err := w.PutAnnotations(anns); err != nil {
		return fail("annotations", err)
	}
	return ctx.Err()
}

// onlyNode returns the input's node when its events and sessions name
// exactly one, else "".
func (s *source) onlyNode(sessions []event.Session) string {
	names := map[string]bool{}
	for _, n := range s.nodes {
		names[n.merged] = true
	}
	for _, ses := range sessions {
		names[s.rename(ses.Node)] = true
	}
	if len(names) != 1 {
		return ""
	}
	for n := range names {
		return n
	}
	return ""
}
