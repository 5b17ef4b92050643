package stacks

import (
	"os"
	"testing"
)

// BenchmarkResolveSeen is the reader's cost per record once its stack was
// seen (the common case in a loop): a hash of the addresses and a lookup.
//
//	go test ./stacks -run '^$' -bench Resolve
func BenchmarkResolveSeen(b *testing.B) {
	r := NewResolver(PyOff)
	pid := uint32(os.Getpid())
	ips := make([]uint64, 24)
	for i := range ips {
		ips[i] = 0x401000 + uint64(i)*0x40
	}
	r.Resolve(pid, pid, ips)
	r.loads.Wait() // its libraries' symbols in, as after trace's Track
	for b.Loop() {
		r.Resolve(pid, pid, ips)
	}
}
