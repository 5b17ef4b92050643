package check

import (
	"os"
	"path/filepath"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/features"

	"ingero.dev/bpf/seccomp"
	"ingero.dev/common/cudalib"
	"ingero.dev/common/gpu"
)

// env is everything the checks read, so tests can hand them a fake /proc
// and /sys tree, a fake NVML and a fake eBPF probe.
type env struct {
	root      string // "/" on a real host
	euid      int
	gpu       func() (gpu.Info, error)
	probeBPF  func() error // loads trivial programs; nil error means usable
	scan      func() (*cudalib.Snapshot, error)
	find      func() ([]cudalib.Installed, error)
	seccompOK func() seccomp.KernelVerdict
	procSafe  func(pid int) seccomp.Verdict
}

func hostEnv() *env {
	return &env{
		root:      "/",
		euid:      os.Geteuid(),
		gpu:       gpu.Query,
		probeBPF:  probeBPF,
		scan:      cudalib.Scan,
		find:      cudalib.FindInstalled,
		seccompOK: seccomp.Kernel,
		procSafe:  seccomp.Process,
	}
}

// probeBPF asks the kernel for what trace needs: tracepoint and
// uprobe (kprobe-type) programs and the BPF ring buffer. Each probe loads
// a trivial program or map.
func probeBPF() error {
	if err := features.HaveProgramType(ebpf.TracePoint); err != nil {
		return err
	}
	if err := features.HaveProgramType(ebpf.Kprobe); err != nil {
		return err
	}
	return features.HaveMapType(ebpf.RingBuf)
}

func (e *env) path(p string) string { return filepath.Join(e.root, p) }

func (e *env) read(p string) (string, error) {
	b, err := os.ReadFile(e.path(p))
	return string(b), err
}
