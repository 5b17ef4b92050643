"""Three ways a PyTorch training loop wastes its wall time, and a clean one.

usage: torch_pathologies.py clean|input-bound|checkpoint|shared SECONDS [CKPT_DIR]

One small MLP trained on GPU 0; each step ends with loss.item() (a sync).
  clean        batches already on the GPU: the GPU-bound baseline
  input-bound  each batch is built on the CPU in Python first (~40 ms), with
               no DataLoader workers: the GPU idles while the thread works
  checkpoint   clean, but every 5 steps the loop itself torch.saves 128 MiB
               and fsyncs it (CKPT_DIR, a directory on a disk)
  shared       clean; run two at once to share the GPU for their whole lives
Waits for $WAIT_FILE (when set) after warm-up, so a tracer attaches first,
then prints one JSON line: pid, mode, steps, seconds, steps_per_s.
"""
import json
import os
import sys
import time

import torch

mode, seconds = sys.argv[1], float(sys.argv[2])
ckpt_dir = sys.argv[3] if len(sys.argv) > 3 else None
if mode not in ("clean", "input-bound", "checkpoint", "shared"):
    raise SystemExit(f"unknown mode {mode}")
if mode == "checkpoint" and not ckpt_dir:
    raise SystemExit("checkpoint needs CKPT_DIR, a directory on a disk (not tmpfs)")

dev = torch.device("cuda")
torch.manual_seed(0)
model = torch.nn.Sequential(
    torch.nn.Linear(2048, 4096), torch.nn.ReLU(), torch.nn.Linear(4096, 4096), torch.nn.ReLU(), torch.nn.Linear(4096, 10)
).to(dev)
opt = torch.optim.SGD(model.parameters(), lr=1e-3)
ballast = torch.randn(32 << 20, device=dev)  # 128 MiB more state for the checkpoint
gpu_x = torch.randn(512, 2048, device=dev)
gpu_y = torch.randint(0, 10, (512,), device=dev)


def cpu_batch():
    # What a loop without DataLoader workers does per step: decode and
    # augment on the main thread, in Python.
    x = torch.empty(512, 2048)
    for i in range(0, 512, 8):
        row = torch.randn(8, 2048)
        row = (row - row.mean()) / (row.std() + 1e-6)
        x[i : i + 8] = row.clamp_(-3, 3)
    t = time.perf_counter()
    while time.perf_counter() - t < 0.03:  # the rest of a 40 ms pipeline
        sum(j * j for j in range(1000))
    return x.to(dev), torch.randint(0, 10, (512,)).to(dev)


def step(n):
    x, y = cpu_batch() if mode == "input-bound" else (gpu_x, gpu_y)
    opt.zero_grad(set_to_none=True)
    loss = torch.nn.functional.cross_entropy(model(x), y)
    loss.backward()
    opt.step()
    loss.item()
    if mode == "checkpoint" and n % 5 == 4:
        path = os.path.join(ckpt_dir, f"ckpt-{os.getpid()}.pt")
        with open(path, "wb") as f:
            torch.save({"model": model.state_dict(), "ballast": ballast}, f)
            f.flush()
            os.fsync(f.fileno())


for i in range(20):
    step(i)
torch.cuda.synchronize()
wf = os.environ.get("WAIT_FILE")
if wf:
    while not os.path.exists(wf):
        time.sleep(0.005)
steps, t0 = 0, time.perf_counter()
while time.perf_counter() - t0 < seconds:
    step(steps)
    steps += 1
torch.cuda.synchronize()
dt = time.perf_counter() - t0
print(json.dumps({"pid": os.getpid(), "mode": mode, "steps": steps, "seconds": round(dt, 3), "steps_per_s": round(steps / dt, 2)}), flush=True)
