package check

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

func (e *env) kernel() Result {
	r := Result{Name: "Kernel version", Detail: "need 5.15+"}
	rel, err := e.read("proc/sys/kernel/osrelease")
	if err != nil {
		r.Level, r.Value, r.Hint = Fail, "unknown", fmt.Sprintf("cannot read the kernel release: %v", err)
		return r
	}
	r.Value = strings.TrimSpace(rel)
	var major, minor int
	fmt.Sscanf(r.Value, "%d.%d", &major, &minor)
	if major < 5 || major == 5 && minor < 15 {
		r.Level, r.Hint = Fail, "upgrade to Linux 5.15 or newer (uprobe and ring-buffer features ingero relies on)"
	}
	return r
}

func (e *env) btf() Result {
	r := Result{Name: "BTF support", Value: "/sys/kernel/btf/vmlinux"}
	fi, err := os.Stat(e.path("sys/kernel/btf/vmlinux"))
	if err != nil {
		r.Level, r.Detail = Fail, "missing"
		r.Hint = "boot a kernel built with CONFIG_DEBUG_INFO_BTF=y (the default of current distributions)"
		return r
	}
	r.Detail = fmt.Sprintf("available (%d bytes)", fi.Size())
	return r
}

// Capability bits in /proc/self/status CapEff.
const (
	capSysAdmin = 21
	capPerfmon  = 38
	capBPF      = 39
)

func (e *env) privileged() (bool, string) {
	if e.euid == 0 {
		return true, "root"
	}
	status, err := e.read("proc/self/status")
	if err != nil {
		return false, "not root"
	}
	for _, line := range strings.Split(status, "\n") {
		if hex, ok := strings.CutPrefix(line, "CapEff:"); ok {
			caps, _ := strconv.ParseUint(strings.TrimSpace(hex), 16, 64)
			has := func(c uint) bool { return caps&(1<<c) != 0 }
			if has(capSysAdmin) || has(capBPF) && has(capPerfmon) {
				return true, "CAP_BPF and CAP_PERFMON"
			}
		}
	}
	return false, "not root, no CAP_BPF+CAP_PERFMON"
}

func (e *env) privileges() Result {
	ok, how := e.privileged()
	r := Result{Name: "Privileges", Value: how, Detail: "ingero trace loads eBPF programs; every other command runs unprivileged"}
	if !ok {
		r.Level, r.Hint = Warn, "run 'sudo ingero trace' (or grant CAP_BPF and CAP_PERFMON)"
	}
	return r
}

func (e *env) ebpfUsable() Result {
	r := Result{Name: "eBPF", Detail: "tracepoint and uprobe programs, BPF ring buffer"}
	if ok, _ := e.privileged(); !ok {
		r.Level, r.Value = Warn, "not checked (needs root to load a test program)"
		r.Hint = "run 'sudo ingero check' to try loading one"
		return r
	}
	if err := e.probeBPF(); err != nil {
		r.Level, r.Value = Fail, fmt.Sprintf("unusable: %v", err)
		r.Hint = "use Linux 5.15+ with CONFIG_BPF_SYSCALL, CONFIG_UPROBE_EVENTS and CONFIG_BPF_EVENTS"
		return r
	}
	r.Value = "ready (loaded test programs)"
	return r
}

func (e *env) tracefs() Result {
	r := Result{Name: "tracefs", Value: "/sys/kernel/tracing"}
	if _, err := os.Stat(e.path("sys/kernel/tracing/events")); err == nil {
		r.Detail = "mounted"
		return r
	}
	r.Level, r.Detail = Warn, "not mounted"
	r.Hint = "ingero trace mounts it itself; to do it by hand: mount -t tracefs tracefs /sys/kernel/tracing"
	return r
}

func (e *env) kprobes() Result {
	r := Result{Name: "kprobes", Detail: "informational: ingero needs none (uprobes and tracepoints only)"}
	_, a := os.Stat(e.path("sys/kernel/tracing/kprobe_events"))
	_, b := os.Stat(e.path("proc/sys/debug/kprobes-optimization"))
	if a == nil || b == nil {
		r.Value = "available"
		return r
	}
	r.Level, r.Value = Warn, "not available (CONFIG_KPROBES off, or tracefs not mounted)"
	return r
}

func (e *env) ptraceScope() Result {
	r := Result{Name: "kernel.yama.ptrace_scope"}
	v, err := e.read("proc/sys/kernel/yama/ptrace_scope")
	if err != nil {
		r.Value, r.Detail = "not set", "Yama is not enabled: nothing restricts ptrace"
		return r
	}
	r.Value = strings.TrimSpace(v)
	switch r.Value {
	case "0", "1", "2":
		r.Detail = "root can read traced processes' seccomp filters"
	default:
		r.Level = Warn
		// Both losses have a remedy short of a reboot for stacks, so the
		// detail names the walker that works at 3.
		r.Detail = "ptrace is off for everyone, root included: seccomp-filtered processes get entry-only records (no durations), and --stack reads Python frames in the kernel (--py-walker auto picks ebpf)"
		r.Hint = "sysctl kernel.yama.ptrace_scope=2 (takes a reboot to lower from 3)"
	}
	return r
}
