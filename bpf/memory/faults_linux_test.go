package memory

import (
	"testing"
	"unsafe"

	"github.com/cilium/ebpf"

	"ingero.dev/bpf/internal/testenv"
	"ingero.dev/bpf/ring"
	"ingero.dev/common/event"
)

// TestFaultDrainEmitsGrowth: each read emits what an entry grew by since
// the last, nothing for an entry that did not grow, and deletes an entry
// only once its thread is gone.
func TestFaultDrainEmitsGrowth(t *testing.T) {
	testenv.RequireBPF(t)
	m, err := ebpf.NewMap(&ebpf.MapSpec{Type: ebpf.Hash, KeySize: uint32(unsafe.Sizeof(memoryFaultKey{})),
		ValueSize: uint32(unsafe.Sizeof(memoryFaultSum{})), MaxEntries: 16})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	d := newFaultDrain(m, &decoder{clock: ring.Clock{}})
	alive := true
	d.alive = func(_, _ uint32) bool { return alive }
	k := memoryFaultKey{Pid: 7, Tid: 8, Kind: kindSwap}
	put := func(faults, ns uint64) {
		if err := m.Put(&k, &memoryFaultSum{Faults: faults, TotalNs: ns, MaxNs: 9}); err != nil {
			t.Fatal(err)
		}
	}
	put(3, 300)
	evs := d.drain(1000, nil)
	if len(evs) != 1 || evs[0].Op != event.SwapIn || evs[0].Args[0] != 3 || evs[0].DurNs != 300 || evs[0].TID != 8 {
		t.Fatalf("first read: %+v", evs)
	}
	put(5, 700)
	if evs = d.drain(2000, nil); len(evs) != 1 || evs[0].Args[0] != 2 || evs[0].DurNs != 400 || evs[0].TimeNs != 2000 {
		t.Fatalf("second read: %+v", evs)
	}
	if evs = d.drain(3000, nil); len(evs) != 0 {
		t.Fatalf("no growth, events %+v", evs)
	}
	var v memoryFaultSum
	if err := m.Lookup(&k, &v); err != nil {
		t.Fatalf("deleted while its thread lives: %v", err)
	}
	alive = false
	d.drain(4000, nil)
	if err := m.Lookup(&k, &v); err == nil {
		t.Fatal("kept after its thread left")
	}
}
