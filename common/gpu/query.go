package gpu

import (
	"errors"
	"fmt"

	"github.com/NVIDIA/go-nvml/pkg/nvml"
)

// ErrNoNVML means NVML could not start: no driver, no kernel module, or no
// permission. Errors that wrap it say which, and how to fix it.
var ErrNoNVML = errors.New("NVIDIA driver unavailable")

// Info is what NVML says about the host.
type Info struct {
	DriverVersion     string // e.g. "580.65.06"
	CUDADriverVersion string // highest CUDA the driver supports, e.g. "13.0"
	NVMLVersion       string
	Devices           []Device
}

// Query loads libnvidia-ml, reads the host's GPUs and shuts NVML down.
func Query() (Info, error) { return QueryWith(nvml.New()) }

// QueryWith reads the GPUs through lib, which tests replace with
// go-nvml's mocks. A device NVML half-answers for is listed with what is
// known and the refusals in Device.Errors; only a failure to start NVML or
// to count the devices is an error, and Info then holds what was read.
func QueryWith(lib nvml.Interface) (Info, error) {
	if ret := lib.Init(); ret != nvml.SUCCESS {
		return Info{}, initError(ret)
	}
	// Shutdown only releases NVML's handles; a failure there leaves the
	// answer intact and nothing for the caller to do.
	defer lib.Shutdown()

	var info Info
	if v, ret := lib.SystemGetDriverVersion(); ret == nvml.SUCCESS {
		info.DriverVersion = v
	}
	if v, ret := lib.SystemGetNVMLVersion(); ret == nvml.SUCCESS {
		info.NVMLVersion = v
	}
	if v, ret := cudaDriverVersion(lib); ret == nvml.SUCCESS {
		info.CUDADriverVersion = formatCUDAVersion(v)
	}
	count, ret := lib.DeviceGetCount()
	if ret != nvml.SUCCESS {
		return info, fmt.Errorf("counting GPUs: %w", ret)
	}
	info.Devices = make([]Device, 0, count)
	for i := range count {
		info.Devices = append(info.Devices, readDevice(lib, i))
	}
	return info, nil
}

func initError(ret nvml.Return) error {
	switch ret {
	case nvml.ERROR_LIBRARY_NOT_FOUND:
		return fmt.Errorf("%w: libnvidia-ml.so.1 not found, no NVIDIA driver on this host (install the NVIDIA driver)", ErrNoNVML)
	case nvml.ERROR_DRIVER_NOT_LOADED:
		return fmt.Errorf("%w: the nvidia kernel module is not loaded (load it with modprobe nvidia, or reinstall the NVIDIA driver)", ErrNoNVML)
	case nvml.ERROR_NO_PERMISSION:
		return fmt.Errorf("%w: no permission to open /dev/nvidia* (run as root or fix the device permissions)", ErrNoNVML)
	case nvml.ERROR_LIB_RM_VERSION_MISMATCH:
		return fmt.Errorf("%w: libnvidia-ml and the nvidia kernel module are different versions (reboot, or reload the nvidia module)", ErrNoNVML)
	default:
		return fmt.Errorf("%w: starting NVML: %w", ErrNoNVML, ret)
	}
}

// cudaDriverVersion asks for the symbol before calling it: go-nvml links
// NVML lazily, and calling a function an old driver lacks kills the
// process instead of returning an error.
func cudaDriverVersion(lib nvml.Interface) (int, nvml.Return) {
	ext := lib.Extensions()
	if ext.LookupSymbol("nvmlSystemGetCudaDriverVersion_v2") == nil {
		return lib.SystemGetCudaDriverVersion_v2()
	}
	if ext.LookupSymbol("nvmlSystemGetCudaDriverVersion") == nil {
		return lib.SystemGetCudaDriverVersion()
	}
	return 0, nvml.ERROR_FUNCTION_NOT_FOUND
}

// formatCUDAVersion turns NVML's 1000*major + 10*minor into "major.minor".
func formatCUDAVersion(v int) string {
	return fmt.Sprintf("%d.%d", v/1000, v%1000/10)
}
