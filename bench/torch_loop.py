"""Launch-bound PyTorch loops for measuring ingero trace's overhead and capture.

usage: torch_loop.py add|mm N
Waits for $WAIT_FILE (when set) after warm-up, so a tracer can attach first,
then prints one JSON line: pid, mode, n, warm-up launches, µs per op.
"""
import json
import os
import sys
import time

import torch

mode, n = sys.argv[1], int(sys.argv[2])
x = torch.zeros(16, device="cuda")
a = torch.randn(64, 64, device="cuda")
b = torch.empty(64, 64, device="cuda")
WARM = 1000
for _ in range(WARM):
    if mode == "add":
        x.add_(1)
    else:
        torch.mm(a, a, out=b)
torch.cuda.synchronize()
wf = os.environ.get("WAIT_FILE")
if wf:
    while not os.path.exists(wf):
        time.sleep(0.005)
t = time.perf_counter()
if mode == "add":
    for _ in range(n):
        x.add_(1)
else:
    for _ in range(n):
        torch.mm(a, a, out=b)
torch.cuda.synchronize()
dt = time.perf_counter() - t
print(json.dumps({"pid": os.getpid(), "mode": mode, "n": n, "warm": WARM, "us_per_op": round(dt / n * 1e6, 3)}), flush=True)
