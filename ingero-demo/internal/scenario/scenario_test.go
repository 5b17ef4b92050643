package scenario

import (
	"testing"
	"time"
)

func TestScenariosAreDeterministicAndPlanted(t *testing.T) {
	end := time.Unix(1_790_000_000, 0)
	for _, s := range All() {
		a := s.Generate(1, 20*time.Second, end)
		b := s.Generate(1, 20*time.Second, end)
		if len(a.Events) == 0 || len(a.Events) != len(b.Events) || len(a.Snapshots) < 20 {
			t.Fatalf("%s: %d/%d events, %d snapshots", s.Name, len(a.Events), len(b.Events), len(a.Snapshots))
		}
		for i := range a.Events {
			if a.Events[i] != b.Events[i] {
				t.Fatalf("%s: event %d differs between two runs of one seed", s.Name, i)
			}
			if i > 0 && a.Events[i].TimeNs < a.Events[i-1].TimeNs {
				t.Fatalf("%s: events out of time order at %d", s.Name, i)
			}
		}
		if a.Events[0].TimeNs < end.Add(-20*time.Second).UnixNano() {
			t.Errorf("%s: events start before the span", s.Name)
		}
	}
	if _, ok := Find("incident"); !ok || All()[0].Name != "incident" {
		t.Error("incident must exist and come first")
	}
}
