package memory

import (
	"errors"
	"os"
	"strconv"
	"unsafe"

	"github.com/cilium/ebpf"

	"ingero.dev/common/event"
)

// Fault kinds as the kernel keys its sums (enum fault_kind).
const (
	kindMinor = 0
	kindFile  = 1
	kindSwap  = 2
)

var faultOps = [...]event.Op{kindMinor: event.FaultMinor, kindFile: event.FaultFile, kindSwap: event.SwapIn}

// faultDrain turns the kernel's running fault sums into one event per
// thread and kind that faulted in the interval. The kernel only adds to
// its sums, so the events carry the growth since the last read; an entry
// is deleted once its thread is gone (nothing can add to it any more),
// never while the thread may still fault, so no fault is lost between a
// read and a delete.
type faultDrain struct {
	m     *ebpf.Map
	dec   *decoder
	seen  map[memoryFaultKey]memoryFaultSum
	alive func(pid, tid uint32) bool
}

func newFaultDrain(m *ebpf.Map, dec *decoder) *faultDrain {
	return &faultDrain{m: m, dec: dec, seen: map[memoryFaultKey]memoryFaultSum{}, alive: threadAlive}
}

func threadAlive(pid, tid uint32) bool {
	_, err := os.Stat("/proc/" + strconv.FormatUint(uint64(pid), 10) + "/task/" + strconv.FormatUint(uint64(tid), 10))
	return !errors.Is(err, os.ErrNotExist)
}

// drain appends the interval's fault events, timed at start (or at a
// thread's first fault, when that came later).
func (d *faultDrain) drain(start int64, batch []event.Event) []event.Event {
	var k memoryFaultKey
	var v memoryFaultSum
	var gone []memoryFaultKey
	it := d.m.Iterate()
	for it.Next(&k, &v) {
		prev, known := d.seen[k]
		if v.Faults != prev.Faults {
			batch = append(batch, d.event(start, &k, &v, &prev))
			d.seen[k] = v
			continue
		}
		if known && !d.alive(k.Pid, k.Tid) {
			gone = append(gone, k)
		}
	}
	for _, k := range gone {
		// A reused tid left in the table would have grown: its entry was
		// read above, so deleting loses nothing that was counted.
		if err := d.m.Delete(&k); err == nil || errors.Is(err, ebpf.ErrKeyNotExist) {
			delete(d.seen, k)
		}
	}
	return batch
}

func (d *faultDrain) event(start int64, k *memoryFaultKey, v, prev *memoryFaultSum) event.Event {
	t := start
	if prev.Faults == 0 {
		t = max(t, d.dec.clock.Wall(v.FirstNs))
	}
	op := event.FaultMinor
	if int(k.Kind) < len(faultOps) {
		op = faultOps[k.Kind]
	}
	// The slowest fault is the slowest since tracing began: a per-interval
	// maximum would need a second writer on the kernel's entry.
	return event.Event{
		TimeNs:   t,
		PID:      k.Pid,
		TID:      k.Tid,
		Comm:     d.dec.comms.Comm(*(*[16]byte)(unsafe.Pointer(&v.Comm))),
		Source:   event.SourceHost,
		Op:       op,
		DurNs:    int64(v.TotalNs - prev.TotalNs),
		Args:     [4]uint64{v.Faults - prev.Faults, v.MaxNs, v.Writes - prev.Writes, v.Fetches - prev.Fetches},
		CgroupID: v.CgroupId,
		GPU:      -1,
	}
}
