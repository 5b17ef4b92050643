package blockio

import (
	"unsafe"

	"ingero.dev/bpf/ring"
	"ingero.dev/common/event"
)

// recSize is the size of struct io_rec (checked against BTF in tests).
const recSize = int(unsafe.Sizeof(blockioIoRec{}))

// minorBits is the kernel's MINORBITS: a device in the records is its
// dev_t, major<<20 | minor (not the user-space st_dev encoding).
const minorBits = 20

// Device packs a major and minor number as the records carry them.
func Device(major, minor uint32) uint64 {
	return uint64(major)<<minorBits | uint64(minor&(1<<minorBits-1))
}

// SplitDevice unpacks a record's device into major and minor numbers.
func SplitDevice(dev uint64) (major, minor uint32) {
	return uint32(dev >> minorBits), uint32(dev & (1<<minorBits - 1))
}

// decoder turns io_rec records into events on the reader goroutine.
type decoder struct {
	clock ring.Clock
	comms ring.Interner
}

func newDecoder(c ring.Clock) *decoder { return &decoder{clock: c} }

func (d *decoder) decode(raw []byte, ev *event.Event) bool {
	if len(raw) < recSize {
		return false
	}
	r := (*blockioIoRec)(unsafe.Pointer(unsafe.SliceData(raw)))
	h := &r.Hdr
	if event.Source(h.Source) != event.SourceIO || h.Op < uint8(event.BlockRead) || h.Op > uint8(event.BlockFlush) {
		return false
	}
	ev.TimeNs = d.clock.Wall(h.KtimeNs)
	ev.PID = h.Pid
	ev.TID = h.Tid
	ev.Comm = d.comms.Comm(*(*[16]byte)(unsafe.Pointer(&h.Comm)))
	ev.Source = event.SourceIO
	ev.Op = event.Op(h.Op)
	ev.DurNs = int64(r.DurNs)
	ev.Args = [4]uint64{r.Args[0], r.Args[1], r.Args[2]}
	ev.Ret = r.Ret
	ev.CgroupID = h.CgroupId
	ev.GPU = -1
	return true
}
