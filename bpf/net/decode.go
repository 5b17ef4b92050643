package net

import (
	"unsafe"

	"ingero.dev/bpf/ring"
	"ingero.dev/common/event"
)

const recSize = int(unsafe.Sizeof(netNetRec{}))

type decoder struct {
	clock ring.Clock
	comms ring.Interner
}

func (d *decoder) decode(raw []byte, ev *event.Event) bool {
	if len(raw) < recSize {
		return false
	}
	r := (*netNetRec)(unsafe.Pointer(unsafe.SliceData(raw)))
	h := &r.Hdr
	switch {
	case event.Source(h.Source) == event.SourceTCP && event.Op(h.Op) == event.TCPRetransmit:
	case event.Source(h.Source) == event.SourceNet && (event.Op(h.Op) == event.NetSend || event.Op(h.Op) == event.NetRecv):
	default:
		return false
	}
	ev.TimeNs = d.clock.Wall(h.KtimeNs)
	ev.PID = h.Pid
	ev.TID = h.Tid
	ev.Comm = d.comms.Comm(*(*[16]byte)(unsafe.Pointer(&h.Comm)))
	ev.Source = event.Source(h.Source)
	ev.Op = event.Op(h.Op)
	ev.DurNs = int64(r.DurNs)
	ev.Args = r.Args
	ev.Ret = r.Ret
	ev.CgroupID = h.CgroupId
	ev.GPU = -1
	return true
}
