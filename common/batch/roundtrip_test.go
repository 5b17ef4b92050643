package batch

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"ingero.dev/common/batch/batchtest"
	"ingero.dev/common/event"
)

func roundTrip(t *testing.T, evs []event.Event) []event.Event {
	t.Helper()
	raw := NewEncoder().Append(nil, evs)
	n, err := Count(raw)
	if err != nil || n != len(evs) {
		t.Fatalf("Count = %d, %v; want %d", n, err, len(evs))
	}
	got, err := Decode(raw, nil)
	if err != nil {
		t.Fatalf("decoding: %v", err)
	}
	return got
}

// expected is what a batch promises to give back: everything, except
// strings past the size limit.
func expected(evs []event.Event) []event.Event {
	want := make([]event.Event, len(evs))
	for i, ev := range evs {
		for _, s := range []*string{&ev.Comm, &ev.Node, &ev.PeerComm} {
			if len(*s) > maxStringSize {
				*s = truncate(*s)
			}
		}
		want[i] = ev
	}
	return want
}

func TestRoundTripTable(t *testing.T) {
	long := strings.Repeat("n", 5000)
	// 4093 ASCII bytes then a 4-byte rune that straddles the limit.
	straddle := strings.Repeat("a", 4093) + "🚀" + "tail"
	full := event.Event{
		TimeNs: math.MaxInt64, PID: math.MaxUint32, TID: 0, Comm: "python3",
		Source: 255, Op: 255, DurNs: math.MinInt64,
		Args: [4]uint64{math.MaxUint64, 0, 1 << 63, math.MaxUint64 - 1},
		Ret:  math.MinInt32, StackID: math.MaxUint64, Node: "node7",
		CgroupID: math.MaxUint64, GPU: -1, PeerPID: math.MaxUint32, PeerComm: "kworker/3:1",
	}
	tests := []struct {
		name string
		evs  []event.Event
	}{
		{"empty", nil},
		{"zero event", []event.Event{{}}},
		{"all maxima", []event.Event{full}},
		{"maxima then zeros then maxima", []event.Event{full, {}, full}},
		{"negatives", []event.Event{{TimeNs: -1, DurNs: -5, Ret: -1, GPU: math.MinInt32}, {TimeNs: math.MinInt64, DurNs: math.MaxInt64, Ret: math.MaxInt32}}},
		{"time going backwards", []event.Event{{TimeNs: 1000}, {TimeNs: 10}, {TimeNs: 999}}},
		{"tid below pid", []event.Event{{PID: math.MaxUint32, TID: 0}, {PID: 0, TID: math.MaxUint32}}},
		{"exactly at the string limit", []event.Event{{Comm: strings.Repeat("x", maxStringSize)}}},
		{"past the string limit", []event.Event{{Comm: long, Node: long, PeerComm: long}, {Comm: long + "x"}}},
		{"rune straddling the limit", []event.Event{{Node: straddle}}},
		{"empty and non-empty strings alternate", []event.Event{{Comm: "a"}, {}, {Comm: "a", PeerComm: "b"}, {PeerComm: "b"}}},
		{"same op, args up and down", []event.Event{
			{Source: 2, Op: 1, Args: [4]uint64{100, 5}}, {Source: 2, Op: 1, Args: [4]uint64{3, math.MaxUint64}},
			{Source: 1, Op: 7, Args: [4]uint64{7}}, {Source: 2, Op: 1, Args: [4]uint64{100, 5}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := roundTrip(t, tt.evs)
			want := expected(tt.evs)
			if len(got) != len(want) {
				t.Fatalf("got %d events, want %d", len(got), len(want))
			}
			for i := range want {
				if !reflect.DeepEqual(got[i], want[i]) {
					t.Errorf("event %d:\n got %+v\nwant %+v", i, got[i], want[i])
				}
			}
		})
	}
}

func TestTruncationKeepsUTF8Valid(t *testing.T) {
	for pad := 0; pad < 8; pad++ {
		s := strings.Repeat("a", maxStringSize-pad) + strings.Repeat("世", 4)
		got := roundTrip(t, []event.Event{{Comm: s}})[0].Comm
		if len(got) > maxStringSize || len(got) < maxStringSize-utf8.UTFMax+1 {
			t.Errorf("pad %d: kept %d bytes", pad, len(got))
		}
		if !utf8.ValidString(got) || !strings.HasPrefix(s, got) {
			t.Errorf("pad %d: truncated string is not a valid prefix", pad)
		}
	}
}

// TestRoundTripRandom is the property test: any events, any order, come
// back equal, and an Encoder reused across batches carries no state over.
func TestRoundTripRandom(t *testing.T) {
	enc := NewEncoder()
	var raw []byte
	var got []event.Event
	for seed := uint64(0); seed < 200; seed++ {
		rng := rand.New(rand.NewPCG(seed, seed))
		evs := batchtest.Random(rng, rng.IntN(300))
		raw = enc.Append(raw[:0], evs)
		var err error
		got, err = Decode(raw, got[:0])
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		if want := expected(evs); !equalEvents(got, want) {
			t.Fatalf("seed %d: round trip differs", seed)
		}
	}
}

func TestRoundTripRealistic(t *testing.T) {
	for _, evs := range [][]event.Event{batchtest.LaunchStorm(7, 5000), batchtest.Mixed(7, 5000)} {
		if got := roundTrip(t, evs); !equalEvents(got, evs) {
			t.Fatal("round trip differs")
		}
	}
}

func TestDecodeAppends(t *testing.T) {
	a := batchtest.LaunchStorm(1, 10)
	b := batchtest.Mixed(2, 20)
	enc := NewEncoder()
	dst, err := Decode(enc.Append(nil, a), nil)
	if err != nil {
		t.Fatal(err)
	}
	dst, err = Decode(enc.Append(nil, b), dst)
	if err != nil {
		t.Fatal(err)
	}
	if !equalEvents(dst, append(append([]event.Event(nil), a...), b...)) {
		t.Fatal("second batch was not appended after the first")
	}
}

func TestCompressRoundTrip(t *testing.T) {
	raw := NewEncoder().Append(nil, batchtest.LaunchStorm(3, 1000))
	packed := Compress([]byte("prefix"), raw)
	if string(packed[:6]) != "prefix" {
		t.Fatal("Compress did not append")
	}
	out, err := Decompress(nil, packed[6:])
	if err != nil || string(out) != string(raw) {
		t.Fatalf("Decompress = %d bytes, %v; want the %d raw bytes", len(out), err, len(raw))
	}
	if _, err := Decompress(nil, []byte("not zstd at all")); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Decompress of garbage: %v, want ErrCorrupt", err)
	}
}

func TestCountRefusesGarbage(t *testing.T) {
	for _, src := range [][]byte{nil, {0x80}, {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01}, {0x81, 0x80, 0xc0, 0x00}} {
		if _, err := Count(src); !errors.Is(err, ErrCorrupt) {
			t.Errorf("Count(%x) = %v, want ErrCorrupt", src, err)
		}
	}
}

func equalEvents(a, b []event.Event) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestManyDistinctStrings: a batch whose events all carry different
// names must still decode; the string table has no lower limit than the
// events can fill.
func TestManyDistinctStrings(t *testing.T) {
	evs := make([]event.Event, 70_000)
	for i := range evs {
		evs[i].Comm = fmt.Sprintf("worker-%d", i)
		evs[i].PeerComm = fmt.Sprintf("peer-%d", i)
	}
	if got := roundTrip(t, evs); !equalEvents(got, evs) {
		t.Fatal("round trip differs")
	}
}
