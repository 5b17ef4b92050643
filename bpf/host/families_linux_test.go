package host

import (
	"context"
	"sync"
	"testing"
	"time"

	"ingero.dev/bpf/cuda"
	"ingero.dev/bpf/internal/testenv"
	"ingero.dev/bpf/ring"
	"ingero.dev/bpf/shared"
	"ingero.dev/bpf/standin/standintest"
	"ingero.dev/bpf/sysreq"
	"ingero.dev/common/event"
)

// TestFamiliesShareTargetsAndClock loads both families on one set of shared
// maps, as the trace command does: tracking a process once makes both see
// it, its exit untracks it for both, and every event lands on one wall
// clock inside the workload's lifetime.
func TestFamiliesShareTargetsAndClock(t *testing.T) {
	testenv.RequireBPF(t)
	if err := sysreq.Prepare(); err != nil {
		t.Fatal(err)
	}
	art := standintest.Require(t)
	m, err := shared.New()
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	clock := ring.NewClock()
	ct, err := cuda.Load(m, cuda.Options{Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	ht, err := Load(m, Options{Clock: clock})
	if err != nil {
		ct.Close()
		t.Fatal(err)
	}
	if _, err := ct.AttachRuntime(art.Runtime); err != nil {
		t.Fatal(err)
	}
	if _, err := ct.AttachDriver(art.Driver); err != nil {
		t.Fatal(err)
	}
	if _, err := ht.Attach(); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var events []event.Event
	sink := func(b []event.Event) { mu.Lock(); events = append(events, b...); mu.Unlock() }
	ct.Start(sink)
	ht.Start(sink)

	before := time.Now().UnixNano()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	run, err := art.Start(ctx, nil, "--pattern", "sync-heavy", "--iterations", "2")
	if err != nil {
		t.Fatal(err)
	}
	p, err := cuda.Describe(run.PID())
	if err != nil {
		t.Fatal(err)
	}
	p.ReturnProbes = true
	if err := ct.AddProcess(p); err != nil {
		t.Fatal(err)
	}
	run.Release()
	if _, err := run.Wait(); err != nil {
		t.Fatal(err)
	}
	after := time.Now().UnixNano()
	if _, tracked, _ := m.Lookup(p.PID); tracked {
		t.Error("still tracked after exit")
	}
	if err := ct.Close(); err != nil {
		t.Error(err)
	}
	if err := ht.Close(); err != nil {
		t.Error(err)
	}
	bySource := map[event.Source]int{}
	exited := false
	for _, e := range events {
		if e.PID != p.PID || e.Op == event.CPUContention {
			continue
		}
		bySource[e.Source]++
		exited = exited || e.Source == event.SourceHost && e.Op == event.ProcessExit
		if e.TimeNs < before || e.TimeNs > after {
			t.Fatalf("%s at %d, outside the workload's life [%d, %d]", e.OpName(), e.TimeNs, before, after)
		}
	}
	if bySource[event.SourceCUDA] == 0 || bySource[event.SourceDriver] == 0 || bySource[event.SourceHost] == 0 {
		t.Errorf("events by source %v: want cuda, driver and host", bySource)
	}
	if !exited {
		t.Error("no process_exit")
	}
}
