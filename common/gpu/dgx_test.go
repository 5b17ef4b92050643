package gpu

import (
	"testing"

	"github.com/NVIDIA/go-nvml/pkg/nvml"
	"github.com/NVIDIA/go-nvml/pkg/nvml/mock/dgxh100"
	"github.com/NVIDIA/go-nvml/pkg/nvml/mock/gpus"
	"github.com/NVIDIA/go-nvml/pkg/nvml/mock/server"
)

// completeServer fills in what go-nvml's fake servers leave out: the v2
// CUDA version call, the PCI bus id and the process list. moq mocks panic
// on a call with no function set, so without this Query would too.
func completeServer(srv *server.Server, procs map[int][]nvml.ProcessInfo) {
	srv.SystemGetCudaDriverVersion_v2Func = func() (int, nvml.Return) {
		return srv.CudaDriverVersion, nvml.SUCCESS
	}
	for i, dev := range srv.Devices {
		d := dev.(*server.Device)
		d.GetPciInfoFunc = func() (nvml.PciInfo, nvml.Return) {
			var p nvml.PciInfo
			for k, c := range []byte(d.PciBusID) {
				p.BusId[k] = int8(c)
			}
			return p, nvml.SUCCESS
		}
		d.GetComputeRunningProcessesFunc = func() ([]nvml.ProcessInfo, nvml.Return) {
			return procs[i], nvml.SUCCESS
		}
	}
}

func TestQueryDGXH100(t *testing.T) {
	srv := dgxh100.New()
	completeServer(srv, map[int][]nvml.ProcessInfo{
		3: {{Pid: 4242, UsedGpuMemory: 1536 * mib}, {Pid: 4243, UsedGpuMemory: ^uint64(0)}},
	})

	info, err := QueryWith(srv)
	if err != nil {
		t.Fatalf("QueryWith: %v", err)
	}
	if info.DriverVersion != srv.DriverVersion || info.NVMLVersion != srv.NvmlVersion {
		t.Errorf("driver %q nvml %q, want %q %q", info.DriverVersion, info.NVMLVersion, srv.DriverVersion, srv.NvmlVersion)
	}
	if info.CUDADriverVersion != "12.4" { // the fake says 12040
		t.Errorf("CUDA driver version %q, want 12.4", info.CUDADriverVersion)
	}
	if len(info.Devices) != len(srv.Devices) || len(info.Devices) != 8 {
		t.Fatalf("%d devices, want 8", len(info.Devices))
	}
	for i, got := range info.Devices {
		want := srv.Devices[i].(*server.Device)
		if got.Index != i || got.Name != want.Config.Name || got.UUID != want.UUID ||
			got.MemoryTotalMiB != want.Config.MemoryMB || got.PCIBusID != want.PciBusID ||
			got.ComputeCap != "9.0" || len(got.Errors) != 0 {
			t.Errorf("device %d = %+v, want name %q uuid %q %d MiB bus %q cc 9.0, no errors",
				i, got, want.Config.Name, want.UUID, want.Config.MemoryMB, want.PciBusID)
		}
		if i != 3 && (got.Processes == nil || len(got.Processes) != 0) {
			t.Errorf("device %d processes = %#v, want an empty list", i, got.Processes)
		}
	}
	procs := info.Devices[3].Processes
	if len(procs) != 2 || procs[0] != (GPUProcess{PID: 4242, UsedMiB: 1536}) || procs[1] != (GPUProcess{PID: 4243}) {
		t.Errorf("device 3 processes = %+v, want 4242 with 1536 MiB and 4243 with unknown (0)", procs)
	}

	model, driver := info.Summary()
	if model != "8x "+gpus.H100_SXM5_80GB.Name || driver != "550.54.15" {
		t.Errorf("Summary = %q, %q; want 8x %s, 550.54.15", model, driver, gpus.H100_SXM5_80GB.Name)
	}
	if n := len(srv.ShutdownCalls()); n != 1 {
		t.Errorf("Shutdown called %d times, want 1", n)
	}
}

func TestQueryMixedServer(t *testing.T) {
	srv := dgxh100.NewWithGPUs(gpus.H100_SXM5_80GB, gpus.A100_SXM4_40GB, gpus.H100_SXM5_80GB)
	completeServer(srv, nil)

	info, err := QueryWith(srv)
	if err != nil {
		t.Fatalf("QueryWith: %v", err)
	}
	if cc := info.Devices[1].ComputeCap; cc != "8.0" {
		t.Errorf("A100 compute capability %q, want 8.0", cc)
	}
	want := "2x " + gpus.H100_SXM5_80GB.Name + ", " + gpus.A100_SXM4_40GB.Name
	if model, _ := info.Summary(); model != want {
		t.Errorf("Summary model = %q, want %q", model, want)
	}
}
