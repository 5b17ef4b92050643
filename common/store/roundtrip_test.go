package store

import (
	"context"
	"errors"
	"testing"

	"ingero.dev/common/event"
)

func TestEventsRoundTripWithFilters(t *testing.T) {
	path := tempDB(t)
	evs := newWorkload(1, "node7", 4242, 1_700_000_000_000_000_000).events(20000)
	// A second process, so PID filters have something to tell apart.
	more := newWorkload(2, "node7", 5151, 1_700_000_000_000_000_000).events(5000)
	for i := range more {
		more[i].Comm = "trainer"
	}
	all := append(append([]event.Event(nil), evs...), more...)
	writeDB(t, path, Options{ChunkEvents: 1000}, all)

	r := openReader(t, path)
	mid := evs[len(evs)/2].TimeNs
	launch := event.Key{Source: event.SourceDriver, Op: event.CuLaunchKernel}
	sync := event.Key{Source: event.SourceCUDA, Op: event.CudaStreamSynchronize}
	for _, tc := range []struct {
		name string
		f    Filter
	}{
		{"all", Filter{}},
		{"desc", Filter{Desc: true}},
		{"from", Filter{FromNs: mid}},
		{"to", Filter{ToNs: mid}},
		{"range", Filter{FromNs: evs[3000].TimeNs, ToNs: evs[3100].TimeNs}},
		{"exact instant", Filter{FromNs: evs[777].TimeNs, ToNs: evs[777].TimeNs}},
		{"pid", Filter{PIDs: []uint32{5151}}},
		{"op", Filter{Ops: []event.Key{sync}}},
		{"ops", Filter{Ops: []event.Key{sync, launch}}},
		{"pid and op and range", Filter{PIDs: []uint32{4242}, Ops: []event.Key{sync}, FromNs: mid}},
		{"limit", Filter{Limit: 10}},
		{"limit desc range", Filter{Limit: 7, Desc: true, ToNs: mid}},
		{"empty range", Filter{FromNs: mid, ToNs: mid - 1}},
		{"missing pid", Filter{PIDs: []uint32{1}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sameEvents(t, tc.name, readAll(t, r, tc.f), expected(all, tc.f))
		})
	}

	sp, err := r.TimeSpan()
	if err != nil {
		t.Fatal(err)
	}
	want := expected(all, Filter{})
	if sp.Events != int64(len(all)) || sp.FirstNs != want[0].TimeNs || sp.LastNs != want[len(want)-1].TimeNs {
		t.Errorf("TimeSpan = %+v, want %d events from %d to %d", sp, len(all), want[0].TimeNs, want[len(want)-1].TimeNs)
	}
}

func TestEventsCallbackErrorStopsScan(t *testing.T) {
	path := tempDB(t)
	writeDB(t, path, Options{ChunkEvents: 100}, newWorkload(3, "n", 1, 1e18).events(1000))
	r := openReader(t, path)
	stop := errors.New("enough")
	n := 0
	err := r.Events(context.Background(), Filter{}, func(*event.Event) error {
		n++
		if n == 5 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 5 {
		t.Fatalf("got %v after %d events, want the callback's error after 5", err, n)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := r.Events(ctx, Filter{}, func(*event.Event) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled context: got %v", err)
	}
}

// Events of one chunk arrive out of order from per-CPU buffers, and
// chunks of two nodes overlap in time; reads still come out in order.
func TestEventsOrderAcrossOverlappingChunks(t *testing.T) {
	path := tempDB(t)
	a := newWorkload(4, "a", 10, 1e18).events(3000)
	b := newWorkload(5, "b", 20, 1e18+1234).events(3000)
	for i := 0; i+1 < len(a); i += 7 {
		a[i], a[i+1] = a[i+1], a[i]
	}
	w, err := OpenWriter(path, Options{ChunkEvents: 256})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3000; i += 500 {
		if err := w.Append(a[i : i+500]); err != nil {
			t.Fatal(err)
		}
		if err := w.Append(b[i : i+500]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r := openReader(t, path)
	for _, desc := range []bool{false, true} {
		got := readAll(t, r, Filter{Desc: desc})
		if len(got) != 6000 {
			t.Fatalf("got %d events, want 6000", len(got))
		}
		for i := 1; i < len(got); i++ {
			if (!desc && got[i].TimeNs < got[i-1].TimeNs) || (desc && got[i].TimeNs > got[i-1].TimeNs) {
				t.Fatalf("desc=%v: event %d at %d out of order after %d", desc, i, got[i].TimeNs, got[i-1].TimeNs)
			}
		}
		perNode := map[string][]event.Event{}
		for _, ev := range got {
			perNode[ev.Node] = append(perNode[ev.Node], ev)
		}
		sameEvents(t, "node a", perNode["a"], expected(a, Filter{Desc: desc}))
		sameEvents(t, "node b", perNode["b"], expected(b, Filter{Desc: desc}))
	}
}
