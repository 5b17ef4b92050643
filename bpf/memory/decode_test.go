package memory

import (
	"os"
	"testing"
	"unsafe"

	"ingero.dev/bpf/ring"
	"ingero.dev/common/event"
)

// TestDecodeStall: a reclaim record becomes an mm_reclaim event with its
// stall, kind and pages; records of other sources or ops are refused.
func TestDecodeStall(t *testing.T) {
	d := &decoder{clock: ring.Clock{}}
	var r memoryMemRec
	r.Hdr.KtimeNs, r.Hdr.Pid, r.Hdr.Tid = 1000, 7, 8
	r.Hdr.Source, r.Hdr.Op = uint8(event.SourceHost), uint8(event.Reclaim)
	copy((*[16]byte)(unsafe.Pointer(&r.Hdr.Comm))[:], "python3")
	r.DurNs, r.Args = 250_000, [3]uint64{ReclaimCgroup, 32, 0}
	raw := unsafe.Slice((*byte)(unsafe.Pointer(&r)), recSize)
	var ev event.Event
	if !d.decode(raw, &ev) {
		t.Fatal("refused")
	}
	if ev.Op != event.Reclaim || ev.PID != 7 || ev.TID != 8 || ev.Comm != "python3" || ev.DurNs != 250_000 ||
		ev.Args != [4]uint64{ReclaimCgroup, 32, 0, 0} || ev.GPU != -1 {
		t.Errorf("decoded %+v", ev)
	}
	for _, bad := range []func(){
		func() { r.Hdr.Op = uint8(event.SchedSwitch) },
		func() { r.Hdr.Op, r.Hdr.Source = uint8(event.Reclaim), uint8(event.SourceIO) },
	} {
		bad()
		if d.decode(raw, &ev) {
			t.Errorf("accepted source %d op %d", r.Hdr.Source, r.Hdr.Op)
		}
	}
	if d.decode(raw[:recSize-1], &ev) {
		t.Error("accepted a short record")
	}
}

// TestUsageOfSelf: /proc/self's status gives this process's RSS.
func TestUsageOfSelf(t *testing.T) {
	rss, _, anon, comm, ok := usage(uint32(os.Getpid()))
	if !ok || rss == 0 || anon == 0 || anon > rss || comm == "" {
		t.Errorf("rss %d anon %d comm %q ok %v", rss, anon, comm, ok)
	}
	if _, _, _, _, ok := usage(1 << 30); ok {
		t.Error("a PID that cannot exist has usage")
	}
	if kib([]byte("12 kB")) != 12<<10 || kib([]byte("x kB")) != 0 {
		t.Error("kib")
	}
}
