package host

import (
	"unsafe"

	"ingero.dev/bpf/ring"
	"ingero.dev/common/event"
)

// recSize is the size of struct host_rec (checked against BTF in tests).
const recSize = int(unsafe.Sizeof(hostHostRec{}))

// decoder turns host_rec records into events on the reader goroutine. It
// remembers each traced process's name, to label contention summaries.
type decoder struct {
	clock ring.Clock
	comms ring.Interner
	names map[uint32]string
}

const maxNames = 1 << 16

func newDecoder(c ring.Clock) *decoder {
	return &decoder{clock: c, names: map[uint32]string{}}
}

func (d *decoder) decode(raw []byte, ev *event.Event) bool {
	if len(raw) < recSize {
		return false
	}
	r := (*hostHostRec)(unsafe.Pointer(unsafe.SliceData(raw)))
	h := &r.Hdr
	if event.Source(h.Source) != event.SourceHost {
		return false
	}
	ev.TimeNs = d.clock.Wall(h.KtimeNs)
	ev.PID = h.Pid
	ev.TID = h.Tid
	ev.Comm = d.comms.Comm(*(*[16]byte)(unsafe.Pointer(&h.Comm)))
	ev.Source = event.SourceHost
	ev.Op = event.Op(h.Op)
	ev.DurNs = int64(r.DurNs)
	ev.Args = [4]uint64{r.Args[0], r.Args[1], r.Args[2], uint64(r.PrevState)}
	ev.CgroupID = h.CgroupId
	ev.GPU = -1
	ev.PeerPID = r.PeerPid
	ev.PeerComm = d.comms.Comm(*(*[16]byte)(unsafe.Pointer(&r.PeerComm)))
	d.remember(ev)
	return true
}

// remember keeps the name of each process's main thread. Names outlive
// their process: its last contention summary comes after its exit.
func (d *decoder) remember(ev *event.Event) {
	if ev.TID != ev.PID {
		return
	}
	if _, ok := d.names[ev.PID]; ok || len(d.names) < maxNames {
		d.names[ev.PID] = ev.Comm
	}
}
