#!/usr/bin/env bash
# CUDA graphs and NCCL on a real GPU (issue 15): a torch.cuda.graphs
# capture/replay loop with a re-capture phase, recorded by ingero trace with
# its lifecycle, and, when the box has NCCL, a 1-GPU NCCL all-reduce loop.
# Keeps in $OUT the graph and NCCL event counts (ingero query), the handles
# of the first lifecycle steps, and explain's report for each.
# Usage (repository root, as root, with bin/ingero built): OUT=/tmp/graphs bench/device-graphs.sh
set -uo pipefail
OUT=${OUT:-/tmp/ingero-graphs-out}
SECS=${SECS:-10}
PY=${INGERO_PYTHON:-/opt/torch/.venv/bin/python}
BIN=${INGERO:-bin/ingero}
[ -x "$BIN" ] || BIN=/.devbin/ingero
mkdir -p "$OUT"
mountpoint -q /sys/kernel/tracing || mount -t tracefs tracefs /sys/kernel/tracing
{
	date -u +%FT%TZ; uname -r
	nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
	"$PY" -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, "nccl", torch.cuda.nccl.version() if torch.distributed.is_nccl_available() else None)'
	ls "$("$PY" -c 'import nvidia, os; print(os.path.dirname(nvidia.__path__[0]))')"/nvidia/*/lib/lib{cudart,nccl}.so* 2>/dev/null
} >"$OUT/host.txt" 2>&1
cat "$OUT/host.txt"

# run NAME: the loop traced, then what was recorded.
run() {
	local name=$1 db="$OUT/$1.db" wf="$OUT/$1.go"
	rm -f "$db" "$wf"
	"$BIN" trace -d "$db" >"$OUT/$name-trace.txt" 2>&1 &
	local tr=$!
	WAIT_FILE=$wf "$PY" bench/torch_graphs.py "$name" "$SECS" >"$OUT/$name.json" 2>"$OUT/$name-stderr.txt" &
	local py=$!
	sleep 15 # warm-up done, the process and its libraries discovered
	touch "$wf"
	wait $py
	sleep 2
	kill -INT $tr; wait $tr
	"$BIN" query -d "$db" "SELECT op_name, count(*) AS n, sum(return_code != 0) AS errors FROM events WHERE source_name IN ('graph', 'nccl') GROUP BY op_name ORDER BY n DESC" >"$OUT/$name-ops.txt" 2>&1
	"$BIN" query -d "$db" "SELECT op_name, printf('%#x', arg0), printf('%#x', arg1), arg2, arg3, return_code FROM events WHERE source_name IN ('graph', 'nccl') ORDER BY timestamp LIMIT 12" >"$OUT/$name-first.txt" 2>&1
	"$BIN" explain -d "$db" --since 1h >"$OUT/$name-explain.txt" 2>&1
	"$BIN" explain -d "$db" --since 1h --json >"$OUT/$name-explain.json" 2>&1
	echo "== $name: $(cat "$OUT/$name.json")"
	grep -E "probing|warning" "$OUT/$name-trace.txt" | head -8
	cat "$OUT/$name-ops.txt" "$OUT/$name-first.txt"
	grep -E '^\[(HIGH|MEDIUM|LOW)\]|No causal' "$OUT/$name-explain.txt" | head -6
}
run graphs
if "$PY" -c 'import sys, torch.distributed as d; sys.exit(0 if d.is_nccl_available() else 1)' 2>/dev/null; then
	run nccl
else
	echo "== nccl: this PyTorch has no NCCL; skipped" | tee "$OUT/nccl-skipped.txt"
fi
