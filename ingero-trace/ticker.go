package trace

import (
	"fmt"
	"os"
	"time"

	"ingero.dev/bpf/shared"
	"ingero.dev/common/annotate/listen"
	"ingero.dev/common/event"
	"ingero.dev/common/gpu"
	"ingero.dev/common/sysinfo"
	"ingero.dev/common/tui"
)

// ticker is the once-a-second work of the pipeline goroutine: host
// snapshots, loss accounting, adaptive sampling, names, pruning and the
// live view.
type ticker struct {
	c        *config
	cp       *capture
	out      *outputs
	stats    *tui.Stats
	pl       *pipeline
	tg       *targets
	view     *view
	sess     event.Session
	sampler  *sysinfo.Sampler
	gpus     *gpu.Sampler // nil without NVML
	deadband *sysinfo.Deadband
	adaptive shared.Adaptive
	status   *status
	exp      *exporters     // nil without --prometheus or --otlp
	ann      *listen.Server // nil: no annotation socket

	n        int
	last     event.SessionStats // loss counters at the previous tick
	snap     event.Snapshot
	haveSnap bool
}

const (
	progressEvery = 5  // ticks between session-row updates
	pruneEvery    = 10 // ticks between --max-db checks
	chainsEvery   = 5  // ticks between live causal analyses
)

func (t *ticker) init() {
	if t.sampler != nil {
		t.sampler.Sample(time.Now()) // primes the CPU counters
	}
}

func (t *ticker) tick(now time.Time) {
	t.n++
	t.sampleHost(now)
	st := t.account(now)
	t.status.stats(st, t.annotationStats())
	t.out.watchDB()
	t.out.processes(t.pl.names.flush())
	t.drainAnnotations()
	if t.n%progressEvery == 0 {
		t.out.progress(t.sess.ID, st)
	}
	if t.n%pruneEvery == 0 {
		t.prune()
	}
	if t.n%chainsEvery == 0 {
		t.chains(now)
	}
	t.view.refresh(t.model(now))
}

func (t *ticker) sampleHost(now time.Time) {
	if t.sampler == nil {
		return
	}
	s, err := t.sampler.Sample(now)
	if err != nil {
		return
	}
	if t.gpus != nil {
		s.GPUs = gpuUtil(t.gpus.Sample())
	}
	t.snap, t.haveSnap = s, true
	if m := t.pl.meter; m != nil {
		m.setSnapshot(s)
	}
	t.pl.live.ObserveSnapshot(s)
	if t.deadband.Admit(s, t.sampler.Totals()) {
		t.out.snapshots([]event.Snapshot{s})
	}
}

// account reads the loss counters, records a drops event when they grew
// (so the loss sits on the timeline where it happened), and steers
// adaptive sampling.
func (t *ticker) account(now time.Time) event.SessionStats {
	st, err := t.cp.stats()
	if err != nil {
		st = t.last
	}
	st.Events = t.pl.events
	t.stats.SetDrops(st)
	if m := t.pl.meter; m != nil {
		t.meterLoss(m)
	}
	dk, du, ds := st.KernelDrops-t.last.KernelDrops, st.UserDrops-t.last.UserDrops, st.SampledOut-t.last.SampledOut
	if dk+du > 0 {
		t.record(now, event.Drops, [4]uint64{dk, du, ds})
	}
	if t.c.samplingRate == 0 {
		if every, changed := t.adaptive.Tick(dk); changed {
			if err := t.cp.maps.SetSampling(every); err == nil {
				t.record(now, event.SamplingChange, [4]uint64{uint64(every)})
			}
		}
	}
	t.last = st
	return st
}

// chains runs the live analysis for the recording and the exporters.
func (t *ticker) chains(now time.Time) {
	cs := t.pl.live.Chains(now)
	t.out.chains(cs)
	t.exp.chains(cs)
}

// meterLoss hands the exporters the loss counters by source and family.
func (t *ticker) meterLoss(m *meter) {
	k, err := t.cp.maps.Counters()
	if err != nil {
		return
	}
	m.setLoss(k, t.cp.undecodable())
}

// record writes a tracer event (source system) to the outputs.
func (t *ticker) record(now time.Time, op event.Op, args [4]uint64) {
	e := []event.Event{{TimeNs: now.UnixNano(), PID: uint32(os.Getpid()), TID: uint32(os.Getpid()),
		Comm: "ingero-trace", Source: event.SourceSystem, Op: op, Args: args, Node: t.sess.Node, GPU: -1}}
	t.pl.events++
	t.stats.Observe(&e[0])
	t.out.events(e)
}

func (t *ticker) prune() {
	if t.c.maxDB <= 0 || t.out.db == nil || t.out.failed["database"] {
		return
	}
	if _, err := t.out.db.PruneToSize(t.c.maxDB); err != nil {
		t.out.fail("database", fmt.Errorf("pruning to --max-db: %w", err))
	}
}

func (t *ticker) model(now time.Time) *tui.Model {
	m := t.stats.Model(now)
	m.Duration = t.c.duration
	if t.haveSnap {
		m.System = tui.System{Valid: true, Snapshot: t.snap, Totals: t.sampler.Totals()}
	}
	m.Targets = t.tg.list()
	if t.out.db != nil {
		m.DBPath = t.out.dbPath
		if fi, err := os.Stat(t.out.dbPath); err == nil {
			m.DBBytes = fi.Size()
		}
		if fi, err := os.Stat(t.out.dbPath + "-wal"); err == nil {
			m.DBBytes += fi.Size()
		}
	}
	return &m
}

// final runs after the pipeline drained: the last counters, names and
// snapshot, and the numbers the session ends with.
func (t *ticker) final() event.SessionStats {
	now := time.Now()
	t.sampleHost(now)
	st := t.account(now)
	t.out.processes(t.pl.names.flush())
	t.drainAnnotations()
	t.chains(now)
	t.prune()
	st.Events = t.pl.events
	return st
}

func (t *ticker) drainAnnotations() {
	if t.ann != nil {
		t.out.annotations(t.ann.Drain())
	}
}

// annotationStats is nil without a socket, so status lines leave the
// fields out.
func (t *ticker) annotationStats() *listen.Stats {
	if t.ann == nil {
		return nil
	}
	st := t.ann.Stats()
	return &st
}
