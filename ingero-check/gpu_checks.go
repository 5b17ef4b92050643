package check

import (
	"errors"
	"fmt"
	"strings"

	"ingero.dev/common/cudalib"
	"ingero.dev/common/gpu"
)

func (e *env) nvidia() []Result {
	info, err := e.gpu()
	if err != nil {
		r := Result{Name: "NVIDIA driver", Level: Fail, Value: "not found", Detail: err.Error(), GPU: true}
		if errors.Is(err, gpu.ErrNoNVML) {
			r.Hint = "install the NVIDIA driver on a GPU host; host tracing and the eBPF checks above do not need it"
		}
		return []Result{r}
	}
	drv := Result{Name: "NVIDIA driver", Value: info.DriverVersion, GPU: true}
	if v, err := e.read("proc/driver/nvidia/version"); err == nil && strings.Contains(v, "Open Kernel Module") {
		drv.Detail = "open kernel modules"
	}
	if info.CUDADriverVersion != "" {
		drv.Detail = strings.TrimPrefix(drv.Detail+", CUDA "+info.CUDADriverVersion, ", ")
	}
	out := []Result{drv}
	if len(info.Devices) == 0 {
		return append(out, Result{Name: "GPU model", Level: Fail, Value: "no GPU visible to the driver", GPU: true,
			Hint: "check nvidia-smi; in a container, expose the devices (--gpus all)"})
	}
	for _, d := range info.Devices {
		r := Result{Name: "GPU model", GPU: true, Value: fmt.Sprintf("%s, %d MiB", d.Name, d.MemoryTotalMiB)}
		if len(d.Errors) > 0 {
			r.Detail = "NVML could not report: " + strings.Join(d.Errors, "; ")
		}
		out = append(out, r)
	}
	return out
}

// libraries reports the CUDA runtime and driver libraries: which files
// exist, and which running processes map them (venv copies included).
func (e *env) libraries(snap *cudalib.Snapshot) []Result {
	installed, _ := e.find()
	return []Result{
		libraryResult("CUDA runtime", cudalib.Runtime, installed, snap,
			"install the CUDA runtime (PyTorch wheels bring their own), or pass --cuda-lib PATH to ingero trace"),
		libraryResult("CUDA driver (libcuda.so)", cudalib.Driver, installed, snap,
			"install the NVIDIA driver: without libcuda no CUDA program runs"),
	}
}

func libraryResult(name string, kind cudalib.Kind, installed []cudalib.Installed, snap *cudalib.Snapshot, hint string) Result {
	r := Result{Name: name, GPU: true}
	var mapped []*cudalib.Library
	if snap != nil {
		mapped = snap.OfKind(kind)
	}
	// One line per file: libcuda.so.1 is usually a symlink to the
	// versioned file a process maps, so files are told apart by inode.
	type fileKey struct{ dev, ino uint64 }
	var paths []string
	seen := map[fileKey]bool{}
	for _, l := range mapped {
		seen[fileKey{l.Dev, l.Inode}] = true
		paths = append(paths, fmt.Sprintf("%s (loaded by %d process(es))", l.MappedPath, len(l.PIDs)))
	}
	for _, in := range installed {
		if k := (fileKey{in.Dev, in.Inode}); in.Kind == kind && !seen[k] {
			seen[k] = true
			paths = append(paths, in.Path)
		}
	}
	if len(paths) == 0 {
		r.Level, r.Value, r.Hint = Fail, "not found", hint
		return r
	}
	r.Value = paths[0]
	if len(paths) > 1 {
		r.Detail = "also: " + strings.Join(paths[1:], ", ")
	}
	if kind == cudalib.Driver {
		r.Detail = strings.TrimPrefix(r.Detail+"; available for driver API tracing", "; ")
	}
	return r
}

func (e *env) processes(snap *cudalib.Snapshot, scanErr error) Result {
	r := Result{Name: "CUDA processes", GPU: true}
	if scanErr != nil {
		r.Level, r.Value = Warn, "unknown"
		r.Detail = scanErr.Error()
		return r
	}
	if len(snap.Processes) == 0 {
		r.Level, r.Value = Warn, "none running"
		r.Hint = "start your workload: ingero trace picks up CUDA processes that start after it"
		if len(snap.Denied) > 0 && e.euid != 0 {
			r.Detail = fmt.Sprintf("%d process(es) could not be inspected (run as root to see them)", len(snap.Denied))
		}
		return r
	}
	r.Value = fmt.Sprintf("%d found", len(snap.Processes))
	var ps []string
	for _, p := range snap.Processes {
		ps = append(ps, fmt.Sprintf("PID %d (%s)", p.PID, p.Comm))
	}
	r.Detail = strings.Join(ps, ", ")
	return r
}

// uretprobe says whether return probes are safe: kernels that exempt the
// uretprobe syscall from seccomp need nothing; elsewhere each CUDA
// process's filter is read and evaluated.
func (e *env) uretprobe(snap *cudalib.Snapshot) Result {
	r := Result{Name: "uretprobe syscall (seccomp)"}
	kv := e.seccompOK()
	if !kv.CheckEach {
		r.Value, r.Detail = "allowed", kv.Reason
		return r
	}
	var unsafe []string
	n := 0
	if snap != nil {
		for _, p := range snap.Processes {
			n++
			if v := e.procSafe(p.PID); !v.Safe {
				unsafe = append(unsafe, fmt.Sprintf("PID %d (%s): %s", p.PID, p.Comm, v.Reason))
			}
		}
	}
	if len(unsafe) > 0 {
		r.Level, r.Value = Warn, fmt.Sprintf("denied in %d of %d CUDA process(es)", len(unsafe), n)
		r.Detail = strings.Join(unsafe, "; ")
		r.Hint = "those processes get entry-only records (no durations); allow the uretprobe syscall in their seccomp profile"
		return r
	}
	r.Value = fmt.Sprintf("allowed in all %d CUDA process(es)", n)
	r.Detail = kv.Reason
	return r
}
