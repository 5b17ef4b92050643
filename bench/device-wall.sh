#!/usr/bin/env bash
# The wall-time account on a real GPU (issue 13): runs bench/torch_pathologies.py
# alone (baseline rate) and then traced, for a clean loop, an input-bound one,
# one that checkpoints with fsync in the loop and two that share the GPU, and
# keeps ingero explain's report, per-process account and JSON for each in $OUT.
# Usage (repository root, after make build, as root): OUT=/tmp/wall bench/device-wall.sh [SCENARIO...]
set -uo pipefail
OUT=${OUT:-/tmp/ingero-wall-out}
SECS=${SECS:-15}
PY=${INGERO_PYTHON:-/opt/torch/.venv/bin/python}
mkdir -p "$OUT"
mountpoint -q /sys/kernel/tracing || mount -t tracefs tracefs /sys/kernel/tracing
# The checkpoint must reach a disk: never tmpfs, where fsync waits on nothing.
CKPT=""
for d in /var/tmp "$OUT" "$PWD"; do
	if [ "$(stat -f -c %T "$d")" != tmpfs ]; then CKPT=$(mktemp -d "$d/ingero-ckpt-XXXX") && break; fi
done
[ -n "$CKPT" ] || { echo "no directory on a disk for the checkpoint" >&2; exit 1; }
{
	date -u +%FT%TZ; uname -r
	nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
	"$PY" -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda)'
	echo "checkpoint dir $CKPT on $(stat -f -c %T "$CKPT")"
} >"$OUT/host.txt" 2>&1
cat "$OUT/host.txt"

# run NAME MODE [copies]: one clean loop alone (the baseline), MODE untraced
# (copies of it at once), then MODE traced; explain afterwards.
run() {
	local name=$1 mode=$2 copies=${3:-1} i
	"$PY" bench/torch_pathologies.py clean "$SECS" >"$OUT/$name-alone-clean.json" # one clean loop alone: the baseline
	for ((i = 0; i < copies; i++)); do "$PY" bench/torch_pathologies.py "$mode" "$SECS" "$CKPT" & done >"$OUT/$name-alone.json"
	wait
	local db="$OUT/$name.db" wf="$OUT/$name.go"
	rm -f "$db" "$wf"
	bin/ingero trace -d "$db" >"$OUT/$name-trace.txt" 2>&1 &
	local tr=$!
	for ((i = 0; i < copies; i++)); do WAIT_FILE=$wf "$PY" bench/torch_pathologies.py "$mode" "$SECS" "$CKPT" & done >"$OUT/$name-traced.json"
	sleep 15 # warm-up done and the processes discovered
	touch "$wf"
	wait $(jobs -p | grep -v "^$tr$")
	sleep 2
	kill -INT $tr; wait $tr
	bin/ingero explain -d "$db" --since 1h >"$OUT/$name-explain.txt" 2>&1
	bin/ingero explain -d "$db" --since 1h --per-process >"$OUT/$name-per-process.txt" 2>&1
	bin/ingero explain -d "$db" --since 1h --json >"$OUT/$name-explain.json" 2>&1
	echo "== $name: clean alone $(tr '\n' ' ' <"$OUT/$name-alone-clean.json")"
	echo "   $mode untraced $(tr '\n' ' ' <"$OUT/$name-alone.json")"
	echo "   $mode traced $(tr '\n' ' ' <"$OUT/$name-traced.json")"
	grep -E '^\[(HIGH|MEDIUM|LOW)\]|No causal' "$OUT/$name-explain.txt" | head -3
}
# Arguments pick scenarios (clean input-bound checkpoint shared); none runs all.
want=" ${*:-clean input-bound checkpoint shared} "
[[ $want == *" clean "* ]] && run clean clean
[[ $want == *" input-bound "* ]] && run input-bound input-bound
[[ $want == *" checkpoint "* ]] && run checkpoint checkpoint
[[ $want == *" shared "* ]] && run shared shared 2
rm -rf "$CKPT"
