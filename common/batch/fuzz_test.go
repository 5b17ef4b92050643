package batch

import (
	"errors"
	"math/rand/v2"
	"runtime"
	"testing"

	"ingero.dev/common/batch/batchtest"
	"ingero.dev/common/event"
)

// FuzzDecode feeds Decode arbitrary bytes. It must never panic, must fail
// only with ErrCorrupt, must not allocate out of proportion to its input,
// and whatever it accepts must survive a re-encode unchanged.
func FuzzDecode(f *testing.F) {
	enc := NewEncoder()
	f.Add([]byte{})
	f.Add(enc.Append(nil, nil))
	f.Add(enc.Append(nil, []event.Event{{}}))
	f.Add(enc.Append(nil, batchtest.LaunchStorm(1, 30)))
	f.Add(enc.Append(nil, batchtest.Mixed(1, 30)))
	f.Add(enc.Append(nil, batchtest.Random(rand.New(rand.NewPCG(1, 2)), 3)))
	f.Fuzz(func(t *testing.T, src []byte) {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		evs, err := Decode(src, nil)
		runtime.ReadMemStats(&after)
		// Events need one byte per column, strings come out of src: the
		// decoder's own bound is about 26 bytes per input byte. The slack
		// absorbs the fuzzing engine's allocations between the two reads.
		if grew := after.TotalAlloc - before.TotalAlloc; grew > 64*uint64(len(src))+1<<20 {
			t.Fatalf("decoding %d bytes allocated %d bytes", len(src), grew)
		}
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error does not wrap ErrCorrupt: %v", err)
			}
			return
		}
		if len(evs)*numCols > len(src) {
			t.Fatalf("%d events out of %d bytes", len(evs), len(src))
		}
		again, err := Decode(NewEncoder().Append(nil, evs), nil)
		if err != nil {
			t.Fatalf("re-encoded batch does not decode: %v", err)
		}
		if !equalEvents(again, evs) {
			t.Fatal("re-encoded batch decodes differently")
		}
	})
}
