/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/* CUDA graph lifecycle (source graph), included at the end of cuda.c so
 * that it shares enter() and the call state: capture, instantiate and
 * launch go through the same entry/return path as every runtime call, and
 * the handles the calls write (the graph at EndCapture, the exec at
 * Instantiate) are read at return into args[1]. */
#ifndef INGERO_GRAPH_H
#define INGERO_GRAPH_H

/* Instantiate variants, kept in args[3] so that a recording tells them
 * apart; they share one op. */
#define GRAPH_INST_PLAIN 0
#define GRAPH_INST_FLAGS 1
#define GRAPH_INST_PARAMS 2

SEC("uprobe.multi")
int graph_call(struct pt_regs *ctx)
{
	struct target *t;
	__u64 caller = 0;

	switch (bpf_get_attach_cookie(ctx)) {
	/* cudaStreamBeginCapture(stream, mode) */
	case KEY(SRC_graph, OP_cudaStreamBeginCapture):
		return enter(ctx, SRC_graph, OP_cudaStreamBeginCapture, ctx->di, (__u32)ctx->si, 0, 0, 0);
	/* cudaStreamEndCapture(stream, cudaGraph_t *pGraph) */
	case KEY(SRC_graph, OP_cudaStreamEndCapture):
		return enter(ctx, SRC_graph, OP_cudaStreamEndCapture, ctx->di, 0, 0, 0, ctx->si);
	/* cudaGraphInstantiate(cudaGraphExec_t *pExec, graph, flags) (CUDA 12+) */
	case KEY(SRC_graph, OP_cudaGraphInstantiate):
		return enter(ctx, SRC_graph, OP_cudaGraphInstantiate, ctx->si, 0, ctx->dx, GRAPH_INST_PLAIN, ctx->di);
	case KEY(SRC_graph, OP_cudaGraphInstantiate) | GRAPH_INST_FLAGS << 16:
		return enter(ctx, SRC_graph, OP_cudaGraphInstantiate, ctx->si, 0, ctx->dx, GRAPH_INST_FLAGS, ctx->di);
	/* …WithParams(pExec, graph, cudaGraphInstantiateParams *): flags is
	 * the struct's first field. */
	case KEY(SRC_graph, OP_cudaGraphInstantiate) | GRAPH_INST_PARAMS << 16: {
		__u64 flags = 0;

		if (ctx->dx && bpf_probe_read_user(&flags, sizeof(flags), (void *)ctx->dx))
			count(&errors, ERR_READ_USER);
		return enter(ctx, SRC_graph, OP_cudaGraphInstantiate, ctx->si, 0, flags, GRAPH_INST_PARAMS, ctx->di);
	}
	/* cudaGraphLaunch(exec, stream) */
	case KEY(SRC_graph, OP_cudaGraphLaunch):
		return enter(ctx, SRC_graph, OP_cudaGraphLaunch, ctx->di, ctx->si, 0, 0, 0);
	/* cuGraphLaunch(exec, stream): the runtime's own launch calls it, and
	 * its record already stands for both; only direct driver launches
	 * count. With return probes nesting says so; without, the caller. */
	case KEY(SRC_graph, OP_cuGraphLaunch):
		t = current_target();
		if (!t)
			return 0;
		if (!(t->flags & TARGET_RETPROBES)) {
			read_stack(ctx, &caller, sizeof(caller));
			if (in_cudart(t, caller))
				return 0;
		}
		return enter(ctx, SRC_graph, OP_cuGraphLaunch, ctx->di, ctx->si, 0, 0, 0);
	}
	return 0;
}

#endif
