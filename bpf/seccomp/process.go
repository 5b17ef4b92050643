package seccomp

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Verdict is what Process found.
type Verdict struct {
	Safe   bool   // return probes may run in the process
	Reason string // why, for the warning that names the PID
}

// Process decides whether return probes are safe in pid. Call it only when
// Kernel says CheckEach. It may stop the process for a few microseconds to
// read its filters with ptrace.
func Process(pid int) Verdict {
	mode, filters, err := threadModes(pid)
	if err != nil {
		return Verdict{false, fmt.Sprintf("seccomp state unknown (%v)", err)}
	}
	switch mode {
	case 0:
		return Verdict{true, "no seccomp filter"}
	case 1:
		return Verdict{false, "seccomp strict mode denies the uretprobe call"}
	}
	if filters < 0 {
		return Verdict{false, "threads have different seccomp filters"}
	}
	progs, err := readFilters(pid)
	if err != nil {
		return Verdict{false, fmt.Sprintf("seccomp filter unreadable (%v)", err)}
	}
	results := make([]uint32, 0, len(progs))
	for _, p := range progs {
		r, err := Evaluate(p, NrUretprobe)
		if err != nil {
			return Verdict{false, fmt.Sprintf("seccomp filter not evaluable (%v)", err)}
		}
		results = append(results, r)
	}
	ret := combine(results)
	if !allows(ret) {
		return Verdict{false, "its seccomp filter would " + actionName(ret) + " on the uretprobe call"}
	}
	return Verdict{true, "its seccomp filter allows the uretprobe call"}
}

// threadModes reads Seccomp and Seccomp_filters of every thread: the mode
// (the strictest found) and the filter count, or -1 when threads differ
// (filters are per thread; ptrace reads the main thread's).
func threadModes(pid int) (mode, filters int, err error) {
	dir := filepath.Join("/proc", strconv.Itoa(pid), "task")
	tids, err := os.ReadDir(dir)
	if err != nil {
		return 0, 0, err
	}
	filters = -2
	for _, t := range tids {
		status, err := os.ReadFile(filepath.Join(dir, t.Name(), "status"))
		if err != nil {
			continue // the thread exited
		}
		m, n := statusField(status, "Seccomp:"), statusField(status, "Seccomp_filters:")
		mode = max(mode, m)
		switch {
		case filters == -2:
			filters = n
		case filters != n:
			filters = -1
		}
	}
	if filters == -2 {
		return 0, 0, errors.New("no threads")
	}
	return mode, filters, nil
}

func statusField(status []byte, name string) int {
	for line := range strings.Lines(string(status)) {
		if rest, ok := strings.CutPrefix(line, name); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(rest))
			return n
		}
	}
	return 0
}

// readFilters stops pid with PTRACE_SEIZE + PTRACE_INTERRUPT, copies its
// filters out, and detaches. ptrace must run on one OS thread throughout.
func readFilters(pid int) ([][]unix.SockFilter, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if err := unix.PtraceSeize(pid); err != nil {
		return nil, fmt.Errorf("attaching with ptrace: %w", err)
	}
	defer detach(pid)
	if err := unix.PtraceInterrupt(pid); err != nil {
		return nil, fmt.Errorf("stopping with ptrace: %w", err)
	}
	var progs [][]unix.SockFilter
	for i := 0; ; i++ {
		n, err := getFilter(pid, i, nil)
		if errors.Is(err, unix.ENOENT) {
			return progs, nil
		}
		if err != nil {
			return nil, err
		}
		prog := make([]unix.SockFilter, n)
		if _, err := getFilter(pid, i, prog); err != nil {
			return nil, err
		}
		progs = append(progs, prog)
	}
}

// detach lets pid go, waiting for the stop if the interrupt has not taken
// effect yet (PTRACE_DETACH needs a stopped tracee).
func detach(pid int) {
	deadline := time.Now().Add(time.Second)
	for unix.PtraceDetach(pid) == unix.ESRCH && time.Now().Before(deadline) {
		time.Sleep(50 * time.Microsecond)
	}
}

// getFilter is PTRACE_SECCOMP_GET_FILTER, retried until the interrupt has
// taken effect (the tracee must be in a ptrace stop).
func getFilter(pid, index int, out []unix.SockFilter) (int, error) {
	var data uintptr
	if len(out) > 0 {
		data = uintptr(unsafe.Pointer(&out[0]))
	}
	deadline := time.Now().Add(time.Second)
	for {
		n, _, errno := unix.Syscall6(unix.SYS_PTRACE, unix.PTRACE_SECCOMP_GET_FILTER, uintptr(pid),
			uintptr(index), data, 0, 0)
		switch {
		case errno == 0:
			return int(n), nil
		case errno == unix.ESRCH && time.Now().Before(deadline):
			time.Sleep(50 * time.Microsecond)
		default:
			return 0, fmt.Errorf("reading seccomp filter %d: %w", index, errno)
		}
	}
}
