package store

import (
	"encoding/json"
	"fmt"

	"github.com/ncruces/go-sqlite3"
	"ingero.dev/common/event"
)

// Sessions returns every recorded session, oldest first.
func (r *Reader) Sessions() ([]event.Session, error) {
	var out []event.Session
	err := r.rows("reading sessions", `SELECT id, node, host, start_ns, stop_ns, kernel, gpu_model, gpu_driver, cuda_version,
		version, flags, pid_filter, clock_mono_ns, events, kernel_drops, user_drops, sampled_out
		FROM sessions ORDER BY start_ns, id`, nil, func(s *sqlite3.Stmt) error {
		ses := event.Session{
			ID: s.ColumnText(0), Node: s.ColumnText(1), Host: s.ColumnText(2),
			StartNs: s.ColumnInt64(3), StopNs: s.ColumnInt64(4), Kernel: s.ColumnText(5),
			GPUModel: s.ColumnText(6), GPUDriver: s.ColumnText(7), CUDAVersion: s.ColumnText(8),
			Version: s.ColumnText(9), ClockMonoNs: s.ColumnInt64(12),
			Stats: event.SessionStats{
				Events: uint64(s.ColumnInt64(13)), KernelDrops: uint64(s.ColumnInt64(14)),
				UserDrops: uint64(s.ColumnInt64(15)), SampledOut: uint64(s.ColumnInt64(16)),
			},
		}
		if err := jsonColumn(s, 10, &ses.Flags); err != nil {
			return fmt.Errorf("session %s flags: %w", ses.ID, err)
		}
		if err := jsonColumn(s, 11, &ses.PIDFilter); err != nil {
			return fmt.Errorf("session %s pid filter: %w", ses.ID, err)
		}
		out = append(out, ses)
		return nil
	})
	return out, err
}

// Stacks returns the stacks with the given IDs (every stack when ids is
// empty). IDs that are not stored are absent from the map.
func (r *Reader) Stacks(ids []uint64) (map[uint64]event.Stack, error) {
	out := make(map[uint64]event.Stack, len(ids))
	scan := func(s *sqlite3.Stmt) error {
		st := event.Stack{ID: uint64(s.ColumnInt64(0))}
		if err := jsonColumn(s, 1, &st.Frames); err != nil {
			return fmt.Errorf("stack %#x: %w", st.ID, err)
		}
		out[st.ID] = st
		return nil
	}
	if len(ids) == 0 {
		return out, r.rows("reading stacks", `SELECT id, frames FROM stacks`, nil, scan)
	}
	for len(ids) > 0 {
		part := ids[:min(len(ids), maxListPushdown)]
		ids = ids[len(part):]
		args := make([]any, len(part))
		for i, id := range part {
			args[i] = id
		}
		err := r.rows("reading stacks", `SELECT id, frames FROM stacks WHERE id IN (`+placeholders(len(part))+`)`, args, scan)
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Snapshots returns host snapshots taken in [fromNs, toNs] (0 leaves a
// side open), in time order.
func (r *Reader) Snapshots(fromNs, toNs int64) ([]event.Snapshot, error) {
	from, to := bounds(fromNs, toNs)
	var out []event.Snapshot
	err := r.rows("reading snapshots", `SELECT ts, node, cpu_pct, mem_pct, mem_avail_mb, swap_used_mb, load1
		FROM snapshots WHERE ts >= ? AND ts <= ? ORDER BY ts, node`, []any{from, to}, func(s *sqlite3.Stmt) error {
		out = append(out, event.Snapshot{
			TimeNs: s.ColumnInt64(0), Node: s.ColumnText(1), CPUPct: s.ColumnFloat(2), MemPct: s.ColumnFloat(3),
			MemAvailMB: s.ColumnInt64(4), SwapUsedMB: s.ColumnInt64(5), Load1: s.ColumnFloat(6),
		})
		return nil
	})
	if err != nil || r.version < gpuSamplesVersion || len(out) == 0 {
		return out, err
	}
	return out, r.gpuSamples(out, from, to)
}

// gpuSamples attaches the GPU samples of [from, to] to their snapshots
// (same node and instant), devices in order, each device's processes
// after it.
func (r *Reader) gpuSamples(snaps []event.Snapshot, from, to int64) error {
	type at struct {
		ts   int64
		node string
	}
	idx := make(map[at]int, len(snaps))
	for i := range snaps {
		idx[at{snaps[i].TimeNs, snaps[i].Node}] = i
	}
	return r.rows("reading GPU samples", `SELECT ts, node, gpu, pid, util_pct, mem_pct
		FROM gpu_samples WHERE ts >= ? AND ts <= ? ORDER BY ts, node, gpu, pid`, []any{from, to}, func(s *sqlite3.Stmt) error {
		i, ok := idx[at{s.ColumnInt64(0), s.ColumnText(1)}]
		if !ok {
			return nil
		}
		snap := &snaps[i]
		gpu, pid := int32(s.ColumnInt64(2)), uint32(s.ColumnInt64(3))
		if pid == 0 {
			snap.GPUs = append(snap.GPUs, event.GPUUtil{GPU: gpu, UtilPct: s.ColumnFloat(4), MemPct: s.ColumnFloat(5)})
			return nil
		}
		if n := len(snap.GPUs); n > 0 && snap.GPUs[n-1].GPU == gpu {
			g := &snap.GPUs[n-1]
			g.Procs = append(g.Procs, event.GPUProcUtil{PID: pid, SMPct: s.ColumnFloat(4), MemPct: s.ColumnFloat(5)})
		}
		return nil
	})
}

// ProcessNames returns every process sighting, by node, PID and first
// sighting.
func (r *Reader) ProcessNames() ([]event.ProcessName, error) {
	var out []event.ProcessName
	err := r.rows("reading process names", `SELECT node, pid, comm, cmdline, first_ns, last_ns
		FROM process_names ORDER BY node, pid, first_ns`, nil, func(s *sqlite3.Stmt) error {
		out = append(out, event.ProcessName{
			Node: s.ColumnText(0), PID: uint32(s.ColumnInt64(1)), Comm: s.ColumnText(2),
			Cmdline: s.ColumnText(3), FirstNs: s.ColumnInt64(4), LastNs: s.ColumnInt64(5),
		})
		return nil
	})
	return out, err
}

// Chains returns causal chains detected in [fromNs, toNs] (0 leaves a side
// open), most severe first, then by detection time.
func (r *Reader) Chains(fromNs, toNs int64) ([]event.Chain, error) {
	from, to := bounds(fromNs, toNs)
	var out []event.Chain
	// Each column is read through substr, one byte past its bound: the
	// engine writes chains of a few hundred bytes and a handful of steps,
	// and a crafted file's million-step timeline, sorted whole, would take
	// the reader's memory (the driver panicked on one).
	err := r.rows("reading chains", `SELECT substr(id, 1, ?3), substr(node, 1, ?3), detected_ns, severity, substr(rule, 1, ?3),
		substr(op, 1, ?3), pid, substr(summary, 1, ?3), substr(root_cause, 1, ?3), substr(fix, 1, ?3),
		substr(timeline, 1, ?4), substr(evidence, 1, ?4) FROM chains WHERE detected_ns >= ?1 AND detected_ns <= ?2
		ORDER BY severity DESC, detected_ns, id`, []any{from, to, maxChainText + 1, maxChainJSON + 1}, func(s *sqlite3.Stmt) error {
		c := event.Chain{
			ID: s.ColumnText(0), Node: s.ColumnText(1), DetectedNs: s.ColumnInt64(2),
			Severity: event.Severity(s.ColumnInt64(3)), Rule: s.ColumnText(4), Op: s.ColumnText(5),
			PID: uint32(s.ColumnInt64(6)), Summary: s.ColumnText(7), RootCause: s.ColumnText(8), Fix: s.ColumnText(9),
		}
		for col, max := range map[int]int{0: maxChainText, 1: maxChainText, 4: maxChainText, 5: maxChainText, 7: maxChainText,
			8: maxChainText, 9: maxChainText, 10: maxChainJSON, 11: maxChainJSON} {
			if len(s.ColumnRawText(col)) > max {
				return fmt.Errorf("chain %.64s: a field over %d bytes: the file was not written by ingero, or is damaged", c.ID, max)
			}
		}
		if err := jsonColumn(s, 10, &c.Timeline); err != nil {
			return fmt.Errorf("chain %s timeline: %w", c.ID, err)
		}
		if err := jsonColumn(s, 11, &c.Evidence); err != nil {
			return fmt.Errorf("chain %s evidence: %w", c.ID, err)
		}
		out = append(out, c)
		return nil
	})
	return out, err
}

// Bounds on one stored chain's fields, far above what the engine writes.
const (
	maxChainText = 64 << 10
	maxChainJSON = 4 << 20
)

// Annotations returns annotations whose instant, or whose span, touches
// [fromNs, toNs] (0 leaves a side open), in time order.
func (r *Reader) Annotations(fromNs, toNs int64) ([]event.Annotation, error) {
	from, to := bounds(fromNs, toNs)
	var out []event.Annotation
	// v1 files have no node column: their annotations read as node "".
	node := "''"
	if r.version >= 2 {
		node = "node"
	}
	// Files before v4 know no sender: theirs read as NULL.
	sender := "NULL, NULL, NULL, NULL"
	if r.version >= senderVersion {
		sender = "sender_pid, sender_uid, sender_gid, sender_start_ticks"
	}
	err := r.rows("reading annotations", `SELECT ts, pid, span_start, span_end, labels, `+node+`, `+sender+` FROM annotations
		WHERE (ts >= ?1 AND ts <= ?2) OR (span_end != 0 AND span_start <= ?2 AND span_end >= ?1)
		ORDER BY ts, id`, []any{from, to}, func(s *sqlite3.Stmt) error {
		a := event.Annotation{TimeNs: s.ColumnInt64(0), PID: uint32(s.ColumnInt64(1)),
			SpanStart: s.ColumnInt64(2), SpanEnd: s.ColumnInt64(3), Node: s.ColumnText(5)}
		if s.ColumnType(6) != sqlite3.NULL {
			a.Sender = &event.Sender{PID: uint32(s.ColumnInt64(6)), UID: uint32(s.ColumnInt64(7)),
				GID: uint32(s.ColumnInt64(8)), StartTicks: uint64(s.ColumnInt64(9))}
		}
		if err := jsonColumn(s, 4, &a.Labels); err != nil {
			return fmt.Errorf("annotation at %d: %w", a.TimeNs, err)
		}
		out = append(out, a)
		return nil
	})
	return out, err
}

func bounds(from, to int64) (int64, int64) {
	if from == 0 {
		from = minTime
	}
	if to == 0 {
		to = maxTime
	}
	return from, to
}

// rows runs a query and calls scan for each row.
func (r *Reader) rows(what, sql string, args []any, scan func(*sqlite3.Stmt) error) error {
	if r.conn == nil {
		return ErrClosed
	}
	stmt, _, err := r.conn.Prepare(sql)
	if err != nil {
		return r.fail(what, err)
	}
	defer stmt.Close()
	if err := bindAll(stmt, args...); err != nil {
		return r.fail(what, err)
	}
	for stmt.Step() {
		if err := scan(stmt); err != nil {
			return r.fail(what, err)
		}
	}
	if err := stmt.Err(); err != nil {
		return r.fail(what, err)
	}
	return nil
}

func jsonColumn(s *sqlite3.Stmt, col int, dst any) error {
	raw := s.ColumnRawText(col)
	if len(raw) == 0 {
		return nil
	}
	return json.Unmarshal(raw, dst)
}
