package gpu

import (
	"errors"
	"reflect"
	"testing"

	"github.com/NVIDIA/go-nvml/pkg/nvml"
	"github.com/NVIDIA/go-nvml/pkg/nvml/mock"
)

func TestSamplerReadsDevicesAndProcesses(t *testing.T) {
	var asked []uint64
	busy := fakeDevice("H200")
	busy.GetUtilizationRatesFunc = func() (nvml.Utilization, nvml.Return) {
		return nvml.Utilization{Gpu: 87, Memory: 41}, nvml.SUCCESS
	}
	busy.GetProcessUtilizationFunc = func(since uint64) ([]nvml.ProcessUtilizationSample, nvml.Return) {
		asked = append(asked, since)
		if since >= 300 {
			return nil, nvml.ERROR_NOT_FOUND
		}
		return []nvml.ProcessUtilizationSample{
			{Pid: 4821, TimeStamp: 100, SmUtil: 10},
			{Pid: 4821, TimeStamp: 300, SmUtil: 60, MemUtil: 30},
			{Pid: 5032, TimeStamp: 200, SmUtil: 25, MemUtil: 5},
		}, nvml.SUCCESS
	}
	old := fakeDevice("T4")
	old.GetUtilizationRatesFunc = func() (nvml.Utilization, nvml.Return) { return nvml.Utilization{Gpu: 3}, nvml.SUCCESS }
	old.GetProcessUtilizationFunc = func(uint64) ([]nvml.ProcessUtilizationSample, nvml.Return) {
		return nil, nvml.ERROR_NOT_SUPPORTED
	}
	s, err := NewSamplerWith(fakeLib(busy, old, nil))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	want := []Utilization{
		{Index: 0, GPUPct: 87, MemPct: 41, Procs: []ProcessUtilization{{PID: 4821, SMPct: 60, MemPct: 30}, {PID: 5032, SMPct: 25, MemPct: 5}}},
		{Index: 1, GPUPct: 3, MemPct: 0},
		{Index: 2, GPUPct: -1, MemPct: -1}, // no handle: lost
	}
	if got := s.Sample(); !reflect.DeepEqual(got, want) {
		t.Errorf("first sample\n got %+v\nwant %+v", got, want)
	}
	// The next sample asks only for newer process samples; none came. The
	// device without per-process accounting is not asked again.
	old.GetProcessUtilizationFunc = nil // would panic if called
	got := s.Sample()
	if len(got[0].Procs) != 0 || got[0].GPUPct != 87 || !reflect.DeepEqual(asked, []uint64{0, 300}) {
		t.Errorf("second sample %+v, asked since %v", got, asked)
	}
}

func TestSamplerWithoutNVML(t *testing.T) {
	lib := &mock.Interface{InitFunc: func() nvml.Return { return nvml.ERROR_LIBRARY_NOT_FOUND }}
	if _, err := NewSamplerWith(lib); !errors.Is(err, ErrNoNVML) {
		t.Errorf("error %v, want ErrNoNVML", err)
	}
}
