package demo

import (
	"context"
	"fmt"
	"os"
	"time"

	"ingero.dev/common/event"
	"ingero.dev/common/recording"
	"ingero.dev/common/store"
	"ingero.dev/common/stream"
	"ingero.dev/ingero-demo/internal/sample"
)

const node = "demo-node"

func roundTrip(ctx context.Context, seed uint64, steps int, dbFile, streamFile string) (*result, error) {
	start := time.Now()
	evs, snaps := sample.Generate(sample.Workload{
		Seed: seed, Steps: steps, StartNs: start.Add(-time.Minute).UnixNano(), Node: node, PID: 4821,
	})
	sess := event.Session{ID: fmt.Sprintf("%s:%d", node, start.UnixNano()), Node: node, Host: node,
		StartNs: evs[0].TimeNs, StopNs: evs[len(evs)-1].TimeNs, Version: "demo"}
	res := &result{events: len(evs), dbFile: dbFile, streamFile: streamFile}

	t := time.Now()
	if err := writeDB(dbFile, sess, evs, snaps); err != nil {
		return nil, err
	}
	res.dbWrite = time.Since(t)
	t = time.Now()
	if err := writeStream(streamFile, sess, evs, snaps); err != nil {
		return nil, err
	}
	res.streamWrite = time.Since(t)

	for _, f := range []struct {
		path  string
		size  *int64
		check *string
	}{{dbFile, &res.dbBytes, &res.dbCheck}, {streamFile, &res.streamBytes, &res.streamCheck}} {
		st, err := os.Stat(f.path)
		if err != nil {
			return nil, err
		}
		*f.size = st.Size()
		*f.check, err = verify(ctx, f.path, evs, res)
		if err != nil {
			return nil, err
		}
	}
	return res, nil
}

func writeDB(path string, sess event.Session, evs []event.Event, snaps []event.Snapshot) error {
	w, err := store.OpenWriter(path, store.Options{FlushInterval: -1})
	if err != nil {
		return err
	}
	err = w.BeginSession(sess)
	if err == nil {
		err = w.Append(evs)
	}
	if err == nil {
		err = w.PutSnapshots(snaps)
	}
	if err == nil {
		err = w.EndSession(sess.ID, sess.StopNs, event.SessionStats{Events: uint64(len(evs))})
	}
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	return err
}

func writeStream(path string, sess event.Session, evs []event.Event, snaps []event.Snapshot) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("creating stream file: %w", err)
	}
	defer f.Close()
	w, err := stream.NewWriter(f, stream.HeaderFromSession(sess))
	if err != nil {
		return err
	}
	// Frames of 4096 events, the size trace flushes under a launch storm.
	for i := 0; i < len(evs); i += 4096 {
		if err := w.WriteEvents(evs[i:min(i+4096, len(evs))]); err != nil {
			return err
		}
	}
	if err := w.WriteSnapshots(snaps); err != nil {
		return err
	}
	if err := w.Close(event.SessionStats{Events: uint64(len(evs))}, sess.StopNs); err != nil {
		return err
	}
	return f.Close()
}

// verify reads a recording back through the shared loader and compares it
// event for event with what was written; the first recording read also
// fills the per-op statistics of the report.
func verify(ctx context.Context, path string, want []event.Event, res *result) (string, error) {
	t := time.Now()
	rec, err := recording.OpenFile(path)
	if err != nil {
		return "", err
	}
	defer rec.Close()
	i := 0
	collect := res.ops == nil
	if collect {
		res.ops = newOpTable()
	}
	err = rec.Events(ctx, store.Filter{}, func(e *event.Event) error {
		if i >= len(want) || *e != want[i] {
			return fmt.Errorf("%s: event %d read back differs from the one written", path, i)
		}
		if collect {
			res.ops.observe(e)
		}
		i++
		return nil
	})
	if err != nil {
		return "", err
	}
	if i != len(want) {
		return "", fmt.Errorf("%s: read back %d events, wrote %d", path, i, len(want))
	}
	return fmt.Sprintf("%d/%d events identical, read in %s (%s)", i, len(want), since(t), rec.Kind), nil
}
