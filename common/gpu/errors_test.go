package gpu

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/NVIDIA/go-nvml/pkg/nvml"
	"github.com/NVIDIA/go-nvml/pkg/nvml/mock"
)

// fakeLib is an NVML whose devices are given; every symbol exists.
// Functions left unset panic when called, which the tests rely on to
// prove that a call is not made.
func fakeLib(devices ...nvml.Device) *mock.Interface {
	return &mock.Interface{
		InitFunc:                   func() nvml.Return { return nvml.SUCCESS },
		ShutdownFunc:               func() nvml.Return { return nvml.SUCCESS },
		SystemGetDriverVersionFunc: func() (string, nvml.Return) { return "580.65.06", nvml.SUCCESS },
		SystemGetNVMLVersionFunc:   func() (string, nvml.Return) { return "13.580.65.06", nvml.SUCCESS },
		ExtensionsFunc: func() nvml.ExtendedInterface {
			return &mock.ExtendedInterface{LookupSymbolFunc: func(string) error { return nil }}
		},
		SystemGetCudaDriverVersion_v2Func: func() (int, nvml.Return) { return 13000, nvml.SUCCESS },
		DeviceGetCountFunc:                func() (int, nvml.Return) { return len(devices), nvml.SUCCESS },
		DeviceGetHandleByIndexFunc: func(i int) (nvml.Device, nvml.Return) {
			if devices[i] == nil {
				return nil, nvml.ERROR_GPU_IS_LOST
			}
			return devices[i], nvml.SUCCESS
		},
	}
}

func fakeDevice(name string) *mock.Device {
	return &mock.Device{
		GetNameFunc: func() (string, nvml.Return) { return name, nvml.SUCCESS },
		GetUUIDFunc: func() (string, nvml.Return) { return "GPU-" + name, nvml.SUCCESS },
		GetMemoryInfoFunc: func() (nvml.Memory, nvml.Return) {
			return nvml.Memory{Total: 81559 * mib, Used: 517 * mib}, nvml.SUCCESS
		},
		GetPciInfoFunc:                 func() (nvml.PciInfo, nvml.Return) { return nvml.PciInfo{}, nvml.SUCCESS },
		GetCudaComputeCapabilityFunc:   func() (int, int, nvml.Return) { return 9, 0, nvml.SUCCESS },
		GetComputeRunningProcessesFunc: func() ([]nvml.ProcessInfo, nvml.Return) { return nil, nvml.SUCCESS },
	}
}

func TestInitFailureIsErrNoNVML(t *testing.T) {
	for ret, hint := range map[nvml.Return]string{
		nvml.ERROR_LIBRARY_NOT_FOUND:       "install the NVIDIA driver",
		nvml.ERROR_DRIVER_NOT_LOADED:       "modprobe nvidia",
		nvml.ERROR_NO_PERMISSION:           "run as root",
		nvml.ERROR_LIB_RM_VERSION_MISMATCH: "reboot",
		nvml.ERROR_UNKNOWN:                 "ERROR_UNKNOWN",
	} {
		// No ShutdownFunc: shutting down an NVML that never started panics.
		lib := &mock.Interface{InitFunc: func() nvml.Return { return ret }}
		info, err := QueryWith(lib)
		if !errors.Is(err, ErrNoNVML) {
			t.Errorf("Init %v: err = %v, want ErrNoNVML", ret, err)
			continue
		}
		if !strings.Contains(err.Error(), hint) {
			t.Errorf("Init %v: %q does not say %q", ret, err, hint)
		}
		if info.DriverVersion != "" || info.Devices != nil {
			t.Errorf("Init %v: info = %+v, want empty", ret, info)
		}
	}
}

func TestFailingDeviceIsListedWithWhatIsKnown(t *testing.T) {
	nameless := fakeDevice("")
	nameless.GetNameFunc = func() (string, nvml.Return) { return "", nvml.ERROR_UNKNOWN }
	nameless.GetComputeRunningProcessesFunc = func() ([]nvml.ProcessInfo, nvml.Return) {
		return nil, nvml.ERROR_NOT_SUPPORTED
	}
	lib := fakeLib(fakeDevice("NVIDIA H100 80GB HBM3"), nameless, nil)

	info, err := QueryWith(lib)
	if err != nil {
		t.Fatalf("one bad device failed the query: %v", err)
	}
	if len(info.Devices) != 3 {
		t.Fatalf("%d devices, want 3", len(info.Devices))
	}
	d := info.Devices[1]
	if d.Name != "" || d.UUID != "GPU-" || d.MemoryTotalMiB != 81559 || d.MemoryUsedMiB != 517 || d.ComputeCap != "9.0" {
		t.Errorf("device 1 lost what NVML did tell: %+v", d)
	}
	if d.Processes != nil {
		t.Errorf("device 1 processes = %#v, want nil (unknown, not empty)", d.Processes)
	}
	if want := []string{"name: ERROR_UNKNOWN", "processes: ERROR_NOT_SUPPORTED"}; !slices.Equal(d.Errors, want) {
		t.Errorf("device 1 errors = %q, want %q", d.Errors, want)
	}
	lost := info.Devices[2]
	if lost.Index != 2 || !slices.Equal(lost.Errors, []string{"handle: ERROR_GPU_IS_LOST"}) {
		t.Errorf("device 2 = %+v, want index 2 and the handle error", lost)
	}
	if info.CUDADriverVersion != "13.0" {
		t.Errorf("CUDA driver version %q, want 13.0", info.CUDADriverVersion)
	}
	model, driver := info.Summary()
	if want := "NVIDIA H100 80GB HBM3, 2x " + unknownModel; model != want || driver != "580.65.06" {
		t.Errorf("Summary = %q, %q; want %q, 580.65.06", model, driver, want)
	}
}

func TestDeviceCountFailureKeepsDriver(t *testing.T) {
	lib := fakeLib()
	lib.DeviceGetCountFunc = func() (int, nvml.Return) { return 0, nvml.ERROR_UNKNOWN }
	info, err := QueryWith(lib)
	if !errors.Is(err, nvml.ERROR_UNKNOWN) || errors.Is(err, ErrNoNVML) {
		t.Errorf("err = %v, want the count error, not ErrNoNVML", err)
	}
	if info.DriverVersion != "580.65.06" {
		t.Errorf("driver version %q lost with the count error", info.DriverVersion)
	}
	if n := len(lib.ShutdownCalls()); n != 1 {
		t.Errorf("Shutdown called %d times, want 1", n)
	}
}

func TestCUDAVersionOnDriversWithoutV2(t *testing.T) {
	for _, tc := range []struct {
		name    string
		missing []string
		want    string
	}{
		{"v1 only", []string{"nvmlSystemGetCudaDriverVersion_v2"}, "12.2"},
		{"neither", []string{"nvmlSystemGetCudaDriverVersion_v2", "nvmlSystemGetCudaDriverVersion"}, ""},
	} {
		lib := fakeLib()
		// Left nil so that calling the absent symbol panics, as a real
		// old driver would abort the process.
		lib.SystemGetCudaDriverVersion_v2Func = nil
		lib.SystemGetCudaDriverVersionFunc = func() (int, nvml.Return) { return 12020, nvml.SUCCESS }
		lib.ExtensionsFunc = func() nvml.ExtendedInterface {
			return &mock.ExtendedInterface{LookupSymbolFunc: func(s string) error {
				if slices.Contains(tc.missing, s) {
					return errors.New("undefined symbol")
				}
				return nil
			}}
		}
		info, err := QueryWith(lib)
		if err != nil || info.CUDADriverVersion != tc.want {
			t.Errorf("%s: CUDA version %q, %v; want %q", tc.name, info.CUDADriverVersion, err, tc.want)
		}
	}
}
