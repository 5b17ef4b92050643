#!/usr/bin/env bash
# What --stack costs a real PyTorch workload and whether its Python lines
# come through (issue 15), for the device machine. Run from the repository
# root with bin/ built, as root:
#   make build && bash bench/device-stacks.sh OUTDIR
# 1. bench/torch_loop.py (launch-bound add and mm) untraced, traced with
#    stacks off, with --stack and with --stack --py-walker ebpf,
#    interleaved, three rounds: µs per op.
# 2. bench/torch_matmul_line.py traced with --stack under each Python
#    walker: the top call site of its cuLaunchKernel calls must be its
#    "# MATMUL" line (PASS/FAIL).
# Writes OUTDIR/results.txt; docs/benchmarks.md records what it printed.
set -uo pipefail
out=${1:-/tmp/ingero-stacks}; mkdir -p "$out"
PY=${PY:-/opt/torch/.venv/bin/python}
TRACE=$PWD/bin/ingero-trace
QUERY=$PWD/bin/ingero-query
N_ADD=${N_ADD:-200000}; N_MM=${N_MM:-50000}  # ROUNDS (default 3) sets the rounds
mountpoint -q /sys/kernel/tracing || mount -t tracefs tracefs /sys/kernel/tracing
res=$out/results.txt; : >"$res"
log() { echo "$*" | tee -a "$res"; }
log "date: $(date -u +%FT%TZ)  host: $(hostname)  kernel: $(uname -r)"
log "gpu: $(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null)"
log "python: $($PY -c 'import sys, torch; print(sys.version.split()[0], "torch", torch.__version__)')"
log "ptrace_scope: $(cat /proc/sys/kernel/yama/ptrace_scope 2>/dev/null || echo none)"

plain() { # mode n
	local wf=$out/go.$RANDOM; touch "$wf"
	WAIT_FILE=$wf $PY bench/torch_loop.py "$1" "$2"
}

# traced LABEL SCRIPT ARGS... -- TRACE-FLAGS...: runs SCRIPT under trace
# once trace has attached; leaves the database in $out/LABEL.db.
traced() {
	local label=$1 script=$2; shift 2
	local sargs=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do sargs+=("$1"); shift; done
	shift
	local wf=$out/go.$RANDOM db=$out/$label.db errf=$out/trace-$label.err
	rm -f "$wf" "$db"
	WAIT_FILE=$wf $PY "$script" "${sargs[@]}" >"$out/py.json" &
	local py=$!
	"$TRACE" -d "$db" "$@" >/dev/null 2>"$errf" &
	local tr=$!
	for _ in $(seq 1 600); do grep -q "tracing PID $py " "$errf" && break; sleep 0.05; done
	grep -q "tracing PID $py " "$errf" || { log "$label: trace never attached to $py"; cat "$errf" >>"$res"; }
	touch "$wf"; wait $py
	kill -INT $tr; wait $tr
	LAST_PID=$py
}

for r in $(seq 1 "${ROUNDS:-3}"); do
	for mode in add mm; do
		n=$N_ADD; [ $mode = mm ] && n=$N_MM
		log "round $r $mode untraced:   $(plain $mode $n)"
		traced off-$mode bench/torch_loop.py $mode $n -- ; log "round $r $mode stacks off:  $(cat "$out/py.json")"
		traced on-$mode bench/torch_loop.py $mode $n -- --stack --py-walker userspace; log "round $r $mode --stack:     $(cat "$out/py.json")"
		log "  $(grep 'lost:' "$out/trace-on-$mode.err")"
		traced ebpf-$mode bench/torch_loop.py $mode $n -- --stack --py-walker ebpf; log "round $r $mode --stack ebpf: $(cat "$out/py.json")"
		log "  $(grep 'lost:' "$out/trace-ebpf-$mode.err")"
	done
done

line=$(grep -n '# MATMUL' bench/torch_matmul_line.py | cut -d: -f1)
for walker in userspace ebpf; do
	traced matmul-$walker bench/torch_matmul_line.py 20000 -- --stack --py-walker $walker
	db=$out/matmul-$walker.db
	"$QUERY" -d "$db" --since 1h --pid "$LAST_PID" --stacks --limit 5 | tee -a "$res"
	top=$("$QUERY" -d "$db" --since 1h --pid "$LAST_PID" --op cuLaunchKernel,cudaLaunchKernel,cuLaunchKernelEx --stacks --json --limit 1)
	log "$walker walker: top cuLaunchKernel call site: $top"
	grep '^stacks:' "$out/trace-matmul-$walker.err" | tee -a "$res"
	if [[ $top == *"\"site\":\"torch_matmul_line.py:$line (step)\""* ]]; then
		log "PASS ($walker): the matmul line torch_matmul_line.py:$line is the launches' call site"
	else
		log "FAIL ($walker): want torch_matmul_line.py:$line (step) as the top cuLaunchKernel call site"
		grep -i warning "$out/trace-matmul-$walker.err" | head -5 | tee -a "$res"
	fi
done
