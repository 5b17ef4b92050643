package demo

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"ingero.dev/common/event"
	"ingero.dev/common/ndjson"
	"ingero.dev/common/store"
	"ingero.dev/common/sysinfo"
	"ingero.dev/common/tui"
	"ingero.dev/ingero-demo/internal/scenario"
)

// runSynthetic generates the scenario's events and records them.
func (c *config) runSynthetic(ctx context.Context, s scenario.Scenario, n int) error {
	end := c.now()
	rec := s.Generate(c.seed, c.span, end)
	if c.json {
		enc := ndjson.NewEncoder(c.stdio.Out)
		if err := enc.EncodeBatch(rec.Events); err != nil {
			return err
		}
		return enc.Flush()
	}
	path, cleanup, err := c.dbPath(s.Name, n)
	if err != nil {
		return err
	}
	defer cleanup()
	stats := tui.NewStats(end.Add(-c.span), false)
	if err := record(path, rec, stats, end); err != nil {
		return err
	}
	m := stats.Model(end)
	m.DBPath = path
	if fi, err := os.Stat(path); err == nil {
		m.DBBytes = fi.Size()
	}
	if k := len(rec.Snapshots); k > 0 {
		m.System = tui.System{Valid: true, Snapshot: rec.Snapshots[k-1], Totals: sysinfo.Totals{CPUs: 16, MemTotalMB: 128 << 10}}
	}
	m.Targets = targets(rec.Events)
	if err := tui.RenderPlain(c.stdio.Out, &m); err != nil {
		return err
	}
	fmt.Fprintf(c.stdio.Out, "recorded %d events to %s\n\n", len(rec.Events), path)
	// --annotations: each chain names the training steps it hit.
	out, err := c.runner(ctx, []string{"-d", path, "--since", (2 * c.span).String(), "--annotations"})
	fmt.Fprint(c.stdio.Out, out)
	return err
}

// targets lists the processes that made GPU calls, as trace's view does.
func targets(evs []event.Event) []tui.Target {
	seen := map[uint32]bool{}
	var out []tui.Target
	for i := range evs {
		e := &evs[i]
		if (e.Source == event.SourceCUDA || e.Source == event.SourceDriver) && !seen[e.PID] {
			seen[e.PID] = true
			out = append(out, tui.Target{PID: e.PID, Name: e.Comm})
		}
	}
	return out
}

// record writes the scenario the way trace does: every event through the
// live statistics and into the store, with the host snapshots and a
// session row.
func record(path string, rec scenario.Recording, stats *tui.Stats, end time.Time) error {
	w, err := store.OpenWriter(path, store.Options{FlushInterval: -1})
	if err != nil {
		return err
	}
	sess := event.Session{ID: fmt.Sprintf("demo-node:%d", end.UnixNano()), Node: "demo-node", Host: "demo-node",
		StartNs: rec.Events[0].TimeNs, Version: "demo", Flags: map[string]string{"mode": "synthetic"}}
	err = w.BeginSession(sess)
	for i := 0; err == nil && i < len(rec.Events); i += 4096 {
		batch := rec.Events[i:min(i+4096, len(rec.Events))]
		for j := range batch {
			stats.Observe(&batch[j])
		}
		err = w.Append(batch)
	}
	if err == nil {
		err = w.PutSnapshots(rec.Snapshots)
	}
	if err == nil {
		err = w.PutAnnotations(rec.Annotations)
	}
	if err == nil {
		err = w.EndSession(sess.ID, end.UnixNano(), event.SessionStats{Events: uint64(len(rec.Events))})
	}
	return errors.Join(err, w.Close())
}

// dbPath is -d for one scenario, -d with the scenario's name added for
// several, or a temporary file that goes away after the report.
func (c *config) dbPath(name string, n int) (string, func(), error) {
	if c.db == "" {
		dir, err := os.MkdirTemp("", "ingero-demo-")
		if err != nil {
			return "", nil, err
		}
		return filepath.Join(dir, name+".db"), func() { os.RemoveAll(dir) }, nil
	}
	path := c.db
	if n > 1 {
		ext := filepath.Ext(path)
		path = strings.TrimSuffix(path, ext) + "-" + name + ext
	}
	if _, err := os.Stat(path); err == nil {
		return "", nil, fmt.Errorf("%s already exists; the demo writes a fresh database: pass a new path with -d", path)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return "", nil, err
	}
	return path, func() {}, nil
}
