package gpu

import "github.com/NVIDIA/go-nvml/pkg/nvml"

// Throttle is why a device's clocks are held below their maximum, folded
// into the four causes an operator acts on. One NVML reason can count
// under two causes (a software power cap is both power and sw).
type Throttle struct {
	Index   int
	UUID    string
	Power   bool // power cap or power brake
	Thermal bool // software or hardware thermal slowdown
	SW      bool // the driver's own limits: power cap, thermal, clock settings, sync boost
	HW      bool // hardware slowdown, thermal or power brake
}

// reasonCauses maps each NVML reason bit to the causes it counts under.
// GpuIdle is left out on purpose: an idle GPU lowering its clocks is not
// a slowdown of anything.
var reasonCauses = []struct {
	bit                    uint64
	power, thermal, sw, hw bool
}{
	{nvml.ClocksEventReasonSwPowerCap, true, false, true, false},
	{nvml.ClocksThrottleReasonHwSlowdown, false, false, false, true},
	{nvml.ClocksEventReasonSwThermalSlowdown, false, true, true, false},
	{nvml.ClocksThrottleReasonHwThermalSlowdown, false, true, false, true},
	{nvml.ClocksThrottleReasonHwPowerBrakeSlowdown, true, false, false, true},
	{nvml.ClocksEventReasonApplicationsClocksSetting, false, false, true, false},
	{nvml.ClocksEventReasonSyncBoost, false, false, true, false},
	{nvml.ClocksEventReasonDisplayClockSetting, false, false, true, false},
}

// decodeReasons folds NVML's reason mask into t.
func decodeReasons(mask uint64, t *Throttle) {
	for _, r := range reasonCauses {
		if mask&r.bit == 0 {
			continue
		}
		t.Power = t.Power || r.power
		t.Thermal = t.Thermal || r.thermal
		t.SW = t.SW || r.sw
		t.HW = t.HW || r.hw
	}
}

// Throttle reads every device's clock-event reasons. A device that has
// no handle, or whose driver does not report reasons, is left out (and
// not asked again), so a gauge is never made up for it. Throttle uses
// only NVML and its own state: it may run beside Sample in another
// goroutine, but not beside itself.
func (s *Sampler) Throttle() []Throttle {
	if s.noReasons == nil {
		s.noReasons = make([]bool, len(s.devices))
		s.uuids = make([]string, len(s.devices))
	}
	out := make([]Throttle, 0, len(s.devices))
	for i, d := range s.devices {
		if d == nil || s.noReasons[i] {
			continue
		}
		mask, ret := d.GetCurrentClocksEventReasons()
		if ret == nvml.ERROR_NOT_SUPPORTED || ret == nvml.ERROR_FUNCTION_NOT_FOUND {
			s.noReasons[i] = true
			continue
		}
		if ret != nvml.SUCCESS {
			continue // a transient failure: asked again next poll
		}
		if s.uuids[i] == "" {
			if u, ret := d.GetUUID(); ret == nvml.SUCCESS {
				s.uuids[i] = u
			}
		}
		t := Throttle{Index: i, UUID: s.uuids[i]}
		decodeReasons(mask, &t)
		out = append(out, t)
	}
	return out
}
