/* Annotations for ingero trace (docs/annotations.md): with
 * $INGERO_ANNOTATE_SOCKET set, the workload marks each iteration as a
 * training step (a point, step=N) and, with STANDIN_ANNOTATE_SPANS=1, also
 * as a request span (request_id=req-N), the way an instrumented training
 * loop or inference server does. Trace stamps time and sender itself. */
#include "tools.h"

#include <pthread.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "workload.h"

static int annotate_fd = -1, annotate_spans;
static const char *annotate_path;
static pthread_mutex_t annotate_mu = PTHREAD_MUTEX_INITIALIZER;

/* Reads the settings; the socket is connected on the first step, after
 * the release, since a tracer that attaches to a held workload starts
 * after it. */
void annotate_open(void)
{
	const char *path = getenv("INGERO_ANNOTATE_SOCKET"), *spans = getenv("STANDIN_ANNOTATE_SPANS");

	if (!path || !*path)
		return;
	if (strlen(path) >= sizeof(((struct sockaddr_un *)0)->sun_path))
		die("workload: $INGERO_ANNOTATE_SOCKET is too long: %s", path);
	annotate_path = path;
	annotate_spans = spans && strcmp(spans, "1") == 0;
}

static void annotate_connect(void)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};

	strcpy(addr.sun_path, annotate_path);
	annotate_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (annotate_fd < 0 || connect(annotate_fd, (struct sockaddr *)&addr, sizeof(addr)) != 0)
		die("workload: connecting to the annotation socket %s", annotate_path);
}

static void annotate_send(const char *line)
{
	size_t n = strlen(line), off = 0;

	pthread_mutex_lock(&annotate_mu);
	if (annotate_fd < 0)
		annotate_connect();
	while (off < n) {
		ssize_t w = write(annotate_fd, line + off, n - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			die("workload: writing to the annotation socket: %s", strerror(errno));
		off += (size_t)w;
	}
	pthread_mutex_unlock(&annotate_mu);
}

void annotate_step_begin(uint64_t step)
{
	char line[160];

	if (!annotate_path)
		return;
	snprintf(line, sizeof(line), "{\"labels\":{\"step\":\"%llu\"}}\n", (unsigned long long)step);
	annotate_send(line);
	if (annotate_spans) {
		snprintf(line, sizeof(line), "{\"kind\":\"begin\",\"request_id\":\"req-%llu\"}\n", (unsigned long long)step);
		annotate_send(line);
	}
}

void annotate_step_end(uint64_t step)
{
	char line[96];

	if (!annotate_path || !annotate_spans)
		return;
	snprintf(line, sizeof(line), "{\"kind\":\"end\",\"request_id\":\"req-%llu\"}\n", (unsigned long long)step);
	annotate_send(line);
}
