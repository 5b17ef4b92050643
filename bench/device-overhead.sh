#!/usr/bin/env bash
# Overhead and capture of ingero trace on a real PyTorch workload, for the
# device machine (H100/H200). Run from the repository root with bin/ built:
#   make build && bash bench/device-overhead.sh OUTDIR
# Writes OUTDIR/results.txt; docs/benchmarks.md records what it printed.
set -uo pipefail
out=${1:-/tmp/ingero-bench}; mkdir -p "$out"
PY=${PY:-/opt/torch/.venv/bin/python}
TRACE=$PWD/bin/ingero-trace
N_ADD=${N_ADD:-200000}; N_MM=${N_MM:-50000}
mountpoint -q /sys/kernel/tracing || mount -t tracefs tracefs /sys/kernel/tracing
res=$out/results.txt; : >"$res"
log() { echo "$*" | tee -a "$res"; }
log "date: $(date -u +%FT%TZ)  host: $(hostname)  kernel: $(uname -r)"
log "gpu: $(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null)"
log "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"

plain() { # mode n
	local wf=$out/go.$RANDOM; touch "$wf"
	WAIT_FILE=$wf $PY bench/torch_loop.py "$1" "$2"
}

traced() { # label mode n trace-flags...
	local label=$1 mode=$2 n=$3; shift 3
	local wf=$out/go.$RANDOM db=$out/$label.$RANDOM.db errf=$out/trace-$label.err
	rm -f "$wf"
	WAIT_FILE=$wf $PY bench/torch_loop.py "$mode" "$n" >"$out/py.json" &
	local py=$!
	"$TRACE" -d "$db" "$@" >/dev/null 2>"$errf" &
	local tr=$!
	for _ in $(seq 1 600); do grep -q "tracing PID $py " "$errf" && break; sleep 0.05; done
	grep -q "tracing PID $py " "$errf" || { log "$label: trace never attached to $py"; cat "$errf" >>"$res"; }
	touch "$wf"; wait $py
	kill -INT $tr; wait $tr
	local line; line=$(cat "$out/py.json")
	local counts; counts=$($PY - "$db" "$py" <<'PYEOF'
import sqlite3, sys
db, pid = sys.argv[1], int(sys.argv[2])
c = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
rows = c.execute("""SELECT o.name, sum(k.count), sum(k.dur_sum) FROM chunk_ops k
  JOIN ops o ON o.source = k.source AND o.op = k.op
  WHERE k.pid = ? GROUP BY 1 ORDER BY 2 DESC""", (pid,)).fetchall()
print(" ".join(f"{n}={cnt}" for n, cnt, _ in rows))
PYEOF
)
	log "$label: $line"
	log "  recorded: $counts"
	log "  $(grep 'lost:' "$errf")"
	grep -i 'warning' "$errf" | head -5 | sed 's/^/  /' | tee -a "$res" >/dev/null
}

for r in 1 2 3; do log "baseline add: $(plain add $N_ADD)"; done
for r in 1 2; do log "baseline mm: $(plain mm $N_MM)"; done
for r in 1 2 3; do traced default-add add $N_ADD; done
for r in 1 2; do traced default-mm mm $N_MM; done
for r in 1 2; do traced latency-add add $N_ADD --launch-latency; done
for r in 1 2; do log "baseline add (rerun): $(plain add $N_ADD)"; done
head -20 "$out"/trace-default-add.err >>"$res"
