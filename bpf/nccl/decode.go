package nccl

import (
	"unsafe"

	"ingero.dev/bpf/ring"
	"ingero.dev/common/event"
)

// recSize is the size of struct nccl_rec (checked against BTF in tests).
const recSize = int(unsafe.Sizeof(ncclNcclRec{}))

// decoder turns nccl_rec records into events on the reader goroutine.
type decoder struct {
	clock ring.Clock
	comms ring.Interner
}

func (d *decoder) decode(raw []byte, ev *event.Event) bool {
	if len(raw) < recSize {
		return false
	}
	r := (*ncclNcclRec)(unsafe.Pointer(unsafe.SliceData(raw)))
	h := &r.Hdr
	if event.Source(h.Source) != event.SourceNCCL || h.Op < uint8(event.NCCLAllReduce) || h.Op > uint8(event.NCCLCommDestroy) {
		return false
	}
	ev.TimeNs = d.clock.Wall(h.KtimeNs)
	ev.PID = h.Pid
	ev.TID = h.Tid
	ev.Comm = d.comms.Comm(*(*[16]byte)(unsafe.Pointer(&h.Comm)))
	ev.Source = event.SourceNCCL
	ev.Op = event.Op(h.Op)
	ev.DurNs = int64(r.DurNs)
	ev.Args = r.Args
	ev.Ret = r.Ret
	ev.CgroupID = h.CgroupId
	ev.GPU = -1
	return true
}
