package causal

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ingero.dev/common/event"
	"ingero.dev/common/store"
)

// record writes a fixture through the real store and opens it read-only,
// as explain does.
func record(t testing.TB, evs []event.Event, snaps []event.Snapshot) *store.Reader {
	t.Helper()
	path := filepath.Join(t.TempDir(), "rec.db")
	w, err := store.OpenWriter(path, store.Options{FlushInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(evs); i += 8192 {
		if err := w.Append(evs[i:min(i+8192, len(evs))]); err != nil {
			t.Fatal(err)
		}
	}
	if len(snaps) > 0 {
		if err := w.PutSnapshots(snaps); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := store.OpenReadOnly(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// analyze records a fixture and analyses all of it.
func analyze(t testing.TB, evs []event.Event, snaps []event.Snapshot) *Report {
	t.Helper()
	rep, err := Analyze(context.Background(), record(t, evs, snaps), Options{Now: genEpoch.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// chainOf returns the first chain of a rule, or nil.
func chainOf(rep *Report, rule string) *event.Chain {
	for i := range rep.Chains {
		if rep.Chains[i].Rule == rule {
			return &rep.Chains[i]
		}
	}
	return nil
}

// wantChain checks that rule fired with the severity, naming want in its
// root cause.
func wantChain(t *testing.T, rep *Report, rule string, sev event.Severity, want ...string) *event.Chain {
	t.Helper()
	c := chainOf(rep, rule)
	if c == nil {
		t.Fatalf("no %s chain; chains: %s", rule, describe(rep))
	}
	if c.Severity != sev {
		t.Errorf("%s severity %v, want %v: %s", rule, c.Severity, sev, c.RootCause)
	}
	for _, w := range want {
		if !strings.Contains(c.RootCause, w) {
			t.Errorf("%s root cause lacks %q: %s", rule, w, c.RootCause)
		}
	}
	if c.Summary == "" || c.Fix == "" || len(c.Timeline) == 0 || len(c.Evidence) == 0 {
		t.Errorf("%s chain incomplete: %+v", rule, *c)
	}
	for _, te := range c.Timeline {
		if te.TimeNs == 0 || te.Layer == "" || te.Detail == "" {
			t.Errorf("%s timeline entry incomplete: %+v", rule, te)
		}
	}
	if !strings.Contains(c.ID, ":"+rule+":") {
		t.Errorf("chain ID %q does not name the rule", c.ID)
	}
	return c
}

// wantNoChain checks that rule did not fire.
func wantNoChain(t *testing.T, rep *Report, rule string) {
	t.Helper()
	if c := chainOf(rep, rule); c != nil {
		t.Errorf("unexpected %s chain [%v] %s: %s", rule, c.Severity, c.Summary, c.RootCause)
	}
}

func describe(rep *Report) string {
	var b strings.Builder
	for _, c := range rep.Chains {
		b.WriteString("\n  [" + c.Severity.String() + "] " + c.Rule + ": " + c.Summary + " | " + c.RootCause)
	}
	if b.Len() == 0 {
		return "none"
	}
	return b.String()
}

// analyzeGen plays a generator and analyses what it recorded.
func analyzeGen(t testing.TB, g *gen) *Report {
	t.Helper()
	evs, snaps := g.run()
	return analyze(t, evs, snaps)
}
