package seccomp

import (
	"errors"
	"testing"

	"golang.org/x/sys/unix"
)

func stmt(code uint16, k uint32) unix.SockFilter { return unix.SockFilter{Code: code, K: k} }

func jeq(k uint32, jt, jf uint8) unix.SockFilter {
	return unix.SockFilter{Code: unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K, K: k, Jt: jt, Jf: jf}
}

// denyNr is what systemd and container runtimes install, in miniature:
// check the architecture, then kill on one system call.
func denyNr(nr, action uint32) []unix.SockFilter {
	return []unix.SockFilter{
		stmt(unix.BPF_LD|unix.BPF_W|unix.BPF_ABS, 4),
		jeq(unix.AUDIT_ARCH_X86_64, 1, 0),
		stmt(unix.BPF_RET|unix.BPF_K, actionKillProcess),
		stmt(unix.BPF_LD|unix.BPF_W|unix.BPF_ABS, 0),
		jeq(nr, 0, 1),
		stmt(unix.BPF_RET|unix.BPF_K, action),
		stmt(unix.BPF_RET|unix.BPF_K, actionAllow),
	}
}

func TestEvaluate(t *testing.T) {
	for _, tc := range []struct {
		name string
		prog []unix.SockFilter
		want uint32
		err  error
	}{
		{"allow all", []unix.SockFilter{stmt(unix.BPF_RET|unix.BPF_K, actionAllow)}, actionAllow, nil},
		{"kill uretprobe", denyNr(NrUretprobe, actionKillProcess), actionKillProcess, nil},
		{"errno on uretprobe", denyNr(NrUretprobe, 0x00050001), 0x00050001, nil},
		{"kill another call", denyNr(39, actionKillProcess), actionAllow, nil},
		{"allow list without uretprobe", []unix.SockFilter{
			stmt(unix.BPF_LD|unix.BPF_W|unix.BPF_ABS, 0),
			stmt(unix.BPF_ALU|unix.BPF_AND|unix.BPF_K, 0xffff),
			jeq(0, 2, 0),
			jeq(1, 1, 0),
			stmt(unix.BPF_RET|unix.BPF_K, 0x00050026),
			stmt(unix.BPF_RET|unix.BPF_K, actionAllow),
		}, 0x00050026, nil},
		{"looks at the instruction pointer", []unix.SockFilter{
			stmt(unix.BPF_LD|unix.BPF_W|unix.BPF_ABS, 8),
			stmt(unix.BPF_RET|unix.BPF_K, actionAllow),
		}, 0, errUncertain},
		{"division by zero ends with 0", []unix.SockFilter{
			stmt(unix.BPF_LD|unix.BPF_IMM, 7),
			stmt(unix.BPF_ALU|unix.BPF_DIV|unix.BPF_K, 0),
			stmt(unix.BPF_RET|unix.BPF_K, actionAllow),
		}, 0, nil},
		{"no return", []unix.SockFilter{stmt(unix.BPF_LD|unix.BPF_IMM, 7)}, 0, errUnsupported},
	} {
		got, err := Evaluate(tc.prog, NrUretprobe)
		if !errors.Is(err, tc.err) || err == nil && got != tc.want {
			t.Errorf("%s: got %#x, %v; want %#x, %v", tc.name, got, err, tc.want, tc.err)
		}
	}
}

// TestCombine: the strictest action over all filters wins, as in the kernel.
func TestCombine(t *testing.T) {
	if got := combine([]uint32{actionAllow, 0x00050001, actionLog}); got != 0x00050001 {
		t.Errorf("allow, errno, log: got %#x", got)
	}
	if got := combine([]uint32{0x00050001, actionKillProcess}); got != actionKillProcess {
		t.Errorf("errno, kill process: got %#x", got)
	}
	if !allows(combine(nil)) || !allows(actionLog) || allows(0x7ff00000) {
		t.Error("allow, log and trace misjudged")
	}
}

func TestKernelVerdict(t *testing.T) {
	yes, no := true, false
	for _, tc := range []struct {
		release   string
		syscall   *bool
		checkEach bool
	}{
		{"6.18.44-fc-v595", &yes, false},
		{"6.14.0", &yes, false},
		{"7.0.1", nil, false},
		{"6.12.8-generic", &yes, true},
		{"6.11.0", nil, true},
		{"6.13.2-arch1-1", &no, false},
		{"6.8.0-45-generic", nil, false},
		{"5.15.0", &no, false},
		{"weird", nil, true},
	} {
		if got := kernelVerdict(tc.release, tc.syscall); got.CheckEach != tc.checkEach {
			t.Errorf("%s (syscall %v): check each %v, want %v (%s)", tc.release, tc.syscall, got.CheckEach,
				tc.checkEach, got.Reason)
		}
	}
}
