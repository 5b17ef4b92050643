package causal

import (
	"bytes"
	"context"
	"os"
	"reflect"
	"testing"
	"time"
)

// The same recording always gives the same report, and analysing it
// leaves the file's bytes as they were.
func TestAnalyzeIsDeterministicAndReadOnly(t *testing.T) {
	g := newGen(7, 20*time.Second)
	g.noise()
	g.preempt("logrotate", 8821, 3, 2_000_000)
	checkpoints(g, "checkpoint", 7777)
	evs, snaps := g.run()
	r := record(t, evs, snaps)
	before, err := os.ReadFile(r.Path())
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{Now: genEpoch.Add(time.Hour)}
	a, err := Analyze(context.Background(), r, opts)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Analyze(context.Background(), r, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Error("two analyses of one recording differ")
	}
	if len(a.Chains) < 2 {
		t.Errorf("want the preemption and the IO chains: %s", describe(a))
	}
	after, err := os.ReadFile(r.Path())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Error("Analyze changed the database file")
	}
}

func TestAnalyzeHonoursCancellation(t *testing.T) {
	g := newGen(8, 10*time.Second)
	evs, snaps := g.run()
	r := record(t, evs, snaps)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Analyze(ctx, r, Options{}); err == nil {
		t.Error("a cancelled analysis succeeded")
	}
}
