package memory

import (
	"unsafe"

	"ingero.dev/bpf/ring"
	"ingero.dev/common/event"
)

// recSize is the size of struct mem_rec (checked against BTF in tests).
const recSize = int(unsafe.Sizeof(memoryMemRec{}))

// Reclaim kinds, mm_reclaim's args[0].
const (
	ReclaimDirect = 1 // the host was short of memory
	ReclaimCgroup = 2 // the thread's cgroup was at its memory limit
)

// decoder turns mem_rec records (reclaim and compaction stalls) into
// events on the reader goroutine.
type decoder struct {
	clock ring.Clock
	comms ring.Interner
}

func (d *decoder) decode(raw []byte, ev *event.Event) bool {
	if len(raw) < recSize {
		return false
	}
	r := (*memoryMemRec)(unsafe.Pointer(unsafe.SliceData(raw)))
	h := &r.Hdr
	if event.Source(h.Source) != event.SourceHost || event.Op(h.Op) != event.Reclaim && event.Op(h.Op) != event.Compaction {
		return false
	}
	*ev = event.Event{
		TimeNs:   d.clock.Wall(h.KtimeNs),
		PID:      h.Pid,
		TID:      h.Tid,
		Comm:     d.comms.Comm(*(*[16]byte)(unsafe.Pointer(&h.Comm))),
		Source:   event.SourceHost,
		Op:       event.Op(h.Op),
		DurNs:    int64(r.DurNs),
		Args:     [4]uint64{r.Args[0], r.Args[1], r.Args[2]},
		CgroupID: h.CgroupId,
		GPU:      -1,
	}
	return true
}
