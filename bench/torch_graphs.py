"""CUDA graph and NCCL loops for bench/device-graphs.sh (issue 15).

graphs SECS: torch.cuda.graphs capture/replay: warm-up on a side stream,
one capture, replays of it, then a re-capture phase (a new graph per
"shape") so the lifecycle shows capture, instantiate, replay and re-capture.
nccl SECS: a 1-GPU NCCL process group (world size 1) all-reducing 64 MiB.
Prints one JSON line with its counts. $WAIT_FILE, when set, is waited for
after warm-up so that the tracer has attached first.
"""
import json
import os
import sys
import time

import torch


def wait_file():
    wf = os.environ.get("WAIT_FILE")
    while wf and not os.path.exists(wf):
        time.sleep(0.05)


def graphs(secs):
    x = torch.randn(2048, 2048, device="cuda")
    w = torch.randn(2048, 2048, device="cuda")
    s = torch.cuda.Stream()
    s.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(s):
        for _ in range(3):  # warm-up: cuBLAS sets itself up outside the capture
            y = x @ w
    torch.cuda.current_stream().wait_stream(s)
    wait_file()
    g = torch.cuda.CUDAGraph()
    with torch.cuda.graph(g):
        y = (x @ w).relu()
    replays = captures = 1
    end = time.time() + secs / 2
    while time.time() < end:
        g.replay()
        replays += 1
        if replays % 50 == 0:
            torch.cuda.synchronize()
    end = time.time() + secs / 2
    while time.time() < end:  # re-capture: a graph per new shape
        n = 1024 + 64 * (captures % 16)
        a = torch.randn(n, n, device="cuda")
        g2 = torch.cuda.CUDAGraph()
        with torch.cuda.graph(g2):
            b = a @ a
        captures += 1
        g2.replay()
        replays += 1
        torch.cuda.synchronize()
    torch.cuda.synchronize()
    return {"captures": captures, "replays": replays}


def nccl(secs):
    import torch.distributed as dist

    os.environ.setdefault("MASTER_ADDR", "127.0.0.1")
    os.environ.setdefault("MASTER_PORT", "29517")
    t = torch.ones(16 << 20, device="cuda")
    torch.cuda.synchronize()
    wait_file()  # the tracer has found libnccl: it sees the communicator set up
    dist.init_process_group("nccl", rank=0, world_size=1, device_id=torch.device("cuda:0"))
    n = 0
    end = time.time() + secs
    while time.time() < end:
        dist.all_reduce(t)
        n += 1
        if n % 10 == 0:
            torch.cuda.synchronize()
    torch.cuda.synchronize()
    dist.destroy_process_group()
    return {"all_reduces": n, "nccl": ".".join(map(str, torch.cuda.nccl.version()))}


if __name__ == "__main__":
    mode, secs = sys.argv[1], float(sys.argv[2])
    t0 = time.time()
    out = graphs(secs) if mode == "graphs" else nccl(secs)
    out.update(mode=mode, wall_s=round(time.time() - t0, 2), pid=os.getpid())
    print(json.dumps(out), flush=True)
