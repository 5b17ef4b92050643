package recording

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"ingero.dev/common/batch/batchtest"
	"ingero.dev/common/event"
	"ingero.dev/common/source"
	"ingero.dev/common/stream"
)

// awkwardStream writes a stream that exercises every ordering rule:
// frames out of time order and overlapping, events out of order inside a
// frame, many events at one instant across frames, two sessions (the
// second appended by a restarted writer), and records that the store
// merges or replaces (a process seen twice, a snapshot and a chain
// written twice).
func awkwardStream(t *testing.T) string {
	t.Helper()
	evs := batchtest.Mixed(11, 20000)
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range evs {
		evs[i].Node = "node-a"
		if i%50 == 0 { // a crowd at one instant
			evs[i].TimeNs = evs[10000].TimeNs
		}
	}
	for i := range 300 { // local disorder
		j := rng.IntN(len(evs) - 5)
		evs[j], evs[j+3] = evs[j+3], evs[j]
		_ = i
	}
	var buf bytes.Buffer
	write := func(id string, start int64, frames [][]event.Event, trailer bool) {
		s := event.Session{ID: id, Node: "node-a", Host: "h", StartNs: start, Version: "v0.1.0"}
		w, err := stream.NewWriter(&buf, stream.HeaderFromSession(s))
		if err != nil {
			t.Fatal(err)
		}
		for _, fr := range frames {
			if err := w.WriteEvents(fr); err != nil {
				t.Fatal(err)
			}
		}
		names := []event.ProcessName{{Node: "node-a", PID: 1, Comm: "python3", FirstNs: 50, LastNs: 60},
			{Node: "node-a", PID: 1, Comm: "python3", Cmdline: "python3 train.py", FirstNs: 40, LastNs: 55},
			{Node: "node-a", PID: 2, Comm: "pt_worker", FirstNs: 10, LastNs: 90}}
		snaps := []event.Snapshot{{TimeNs: evs[100].TimeNs, Node: "node-a", CPUPct: 10}, {TimeNs: evs[100].TimeNs, Node: "node-a", CPUPct: 20},
			{TimeNs: evs[5000].TimeNs, Node: "node-a", CPUPct: 30}}
		chains := []event.Chain{{ID: "c1", Node: "node-a", DetectedNs: evs[300].TimeNs, Severity: event.SeverityLow, Summary: "first"},
			{ID: "c2", Node: "node-a", DetectedNs: evs[200].TimeNs, Severity: event.SeverityHigh, Summary: "high"},
			{ID: "c1", Node: "node-a", DetectedNs: evs[300].TimeNs, Severity: event.SeverityMedium, Summary: "replaced"}}
		anns := []event.Annotation{{TimeNs: evs[50].TimeNs, Labels: map[string]string{"phase": "a"}},
			{TimeNs: evs[20].TimeNs, SpanStart: evs[20].TimeNs, SpanEnd: evs[900].TimeNs, PID: 1, Labels: map[string]string{"req": "r"}}}
		stacks := []event.Stack{{ID: 7, Frames: []event.Frame{{IP: 1, Symbol: "a"}}}, {ID: 7, Frames: []event.Frame{{IP: 2, Symbol: "b"}}}}
		for _, err := range []error{w.WriteProcessNames(names), w.WriteSnapshots(snaps), w.WriteChains(chains),
			w.WriteAnnotations(anns), w.WriteStacks(stacks)} {
			if err != nil {
				t.Fatal(err)
			}
		}
		if trailer {
			if err := w.Close(event.SessionStats{Events: 9, KernelDrops: 1}, start+1e9); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Session one: frames of uneven sizes, the third written before the
	// second (a slow ring buffer).
	write("node-a:1", 1, [][]event.Event{evs[:3000], evs[7000:9000], evs[3000:7000], evs[9000:12000]}, true)
	// Session two, appended: overlaps the first in time, and is cut off.
	write("node-a:2", 2, [][]event.Event{evs[11000:16000], evs[16000:]}, false)
	path := filepath.Join(t.TempDir(), "awkward.stream")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestIndexReadsAsTheImportDoes compares a stream read in place with the
// same stream loaded into a database, call by call.
func TestIndexReadsAsTheImportDoes(t *testing.T) {
	path := awkwardStream(t)
	db, err := OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	in, err := OpenFileSource(path)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	if in.Reader != nil || in.Kind != Stream {
		t.Fatalf("OpenFileSource loaded a database: %+v", in)
	}
	if !slices.Equal(db.Warnings, in.Warnings) {
		t.Errorf("warnings:\n import %q\n index  %q", db.Warnings, in.Warnings)
	}
	a, b := db.Source, in.Source
	ctx := context.Background()
	same := func(what string, x, y any, errX, errY error) {
		t.Helper()
		if errX != nil || errY != nil {
			t.Fatalf("%s: %v / %v", what, errX, errY)
		}
		if !reflect.DeepEqual(x, y) {
			t.Errorf("%s differs:\n import %v\n index  %v", what, short(x), short(y))
		}
	}
	sp1, e1 := a.TimeSpan()
	sp2, e2 := b.TimeSpan()
	same("TimeSpan", sp1, sp2, e1, e2)
	mid := sp1.FirstNs + (sp1.LastNs-sp1.FirstNs)/2
	filters := []source.Filter{
		{},
		{Desc: true},
		{Limit: 777},
		{Limit: 777, Desc: true},
		{FromNs: mid - 1e6, ToNs: mid + 3e6},
		{FromNs: mid, Desc: true, Limit: 100},
		{PIDs: []uint32{1}},
		{Ops: []event.Key{{Source: event.SourceCUDA, Op: event.CudaStreamSynchronize}}, Desc: true},
		{FromNs: sp1.LastNs + 1},
	}
	for _, f := range filters {
		x, e1 := collect(ctx, a, f)
		y, e2 := collect(ctx, b, f)
		same(fmt.Sprintf("Events(%+v)", f), x, y, e1, e2)
		s1, e1 := a.OpSummary(ctx, f)
		s2, e2 := b.OpSummary(ctx, f)
		same(fmt.Sprintf("OpSummary(%+v)", f), s1, s2, e1, e2)
	}
	n1, e1 := a.ProcessNames()
	n2, e2 := b.ProcessNames()
	same("ProcessNames", n1, n2, e1, e2)
	for _, r := range [][2]int64{{0, 0}, {mid, 0}, {0, mid}} {
		x1, e1 := a.Snapshots(r[0], r[1])
		x2, e2 := b.Snapshots(r[0], r[1])
		same("Snapshots", x1, x2, e1, e2)
		c1, e1 := a.Chains(r[0], r[1])
		c2, e2 := b.Chains(r[0], r[1])
		same("Chains", c1, c2, e1, e2)
		a1, e1 := a.Annotations(r[0], r[1])
		a2, e2 := b.Annotations(r[0], r[1])
		same("Annotations", a1, a2, e1, e2)
	}
	ss1, e1 := a.Sessions()
	ss2, e2 := b.Sessions()
	same("Sessions", ss1, ss2, e1, e2)
	st1, e1 := a.Stacks(nil)
	st2, e2 := b.Stacks(nil)
	same("Stacks", st1, st2, e1, e2)

	// Store loads the stream for SQL on demand, once.
	r, err := in.Store()
	if err != nil {
		t.Fatal(err)
	}
	if r2, _ := in.Store(); r2 != r {
		t.Error("Store loaded the stream twice")
	}
	res, err := r.Query(ctx, 0, "SELECT count(*) FROM events")
	if err != nil || res.Rows[0][0] != sp1.Events {
		t.Errorf("SQL over the loaded stream: %v, %v", res, err)
	}
}

func collect(ctx context.Context, src source.Source, f source.Filter) ([]event.Event, error) {
	var out []event.Event
	err := src.Events(ctx, f, func(ev *event.Event) error {
		out = append(out, *ev)
		return nil
	})
	return out, err
}

func short(v any) string {
	s := fmt.Sprintf("%#v", v)
	if len(s) > 1400 {
		return s[:1400] + "…"
	}
	return s
}

// Damage reads the same both ways: a lost header (no session, but the
// events after it), a damaged events frame, a cut-off end.
func TestIndexReadsDamageAsTheImportDoes(t *testing.T) {
	good, err := os.ReadFile(awkwardStream(t))
	if err != nil {
		t.Fatal(err)
	}
	r, err := stream.NewReader(bytes.NewReader(good))
	if err != nil {
		t.Fatal(err)
	}
	var offs []int64
	for f, err := range r.Frames() {
		if err == nil && f.Kind == stream.KindEvents {
			offs = append(offs, f.Offset)
		}
	}
	cases := map[string]func([]byte) []byte{
		"header":         func(b []byte) []byte { b[stream.MagicLen+6] ^= 0xff; return b },
		"events":         func(b []byte) []byte { b[offs[1]+40] ^= 0xff; return b },
		"cut":            func(b []byte) []byte { return b[:offs[2]+100] },
		"header+trailer": func(b []byte) []byte { b[stream.MagicLen+6] ^= 0xff; return b[:len(b)-10] },
		// Intact framing around content that does not decode: found by
		// the decoding goroutines, reported in its place all the same.
		"content": func(b []byte) []byte { return spoilContent(b, offs[1]) },
	}
	for name, damage := range cases {
		path := filepath.Join(t.TempDir(), name+".stream")
		if err := os.WriteFile(path, damage(bytes.Clone(good)), 0o644); err != nil {
			t.Fatal(err)
		}
		db, err1 := OpenFile(path)
		in, err2 := OpenFileSource(path)
		if err1 != nil || err2 != nil {
			t.Fatalf("%s: %v / %v", name, err1, err2)
		}
		if !slices.Equal(db.Warnings, in.Warnings) || len(in.Warnings) == 0 {
			t.Errorf("%s: warnings:\n import %q\n index  %q", name, db.Warnings, in.Warnings)
		}
		ctx := context.Background()
		x, e1 := collect(ctx, db.Source, source.Filter{})
		y, e2 := collect(ctx, in.Source, source.Filter{})
		s1, _ := db.Source.Sessions()
		s2, _ := in.Source.Sessions()
		if e1 != nil || e2 != nil || !reflect.DeepEqual(x, y) || !reflect.DeepEqual(s1, s2) {
			t.Errorf("%s: %d vs %d events (%v, %v), sessions %v vs %v", name, len(x), len(y), e1, e2, s1, s2)
		}
		db.Close()
		in.Close()
	}
}

// spoilContent flips a byte inside the compressed content of the frame at
// off and fixes the frame's checksum, so that only decoding finds it.
func spoilContent(b []byte, off int64) []byte {
	const headerLen = 13
	length := int64(binary.LittleEndian.Uint32(b[off+5:]))
	payload := b[off+headerLen : off+headerLen+length]
	payload[len(payload)-5] ^= 0xff
	binary.LittleEndian.PutUint32(b[off+headerLen+length:], crc32.Checksum(payload, crc32.MakeTable(crc32.Castagnoli)))
	return b
}

// The index is read-only after open, so servers may share it between
// requests (meaningful under -race).
func TestIndexServesConcurrentReads(t *testing.T) {
	in, err := OpenFileSource(awkwardStream(t))
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	want, err := collect(context.Background(), in.Source, source.Filter{Desc: true, Limit: 3000})
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 6)
	for range 6 {
		go func() {
			got, err := collect(context.Background(), in.Source, source.Filter{Desc: true, Limit: 3000})
			if err == nil && !reflect.DeepEqual(got, want) {
				err = fmt.Errorf("a concurrent read differs")
			}
			if _, sErr := in.Source.OpSummary(context.Background(), source.Filter{}); err == nil {
				err = sErr
			}
			errs <- err
		}()
	}
	for range 6 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
