package cuda

import (
	"testing"
	"unsafe"

	"ingero.dev/bpf/ring"
	"ingero.dev/common/event"
)

func record(src event.Source, op event.Op, pid uint32, dur uint64, args [4]uint64, ret int32) []byte {
	r := cudaCudaRec{DurNs: dur, Args: args, Ret: ret}
	r.Hdr.KtimeNs = 1000
	r.Hdr.Pid, r.Hdr.Tid = pid, pid+1
	r.Hdr.Source, r.Hdr.Op = uint8(src), uint8(op)
	copy((*[16]byte)(unsafe.Pointer(&r.Hdr.Comm))[:], "trainer")
	return append([]byte(nil), unsafe.Slice((*byte)(unsafe.Pointer(&r)), unsafe.Sizeof(r))...)
}

func TestDecodePairsFreesWithAllocations(t *testing.T) {
	d := newDecoder(ring.Clock{MonoNs: 1000, WallNs: 5000}, nil, nil, nil)
	var ev event.Event
	steps := []struct {
		raw      []byte
		wantSize uint64 // Args[1] after decoding a free
	}{
		{record(event.SourceCUDA, event.CudaMalloc, 7, 10, [4]uint64{4096, 0xd000}, 0), 0xd000},
		{record(event.SourceDriver, event.CuMemAlloc, 7, 10, [4]uint64{512, 0xe000}, 0), 0xe000},
		{record(event.SourceCUDA, event.CudaMallocHost, 7, 10, [4]uint64{64, 0xd000}, 0), 0xd000},
		{record(event.SourceCUDA, event.CudaFree, 7, 10, [4]uint64{0xe000}, 0), 512},    // driver alloc, runtime free
		{record(event.SourceCUDA, event.CudaFree, 8, 10, [4]uint64{0xd000}, 0), 0},      // another process
		{record(event.SourceCUDA, event.CudaFree, 7, 10, [4]uint64{0xd000}, 2), 0},      // failed: frees nothing
		{record(event.SourceCUDA, event.CudaFree, 7, 10, [4]uint64{0xd000}, 0), 4096},   // device, not the host block
		{record(event.SourceCUDA, event.CudaFreeHost, 7, 10, [4]uint64{0xd000}, 0), 64}, // the host block
		{record(event.SourceCUDA, event.CudaFree, 7, 10, [4]uint64{0xd000}, 0), 0},      // double free
	}
	for i, s := range steps {
		ev = event.Event{}
		if !d.decode(s.raw, &ev) {
			t.Fatalf("step %d refused", i)
		}
		if ev.Args[1] != s.wantSize {
			t.Errorf("step %d: %s Args[1] = %#x, want %#x", i, ev.OpName(), ev.Args[1], s.wantSize)
		}
	}
	if ev.TimeNs != 5000 || ev.PID != 7 || ev.TID != 8 || ev.Comm != "trainer" || ev.GPU != -1 || ev.DurNs != 10 {
		t.Errorf("decoded %+v", ev)
	}
}

func TestDecodeRefusesForeignAndShortRecords(t *testing.T) {
	d := newDecoder(ring.Clock{}, nil, nil, nil)
	var ev event.Event
	if d.decode(record(event.SourceHost, 1, 1, 0, [4]uint64{}, 0), &ev) {
		t.Error("host record accepted")
	}
	if d.decode(make([]byte, recSize-1), &ev) {
		t.Error("short record accepted")
	}
}

func BenchmarkDecode(b *testing.B) {
	d := newDecoder(ring.NewClock(), nil, nil, nil)
	raw := record(event.SourceCUDA, event.CudaLaunchKernel, 7, 0, [4]uint64{1, 2, 3, 4}, 0)
	var ev event.Event
	b.ReportAllocs()
	for b.Loop() {
		ev = event.Event{}
		d.decode(raw, &ev)
	}
}
