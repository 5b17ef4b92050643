package trace

import (
	"reflect"
	"testing"

	"ingero.dev/common/event"
	"ingero.dev/common/gpu"
)

func TestGPUUtilConverts(t *testing.T) {
	got := gpuUtil([]gpu.Utilization{
		{Index: 0, GPUPct: 87, MemPct: 41, Procs: []gpu.ProcessUtilization{{PID: 4821, SMPct: 60, MemPct: 30}}},
		{Index: 1, GPUPct: -1, MemPct: -1},
	})
	want := []event.GPUUtil{
		{GPU: 0, UtilPct: 87, MemPct: 41, Procs: []event.GPUProcUtil{{PID: 4821, SMPct: 60, MemPct: 30}}},
		{GPU: 1, UtilPct: -1, MemPct: -1},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v", got)
	}
	if gpuUtil(nil) != nil {
		t.Error("no devices: want no GPU field")
	}
}
