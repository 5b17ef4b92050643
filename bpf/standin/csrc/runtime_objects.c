/* Streams, events, stream capture and graphs: runtime objects that only the
 * runtime knows about. Their handles are pointers to these structs, checked
 * by a magic word so that a foreign handle (NULL, cudaStreamPerThread) is
 * simply "not ours". */
#include <pthread.h>
#include <stdlib.h>

#include "runtime.h"

enum { cudaErrorInvalidResourceHandle = 400 };

#define STREAM_MAGIC 0x53545245414d5321ULL /* "STREAMS!" */
#define EVENT_MAGIC 0x4556454e54535421ULL  /* "EVENTST!" */
#define GRAPH_MAGIC STANDIN_GRAPH_MAGIC

struct rt_stream {
	uint64_t magic;
	int capturing;
	int mode;        /* capture mode: global captures forbid unsafe calls process-wide */
	int invalidated; /* an unsafe call broke the capture: EndCapture fails */
	uint64_t nodes, node_ns;
	struct rt_stream *next_free;
};

struct rt_event {
	uint64_t magic;
	uint64_t deadline;
};

/* A captured graph and its executable instance share one shape. */
#define rt_graph standin_graph

/* Streams capturing in global mode: while any is, an unsafe call such as
 * cudaMalloc fails with cudaErrorStreamCaptureUnsupported and invalidates
 * them, as in CUDA. A lazily initialising library (cuBLAS's workspace)
 * inside the first capture breaks it this way. */
#define MAX_CAPTURES 16
static struct rt_stream *captures[MAX_CAPTURES];

static pthread_mutex_t objects_mu = PTHREAD_MUTEX_INITIALIZER;
/* Destroyed streams are reused, so the driver's per-stream table stays
 * small however many streams a long run creates. */
static struct rt_stream *free_streams;

static struct rt_stream *ours(cudaStream_t stream)
{
	struct rt_stream *s = stream;

	/* Small values are the special handles (legacy, per-thread). */
	if ((uintptr_t)stream < 4096 || s->magic != STREAM_MAGIC)
		return NULL;
	return s;
}

int capture_forbids_unsafe(void)
{
	int hit = 0;

	pthread_mutex_lock(&objects_mu);
	for (int i = 0; i < MAX_CAPTURES; i++) {
		struct rt_stream *s = captures[i];

		if (s && s->capturing && s->mode == cudaStreamCaptureModeGlobal) {
			s->invalidated = 1;
			hit = 1;
		}
	}
	pthread_mutex_unlock(&objects_mu);
	return hit;
}

static void capture_slot(struct rt_stream *s, int on)
{
	for (int i = 0; i < MAX_CAPTURES; i++) {
		if (on && !captures[i]) {
			captures[i] = s;
			return;
		}
		if (!on && captures[i] == s) {
			captures[i] = NULL;
			return;
		}
	}
}

int capturing(cudaStream_t stream)
{
	struct rt_stream *s = ours(stream);
	int c;

	if (!s)
		return 0;
	pthread_mutex_lock(&objects_mu);
	c = s->capturing;
	pthread_mutex_unlock(&objects_mu);
	return c;
}

int capture_add(cudaStream_t stream, uint64_t ns)
{
	struct rt_stream *s = ours(stream);
	int c = 0;

	if (!s)
		return 0;
	pthread_mutex_lock(&objects_mu);
	if (s->capturing) {
		s->nodes++;
		s->node_ns += ns;
		c = 1;
	}
	pthread_mutex_unlock(&objects_mu);
	return c;
}

API cudaError_t cudaStreamCreate(cudaStream_t *pStream)
{
	struct rt_stream *s;

	RT_BEGIN();
	if (!pStream)
		return rt_result(cudaErrorInvalidValue);
	pthread_mutex_lock(&objects_mu);
	s = free_streams;
	if (s)
		free_streams = s->next_free;
	pthread_mutex_unlock(&objects_mu);
	if (!s && !(s = malloc(sizeof(*s))))
		return rt_result(cudaErrorMemoryAllocation);
	*s = (struct rt_stream){.magic = STREAM_MAGIC};
	spin_for(rcfg.runtime_ns);
	*pStream = s;
	return cudaSuccess;
}

API cudaError_t cudaStreamDestroy(cudaStream_t stream)
{
	struct rt_stream *s = ours(stream);

	RT_BEGIN();
	if (!s)
		return rt_result(cudaErrorInvalidResourceHandle);
	spin_for(rcfg.runtime_ns);
	pthread_mutex_lock(&objects_mu);
	s->next_free = free_streams;
	free_streams = s;
	pthread_mutex_unlock(&objects_mu);
	return cudaSuccess;
}

API cudaError_t cudaEventCreate(cudaEvent_t *event)
{
	struct rt_event *e;

	RT_BEGIN();
	if (!event)
		return rt_result(cudaErrorInvalidValue);
	if (!(e = malloc(sizeof(*e))))
		return rt_result(cudaErrorMemoryAllocation);
	*e = (struct rt_event){.magic = EVENT_MAGIC};
	*event = e;
	return cudaSuccess;
}

API cudaError_t cudaEventDestroy(cudaEvent_t event)
{
	struct rt_event *e = event;

	RT_BEGIN();
	if (!e || e->magic != EVENT_MAGIC)
		return rt_result(cudaErrorInvalidResourceHandle);
	e->magic = 0;
	free(e);
	return cudaSuccess;
}

/* The event completes when the work queued on stream so far does. */
API cudaError_t cudaEventRecord(cudaEvent_t event, cudaStream_t stream)
{
	struct rt_event *e = event;

	RT_BEGIN();
	if (!e || e->magic != EVENT_MAGIC)
		return rt_result(cudaErrorInvalidResourceHandle);
	rt_overhead();
	e->deadline = priv->stream_deadline(stream);
	rt_overhead();
	return cudaSuccess;
}

API cudaError_t cudaEventSynchronize(cudaEvent_t event)
{
	struct rt_event *e = event;

	RT_BEGIN();
	if (!e || e->magic != EVENT_MAGIC)
		return rt_result(cudaErrorInvalidResourceHandle);
	rt_overhead();
	spin_until(e->deadline);
	spin_for(rcfg.sync_ns);
	rt_overhead();
	return cudaSuccess;
}

API cudaError_t cudaStreamBeginCapture(cudaStream_t stream, int mode)
{
	struct rt_stream *s = ours(stream);

	RT_BEGIN();
	if (!s)
		return rt_result(cudaErrorStreamCaptureUnsupported);
	pthread_mutex_lock(&objects_mu);
	if (s->capturing) {
		pthread_mutex_unlock(&objects_mu);
		return rt_result(cudaErrorIllegalState);
	}
	s->capturing = 1;
	s->mode = mode;
	s->invalidated = 0;
	s->nodes = s->node_ns = 0;
	capture_slot(s, 1);
	pthread_mutex_unlock(&objects_mu);
	spin_for(rcfg.capture_ns);
	return cudaSuccess;
}

API cudaError_t cudaStreamEndCapture(cudaStream_t stream, cudaGraph_t *pGraph)
{
	struct rt_stream *s = ours(stream);
	struct rt_graph *g;

	RT_BEGIN();
	if (!s || !pGraph)
		return rt_result(cudaErrorInvalidValue);
	if (!(g = malloc(sizeof(*g))))
		return rt_result(cudaErrorMemoryAllocation);
	pthread_mutex_lock(&objects_mu);
	if (!s->capturing) {
		pthread_mutex_unlock(&objects_mu);
		free(g);
		return rt_result(cudaErrorIllegalState);
	}
	*g = (struct rt_graph){.magic = GRAPH_MAGIC, .nodes = s->nodes, .node_ns = s->node_ns};
	s->capturing = 0;
	capture_slot(s, 0);
	if (s->invalidated) {
		pthread_mutex_unlock(&objects_mu);
		free(g);
		*pGraph = NULL;
		return rt_result(cudaErrorStreamCaptureInvalidated);
	}
	pthread_mutex_unlock(&objects_mu);
	spin_for(rcfg.capture_ns);
	*pGraph = g;
	return cudaSuccess;
}

/* Both instantiate exports share this, so neither calls the other: a
 * probe on one must not see the other fire inside it. */
static cudaError_t instantiate(cudaGraphExec_t *pGraphExec, cudaGraph_t graph, unsigned long long flags)
{
	struct rt_graph *g = graph, *exec;

	RT_BEGIN();
	(void)flags;
	if (!pGraphExec || !g || g->magic != GRAPH_MAGIC)
		return rt_result(cudaErrorInvalidValue);
	if (!(exec = malloc(sizeof(*exec))))
		return rt_result(cudaErrorMemoryAllocation);
	*exec = *g;
	spin_for(rcfg.graph_ns + g->nodes * rcfg.graph_node_ns);
	*pGraphExec = exec;
	return cudaSuccess;
}

API cudaError_t cudaGraphInstantiate(cudaGraphExec_t *pGraphExec, cudaGraph_t graph, unsigned long long flags)
{
	return instantiate(pGraphExec, graph, flags);
}

API cudaError_t cudaGraphInstantiateWithFlags(cudaGraphExec_t *pGraphExec, cudaGraph_t graph, unsigned long long flags)
{
	return instantiate(pGraphExec, graph, flags);
}

/* One launch puts the whole graph's kernel time on the stream, through the
 * driver's cuGraphLaunch as the real runtime does. */
API cudaError_t cudaGraphLaunch(cudaGraphExec_t graphExec, cudaStream_t stream)
{
	struct rt_graph *exec = graphExec;
	cudaError_t rc = cudaSuccess;

	RT_BEGIN();
	if (!exec || exec->magic != GRAPH_MAGIC)
		return rt_result(cudaErrorInvalidValue);
	if (capturing(stream))
		return rt_result(cudaErrorStreamCaptureUnsupported);
	rt_overhead();
	if (rcfg.runtime_only) {
		spin_for(rcfg.launch_ns);
		priv->enqueue(stream, exec->node_ns);
	} else {
		rc = drv.cuGraphLaunch(exec, stream);
	}
	rt_overhead();
	return rt_result(rc);
}

static cudaError_t destroy_graph(struct rt_graph *g)
{
	if (!g || g->magic != GRAPH_MAGIC)
		return rt_result(cudaErrorInvalidValue);
	g->magic = 0;
	free(g);
	return cudaSuccess;
}

API cudaError_t cudaGraphDestroy(cudaGraph_t graph)
{
	RT_BEGIN();
	return destroy_graph(graph);
}

API cudaError_t cudaGraphExecDestroy(cudaGraphExec_t graphExec)
{
	RT_BEGIN();
	return destroy_graph(graphExec);
}
