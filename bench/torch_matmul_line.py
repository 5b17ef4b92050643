"""A PyTorch loop whose matmul line bench/device-stacks.sh expects to find
as the call site of its cuLaunchKernel calls (trace --stack).

usage: torch_matmul_line.py N
Waits for $WAIT_FILE (when set) after warm-up, then runs N matmuls.
"""
import os
import sys
import time

import torch


def step(a, b):
    torch.mm(a, a, out=b)  # MATMUL


def main(n):
    a = torch.randn(256, 256, device="cuda")
    b = torch.empty(256, 256, device="cuda")
    for _ in range(100):
        step(a, b)
    torch.cuda.synchronize()
    wf = os.environ.get("WAIT_FILE")
    if wf:
        while not os.path.exists(wf):
            time.sleep(0.005)
    for _ in range(n):
        step(a, b)
    torch.cuda.synchronize()


main(int(sys.argv[1]))
