package seccomp

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// KernelVerdict says whether return probes can kill a process here.
type KernelVerdict struct {
	// CheckEach is true when each process's filter must be checked.
	CheckEach bool
	Reason    string
}

// Kernel inspects the running kernel.
func Kernel() KernelVerdict {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return KernelVerdict{true, fmt.Sprintf("kernel version unknown (%v): checking each process", err)}
	}
	release := unix.ByteSliceToString(u.Release[:])
	return kernelVerdict(release, hasUretprobeSyscall("/proc/kallsyms"))
}

// kernelVerdict decides from the release string and whether the kernel has
// the uretprobe system call (nil: unknown).
func kernelVerdict(release string, hasSyscall *bool) KernelVerdict {
	major, minor, ok := parseRelease(release)
	switch {
	case ok && (major > 6 || major == 6 && minor >= 14):
		return KernelVerdict{false, "Linux " + release + " exempts the uretprobe call from seccomp"}
	case hasSyscall != nil && !*hasSyscall:
		return KernelVerdict{false, "Linux " + release + " returns from uretprobes by trap, not by system call"}
	case ok && (major < 6 || major == 6 && minor < 11):
		return KernelVerdict{false, "Linux " + release + " predates the uretprobe system call"}
	}
	return KernelVerdict{true, "Linux " + release + " may let seccomp deny the uretprobe call: checking each process"}
}

func parseRelease(r string) (major, minor int, ok bool) {
	parts := strings.SplitN(r, ".", 3)
	if len(parts) < 2 {
		return 0, 0, false
	}
	major, err1 := strconv.Atoi(parts[0])
	minorDigits := strings.TrimRightFunc(parts[1], func(c rune) bool { return c < '0' || c > '9' })
	minor, err2 := strconv.Atoi(minorDigits)
	return major, minor, err1 == nil && err2 == nil
}

// hasUretprobeSyscall looks for the call's entry in kallsyms; nil when the
// file cannot be read.
func hasUretprobeSyscall(kallsyms string) *bool {
	f, err := os.Open(kallsyms)
	if err != nil {
		return nil
	}
	defer f.Close()
	found := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if bytes.HasSuffix(sc.Bytes(), []byte(" __x64_sys_uretprobe")) {
			found = true
			break
		}
	}
	if sc.Err() != nil {
		return nil
	}
	return &found
}
