package gpu

import (
	"reflect"
	"testing"

	"github.com/NVIDIA/go-nvml/pkg/nvml"
)

func TestThrottleDecodesReasons(t *testing.T) {
	for _, c := range []struct {
		mask uint64
		want Throttle
	}{
		{0, Throttle{}},
		{nvml.ClocksEventReasonGpuIdle, Throttle{}}, // idle is no slowdown
		{nvml.ClocksEventReasonSwPowerCap, Throttle{Power: true, SW: true}},
		{nvml.ClocksThrottleReasonHwSlowdown, Throttle{HW: true}},
		{nvml.ClocksEventReasonSwThermalSlowdown, Throttle{Thermal: true, SW: true}},
		{nvml.ClocksThrottleReasonHwThermalSlowdown, Throttle{Thermal: true, HW: true}},
		{nvml.ClocksThrottleReasonHwPowerBrakeSlowdown, Throttle{Power: true, HW: true}},
		{nvml.ClocksEventReasonSyncBoost | nvml.ClocksEventReasonGpuIdle, Throttle{SW: true}},
		{nvml.ClocksEventReasonAll, Throttle{Power: true, Thermal: true, SW: true, HW: true}},
	} {
		var got Throttle
		decodeReasons(c.mask, &got)
		if got != c.want {
			t.Errorf("mask %#x: got %+v, want %+v", c.mask, got, c.want)
		}
	}
}

func TestThrottleSkipsDevicesWithoutReasons(t *testing.T) {
	capped := fakeDevice("H200")
	capped.GetCurrentClocksEventReasonsFunc = func() (uint64, nvml.Return) {
		return nvml.ClocksEventReasonSwPowerCap, nvml.SUCCESS
	}
	asked := 0
	old := fakeDevice("K80")
	old.GetCurrentClocksEventReasonsFunc = func() (uint64, nvml.Return) {
		asked++
		return 0, nvml.ERROR_NOT_SUPPORTED
	}
	flaky := fakeDevice("A100")
	fails := true
	flaky.GetCurrentClocksEventReasonsFunc = func() (uint64, nvml.Return) {
		if fails {
			return 0, nvml.ERROR_UNKNOWN
		}
		return nvml.ClocksThrottleReasonHwThermalSlowdown, nvml.SUCCESS
	}
	s, err := NewSamplerWith(fakeLib(capped, old, nil, flaky))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	first := s.Throttle()
	want := []Throttle{{Index: 0, UUID: "GPU-H200", Power: true, SW: true}}
	if !reflect.DeepEqual(first, want) {
		t.Errorf("first poll = %+v, want %+v", first, want)
	}
	fails = false
	second := s.Throttle()
	want = append(want, Throttle{Index: 3, UUID: "GPU-A100", Thermal: true, HW: true})
	if !reflect.DeepEqual(second, want) {
		t.Errorf("second poll = %+v, want %+v", second, want)
	}
	if asked != 1 {
		t.Errorf("a device without reasons was asked %d times, want once", asked)
	}
}
