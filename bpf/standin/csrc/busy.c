/* busy --comm NAME [--cpu N] [--duration D] [--ready-file PATH]
 *
 * Burns CPU under a chosen name, optionally pinned, so that a test can put a
 * known contender on the workload's CPU and look for it in sched_switch. */
#include "tools.h"

#include <time.h>

static uint64_t now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	const char *ready_file = NULL, *v;
	uint64_t duration_ns = 0, deadline;
	volatile uint64_t sink = 0;

	for (int i = 1; i < argc; i++) {
		if ((v = flag_value(argc, argv, &i, "--comm")))
			set_comm(v);
		else if ((v = flag_value(argc, argv, &i, "--cpu")))
			pin_cpu(parse_int(v));
		else if ((v = flag_value(argc, argv, &i, "--duration")))
			duration_ns = parse_duration(v);
		else if ((v = flag_value(argc, argv, &i, "--ready-file")))
			ready_file = v;
		else
			die("busy: unknown argument %s", argv[i]);
	}
	if (ready_file)
		touch(ready_file);
	deadline = duration_ns ? now() + duration_ns : 0;
	while (!deadline || now() < deadline)
		for (int i = 0; i < 10000; i++)
			sink += (uint64_t)i;
	return 0;
}
