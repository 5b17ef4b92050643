/* Runs a program unable to read other processes' memory: a seccomp filter
 * makes process_vm_readv fail with EPERM, as kernel.yama.ptrace_scope 3
 * would, without touching the host's setting (3 cannot be lowered again).
 * Exits 3 when the filter does not hold. */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_process_vm_readv, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(code) / sizeof(code[0]), .filter = code };
	char buf[1];
	struct iovec local = { buf, 1 }, remote = { argv[0], 1 };

	if (argc < 2) {
		fprintf(stderr, "usage: no_vm_read PROGRAM [ARG...]\n");
		return 2;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog)) {
		perror("no_vm_read: installing the seccomp filter");
		return 3;
	}
	if (syscall(__NR_process_vm_readv, getpid(), &local, 1, &remote, 1, 0) != -1 || errno != EPERM) {
		fprintf(stderr, "no_vm_read: process_vm_readv still works\n");
		return 3;
	}
	execv(argv[1], argv + 1);
	perror("no_vm_read: exec");
	return 3;
}
