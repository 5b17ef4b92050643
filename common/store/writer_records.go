package store

import (
	"encoding/json"
	"fmt"

	"ingero.dev/common/event"
)

// BeginSession records a session (replacing one with the same ID) and
// makes it the session that the node's later events belong to. Events of
// that node buffered before the call stay with the previous session.
func (w *Writer) BeginSession(s event.Session) error {
	flags, err := jsonText(s.Flags, "{}")
	if err != nil {
		return fmt.Errorf("encoding session flags: %w", err)
	}
	pids, err := jsonText(s.PIDFilter, "[]")
	if err != nil {
		return fmt.Errorf("encoding session pid filter: %w", err)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return ErrClosed
	}
	if b := w.builders[s.Node]; b != nil {
		w.sealBuilder(b)
	}
	err = inTx(w.conn, func() error {
		return w.execSQL(`INSERT OR REPLACE INTO sessions(id, node, host, start_ns, stop_ns, kernel, gpu_model, gpu_driver,
			cuda_version, version, flags, pid_filter, clock_mono_ns, events, kernel_drops, user_drops, sampled_out)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			s.ID, s.Node, s.Host, s.StartNs, s.StopNs, s.Kernel, s.GPUModel, s.GPUDriver,
			s.CUDAVersion, s.Version, flags, pids, s.ClockMonoNs,
			s.Stats.Events, s.Stats.KernelDrops, s.Stats.UserDrops, s.Stats.SampledOut)
	})
	if err != nil {
		return fmt.Errorf("recording session %s in %s: %w", s.ID, w.path, err)
	}
	w.sessions[s.Node] = s.ID
	return nil
}

// UpdateSessionStats stores a running session's counters, so that a trace
// that dies still leaves its drop counts behind.
func (w *Writer) UpdateSessionStats(id string, st event.SessionStats) error {
	return w.records("updating session "+id, func() error {
		return w.updateSession(`UPDATE sessions SET events = ?, kernel_drops = ?, user_drops = ?, sampled_out = ? WHERE id = ?`,
			st.Events, st.KernelDrops, st.UserDrops, st.SampledOut, id)
	})
}

// EndSession commits the session's buffered events, then stores its stop
// time and final counters. Later events of the node belong to no session
// until the next BeginSession.
func (w *Writer) EndSession(id string, stopNs int64, st event.SessionStats) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return ErrClosed
	}
	if err := w.flushLocked(); err != nil {
		return fmt.Errorf("ending session %s: %w", id, err)
	}
	for node, sid := range w.sessions {
		if sid == id {
			delete(w.sessions, node)
		}
	}
	err := inTx(w.conn, func() error {
		return w.updateSession(`UPDATE sessions SET stop_ns = ?, events = ?, kernel_drops = ?, user_drops = ?, sampled_out = ? WHERE id = ?`,
			stopNs, st.Events, st.KernelDrops, st.UserDrops, st.SampledOut, id)
	})
	if err != nil {
		return fmt.Errorf("ending session %s in %s: %w", id, w.path, err)
	}
	return nil
}

func (w *Writer) updateSession(sql string, args ...any) error {
	if err := w.execSQL(sql, args...); err != nil {
		return err
	}
	if w.conn.Changes() == 0 {
		return fmt.Errorf("no session with id %q", args[len(args)-1])
	}
	return nil
}

// PutStacks stores stacks; a stack whose ID is already stored is kept.
func (w *Writer) PutStacks(stacks []event.Stack) error {
	return w.putEach("storing stacks", `INSERT OR IGNORE INTO stacks(id, frames) VALUES (?, ?)`, len(stacks),
		func(i int) ([]any, error) {
			frames, err := jsonText(stacks[i].Frames, "[]")
			return []any{stacks[i].ID, frames}, err
		})
}

// PutSnapshots stores host snapshots, with their GPU samples; one per
// node and instant is kept.
func (w *Writer) PutSnapshots(snaps []event.Snapshot) error {
	err := w.putEach("storing snapshots", `INSERT OR REPLACE INTO snapshots(ts, node, cpu_pct, mem_pct, mem_avail_mb, swap_used_mb, load1)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, len(snaps),
		func(i int) ([]any, error) {
			s := &snaps[i]
			return []any{s.TimeNs, s.Node, s.CPUPct, s.MemPct, s.MemAvailMB, s.SwapUsedMB, s.Load1}, nil
		})
	if err != nil {
		return err
	}
	var rows [][]any
	for i := range snaps {
		s := &snaps[i]
		for _, g := range s.GPUs {
			rows = append(rows, []any{s.TimeNs, s.Node, g.GPU, 0, g.UtilPct, g.MemPct})
			for _, p := range g.Procs {
				rows = append(rows, []any{s.TimeNs, s.Node, g.GPU, int64(p.PID), p.SMPct, p.MemPct})
			}
		}
	}
	return w.putEach("storing GPU samples", `INSERT OR REPLACE INTO gpu_samples(ts, node, gpu, pid, util_pct, mem_pct)
		VALUES (?, ?, ?, ?, ?, ?)`, len(rows), func(i int) ([]any, error) { return rows[i], nil })
}

// PutProcessNames stores or widens process sightings: a known (node, pid,
// comm) keeps its earliest first and latest last sighting, and gains a
// command line it lacked.
func (w *Writer) PutProcessNames(names []event.ProcessName) error {
	return w.putEach("storing process names", `INSERT INTO process_names(node, pid, comm, cmdline, first_ns, last_ns)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT(node, pid, comm) DO UPDATE SET
			cmdline = CASE WHEN excluded.cmdline != '' THEN excluded.cmdline ELSE cmdline END,
			first_ns = min(first_ns, excluded.first_ns),
			last_ns = max(last_ns, excluded.last_ns)`, len(names),
		func(i int) ([]any, error) {
			p := &names[i]
			return []any{p.Node, p.PID, p.Comm, p.Cmdline, p.FirstNs, p.LastNs}, nil
		})
}

// PutChains stores causal chains, replacing any with the same ID.
func (w *Writer) PutChains(chains []event.Chain) error {
	return w.putEach("storing chains", `INSERT OR REPLACE INTO chains(id, node, detected_ns, severity, rule, op, pid,
		summary, root_cause, fix, timeline, evidence) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, len(chains),
		func(i int) ([]any, error) {
			c := &chains[i]
			timeline, err := jsonText(c.Timeline, "[]")
			if err != nil {
				return nil, fmt.Errorf("chain %s timeline: %w", c.ID, err)
			}
			evidence, err := jsonText(c.Evidence, "{}")
			if err != nil {
				return nil, fmt.Errorf("chain %s evidence: %w", c.ID, err)
			}
			return []any{c.ID, c.Node, c.DetectedNs, uint8(c.Severity), c.Rule, c.Op, c.PID,
				c.Summary, c.RootCause, c.Fix, timeline, evidence}, nil
		})
}

// PutAnnotations stores annotations.
func (w *Writer) PutAnnotations(anns []event.Annotation) error {
	return w.putEach("storing annotations", `INSERT INTO annotations(ts, pid, node, span_start, span_end, labels,
		sender_pid, sender_uid, sender_gid, sender_start_ticks) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, len(anns),
		func(i int) ([]any, error) {
			a := &anns[i]
			labels, err := jsonText(a.Labels, "{}")
			var sp, su, sg, st any // NULL: no sender
			if s := a.Sender; s != nil {
				sp, su, sg, st = s.PID, s.UID, s.GID, s.StartTicks
			}
			return []any{a.TimeNs, a.PID, a.Node, a.SpanStart, a.SpanEnd, labels, sp, su, sg, st}, err
		})
}

// putEach runs one prepared insert per record, all in one transaction.
func (w *Writer) putEach(what, sql string, n int, args func(i int) ([]any, error)) error {
	if n == 0 {
		return nil
	}
	return w.records(what, func() error {
		stmt, _, err := w.conn.Prepare(sql)
		if err != nil {
			return fmt.Errorf("preparing: %w", err)
		}
		defer stmt.Close()
		for i := range n {
			a, err := args(i)
			if err != nil {
				return err
			}
			if err := execWith(stmt, a...); err != nil {
				return err
			}
		}
		return nil
	})
}

// records runs fn under the lock and in its own transaction; event chunks
// are not part of it.
func (w *Writer) records(what string, fn func() error) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return ErrClosed
	}
	if err := inTx(w.conn, fn); err != nil {
		return fmt.Errorf("%s in %s: %w", what, w.path, err)
	}
	return nil
}

func (w *Writer) execSQL(sql string, args ...any) error {
	stmt, _, err := w.conn.Prepare(sql)
	if err != nil {
		return err
	}
	defer stmt.Close()
	return execWith(stmt, args...)
}

// jsonText encodes v, writing empty for nil maps and slices so that the
// JSON columns always hold valid JSON of one shape.
func jsonText(v any, empty string) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	if s := string(b); s != "null" {
		return s, nil
	}
	return empty, nil
}
