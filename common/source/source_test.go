package source_test

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"ingero.dev/common/batch/batchtest"
	"ingero.dev/common/event"
	"ingero.dev/common/recording"
	"ingero.dev/common/recording/recordingtest"
	"ingero.dev/common/source"
	"ingero.dev/common/stream"
)

// Batches hands over every matching event in order, in batches of at most
// BatchSize, from either kind of recording.
func TestBatchesInOrderFromBothFormats(t *testing.T) {
	evs := batchtest.Mixed(3, 3*source.BatchSize+17)
	fix := recordingtest.Recording{Events: evs, Header: stream.Header{SessionID: "n:1", Node: "n"}, StopNs: evs[len(evs)-1].TimeNs}
	for _, path := range []string{recordingtest.WriteDB(t, fix), recordingtest.WriteStream(t, fix)} {
		rec, err := recording.OpenFileSource(path)
		if err != nil {
			t.Fatal(err)
		}
		defer rec.Close()
		mid := evs[len(evs)/2].TimeNs
		f := source.Filter{FromNs: mid}
		want, err := source.Count(context.Background(), rec.Source, f)
		if err != nil || want == 0 {
			t.Fatalf("%s: Count %d, %v", rec.Kind, want, err)
		}
		var n int64
		last := int64(-1 << 63)
		err = source.Batches(context.Background(), rec.Source, f, func(b []event.Event) {
			if len(b) == 0 || len(b) > source.BatchSize {
				t.Errorf("%s: batch of %d", rec.Kind, len(b))
			}
			for i := range b {
				if b[i].TimeNs < last || b[i].TimeNs < mid {
					t.Errorf("%s: event at %d after %d (window from %d)", rec.Kind, b[i].TimeNs, last, mid)
				}
				last = b[i].TimeNs
			}
			n += int64(len(b))
		})
		if err != nil || n != want {
			t.Errorf("%s: %d events in batches, Count says %d (%v)", rec.Kind, n, want, err)
		}
	}
}

// A cancelled context stops the reading and comes back as the error.
func TestBatchesStopsWhenCancelled(t *testing.T) {
	evs := batchtest.Mixed(3, 50000)
	rec, err := recording.OpenFileSource(recordingtest.WriteDB(t, recordingtest.Recording{Events: evs}))
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Close()
	ctx, cancel := context.WithCancel(context.Background())
	batches := 0
	err = source.Batches(ctx, rec.Source, source.Filter{}, func([]event.Event) {
		if batches++; batches == 1 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
}

// Tail gives the newest n events oldest first: the end of what Events
// gives in order, from either format.
func TestTailIsTheEndOfTheOrderedEvents(t *testing.T) {
	evs := batchtest.Mixed(8, 10000)
	fix := recordingtest.Recording{Events: evs, Header: stream.Header{SessionID: "n:1", Node: "n"}, StopNs: evs[len(evs)-1].TimeNs}
	for _, path := range []string{recordingtest.WriteDB(t, fix), recordingtest.WriteStream(t, fix)} {
		rec, err := recording.OpenFileSource(path)
		if err != nil {
			t.Fatal(err)
		}
		defer rec.Close()
		f := source.Filter{PIDs: []uint32{evs[0].PID}}
		var all, tail []event.Event
		rec.Source.Events(context.Background(), f, func(ev *event.Event) error { all = append(all, *ev); return nil })
		err = source.Tail(context.Background(), rec.Source, f, 100, func(ev *event.Event) error { tail = append(tail, *ev); return nil })
		if err != nil || len(all) < 100 || !reflect.DeepEqual(tail, all[len(all)-100:]) {
			t.Errorf("%s: tail of %d events (%v) is not the last 100 of %d", rec.Kind, len(tail), err, len(all))
		}
	}
}
