/* Annotations for ingero trace (docs/annotations.md): with
 * $INGERO_ANNOTATE_SOCKET set, the workload marks each iteration as a
 * training step (a point, step=N) and, with STANDIN_ANNOTATE_SPANS=1, also
 * as a request span (request_id=req-N), the way an instrumented training
 * loop or inference server does. Each line carries the time it is sent
 * (CLOCK_REALTIME, which trace keeps within 250 ms of its arrival, so a
 * tracer that reads late still sees the spans' true lengths); trace stamps
 * the sender itself. */
#include "tools.h"

#include <pthread.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>

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

/* Sends the message whose JSON body (an object, without its closing
 * brace) is in body, adding the time under the lock so that lines leave in
 * the order of their times, as trace requires of one connection. */
static void annotate_send(const char *body)
{
	char line[256];
	struct timespec ts;
	size_t n, off = 0;

	pthread_mutex_lock(&annotate_mu);
	if (annotate_fd < 0)
		annotate_connect();
	clock_gettime(CLOCK_REALTIME, &ts);
	n = (size_t)snprintf(line, sizeof(line), "%s,\"time_ns\":%lld}\n", body,
			     (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec);
	if (n >= sizeof(line))
		die("workload: annotation too long: %s", body);
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
	snprintf(line, sizeof(line), "{\"labels\":{\"step\":\"%llu\"}", (unsigned long long)step);
	annotate_send(line);
	if (annotate_spans) {
		snprintf(line, sizeof(line), "{\"kind\":\"begin\",\"request_id\":\"req-%llu\"", (unsigned long long)step);
		annotate_send(line);
	}
}

void annotate_step_end(uint64_t step)
{
	char line[96];

	if (!annotate_path || !annotate_spans)
		return;
	snprintf(line, sizeof(line), "{\"kind\":\"end\",\"request_id\":\"req-%llu\"", (unsigned long long)step);
	annotate_send(line);
}
