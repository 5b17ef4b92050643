package mcp

// Tool descriptions: what the agent reads to choose a tool. Each ends,
// once registered, with the compact-output keys of its answer.
const (
	descCheck = "Readiness of this host for ingero trace (kernel, BTF, eBPF, NVIDIA driver, CUDA libraries, GPU model) " +
		"from 'ingero check --json' when it is installed, the host facts this server reads itself, " +
		"and what the recording says about the hosts it was made on (kernel, GPU, driver, CUDA version, lost events per session)."

	descStats = "Per-op latency statistics of the recording: calls, errors, p50/p95/p99, max, total time and wall_share " +
		"(the op's summed time over the window's length) for every CUDA, driver, host and IO op, busiest first, " +
		"and the host's CPU, memory, swap and load over the window. Call this first. " +
		"Windows of more than 30M events give counts, means and maxima without percentiles (mode aggregate)."

	descChains = "Causal chains: why calls were slow, ranked most severe first. Each has a severity, the rule that fired, " +
		"the affected op and process, a summary, a root cause naming the culprit, a timeline across SYSTEM/HOST/CUDA/DRIVER/IO layers, " +
		"a fix, and the evidence numbers. top_n (default 10, 0 all), severity (minimum), pids, since; " +
		"stored reads the chains trace saved while recording instead of analysing again."

	descPerProcess = "Each process's GPU API calls (cuda, driver, graph, nccl): per op calls, errors, p50/p95/p99, max and total, " +
		"busiest process first, and whether several processes shared the GPU (contention)."

	descStacks = "Calls grouped by call stack, most total time first: calls, mean/min/max duration, ops and processes, " +
		"with the resolved frames (symbol, file, line, module; innermost first, at most 64). " +
		"Filter by source, op, pid. Says 'none recorded in this file' when the recording holds no stacks."

	descGraphLifecycle = "CUDA Graph lifecycle of one process (pid required): each graph's capture (stream, how long), " +
		"instantiations into executables, and launches, with the calls in time order. " +
		"Says 'none recorded in this file' when the recording holds no CUDA Graph events."

	descGraphFrequency = "CUDA Graph launch frequency per executable graph: launches, rate over the last window_seconds (default 60), " +
		"class hot/cold/never-launched, and re-captures (instantiations beyond one per executable, a sign of changing shapes). " +
		"Says 'none recorded in this file' when the recording holds no CUDA Graph events."

	descSQL = "One read-only SQL statement over the recording (SQLite dialect; writes, ATTACH and setting pragmas are refused by the engine). " +
		"Rows: 1000 by default, limit up to 10000; 30 s timeout; cells longer than 1000 bytes are cut; values over 16 MiB are refused; the answer is capped at 1 MiB. " +
		"Tables: events (virtual, one row per event: id, timestamp [Unix ns], pid, tid, comm, source, source_name, op, op_name, " +
		"duration_ns, arg0..arg3, return_code, stack_id, node, cgroup_id, gpu, peer_pid, peer_comm; filter on timestamp, pid, op_name to read less), " +
		"chunk_ops (per-chunk counts and duration sums per pid and op: fast aggregates), chains (stored causal chains), sessions, " +
		"process_names (node, pid, comm, cmdline), snapshots (ts, cpu_pct, mem_pct, mem_avail_mb, swap_used_mb, load1), stacks, annotations, ops, sources. " +
		"Times are Unix nanoseconds, durations nanoseconds. Example: " +
		"SELECT op_name, count(*) AS n, max(duration_ns) AS max_ns FROM events WHERE pid = 4821 GROUP BY op_name ORDER BY n DESC"

	descDemo = "Runs one synthetic ingero demo scenario ('ingero demo --mode synthetic') into a temporary recording and analyses it: " +
		"statistics and causal chains of a known, planted slowdown. Scenarios: incident (default), cpu-contention, gpu-contention, " +
		"gpu-steal, contention, cold-start, memcpy-bottleneck, periodic-spike. Takes about a second; needs the ingero binary installed."

	descFleet = "Fan-out across the ingero nodes this server was started with (ingero mcp --nodes HOST:PORT,…, or fleet.nodes in ingero.yaml): " +
		"each node's dashboard is asked at once. action chains (default): the chains stored on every node, the same chain merged with the nodes it was seen on (seen_on), " +
		"and stragglers, nodes whose synchronisation or collective p99 is 2x the others'; ops: every node's per-op latency; overview: each node's recording; " +
		"sql: one read-only statement (query) on every node, rows prefixed with the node. since narrows chains and ops. " +
		"Nodes that fail are listed in failed and the others still answer; skew gives each node's clock offset (NTP-style, median of 5), and note warns above the skew threshold. " +
		"Without nodes it answers with what to use instead."
)
