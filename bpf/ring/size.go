// Package ring turns a BPF ring buffer into batches of events: one reader
// goroutine, records decoded in place into a reused batch, delivered to a
// callback. It also holds what every family's loader shares: ring-size
// rules, the wake-up threshold and the kernel-to-wall clock.
package ring

import (
	"errors"
	"fmt"
	"os"

	"github.com/cilium/ebpf"
)

// MinSize is the smallest ring the kernel accepts: one page.
const MinSize = 4096

// ErrSize is wrapped by every invalid ring size.
var ErrSize = errors.New("ring buffer size must be a power of two of at least 4096 bytes")

// CheckSize validates a ring size in bytes. The kernel wants a power of two
// and a multiple of the page size.
func CheckSize(n int) error {
	if n < MinSize || n&(n-1) != 0 || n%os.Getpagesize() != 0 {
		return fmt.Errorf("%d: %w", n, ErrSize)
	}
	return nil
}

// WakeBytes is the unread backlog at which a probe wakes the reader: a
// quarter of the ring. Below it the probes submit without a wake-up (a
// wake-up costs the traced thread microseconds) and the reader's poll
// deadline bounds the latency; above it the reader is woken early enough
// to drain three quarters of headroom before anything is dropped.
func WakeBytes(size int) uint64 {
	return uint64(size / 4)
}

// Configure sizes a family's ring buffer before the collection loads: the
// ring map's size (size 0 takes def) and the wake-up threshold variable the
// family's programs read.
func Configure(spec *ebpf.CollectionSpec, ringMap, wakeVar string, size, def int) (int, error) {
	if size == 0 {
		size = def
	}
	if err := CheckSize(size); err != nil {
		return 0, err
	}
	spec.Maps[ringMap].MaxEntries = uint32(size)
	if err := spec.Variables[wakeVar].Set(WakeBytes(size)); err != nil {
		return 0, fmt.Errorf("setting wake-up threshold: %w", err)
	}
	return size, nil
}
