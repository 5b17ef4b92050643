/* filtered MODE: forks a child that installs a seccomp filter and sleeps,
 * prints the child's pid and exits, so that the child is nobody's ptrace
 * child but the test's. MODE: none, allow, deny-uretprobe, errno-uretprobe,
 * deny-other, strict. */
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#define NR_URETPROBE 335

static int install(unsigned int nr, unsigned int action)
{
	struct sock_filter prog[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, nr, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, action),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog fprog = { sizeof(prog) / sizeof(prog[0]), prog };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "none";
	int fds[2], block[2];
	pid_t pid;
	char ok;

	if (pipe(fds) || pipe(block))
		return 1;
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid > 0) {
		close(fds[1]);
		if (read(fds[0], &ok, 1) != 1)
			return 1;
		printf("%d\n", pid);
		return 0;
	}
	close(fds[0]);
	int rc = 0;
	if (!strcmp(mode, "allow"))
		rc = install(NR_URETPROBE, SECCOMP_RET_ALLOW);
	else if (!strcmp(mode, "deny-uretprobe"))
		rc = install(NR_URETPROBE, SECCOMP_RET_KILL_PROCESS);
	else if (!strcmp(mode, "errno-uretprobe"))
		rc = install(NR_URETPROBE, SECCOMP_RET_ERRNO | 1);
	else if (!strcmp(mode, "deny-other"))
		rc = install(110 /* getppid */, SECCOMP_RET_KILL_PROCESS);
	if (rc)
		return 1;
	ok = 1;
	if (!strcmp(mode, "strict")) {
		/* Strict first: write and read are all that is left, so the pid
		 * goes out only once the mode is in force. */
		prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT);
		if (write(fds[1], &ok, 1) != 1)
			return 1;
		return read(block[0], &ok, 1);
	}
	if (write(fds[1], &ok, 1) != 1)
		return 1;
	sleep(30);
	return 0;
}
