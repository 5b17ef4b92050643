package store

import (
	"context"
	"reflect"
	"testing"

	"ingero.dev/common/event"
)

// bruteSummary aggregates evs per (pid, op) the slow way.
func bruteSummary(evs []event.Event, f Filter) []OpStat {
	aggs := map[aggKey]*opAgg{}
	for _, ev := range expected(evs, Filter{FromNs: f.FromNs, ToNs: f.ToNs, PIDs: f.PIDs, Ops: f.Ops}) {
		var one opAgg
		one.add(&ev)
		mergeInto(aggs, aggKey{ev.PID, ev.Key()}, &one)
	}
	var out []OpStat
	for k, a := range aggs {
		out = append(out, a.stat(k))
	}
	sortStats(out)
	return out
}

func TestOpSummaryMatchesEvents(t *testing.T) {
	path := tempDB(t)
	evs := append(newWorkload(70, "n", 1, 1e18).events(6000), newWorkload(71, "n", 2, 1e18).events(3000)...)
	writeDB(t, path, Options{ChunkEvents: 700}, evs)
	r := openReader(t, path)
	sync := event.Key{Source: event.SourceCUDA, Op: event.CudaStreamSynchronize}
	for _, tc := range []struct {
		name      string
		f         Filter
		maxChunks int64
	}{
		{"all", Filter{}, 0},
		{"window", Filter{FromNs: evs[1234].TimeNs, ToNs: evs[4321].TimeNs}, 4},
		{"from", Filter{FromNs: evs[2500].TimeNs + 1}, 3}, // one chunk mixes both pids and spans both
		{"pid", Filter{PIDs: []uint32{2}}, 0},
		{"op in window", Filter{Ops: []event.Key{sync}, FromNs: evs[100].TimeNs, ToNs: evs[5000].TimeNs}, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := r.ChunksDecoded()
			got, err := r.OpSummary(context.Background(), tc.f)
			if err != nil {
				t.Fatal(err)
			}
			if want := bruteSummary(evs, tc.f); !reflect.DeepEqual(got, want) {
				t.Errorf("summary:\n got %+v\nwant %+v", got, want)
			}
			if d := r.ChunksDecoded() - before; d > tc.maxChunks {
				t.Errorf("decoded %d chunks, want at most %d (only those cut by the window)", d, tc.maxChunks)
			}
		})
	}
	got, err := r.OpSummary(context.Background(), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	merged := ByOp(got)
	var total int64
	for _, s := range merged {
		if s.PID != 0 {
			t.Errorf("ByOp kept pid %d", s.PID)
		}
		total += s.Count
	}
	if total != int64(len(evs)) {
		t.Errorf("ByOp counts %d events, want %d", total, len(evs))
	}
	if merged[0].Name != "cuLaunchKernel" || merged[0].MeanNs() != 0 {
		t.Errorf("top op = %+v, want cuLaunchKernel with zero mean duration", merged[0])
	}
}
