#!/usr/bin/env bash
# Issue #17's concurrency figure: the events/s ingero trace's writer
# records under a stand-in launch storm of about 200k events/s, without
# readers and with 8 beside it (2 explain, 2 query, 2 dashboard pollers,
# 2 MCP clients), in interleaved rounds; every reader run must succeed
# (no SQLITE_BUSY, no "locked") and trace must drop nothing. Storms, trace
# and readers run on separate CPUs, so that the comparison measures the
# writer and not CPU theft. Needs root, eBPF and gcc (the stand-in CUDA
# libraries are compiled at run time); no Go: the binaries are built
# beforehand, from the repository root, on a machine with Go:
#   mkdir -p bin/conc
#   CGO_ENABLED=1 go build -trimpath -ldflags '-s -w' -o bin/conc/ingero ./ingero
#   (cd ingero-trace && CGO_ENABLED=0 go test -c -trimpath -ldflags '-s -w' -o ../bin/conc/concurrency.test ./concurrency)
# then, from the repository root on the 16-core host:
#   bash bench/device-concurrency.sh [BINDIR]      # default bin/conc
# Results: $OUT/results.txt (default OUT=/tmp/ingero-conc), the test's
# whole log beside it. ROUNDS (3), SECONDS_PER_ROUND (12), RATE (200000),
# LAUNCH_NS (unset: calibrated), STORM_CPUS (2-3), TRACE_CPUS (4-7) and
# READER_CPUS (8-15) tune it; about 3 minutes with the defaults.
set -uo pipefail
bin=$(realpath -e "${1:-bin/conc}") || { echo "no binaries folder ${1:-bin/conc}: build it first (see the top of $0)" >&2; exit 2; }
out=${OUT:-/tmp/ingero-conc}; mkdir -p "$out"
for f in ingero concurrency.test; do
	[ -x "$bin/$f" ] || { echo "$bin/$f missing: build it first (see the top of $0)" >&2; exit 2; }
done
command -v gcc >/dev/null || { echo "gcc not found: the stand-in CUDA libraries are compiled at run time; install gcc" >&2; exit 2; }
command -v taskset >/dev/null || { echo "taskset not found: install util-linux" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "needs root (eBPF): run it with sudo" >&2; exit 2; }
STORM_CPUS=${STORM_CPUS:-2-3}; TRACE_CPUS=${TRACE_CPUS:-4-7}; READER_CPUS=${READER_CPUS:-8-15}
mountpoint -q /sys/kernel/tracing || mount -t tracefs tracefs /sys/kernel/tracing
# The multiplexer picks its command from argv[0]: one binary serves all five.
links=$(mktemp -d); trap 'rm -rf "$links"' EXIT
for c in trace explain query dashboard mcp; do ln -s "$bin/ingero" "$links/ingero-$c"; done
res=$out/results.txt
{
	echo "date: $(date -u +%FT%TZ)  kernel: $(uname -r)  cpus: $(nproc)  $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-)"
	echo "binaries: $("$bin/ingero" --version 2>&1 | head -1)"
} >"$res"
INGERO_E2E=1 INGERO_BIN_DIR=$links INGERO_CONCURRENCY=${ROUNDS:-3} INGERO_CONC_OUT=$res \
	INGERO_CONC_SECONDS=${SECONDS_PER_ROUND:-12} INGERO_CONC_RATE=${RATE:-200000} \
	INGERO_CONC_LAUNCH_NS=${LAUNCH_NS:-} INGERO_CONC_STORM_CPUS=$STORM_CPUS INGERO_CONC_TRACE_CPUS=$TRACE_CPUS \
	taskset -c "$READER_CPUS" "$bin/concurrency.test" -test.run '^TestConcurrency$' -test.v -test.count=1 -test.timeout 6m \
	>"$out/concurrency.log" 2>&1
rc=$?
echo "readers on CPUs $READER_CPUS; test exit code $rc ($(grep -E '^(--- |ok|FAIL|PASS)' "$out/concurrency.log" | tr '\n' ' '))" >>"$res"
cat "$res"
exit $rc
