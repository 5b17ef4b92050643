package blockio

import (
	"testing"
	"unsafe"

	"ingero.dev/bpf/ring"
	"ingero.dev/common/event"
)

func record(r blockioIoRec) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(&r)), recSize)
}

func TestDecodeWrite(t *testing.T) {
	clock := ring.Clock{MonoNs: 1000, WallNs: 5000}
	d := newDecoder(clock)
	var r blockioIoRec
	r.Hdr.KtimeNs, r.Hdr.CgroupId, r.Hdr.Pid, r.Hdr.Tid = 1500, 77, 42, 43
	r.Hdr.Source, r.Hdr.Op, r.Hdr.Cpu = uint8(event.SourceIO), uint8(event.BlockWrite), 1
	copy(unsafe.Slice((*byte)(unsafe.Pointer(&r.Hdr.Comm[0])), 16), "python3")
	r.DurNs = 250_000
	r.Args = [3]uint64{1 << 20, 123456, Device(259, 3)}
	r.Ret = 10
	var ev event.Event
	if !d.decode(record(r), &ev) {
		t.Fatal("refused a valid record")
	}
	want := event.Event{TimeNs: 5500, PID: 42, TID: 43, Comm: "python3", Source: event.SourceIO, Op: event.BlockWrite,
		DurNs: 250_000, Args: [4]uint64{1 << 20, 123456, 259<<20 | 3}, Ret: 10, CgroupID: 77, GPU: -1}
	if ev != want {
		t.Errorf("decoded\n%+v\nwant\n%+v", ev, want)
	}
	if ev.OpName() != "block_write" {
		t.Errorf("op name %q", ev.OpName())
	}
}

func TestDecodeRefusesForeignRecords(t *testing.T) {
	d := newDecoder(ring.Clock{})
	var r blockioIoRec
	r.Hdr.Source, r.Hdr.Op = uint8(event.SourceIO), uint8(event.BlockRead)
	var ev event.Event
	if d.decode(record(r)[:recSize-1], &ev) {
		t.Error("accepted a short record")
	}
	r.Hdr.Source = uint8(event.SourceHost)
	if d.decode(record(r), &ev) {
		t.Error("accepted a host record")
	}
	r.Hdr.Source, r.Hdr.Op = uint8(event.SourceIO), uint8(event.BlockFlush)+1
	if d.decode(record(r), &ev) {
		t.Error("accepted an unknown op")
	}
}

func TestDecodeAllocatesNothing(t *testing.T) {
	d := newDecoder(ring.Clock{})
	var r blockioIoRec
	r.Hdr.Source, r.Hdr.Op = uint8(event.SourceIO), uint8(event.BlockRead)
	copy(unsafe.Slice((*byte)(unsafe.Pointer(&r.Hdr.Comm[0])), 16), "kworker/u8:2")
	raw := record(r)
	var ev event.Event
	if n := testing.AllocsPerRun(100, func() { d.decode(raw, &ev) }); n != 0 {
		t.Errorf("%v allocations per record", n)
	}
}

// TestDeviceIsKernelDevT: the kernel's dev_t keeps 20 minor bits, unlike
// user space's st_dev.
func TestDeviceIsKernelDevT(t *testing.T) {
	for _, c := range []struct {
		major, minor uint32
		dev          uint64
	}{{8, 1, 0x800001}, {254, 0, 254 << 20}, {259, 1 << 19, 259<<20 | 1<<19}} {
		if got := Device(c.major, c.minor); got != c.dev {
			t.Errorf("Device(%d, %d) = %#x, want %#x", c.major, c.minor, got, c.dev)
		}
		if ma, mi := SplitDevice(c.dev); ma != c.major || mi != c.minor {
			t.Errorf("SplitDevice(%#x) = %d:%d", c.dev, ma, mi)
		}
	}
}
