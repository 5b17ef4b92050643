package batch

import (
	"errors"
	"testing"

	"ingero.dev/common/batch/batchtest"
	"ingero.dev/common/event"
)

// DecodeBrief agrees with Decode on every field it reads, and refuses what
// Decode refuses in those fields.
func TestDecodeBriefAgreesWithDecode(t *testing.T) {
	evs := batchtest.Mixed(5, 3000)
	raw := NewEncoder().Append(nil, evs)
	full, err := Decode(raw, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeBrief(raw, []Brief{{TimeNs: -1}})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(full)+1 || got[0].TimeNs != -1 {
		t.Fatalf("appended %d briefs after the one given, want %d", len(got)-1, len(full))
	}
	for i, ev := range full {
		want := Brief{TimeNs: ev.TimeNs, DurNs: ev.DurNs, PID: ev.PID, Ret: ev.Ret, Key: event.Key{Source: ev.Source, Op: ev.Op}}
		if got[i+1] != want {
			t.Fatalf("event %d: %+v, want %+v", i, got[i+1], want)
		}
	}
	for _, cut := range []int{1, len(raw) / 3, len(raw) - 1} {
		if _, err := DecodeBrief(raw[:cut], nil); !errors.Is(err, ErrCorrupt) {
			t.Errorf("cut at %d: %v, want ErrCorrupt", cut, err)
		}
	}
}

func BenchmarkDecodeBrief(b *testing.B) {
	raw := NewEncoder().Append(nil, batchtest.Mixed(5, 8192))
	var dst []Brief
	for b.Loop() {
		dst, _ = DecodeBrief(raw, dst[:0])
	}
}
