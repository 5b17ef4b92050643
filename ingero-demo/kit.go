package demo

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"ingero.dev/bpf/standin"
)

// kit is what a real scenario runs: a training loop and the plants
// around it, as processes.
type kit interface {
	// describe says what runs, for the mode line.
	describe() string
	// workload is a GPU process running pattern under comm, pinned to
	// cpu, for d, with kernels the size that role asks for.
	workload(pattern, comm string, r role, cpu int, d time.Duration) (argv, env []string)
	// hog burns CPU under comm, pinned to cpu, for d.
	hog(comm string, cpu int, d time.Duration) []string
	// readyTimeout bounds how long a workload may take to load its CUDA
	// libraries (PyTorch takes seconds).
	readyTimeout() time.Duration
	// workingSet is what a train-paging workload adds to its argv and env
	// for a working set of ws bytes: anonymous memory, or a file in
	// dataDir when set.
	workingSet(ws int64, dataDir string) (args, env []string)
	// diskDir is a directory on a disk (not tmpfs) for the run's files.
	diskDir() string
}

// role is what a GPU process is in a scenario.
type role int

const (
	roleTrain role = iota // the training loop that the scenario slows down
	roleShare             // a co-tenant with kernels of modest size
	roleSteal             // a co-tenant with long kernels
)

// standinKit runs the gcc-built stand-in libcudart/libcuda: the real
// probes on real processes, with a simulated GPU that busy-waits for
// the time each call takes on an H100.
type standinKit struct {
	art *standin.Artifacts
	// device is the file that the processes of one scenario share as
	// one simulated GPU, so that a co-tenant's kernels delay training's.
	device string
	ckpt   string // where the train-ckpt loop writes its checkpoint
}

func newStandinKit(dir, ckpt string) (*standinKit, error) {
	art, err := standin.Cached()
	if err != nil {
		return nil, err
	}
	return &standinKit{art: art, device: filepath.Join(dir, "gpu0"), ckpt: ckpt}, nil
}

func (k *standinKit) describe() string {
	return "ingero trace records a stand-in CUDA library (libcudart.so.12 and libcuda.so.1 built with gcc, which busy-wait as long as an H100 takes) through its real eBPF probes"
}

// Co-tenant kernels, 48 a step: of 150 µs they share the GPU, of 1.5 ms
// they take it over. Training's own run about 15 µs.
var kernelTime = map[role]time.Duration{roleShare: 150 * time.Microsecond, roleSteal: 1500 * time.Microsecond}

func (k *standinKit) workload(pattern, comm string, r role, cpu int, d time.Duration) ([]string, []string) {
	argv := []string{k.art.Workload, "--pattern", pattern, "--comm", comm, "--cpu", strconv.Itoa(cpu), "--duration", ms(d)}
	// The stand-in directory goes first on the library path: on a host
	// with a real driver, an LD_LIBRARY_PATH naming it would otherwise
	// hand the stand-in runtime the real libcuda.so.1.
	env := []string{"STANDIN_DEVICE_FILE=" + k.device, "LD_LIBRARY_PATH=" + joinPath(k.art.Dir, os.Getenv("LD_LIBRARY_PATH")),
		"STANDIN_CKPT_DIR=" + k.ckpt}
	if t, ok := kernelTime[r]; ok {
		env = append(env, fmt.Sprintf("STANDIN_KERNEL_NS=%d", t.Nanoseconds()))
	}
	return argv, env
}

func (k *standinKit) hog(comm string, cpu int, d time.Duration) []string {
	return []string{k.art.Busy, "--comm", comm, "--cpu", strconv.Itoa(cpu), "--duration", ms(d)}
}

func (k *standinKit) readyTimeout() time.Duration { return 30 * time.Second }

func (k *standinKit) workingSet(ws int64, dataDir string) ([]string, []string) {
	return nil, []string{fmt.Sprintf("STANDIN_WORKING_SET_BYTES=%d", ws), "STANDIN_DATA_DIR=" + dataDir}
}

func (k *standinKit) diskDir() string { return k.ckpt }

func ms(d time.Duration) string { return strconv.FormatInt(d.Milliseconds(), 10) + "ms" }

func joinPath(dir, rest string) string {
	if rest == "" {
		return dir
	}
	return dir + ":" + rest
}
