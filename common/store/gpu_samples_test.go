package store

import (
	"reflect"
	"testing"

	"ingero.dev/common/event"
)

// A recording from before gpu_samples gains the table when a writer opens it: its snapshots
// stay, new ones keep their GPU utilization, a file read as is has
// snapshots without it.
func TestGPUSamplesMigrateAndRoundTrip(t *testing.T) {
	path := tempDB(t)
	saved := migrations
	migrations = migrations[:gpuSamplesVersion-1] // the binary before gpu_samples writes the file
	w, err := OpenWriter(path, Options{})
	if err != nil {
		migrations = saved
		t.Fatal(err)
	}
	old := event.Snapshot{TimeNs: 1e18, Node: "n", CPUPct: 20, MemPct: 40, MemAvailMB: 9000, Load1: 1.5}
	if err := w.PutSnapshots([]event.Snapshot{old}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	migrations = saved

	r := openReader(t, path) // read-only: stays v1, reads what there is
	if got, err := r.Snapshots(0, 0); err != nil || len(got) != 1 || !reflect.DeepEqual(got[0], old) || r.SchemaVersion() != gpuSamplesVersion-1 {
		t.Fatalf("v1 file: %+v, %v, v%d", got, err, r.SchemaVersion())
	}
	r.Close()

	w, err = OpenWriter(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	snap := event.Snapshot{TimeNs: 1e18 + 1e9, Node: "n", CPUPct: 30, MemPct: 41, MemAvailMB: 8900, Load1: 1.7, GPUs: []event.GPUUtil{
		{GPU: 0, UtilPct: 87, MemPct: 41, Procs: []event.GPUProcUtil{{PID: 4821, SMPct: 60, MemPct: 30}, {PID: 5032, SMPct: 25, MemPct: 5}}},
		{GPU: 1, UtilPct: -1, MemPct: -1},
	}}
	if err := w.PutSnapshots([]event.Snapshot{snap}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r = openReader(t, path)
	got, err := r.Snapshots(0, 0)
	if err != nil || r.SchemaVersion() != currentVersion() {
		t.Fatalf("%v, v%d", err, r.SchemaVersion())
	}
	if !reflect.DeepEqual(got, []event.Snapshot{old, snap}) {
		t.Errorf("snapshots\n got %+v\nwant %+v", got, []event.Snapshot{old, snap})
	}
	if got, _ := r.Snapshots(1e18+1e9, 0); len(got) != 1 || len(got[0].GPUs) != 2 {
		t.Errorf("from the second: %+v", got)
	}
	r.Close()
}
