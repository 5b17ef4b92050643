package causal

import (
	"context"
	"math"
	"slices"
	"testing"
	"time"

	"ingero.dev/common/batch/batchtest"
	"ingero.dev/common/event"
	"ingero.dev/common/hist"
)

// Per-op percentiles come from the shared histogram; they must match the
// exact nearest-rank percentiles of the recorded durations within 1%.
func TestPercentilesMatchExact(t *testing.T) {
	evs := batchtest.Mixed(3, 300_000)
	rep := analyze(t, evs, nil)
	exact := map[event.Key][]int64{}
	perPID := map[uint32]map[event.Key][]int64{}
	for _, ev := range evs {
		exact[ev.Key()] = append(exact[ev.Key()], ev.DurNs)
		if perPID[ev.PID] == nil {
			perPID[ev.PID] = map[event.Key][]int64{}
		}
		perPID[ev.PID][ev.Key()] = append(perPID[ev.PID][ev.Key()], ev.DurNs)
	}
	check := func(s OpStats, durs []int64) {
		t.Helper()
		slices.Sort(durs)
		if s.Calls != int64(len(durs)) {
			t.Errorf("%d %s: %d calls, want %d", s.PID, s.Name, s.Calls, len(durs))
		}
		for _, q := range []struct {
			q   float64
			got int64
		}{{0.5, s.P50}, {0.95, s.P95}, {0.99, s.P99}} {
			want := durs[hist.NearestRank(q.q, uint64(len(durs)))-1]
			if math.Abs(float64(q.got-want)) > 0.01*float64(want) {
				t.Errorf("%d %s p%v = %d, exact %d", s.PID, s.Name, q.q*100, q.got, want)
			}
		}
		var sum int64
		for _, d := range durs {
			sum += d
		}
		if s.TotalNs != sum || s.MaxNs != durs[len(durs)-1] {
			t.Errorf("%s total %d max %d, want %d %d", s.Name, s.TotalNs, s.MaxNs, sum, durs[len(durs)-1])
		}
	}
	if len(rep.Ops) != len(exact) {
		t.Errorf("%d ops, want %d", len(rep.Ops), len(exact))
	}
	for _, s := range rep.Ops {
		check(s, exact[s.Key])
	}
	for _, s := range rep.PerProcess {
		check(s, perPID[s.PID][s.Key])
	}
	for i := 1; i < len(rep.Ops); i++ {
		if rep.Ops[i].Calls > rep.Ops[i-1].Calls {
			t.Errorf("ops not busiest first: %s after %s", rep.Ops[i].Name, rep.Ops[i-1].Name)
		}
	}
	span := float64(rep.ToNs - rep.FromNs)
	if rep.FromNs != evs[0].TimeNs || rep.ToNs != evs[len(evs)-1].TimeNs {
		t.Errorf("window %d..%d, want the first and last event", rep.FromNs, rep.ToNs)
	}
	for _, s := range rep.Ops {
		if want := float64(s.TotalNs) / span; math.Abs(s.Share-want) > 1e-9 {
			t.Errorf("%s share %v, want %v", s.Name, s.Share, want)
		}
	}
}

func TestContentionAndPIDFilter(t *testing.T) {
	g := newGen(42, 10*time.Second)
	coTenant(g, "embedding-svc", 5032, 0, 1_500_000)
	evs, snaps := g.run()
	r := record(t, evs, snaps)
	rep, err := Analyze(context.Background(), r, Options{PIDs: []uint32{trainPID}})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Contention {
		t.Error("a second GPU process outside the filter still contends")
	}
	var want int64
	for _, ev := range evs {
		if ev.PID == trainPID {
			want++
		}
	}
	if rep.Events != want {
		t.Errorf("%d events, want %d of the filtered process", rep.Events, want)
	}
	for _, s := range rep.PerProcess {
		if s.PID != trainPID || s.Comm != trainComm {
			t.Errorf("per-process row of %d %q", s.PID, s.Comm)
		}
	}
	for _, c := range rep.Chains {
		if c.PID != trainPID {
			t.Errorf("chain about PID %d: %s", c.PID, c.Summary)
		}
	}
}

func TestLastNEvents(t *testing.T) {
	evs := batchtest.Mixed(5, 50_000)
	// Ties at the boundary: the last 1000 events start inside a run of
	// equal timestamps.
	at := evs[len(evs)-1000].TimeNs
	for i := len(evs) - 1010; i < len(evs)-990; i++ {
		evs[i].TimeNs = at
	}
	r := record(t, evs, nil)
	rep, err := Analyze(context.Background(), r, Options{Last: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Events != 1000 || rep.FromNs != at || rep.ToNs != evs[len(evs)-1].TimeNs {
		t.Errorf("last 1000: %d events over %d..%d", rep.Events, rep.FromNs, rep.ToNs)
	}
	rep, err = Analyze(context.Background(), r, Options{Last: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Events != int64(len(evs)) {
		t.Errorf("more than recorded: %d events", rep.Events)
	}
}

func TestEmptyWindow(t *testing.T) {
	r := record(t, batchtest.Mixed(6, 1000), nil)
	rep, err := Analyze(context.Background(), r, Options{FromNs: 1, ToNs: 2})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Events != 0 || len(rep.Chains) != 0 || len(rep.Ops) != 0 {
		t.Errorf("empty window: %+v", rep)
	}
	rep, err = Analyze(context.Background(), record(t, nil, nil), Options{Last: 10})
	if err != nil || rep.Events != 0 || rep.FromNs != 0 || len(rep.Chains) != 0 {
		t.Errorf("empty recording: %+v, %v", rep, err)
	}
}

// Two nodes of a merged recording each with one CUDA process, both PID
// 4242: two processes in the breakdown, and no contention (they share no
// GPU).
func TestPerProcessKeysByNode(t *testing.T) {
	var evs []event.Event
	for i := range 200 {
		for _, node := range []string{"node-a", "node-b"} {
			evs = append(evs, event.Event{TimeNs: 1e18 + int64(i)*1e6, PID: 4242, TID: 4242, Comm: "python", Node: node,
				Source: event.SourceCUDA, Op: event.CudaStreamSynchronize, DurNs: 1000, GPU: 0})
		}
	}
	rep := analyze(t, evs, nil)
	nodes := map[string]bool{}
	for _, s := range rep.PerProcess {
		if s.PID == 4242 {
			nodes[s.Node] = true
		}
	}
	if len(nodes) != 2 || rep.Contention {
		t.Errorf("per-process nodes %v, contention %v", nodes, rep.Contention)
	}
}
