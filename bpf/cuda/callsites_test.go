package cuda

import (
	"slices"
	"testing"
)

// TestCallSites: the probed function's entry goes and its return address
// comes back, whether or not the kernel's walk already had it.
func TestCallSites(t *testing.T) {
	for _, c := range []struct {
		name string
		tail cudaStackTail
		want []uint64
	}{
		{"entry, caller skipped (before 6.12)", tailOf(0xa0, true, 0xf00, 0xb0, 0xc0), []uint64{0xa0, 0xb0, 0xc0}},
		{"entry, caller present (6.12+)", tailOf(0xa0, true, 0xf00, 0xa0, 0xb0), []uint64{0xa0, 0xb0}},
		{"return", tailOf(0xa0, false, 0xa0, 0xb0), []uint64{0xa0, 0xb0}},
		{"walk failed", tailOf(0xa0, true), []uint64{0xa0}},
	} {
		if got := callSites(&c.tail, nil); !slices.Equal(got, c.want) {
			t.Errorf("%s: got %#x, want %#x", c.name, got, c.want)
		}
	}
}

func tailOf(ret uint64, entry bool, ips ...uint64) cudaStackTail {
	t := cudaStackTail{RetAddr: ret, Nbytes: uint32(8 * len(ips))}
	if entry {
		t.AtEntry = 1
	}
	copy(t.Ips[:], ips)
	return t
}
