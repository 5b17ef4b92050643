#!/bin/bash
# kill -9 of `ingero trace` under a stand-in launch storm, RUNS times
# (default 20), as docs/reliability.md reports. Needs root, eBPF and gcc
# (the stand-in CUDA libraries); sqlite3 for PRAGMA integrity_check.
# Each round: trace records to a database and a stream; a launch storm
# (calls that cost only their probes) and a short marker run go on; 1.5 s
# after the marker ends, trace gets SIGKILL. The round fails unless explain
# reads the database as the kill left it, integrity_check says ok, every
# marker call is in both files and the newest event is < 1 s old.
# Prints one line per kill: the load's rate in its last second, how long
# before the kill the newest recorded event was (database, stream), and
# the events that lag stands for (rate x lag).
set -euo pipefail
cd "$(dirname "$0")/../ingero-trace"
INGERO_E2E=1 INGERO_CRASH_RUNS="${RUNS:-20}" go test -count=1 -timeout 30m \
	-run '^TestKill9KeepsTheRecording$' -v . | tee "${OUT:-/tmp}/crash.log" |
	grep -E 'crash [0-9]+:|^(--- |ok|FAIL|PASS)'
