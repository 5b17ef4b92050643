package store

import (
	"strings"
	"testing"

	"ingero.dev/common/event"
)

// TestChainsOfACraftedFileAreBounded: ingero writes chains of a few
// hundred bytes and a handful of steps; a crafted file may hold a timeline
// of millions. Reading it fails with an error naming the chain, and never
// takes the reader's memory (the SQLite driver panicked on it before).
func TestChainsOfACraftedFileAreBounded(t *testing.T) {
	path := tempDB(t)
	w, err := OpenWriter(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	steps := make([]event.TimelineEntry, 2_000_000)
	for i := range steps {
		steps[i] = event.TimelineEntry{TimeNs: int64(i), Layer: "HOST", Detail: "x"}
	}
	chains := []event.Chain{
		{ID: "n:ok:op:1", Node: "n", DetectedNs: 10, Severity: event.SeverityLow, Rule: "ok", Summary: "fine",
			Timeline: steps[:3]},
		{ID: "n:huge:op:2", Node: "n", DetectedNs: 20, Severity: event.SeverityHigh, Rule: "huge", Summary: "crafted",
			Timeline: steps},
	}
	if err := w.PutChains(chains); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r := openReader(t, path)
	_, err = r.Chains(0, 0)
	if err == nil || !strings.Contains(err.Error(), "n:huge:op:2") || !strings.Contains(err.Error(), "not written by ingero") {
		t.Fatalf("Chains over a crafted timeline: %v, want an error naming the chain", err)
	}
	got, err := r.Chains(0, 15)
	if err != nil || len(got) != 1 || len(got[0].Timeline) != 3 {
		t.Fatalf("the ordinary chain: %v %+v", err, got)
	}
}
