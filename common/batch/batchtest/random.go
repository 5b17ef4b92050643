package batchtest

import (
	"math"
	"math/rand/v2"
	"strings"

	"ingero.dev/common/event"
)

// Random returns n events whose every field is drawn from its full range,
// with extremes (zero, minimum, maximum, negative) over-represented and
// strings from empty to well past the codec's 4096-byte limit, including
// multi-byte UTF-8 and invalid UTF-8.
func Random(rng *rand.Rand, n int) []event.Event {
	evs := make([]event.Event, n)
	for i := range evs {
		evs[i] = event.Event{
			TimeNs:   randInt64(rng),
			PID:      uint32(randUint64(rng)),
			TID:      uint32(randUint64(rng)),
			Comm:     randString(rng),
			Source:   event.Source(randUint64(rng)),
			Op:       event.Op(randUint64(rng)),
			DurNs:    randInt64(rng),
			Args:     [4]uint64{randUint64(rng), randUint64(rng), randUint64(rng), randUint64(rng)},
			Ret:      int32(randInt64(rng)),
			StackID:  randUint64(rng),
			Node:     randString(rng),
			CgroupID: randUint64(rng),
			GPU:      int32(randInt64(rng)),
			PeerPID:  uint32(randUint64(rng)),
			PeerComm: randString(rng),
		}
	}
	return evs
}

var extremes = []uint64{0, 1, math.MaxUint64, math.MaxInt64, 1 << 63, math.MaxUint32, 1 << 31, math.MaxUint32 + 1, 0x7f, 0x80}

func randUint64(rng *rand.Rand) uint64 {
	switch rng.IntN(4) {
	case 0:
		return extremes[rng.IntN(len(extremes))]
	case 1:
		return rng.Uint64N(256)
	}
	return rng.Uint64() >> rng.IntN(64)
}

func randInt64(rng *rand.Rand) int64 {
	v := int64(randUint64(rng))
	if rng.IntN(2) == 0 {
		v = -v
	}
	return v
}

var alphabets = [][]rune{[]rune("abcdefghijklmnopqrstuvwxyz_/0123456789"), []rune("héllo→ø世界🚀")}

func randString(rng *rand.Rand) string {
	var l int
	switch rng.IntN(6) {
	case 0:
		return ""
	case 1:
		l = 4090 + rng.IntN(12) // around the truncation limit
	case 2:
		l = rng.IntN(10_000)
	default:
		l = rng.IntN(20)
	}
	var b strings.Builder
	k := rng.IntN(len(alphabets) + 1)
	for b.Len() < l {
		if k == len(alphabets) { // arbitrary bytes, mostly invalid UTF-8
			b.WriteByte(byte(rng.Uint32()))
			continue
		}
		b.WriteRune(alphabets[k][rng.IntN(len(alphabets[k]))])
	}
	return b.String()
}
