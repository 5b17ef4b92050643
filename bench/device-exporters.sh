#!/usr/bin/env bash
# What trace's exporters cost a real PyTorch workload (issue 14), and the
# NVML throttle gauges reading a real GPU. Alternates, for each round: the
# loop untraced, traced with no exporter, and traced with --prometheus
# (scraped every second, as a Prometheus server would) plus --otlp (pushed
# to a loopback sink that answers as a collector does) and the throttle
# poller at 1 s. Run from the repository root, as root, after make build:
#   OUT=/tmp/ingero-exp bash bench/device-exporters.sh
# Writes $OUT/results.txt; docs/benchmarks.md records what it printed.
set -uo pipefail
OUT=${OUT:-/tmp/ingero-exporters}; mkdir -p "$OUT"
PY=${PY:-/opt/torch/.venv/bin/python}
TRACE=${TRACE:-$PWD/bin/ingero-trace}
[ -x "$TRACE" ] || TRACE=/.devbin/ingero-trace
N_ADD=${N_ADD:-200000}; N_MM=${N_MM:-50000}; ROUNDS=${ROUNDS:-3}
mountpoint -q /sys/kernel/tracing || mount -t tracefs tracefs /sys/kernel/tracing
res=$OUT/results.txt; : >"$res"
log() { echo "$*" | tee -a "$res"; }
log "date: $(date -u +%FT%TZ)  host: $(hostname)  kernel: $(uname -r)  trace: $TRACE"
log "gpu: $(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null | head -1)"
log "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"

# An OTLP/HTTP sink on loopback: 200 with an empty protobuf body is a
# full success to the SDK; it counts requests and bytes per signal.
SINK_PORT=${SINK_PORT:-14318}
"$PY" - "$SINK_PORT" "$OUT/otlp-sink.txt" <<'PYEOF' &
import http.server, sys, collections
port, out = int(sys.argv[1]), sys.argv[2]
seen = collections.Counter()
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get("Content-Length", 0)); self.rfile.read(n)
        seen[self.path + " requests"] += 1; seen[self.path + " bytes"] += n
        self.send_response(200); self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0"); self.end_headers()
        with open(out, "w") as f:
            f.write(" ".join(f"{k}={v}" for k, v in sorted(seen.items())) + "\n")
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.1", port), H).serve_forever()
PYEOF
SINK=$!
trap 'kill $SINK 2>/dev/null' EXIT

plain() { # mode n
	local wf=$OUT/go.$RANDOM; touch "$wf"
	WAIT_FILE=$wf $PY bench/torch_loop.py "$1" "$2"
}

# traced LABEL MODE N [trace flags...]: the loop under trace; with
# --prometheus in the flags, a scraper reads /metrics once a second and
# keeps the last scrape in $OUT/LABEL.metrics.
traced() {
	local label=$1 mode=$2 n=$3; shift 3
	local wf=$OUT/go.$RANDOM db=$OUT/$label.$RANDOM.db errf=$OUT/trace-$label.err
	rm -f "$wf"
	WAIT_FILE=$wf $PY bench/torch_loop.py "$mode" "$n" >"$OUT/py.json" &
	local py=$!
	"$TRACE" -d "$db" "$@" >/dev/null 2>"$errf" &
	local tr=$! scraper=""
	for _ in $(seq 1 600); do grep -q "tracing PID $py " "$errf" && break; sleep 0.05; done
	grep -q "tracing PID $py " "$errf" || { log "$label: trace never attached to $py"; cat "$errf" >>"$res"; }
	local url; url=$(sed -n 's/.*Prometheus metrics on //p' "$errf" | head -1)
	if [ -n "$url" ]; then
		(while sleep 1; do curl -s -o "$OUT/$label.metrics.tmp" -w '%{time_total} %{size_download}\n' "$url" >>"$OUT/$label.scrapes" &&
			mv "$OUT/$label.metrics.tmp" "$OUT/$label.metrics"; done) &
		scraper=$!
	fi
	touch "$wf"; wait $py
	[ -n "$scraper" ] && { curl -s -o "$OUT/$label.metrics" "$url"; kill $scraper; wait $scraper 2>/dev/null; }
	kill -INT $tr; wait $tr
	log "$label: $(cat "$OUT/py.json")"
	log "  $(grep 'lost:' "$errf")"
	grep -i 'warning' "$errf" | head -5 | sed 's/^/  /' | tee -a "$res" >/dev/null
	rm -f "$db" "$db"-wal "$db"-shm
}

EXPORT=(--prometheus 127.0.0.1:0 --otlp 127.0.0.1:$SINK_PORT --throttle-poll-interval 1s)
for r in $(seq 1 "$ROUNDS"); do
	log "baseline add: $(plain add $N_ADD)"
	traced off-add add $N_ADD
	traced on-add add $N_ADD "${EXPORT[@]}"
done
for r in $(seq 1 "$ROUNDS"); do
	log "baseline mm: $(plain mm $N_MM)"
	traced off-mm mm $N_MM
	traced on-mm mm $N_MM "${EXPORT[@]}"
done

log "--- scrapes of the exporters-on add runs (seconds, bytes): median of each"
sort -n "$OUT/on-add.scrapes" | awk '{t[NR]=$1; b[NR]=$2} END {if (NR) print "  " NR " scrapes, median " t[int((NR+1)/2)] " s, " b[int((NR+1)/2)] " bytes"}' | tee -a "$res"
log "--- OTLP sink: $(cat "$OUT/otlp-sink.txt" 2>/dev/null)"
log "--- the last scrape's series count: $(grep -vc '^#' "$OUT/on-add.metrics")"
log "--- throttle gauges in the last scrape, and what nvidia-smi says at the same time"
grep '^gpu_throttle_' "$OUT/on-mm.metrics" | tee -a "$res"
nvidia-smi -q -d PERFORMANCE 2>/dev/null | sed -n '1,40p' | tee -a "$res" >/dev/null
log "--- GPU gauges in the last scrape"
grep -E '^ingero_gpu_(utilization|memory_busy)_ratio' "$OUT/on-mm.metrics" | tee -a "$res"
log "--- the busiest duration series (count) in the last add scrape"
grep '^ingero_op_duration_seconds_count' "$OUT/on-add.metrics" | sort -t' ' -k2 -nr | head -5 | tee -a "$res"
