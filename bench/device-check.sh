#!/usr/bin/env bash
# Runs `ingero check` on the device machine with a PyTorch process holding
# the GPU, for docs/check.md:  bash bench/device-check.sh OUTDIR
set -uo pipefail
out=${1:-/tmp}; PY=${PY:-/opt/torch/.venv/bin/python}
WAIT_FILE=$out/never $PY bench/torch_loop.py add 10 >/dev/null &
py=$!
for _ in $(seq 1 200); do grep -q "libcuda\.so" "/proc/$py/maps" 2>/dev/null && break; sleep 0.1; done
bin/ingero-check | tee "$out/check.txt"; echo "exit code: $?" | tee -a "$out/check.txt"
bin/ingero-check --json >"$out/check.json"
kill $py
