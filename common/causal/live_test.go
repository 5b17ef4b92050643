package causal

import (
	"slices"
	"strings"
	"testing"
	"time"

	"ingero.dev/common/event"
)

// feedLive plays a recording into a Live the way trace delivers it:
// batches in arrival order, where a sched_switch arrives when the thread
// switches back in (its time plus its off-CPU time), and snapshots as
// they are taken.
func feedLive(l *Live, evs []event.Event, snaps []event.Snapshot) {
	type arrival struct {
		at int64
		ev event.Event
	}
	arr := make([]arrival, len(evs))
	for i, ev := range evs {
		arr[i] = arrival{ev.TimeNs, ev}
		if ev.Source == event.SourceHost && ev.Op == event.SchedSwitch {
			arr[i].at += ev.DurNs
		}
	}
	slices.SortStableFunc(arr, func(a, b arrival) int {
		switch {
		case a.at < b.at:
			return -1
		case a.at > b.at:
			return 1
		}
		return 0
	})
	var batch []event.Event
	s := 0
	for _, a := range arr {
		for s < len(snaps) && snaps[s].TimeNs <= a.at {
			l.Observe(batch)
			batch = batch[:0]
			l.ObserveSnapshot(snaps[s])
			s++
		}
		batch = append(batch, a.ev)
		if len(batch) == 512 {
			l.Observe(batch)
			batch = batch[:0]
		}
	}
	l.Observe(batch)
	for ; s < len(snaps); s++ {
		l.ObserveSnapshot(snaps[s])
	}
}

func rulesOf(chains []event.Chain) []string {
	var out []string
	for _, c := range chains {
		out = append(out, c.Rule+"/"+c.Severity.String()+"/"+c.Op)
	}
	slices.Sort(out)
	return out
}

// Live gives the same findings as Analyze on the same events.
func TestLiveMatchesAnalyze(t *testing.T) {
	fixtures := map[string]func() *gen{
		"preemption": func() *gen {
			g := newGen(1, 20*time.Second)
			g.noise()
			g.preempt("logrotate", 8821, 3, 2_000_000)
			return g
		},
		"memory": func() *gen {
			g := newGen(10, 30*time.Second)
			swapStorm(g, true)
			return g
		},
		"io": func() *gen {
			g := newGen(20, 30*time.Second)
			checkpoints(g, "checkpoint", 7777)
			return g
		},
		"cotenant": func() *gen {
			g := newGen(40, 20*time.Second)
			coTenant(g, "batch-infer", 6120, 0, 12_000_000)
			return g
		},
		"starvation": func() *gen {
			g := newGen(60, 20*time.Second)
			dataLoader(g, 6_000_000)
			return g
		},
		"leak": func() *gen {
			g := newGen(90, 30*time.Second)
			leaky(g, 1<<20, 2, 1)
			return g
		},
		"clean": func() *gen {
			g := newGen(100, 30*time.Second)
			g.noise()
			return g
		},
		"host-bound": func() *gen {
			g := newGen(300, 20*time.Second)
			g.noise()
			hostWork(g, 12_000_000, false)
			return g
		},
		"checkpoint in the loop": func() *gen {
			g := newGen(310, 30*time.Second)
			g.noise()
			fsyncCheckpoint(g, 200, 150_000_000)
			return g
		},
		"gpu shared": func() *gen {
			g := newGen(320, 20*time.Second)
			g.noise()
			sharer(g, 0, 0)
			return g
		},
	}
	for name, mk := range fixtures {
		t.Run(name, func(t *testing.T) {
			evs, snaps := mk().run()
			want := rulesOf(analyze(t, evs, snaps).Chains)
			l := NewLive(node)
			feedLive(l, evs, snaps)
			got := l.Chains(genEpoch.Add(time.Minute))
			if !slices.Equal(rulesOf(got), want) {
				t.Errorf("live %v, analyze %v", rulesOf(got), want)
			}
			for _, c := range got {
				if !strings.HasPrefix(c.ID, node+":"+c.Rule+":") {
					t.Errorf("chain ID %q", c.ID)
				}
			}
		})
	}
}

// A long live run rotates windows: findings of the previous window stay
// visible for one more window, then go, and state does not grow.
func TestLiveWindows(t *testing.T) {
	g := newGen(1, 150*time.Second)
	plantEnd := g.start + 40e9
	g.hooks = append(g.hooks, func(g *gen, slow *int64) {
		if g.now < plantEnd && g.r.IntN(3) == 0 {
			off := g.lognormal(2_000_000, 0.4)
			g.emit(event.Event{TimeNs: g.now + 50_000, Source: event.SourceHost, Op: event.SchedSwitch, DurNs: off,
				Args: [4]uint64{3, 1, 3}, PeerPID: 8821, PeerComm: "logrotate"})
			*slow += off
		}
	})
	evs, snaps := g.run()
	l := NewLive(node)
	cut := func(t int64) int {
		i, _ := slices.BinarySearchFunc(evs, t, func(e event.Event, t int64) int {
			switch {
			case e.TimeNs < t:
				return -1
			case e.TimeNs > t:
				return 1
			}
			return 0
		})
		return i
	}
	mid := cut(g.start + 70e9)
	feedLive(l, evs[:mid], snaps[:70])
	if c := chainOf(&Report{Chains: l.Chains(genEpoch)}, "cpu-preemption"); c == nil {
		t.Fatal("no cpu-preemption chain while the window holds it")
	}
	feedLive(l, evs[mid:], snaps[70:])
	if c := chainOf(&Report{Chains: l.Chains(genEpoch)}, "cpu-preemption"); c != nil {
		t.Errorf("cpu-preemption still reported two windows later: %s", c.Summary)
	}
	if n := len(l.cur.procList); n > 2 {
		t.Errorf("%d processes in the live window", n)
	}
}

// trace observes from its pipeline while its ticker asks for chains.
func TestLiveConcurrentUse(t *testing.T) {
	g := newGen(3, 10*time.Second)
	g.preempt("logrotate", 8821, 3, 2_000_000)
	evs, snaps := g.run()
	l := NewLive(node)
	done := make(chan struct{})
	go func() {
		defer close(done)
		feedLive(l, evs, snaps)
	}()
	for {
		select {
		case <-done:
			if chainOf(&Report{Chains: l.Chains(time.Now())}, "cpu-preemption") == nil {
				t.Error("no cpu-preemption chain")
			}
			return
		default:
			l.Chains(time.Now())
		}
	}
}
