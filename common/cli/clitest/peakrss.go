package clitest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"ingero.dev/common/cli"
)

// The memory benchmarks run a command in a fresh copy of the test binary
// so that its peak RSS is the command's alone: wait4's ru_maxrss would
// also count the benchmark's own memory, which exec carries over.
const (
	childEnv = "INGERO_CLITEST_CHILD"
	hwmEnv   = "INGERO_CLITEST_HWM"
)

// ChildMain belongs in the TestMain of a package that calls PeakRSS: in
// the child it runs the command built by ctor on the child's arguments,
// records its peak RSS and exits; in the parent it runs the tests.
func ChildMain(m *testing.M, ctor cli.Constructor) {
	if os.Getenv(childEnv) != "1" {
		os.Exit(m.Run())
	}
	var args []string
	for _, a := range os.Args[1:] {
		if !strings.HasPrefix(a, "-test.") {
			args = append(args, a)
		}
	}
	code := cli.Run(ctor(cli.OSStdio()), args, cli.OSStdio())
	if hwm, err := VmHWM("/proc/self/status"); err == nil {
		os.WriteFile(os.Getenv(hwmEnv), []byte(strconv.FormatInt(hwm, 10)), 0o600)
	}
	os.Exit(code)
}

// PeakRSS runs the package's command with args in a child process (see
// ChildMain) and returns the child's peak resident set in bytes.
func PeakRSS(tb testing.TB, args ...string) int64 {
	tb.Helper()
	hwm := filepath.Join(tb.TempDir(), "hwm")
	cmd := exec.Command(os.Args[0], append([]string{"-test.run=^$"}, args...)...)
	cmd.Env = append(os.Environ(), childEnv+"=1", hwmEnv+"="+hwm)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		tb.Fatalf("%v: %v: %s", args, err, stderr.String())
	}
	b, err := os.ReadFile(hwm)
	if err != nil {
		tb.Fatalf("the child left no peak RSS: %v", err)
	}
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

// VmHWM reads the peak resident set, in bytes, from a /proc status file
// (/proc/self/status, or /proc/PID/status of a live process).
func VmHWM(statusFile string) (int64, error) {
	data, err := os.ReadFile(statusFile)
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("%s has no VmHWM line", statusFile)
}
