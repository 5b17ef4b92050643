#!/usr/bin/env bash
# Overhead of ingero trace on launch-bound PyTorch loops, measured with the
# noise of the first run (bench/device-overhead.sh) taken out: the loop is
# pinned to one core, trace to others, and untraced and traced runs
# alternate, so drift in the machine hits both alike.
#   make build && bash bench/device-overhead-pinned.sh OUTDIR [ROUNDS]
set -uo pipefail
out=${1:-/tmp/ingero-bench}; rounds=${2:-6}; mkdir -p "$out"
work=$(mktemp -d) # wait files and databases: only the results go to $out
PY=${PY:-/opt/torch/.venv/bin/python}
TRACE=$PWD/bin/ingero-trace
LOOP_CPU=${LOOP_CPU:-7}; TRACE_CPUS=${TRACE_CPUS:-2-5}
N_ADD=${N_ADD:-200000}; N_MM=${N_MM:-50000}
mountpoint -q /sys/kernel/tracing || mount -t tracefs tracefs /sys/kernel/tracing
res=$out/pinned.txt; : >"$res"
log() { echo "$*" | tee -a "$res"; }
log "date: $(date -u +%FT%TZ)  kernel: $(uname -r)  gpu: $(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader)"
log "loop on CPU $LOOP_CPU, trace on CPUs $TRACE_CPUS, $rounds rounds, alternating"

run_loop() { # mode n -> µs/op
	local wf=$work/go.$RANDOM; touch "$wf"
	WAIT_FILE=$wf taskset -c "$LOOP_CPU" "$PY" bench/torch_loop.py "$1" "$2" |
		"$PY" -c 'import json,sys; print(json.load(sys.stdin)["us_per_op"])'
}

run_traced() { # mode n -> µs/op
	local wf=$work/go.$RANDOM db=$work/t.$RANDOM.db errf=$work/trace.err
	rm -f "$wf"
	WAIT_FILE=$wf taskset -c "$LOOP_CPU" "$PY" bench/torch_loop.py "$1" "$2" >"$work/py.json" &
	local py=$!
	taskset -c "$TRACE_CPUS" "$TRACE" -d "$db" --pid "$py" >/dev/null 2>"$errf" &
	local tr=$!
	for _ in $(seq 1 600); do grep -q "tracing PID $py " "$errf" && break; sleep 0.05; done
	touch "$wf"; wait $py
	kill -INT $tr; wait $tr
	grep -q 'lost: 0 dropped in the kernel, 0 in user space' "$errf" || echo "LOSS: $(grep lost: "$errf")" >>"$res"
	rm -f "$db"*
	"$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["us_per_op"])' "$work/py.json"
}

for mode in add mm; do
	n=$N_ADD; [ $mode = mm ] && n=$N_MM
	base=(); traced=()
	for r in $(seq 1 "$rounds"); do
		base+=("$(run_loop $mode $n)")
		traced+=("$(run_traced $mode $n)")
	done
	log "$mode untraced µs/op: ${base[*]}"
	log "$mode traced   µs/op: ${traced[*]}"
	"$PY" - "${base[*]}" "${traced[*]}" <<'PYEOF' | tee -a "$res"
import statistics, sys
b = [float(x) for x in sys.argv[1].split()]
t = [float(x) for x in sys.argv[2].split()]
mb, mt = statistics.median(b), statistics.median(t)
print(f"  median untraced {mb:.2f}, traced {mt:.2f}: {100 * (mt / mb - 1):+.1f}%"
      f" (untraced range {min(b):.2f}-{max(b):.2f}, traced {min(t):.2f}-{max(t):.2f})")
PYEOF
done
