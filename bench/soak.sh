#!/bin/bash
# Soak: `ingero trace --max-db 8m` under a stand-in launch storm of about
# 100k events/s for DURATION (default 1h), sampling trace's RSS, threads,
# open fds and the database's size every 10 s. Needs root, eBPF and gcc.
# Pass: 0 drops (the test fails otherwise); read the samples for a flat
# RSS, constant threads and fds, and a database held near --max-db.
# INGERO_SOAK_LAUNCH_NS tunes the rate (the stand-in launch's cost).
#   DURATION=1h bench/soak.sh        # the documented run
#   DURATION=5m bench/soak.sh        # the shortened one docs/reliability.md reports
set -euo pipefail
cd "$(dirname "$0")/../ingero-trace"
d="${DURATION:-1h}"
INGERO_SOAK="$d" go test -count=1 -timeout 3h -run '^TestSoak$' -v . | tee "${OUT:-/tmp}/soak.log" |
	grep -E 'soak |^(--- |ok|FAIL|PASS)'
