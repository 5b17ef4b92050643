#!/usr/bin/env bash
# Runs `ingero demo` on the device (a GPU box with PyTorch), in the GPU mode
# and, for comparison, in the stand-in mode; writes the outputs to $OUT.
# Usage (from the repository root, after make build): bench/device-demo.sh
set -uo pipefail
OUT=${OUT:-/tmp/ingero-demo-out}
mkdir -p "$OUT"
PY=${INGERO_PYTHON:-/opt/torch/.venv/bin/python}
mountpoint -q /sys/kernel/tracing || mount -t tracefs tracefs /sys/kernel/tracing
{
	date -u +%FT%TZ
	uname -r
	nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
	"$PY" -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda)'
	nproc
} >"$OUT/host.txt" 2>&1
cat "$OUT/host.txt"
start=$(date +%s)
bin/ingero demo --python "$PY" "$@" >"$OUT/demo-gpu.txt" 2>"$OUT/demo-gpu.err"
echo "gpu mode: exit $? in $(($(date +%s) - start)) s"
grep -E '^== |^\[(HIGH|MEDIUM|LOW)\]|^synthetic:|lost:' "$OUT/demo-gpu.txt"
if command -v gcc >/dev/null; then
	start=$(date +%s)
	bin/ingero demo --mode standin incident >"$OUT/demo-standin.txt" 2>&1
	echo "standin mode: exit $? in $(($(date +%s) - start)) s"
	grep -E '^\[(HIGH|MEDIUM|LOW)\]' "$OUT/demo-standin.txt"
else
	echo "no gcc on the device: stand-in mode not run"
fi
