package gpu

import (
	"fmt"

	"github.com/NVIDIA/go-nvml/pkg/nvml"
)

// Device is one GPU as NVML saw it. Fields NVML would not give stay empty
// and Errors says why, so that "no processes" and "could not list
// processes" stay apart.
type Device struct {
	Index          int
	Name           string // e.g. "NVIDIA H100 80GB HBM3"
	UUID           string
	MemoryTotalMiB uint64
	MemoryUsedMiB  uint64
	PCIBusID       string // e.g. "00000000:3B:00.0"
	ComputeCap     string // e.g. "9.0"
	Processes      []GPUProcess
	Errors         []string // e.g. "processes: ERROR_NOT_SUPPORTED"
}

// GPUProcess is a process holding a CUDA context on a device.
type GPUProcess struct {
	PID     uint32
	UsedMiB uint64 // 0 where NVML cannot tell, as inside some containers
}

const mib = 1 << 20

func readDevice(lib nvml.Interface, index int) Device {
	d := Device{Index: index}
	fail := func(what string, ret nvml.Return) {
		d.Errors = append(d.Errors, fmt.Sprintf("%s: %v", what, ret))
	}
	dev, ret := lib.DeviceGetHandleByIndex(index)
	if ret != nvml.SUCCESS {
		fail("handle", ret)
		return d
	}
	if d.Name, ret = dev.GetName(); ret != nvml.SUCCESS {
		fail("name", ret)
	}
	if d.UUID, ret = dev.GetUUID(); ret != nvml.SUCCESS {
		fail("uuid", ret)
	}
	if mem, ret := dev.GetMemoryInfo(); ret == nvml.SUCCESS {
		d.MemoryTotalMiB, d.MemoryUsedMiB = mem.Total/mib, mem.Used/mib
	} else {
		fail("memory", ret)
	}
	if pci, ret := dev.GetPciInfo(); ret == nvml.SUCCESS {
		d.PCIBusID = cString(pci.BusId[:])
	} else {
		fail("pci", ret)
	}
	if major, minor, ret := dev.GetCudaComputeCapability(); ret == nvml.SUCCESS {
		d.ComputeCap = fmt.Sprintf("%d.%d", major, minor)
	} else {
		fail("compute capability", ret)
	}
	if procs, ret := dev.GetComputeRunningProcesses(); ret == nvml.SUCCESS {
		d.Processes = make([]GPUProcess, 0, len(procs))
		for _, p := range procs {
			d.Processes = append(d.Processes, GPUProcess{PID: p.Pid, UsedMiB: usedMiB(p.UsedGpuMemory)})
		}
	} else {
		fail("processes", ret)
	}
	return d
}

// usedMiB maps NVML's "not available" (all bits set) to 0 rather than to
// a 16 EiB process.
func usedMiB(bytes uint64) uint64 {
	if bytes == ^uint64(0) {
		return 0
	}
	return bytes / mib
}

// cString reads a NUL-terminated C char array.
func cString(b []int8) string {
	out := make([]byte, 0, len(b))
	for _, c := range b {
		if c == 0 {
			break
		}
		out = append(out, byte(c))
	}
	return string(out)
}
