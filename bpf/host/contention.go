package host

import (
	"errors"
	"time"
	"unsafe"

	"github.com/cilium/ebpf"

	"ingero.dev/common/event"
)

// drainer empties the in-kernel contention summary into cpu_contention
// events, one per (CPU, other process) with time on that CPU.
type drainer struct {
	m     *ebpf.Map
	dec   *decoder
	keys  []hostContentionKey
	vals  []hostContention
	since time.Time
}

// batchLen must hold a whole hash bucket for batch lookups.
const batchLen = 1024

func newDrainer(m *ebpf.Map, dec *decoder) *drainer {
	return &drainer{m: m, dec: dec, keys: make([]hostContentionKey, batchLen),
		vals: make([]hostContention, batchLen), since: time.Now()}
}

// tick is the reader's OnTick: it runs on the reader goroutine.
func (d *drainer) tick(now time.Time, batch []event.Event) []event.Event {
	start := d.since.UnixNano()
	d.since = now
	var cursor ebpf.MapBatchCursor
	for {
		n, err := d.m.BatchLookupAndDelete(&cursor, d.keys, d.vals, nil)
		for i := range n {
			batch = d.add(batch, start, &d.keys[i], &d.vals[i])
		}
		if errors.Is(err, ebpf.ErrKeyNotExist) || err == nil && n == 0 {
			return batch
		}
		if err != nil {
			return d.drainSlowly(start, batch)
		}
	}
}

// drainSlowly serves kernels without batch operations on hash maps.
func (d *drainer) drainSlowly(start int64, batch []event.Event) []event.Event {
	var k hostContentionKey
	var v hostContention
	var keys []hostContentionKey
	it := d.m.Iterate()
	for it.Next(&k, &v) {
		keys = append(keys, k)
	}
	for _, k := range keys {
		if err := d.m.LookupAndDelete(&k, &v); err == nil {
			batch = d.add(batch, start, &k, &v)
		}
	}
	return batch
}

// add appends the event of one summary entry. A traced process that exits
// is no longer traced and shows up as its own contender: left out.
func (d *drainer) add(batch []event.Event, start int64, k *hostContentionKey, v *hostContention) []event.Event {
	if k.Pid == v.VictimPid {
		return batch
	}
	return append(batch, event.Event{
		TimeNs:   start,
		PID:      v.VictimPid,
		Comm:     d.dec.names[v.VictimPid],
		Source:   event.SourceHost,
		Op:       event.CPUContention,
		DurNs:    int64(v.OnNs),
		Args:     [4]uint64{uint64(k.Cpu), v.Switches},
		GPU:      -1,
		PeerPID:  k.Pid,
		PeerComm: d.dec.comms.Comm(*(*[16]byte)(unsafe.Pointer(&v.Comm))),
	})
}
