package gpu

import (
	"errors"
	"os"
	"testing"
)

// TestQueryThisHost runs the real NVML. Without a GPU it must fail cleanly
// with ErrNoNVML; with one (on the device machine) it must read the
// driver. It never skips: both outcomes are checked.
func TestQueryThisHost(t *testing.T) {
	_, statErr := os.Stat("/dev/nvidia0")
	hasGPU := statErr == nil

	info, err := Query()
	if !hasGPU {
		t.Logf("no /dev/nvidia0: expecting ErrNoNVML, got %v", err)
		if !errors.Is(err, ErrNoNVML) {
			t.Fatalf("Query without a GPU = %+v, %v; want ErrNoNVML", info, err)
		}
		return
	}
	if err != nil {
		t.Fatalf("Query with /dev/nvidia0 present: %v", err)
	}
	model, driver := info.Summary()
	t.Logf("GPU: %s, driver %s, CUDA %s, NVML %s", model, driver, info.CUDADriverVersion, info.NVMLVersion)
	for _, d := range info.Devices {
		t.Logf("%+v", d)
	}
	if driver == "" || len(info.Devices) == 0 || model == "" {
		t.Errorf("Query with a GPU = %+v; want a driver version and devices", info)
	}
}
