package store

import (
	"context"
	"fmt"
	"testing"

	"ingero.dev/common/event"
)

func TestEventIDsArePerNodeAndContinueAfterReopen(t *testing.T) {
	path := tempDB(t)
	a := newWorkload(10, "gpu-a", 1, 1e18).events(700)
	b := newWorkload(11, "gpu-b", 2, 1e18).events(500)
	w, err := OpenWriter(path, Options{ChunkEvents: 128})
	if err != nil {
		t.Fatal(err)
	}
	// Interleaved appends: each node still numbers its own events densely.
	for i := 0; i < 500; i += 100 {
		if err := w.Append(append(append([]event.Event(nil), a[i:i+100]...), b[i:i+100]...)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	// Reopening continues each node's numbering.
	writeMore(t, path, a[500:])

	r := openReader(t, path)
	seen := map[string]int64{}
	byID := map[EventID]event.Event{}
	err = r.Scan(context.Background(), Filter{}, func(id EventID, ev *event.Event) error {
		if id.Node != ev.Node {
			return fmt.Errorf("event %v carries node %q", id, ev.Node)
		}
		seen[id.Node]++
		if _, dup := byID[id]; dup {
			return fmt.Errorf("duplicate id %v", id)
		}
		byID[id] = *ev
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen["gpu-a"] != 700 || seen["gpu-b"] != 500 {
		t.Fatalf("events per node = %v, want gpu-a:700 gpu-b:500", seen)
	}
	// Appending order is time order per node here, so seq n is the n-th
	// appended event of the node.
	for i, ev := range a {
		id := EventID{Node: "gpu-a", Seq: int64(i + 1)}
		if byID[id] != ev {
			t.Fatalf("%v is %+v, want %+v", id, byID[id], ev)
		}
	}
	for _, id := range []EventID{{"gpu-a", 1}, {"gpu-a", 600}, {"gpu-b", 500}} {
		got, ok, err := r.Event(context.Background(), id)
		if err != nil || !ok || got != byID[id] {
			t.Fatalf("Event(%v) = %+v, %v, %v; want %+v", id, got, ok, err, byID[id])
		}
	}
	for _, id := range []EventID{{"gpu-a", 701}, {"gpu-c", 1}} {
		if _, ok, err := r.Event(context.Background(), id); ok || err != nil {
			t.Fatalf("Event(%v) found=%v err=%v, want not found", id, ok, err)
		}
	}
}

func writeMore(t *testing.T, path string, evs []event.Event) {
	t.Helper()
	w, err := OpenWriter(path, Options{ChunkEvents: 128})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Append(evs); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestParseEventID(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want EventID
		ok   bool
	}{
		{"node7:42", EventID{"node7", 42}, true},
		{"fe80::1:9", EventID{"fe80::1", 9}, true},
		{":3", EventID{"", 3}, true},
		{"node7", EventID{}, false},
		{"node7:0", EventID{}, false},
		{"node7:x", EventID{}, false},
	} {
		got, err := ParseEventID(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseEventID(%q) = %v, %v; want %v ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
		if tc.ok && got.String() != tc.in {
			t.Errorf("%v.String() = %q, want %q", got, got.String(), tc.in)
		}
	}
}
