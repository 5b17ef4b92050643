// Package seccomp decides where return probes are safe to attach.
//
// Since Linux 6.11 a uretprobe returns through a trampoline that makes the
// uretprobe system call (x86-64 nr 335). A process whose seccomp filter
// denies that call is killed the first time a probed function returns:
// systemd's services and container runtimes deny unknown system calls.
// Linux 6.14 (and stable kernels that took the fix) exempt the call from
// filtering. So:
//
//   - Kernel says whether the running kernel can be affected at all: not
//     without the system call (return probes trap instead), not from 6.14.
//   - Where it can, Process inspects one process: no filter is safe;
//     strict mode is not; a filter is read with ptrace
//     (PTRACE_SECCOMP_GET_FILTER, a stop of microseconds) and evaluated for
//     the uretprobe call. Anything short of a certain "allow" is unsafe:
//     such a process gets entry probes only, and the caller warns by PID.
package seccomp
