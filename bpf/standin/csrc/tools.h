/* Command-line helpers shared by the workload and busy programs. */
#ifndef STANDIN_TOOLS_H
#define STANDIN_TOOLS_H

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

static inline void die(const char *fmt, const char *arg)
{
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	exit(2);
}

/* Go-style durations: "250ms", "1.5s", "2m", "800us", "100ns". */
static inline uint64_t parse_duration(const char *s)
{
	static const struct {
		const char *unit;
		double ns;
	} units[] = {{"ns", 1}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9}, {"m", 60e9}, {"h", 3600e9}};
	char *end;
	double v = strtod(s, &end);

	if (end == s || v < 0)
		die("bad duration %s", s);
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcmp(end, units[i].unit) == 0)
			return (uint64_t)(v * units[i].ns);
	die("bad duration %s: want a unit (ns, us, ms, s, m, h)", s);
	return 0;
}

static inline long parse_int(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (end == s || *end || v < 0)
		die("bad number %s", s);
	return v;
}

static inline void pin_cpu(long cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET((int)cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) != 0)
		die("pinning to a CPU: %s", strerror(errno));
}

static inline void set_comm(const char *name)
{
	if (prctl(PR_SET_NAME, name, 0, 0, 0) != 0)
		die("setting comm: %s", strerror(errno));
}

static inline void touch(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0)
		die("creating ready file: %s", strerror(errno));
	close(fd);
}

/* Matches "--name value" and "--name=value"; advances *i past the value. */
static inline const char *flag_value(int argc, char **argv, int *i, const char *name)
{
	size_t n = strlen(name);

	if (strncmp(argv[*i], name, n) != 0)
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (argv[*i][n] != '\0')
		return NULL;
	if (*i + 1 >= argc)
		die("%s needs a value", name);
	return argv[++*i];
}

#endif
