package check

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/NVIDIA/go-nvml/pkg/nvml"
	"github.com/NVIDIA/go-nvml/pkg/nvml/mock"
	"github.com/NVIDIA/go-nvml/pkg/nvml/mock/dgxh100"
	"github.com/NVIDIA/go-nvml/pkg/nvml/mock/server"

	"ingero.dev/bpf/seccomp"
	"ingero.dev/common/cli"
	"ingero.dev/common/cudalib"
	"ingero.dev/common/gpu"
)

// fakeRoot builds the /proc and /sys files the checks read.
func fakeRoot(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for p, body := range files {
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// h100 is go-nvml's fake DGX H100 with the calls its fake leaves unset.
func h100() nvml.Interface {
	srv := dgxh100.New()
	srv.SystemGetCudaDriverVersion_v2Func = func() (int, nvml.Return) { return srv.CudaDriverVersion, nvml.SUCCESS }
	for _, dev := range srv.Devices {
		d := dev.(*server.Device)
		d.GetPciInfoFunc = func() (nvml.PciInfo, nvml.Return) { return nvml.PciInfo{}, nvml.SUCCESS }
		d.GetComputeRunningProcessesFunc = func() ([]nvml.ProcessInfo, nvml.Return) { return nil, nvml.SUCCESS }
	}
	return srv
}

func noNVML() nvml.Interface {
	return &mock.Interface{InitFunc: func() nvml.Return { return nvml.ERROR_LIBRARY_NOT_FOUND }}
}

var torchProc = &cudalib.Process{PID: 4821, Comm: "python3"}

func torchSnapshot() *cudalib.Snapshot {
	rt := &cudalib.Library{Path: "/opt/torch/.venv/lib/python3.12/site-packages/nvidia/cu13/lib/libcudart.so.13",
		MappedPath: "/opt/torch/.venv/lib/python3.12/site-packages/nvidia/cu13/lib/libcudart.so.13", Kind: cudalib.Runtime, PIDs: []int{4821}}
	drv := &cudalib.Library{Path: "/usr/lib/x86_64-linux-gnu/libcuda.so.1", MappedPath: "/usr/lib/x86_64-linux-gnu/libcuda.so.1", Kind: cudalib.Driver, PIDs: []int{4821}}
	p := *torchProc
	p.Libraries = []*cudalib.Library{rt, drv}
	return &cudalib.Snapshot{Processes: []*cudalib.Process{&p}, Libraries: []*cudalib.Library{rt, drv}}
}

// readyEnv is a GPU host where everything passes.
func readyEnv(t *testing.T) *env {
	root := fakeRoot(t, map[string]string{
		"proc/sys/kernel/osrelease":         "6.8.0-45-generic\n",
		"sys/kernel/btf/vmlinux":            strings.Repeat("b", 4096),
		"sys/kernel/tracing/events/.keep":   "",
		"sys/kernel/tracing/kprobe_events":  "",
		"proc/sys/kernel/yama/ptrace_scope": "1\n",
		"proc/driver/nvidia/version":        "NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  580.159.04\n",
	})
	return &env{
		root:      root,
		euid:      0,
		gpu:       func() (gpu.Info, error) { return gpu.QueryWith(h100()) },
		probeBPF:  func() error { return nil },
		scan:      func() (*cudalib.Snapshot, error) { return torchSnapshot(), nil },
		find:      func() ([]cudalib.Installed, error) { return nil, nil },
		seccompOK: func() seccomp.KernelVerdict { return seccomp.KernelVerdict{Reason: "exempt"} },
		procSafe:  func(int) seccomp.Verdict { return seccomp.Verdict{Safe: true} },
	}
}

func runReport(t *testing.T, e *env, asJSON bool) (string, int) {
	t.Helper()
	var out bytes.Buffer
	stdio := cli.Stdio{Out: &out, Err: &out}
	err := report(e, asJSON, stdio)
	code := 0
	var ee *cli.ExitError
	if errors.As(err, &ee) {
		code = ee.Code
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), code
}

func TestReadyGPUHost(t *testing.T) {
	out, code := runReport(t, readyEnv(t), false)
	if code != 0 {
		t.Fatalf("exit %d on a ready host:\n%s", code, out)
	}
	for _, want := range []string{
		"[✓] Kernel version: 6.8.0-45-generic", "[✓] NVIDIA driver: 550.54.15", "open kernel modules",
		"[✓] GPU model: NVIDIA H100 80GB HBM3, 81920 MiB",
		"[✓] CUDA runtime: /opt/torch/.venv/lib/python3.12/site-packages/nvidia/cu13/lib/libcudart.so.13 (loaded by 1 process(es))",
		"[✓] CUDA driver (libcuda.so): /usr/lib/x86_64-linux-gnu/libcuda.so.1", "PID 4821 (python3)",
		"All checks passed - ready to trace!",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "[✓] GPU model"); n != 8 {
		t.Errorf("%d GPU lines, want 8 for a DGX H100", n)
	}
}

func TestNoGPUHostStillReportsEBPFReady(t *testing.T) {
	e := readyEnv(t)
	e.gpu = func() (gpu.Info, error) { return gpu.QueryWith(noNVML()) }
	e.scan = func() (*cudalib.Snapshot, error) { return &cudalib.Snapshot{}, nil }
	out, code := runReport(t, e, false)
	if code != 1 {
		t.Errorf("exit %d, want 1: nothing GPU-side can be traced", code)
	}
	for _, want := range []string{"[✓] eBPF: ready", "[✗] NVIDIA driver: not found", "install the NVIDIA driver", "eBPF is ready, but"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
}

func TestFailurePaths(t *testing.T) {
	cases := []struct {
		name  string
		tweak func(*env)
		want  string
	}{
		{"old kernel", func(e *env) {
			os.WriteFile(filepath.Join(e.root, "proc/sys/kernel/osrelease"), []byte("5.4.0-150-generic\n"), 0o644)
		}, "[✗] Kernel version: 5.4.0-150-generic"},
		{"no BTF", func(e *env) { os.Remove(filepath.Join(e.root, "sys/kernel/btf/vmlinux")) }, "CONFIG_DEBUG_INFO_BTF"},
		{"eBPF refused", func(e *env) { e.probeBPF = func() error { return errors.New("operation not permitted") } }, "[✗] eBPF: unusable: operation not permitted"},
		{"no runtime", func(e *env) {
			e.scan = func() (*cudalib.Snapshot, error) { return &cudalib.Snapshot{}, nil }
		}, "[✗] CUDA runtime: not found"},
		{"GPU list empty", func(e *env) {
			e.gpu = func() (gpu.Info, error) { return gpu.Info{DriverVersion: "580.1"}, nil }
		}, "no GPU visible to the driver"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := readyEnv(t)
			c.tweak(e)
			out, code := runReport(t, e, false)
			if code != 1 || !strings.Contains(out, c.want) {
				t.Errorf("exit %d, want 1 and %q in:\n%s", code, c.want, out)
			}
		})
	}
}

func TestWarningsKeepExitZero(t *testing.T) {
	e := readyEnv(t)
	os.WriteFile(filepath.Join(e.root, "proc/sys/kernel/yama/ptrace_scope"), []byte("3\n"), 0o644)
	os.RemoveAll(filepath.Join(e.root, "sys/kernel/tracing"))
	e.seccompOK = func() seccomp.KernelVerdict { return seccomp.KernelVerdict{CheckEach: true} }
	e.procSafe = func(pid int) seccomp.Verdict {
		return seccomp.Verdict{Reason: fmt.Sprintf("filter of %d kills on syscall 335", pid)}
	}
	out, code := runReport(t, e, false)
	if code != 0 {
		t.Errorf("warnings alone gave exit %d", code)
	}
	for _, want := range []string{"[!] kernel.yama.ptrace_scope: 3", "--py-walker auto picks ebpf", "[!] tracefs", "mount -t tracefs",
		"[!] uretprobe syscall (seccomp): denied in 1 of 1", "PID 4821 (python3): filter of 4821", "Ready to trace, with"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
}

func TestUnprivileged(t *testing.T) {
	e := readyEnv(t)
	e.euid = 1000
	probed := false
	e.probeBPF = func() error { probed = true; return nil }
	os.MkdirAll(filepath.Join(e.root, "proc/self"), 0o755)
	os.WriteFile(filepath.Join(e.root, "proc/self/status"), []byte("Name:\tingero\nCapEff:\t0000000000000000\n"), 0o644)
	out, _ := runReport(t, e, false)
	if probed {
		t.Error("tried to load eBPF programs without privileges")
	}
	if !strings.Contains(out, "[!] Privileges: not root") || !strings.Contains(out, "sudo ingero trace") {
		t.Errorf("unprivileged report:\n%s", out)
	}
	// CAP_BPF (39) and CAP_PERFMON (38) are enough.
	os.WriteFile(filepath.Join(e.root, "proc/self/status"), []byte("CapEff:\t000000c000000000\n"), 0o644)
	out, _ = runReport(t, e, false)
	if !strings.Contains(out, "[✓] Privileges: CAP_BPF and CAP_PERFMON") {
		t.Errorf("capabilities not recognised:\n%s", out)
	}
}

func TestJSONShape(t *testing.T) {
	out, _ := runReport(t, readyEnv(t), true)
	var list []map[string]any
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatalf("not a JSON list: %v\n%s", err, out)
	}
	if len(list) < 10 {
		t.Fatalf("%d checks", len(list))
	}
	for _, item := range list {
		for _, k := range []string{"name", "ok", "level", "detail"} {
			if _, ok := item[k]; !ok {
				t.Errorf("check %v lacks %q", item["name"], k)
			}
		}
	}
}

// TestThisHost runs the real checks here. On a GPU host (the H200 device)
// the driver must answer with its version and each GPU with its model; on
// one without (the dev VM), the GPU's absence must be a clean failure. Both
// ways eBPF must be ready when we are root.
func TestThisHost(t *testing.T) {
	out, code := runReport(t, hostEnv(), false)
	t.Logf("exit %d\n%s", code, out)
	if _, err := os.Stat("/dev/nvidia0"); err == nil {
		if !regexp.MustCompile(`(?m)^\s*\[✓\] NVIDIA driver: \d`).MatchString(out) ||
			!regexp.MustCompile(`(?m)^\s*\[✓\] GPU model: \S.*, [1-9]\d* MiB`).MatchString(out) {
			t.Errorf("GPU host: want the driver's version and a GPU's model and memory")
		}
	} else if !strings.Contains(out, "[✗] NVIDIA driver: not found") || code != 1 {
		t.Errorf("no-GPU host: want a clean NVIDIA failure and exit 1")
	}
	if os.Geteuid() == 0 && !strings.Contains(out, "[✓] eBPF: ready") {
		t.Errorf("root on a BTF kernel: eBPF should be ready")
	}
}
