"""The training loop and plants of `ingero demo` on a real GPU.

ingero demo writes this file to a temporary directory and runs it with a
Python that has a CUDA-enabled PyTorch. It speaks the stand-in workload's
protocol: --ready-file is created once CUDA is initialised and the step
has run once (so the libraries are mapped and the caching allocator and
cuBLAS are warm), then it waits for --wait-file before the timed loop.
"""
import argparse
import ctypes
import json
import os
import time

MiB = 1 << 20


def set_comm(name):
    # PR_SET_NAME: the name the kernel, and so ingero, reports.
    ctypes.CDLL(None).prctl(15, name.encode()[:15], 0, 0, 0)


def touch(path):
    if path:
        open(path, "a").close()


def parse_ms(s):
    if not s.endswith("ms"):
        raise SystemExit("torch_demo: --duration wants milliseconds, e.g. 10000ms")
    return int(s[:-2]) / 1000


def burn(seconds):
    end = time.monotonic() + seconds
    x = 0
    while time.monotonic() < end:
        for i in range(10000):
            x += i


def checkpointer(torch, directory, state, period=1.0):
    """train-ckpt: every period seconds the loop itself saves state with
    torch.save and fsyncs the file, as a training loop that checkpoints in
    line does; the step waits on the disk."""
    if not directory:
        raise SystemExit("torch_demo: train-ckpt needs --ckpt-dir (a directory on a disk, not tmpfs)")
    path = os.path.join(directory, "checkpoint.pt")
    last = [time.monotonic()]

    def maybe_save():
        now = time.monotonic()
        if now - last[0] < period:
            return
        last[0] = now
        with open(path, "wb") as f:
            torch.save(state, f)
            f.flush()
            os.fsync(f.fileno())

    return maybe_save


def make_step(torch, pattern, role, ckpt_dir=None):
    dev = torch.device("cuda")
    stream = torch.cuda.current_stream()
    pinned = torch.empty(4 * MiB, dtype=torch.uint8).pin_memory()
    staged = torch.empty(4 * MiB, dtype=torch.uint8, device=dev)
    x = torch.zeros(1 << 20, device=dev)
    # Co-tenants multiply bigger matrices: modest ones share the GPU,
    # large ones take it over.
    n = {"train": 512, "share": 2048, "steal": 8192}[role]
    a = torch.randn(n, n, device=dev)
    b = torch.randn(n, n, device=dev)
    pageable = torch.empty(256 * MiB, dtype=torch.uint8) if pattern == "train-copy" else None
    big = torch.empty(256 * MiB, dtype=torch.uint8, device=dev) if pageable is not None else None
    # 128 MiB of weights to checkpoint, copied to the host on each save.
    save = checkpointer(torch, ckpt_dir, {"w": torch.randn(32 * MiB, device=dev)}) if pattern == "train-ckpt" else None

    def step():
        staged.copy_(pinned, non_blocking=True)
        if pageable is not None:
            big.copy_(pageable)  # pageable memory: a synchronous copy
        for k in range(48):
            if k % 6 == 5:
                torch.mm(a, b)  # cuBLAS: launched through the driver
            else:
                x.add_(1.0)
        if pattern == "train-churn":
            blocks = [torch.empty(s * MiB, dtype=torch.uint8, device=dev) for s in (64, 128, 256, 64, 128, 256)]
            del blocks
            torch.cuda.empty_cache()  # every step: the blocks go back to the driver
        stream.synchronize()
        if save is not None:
            save()

    return step


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--pattern", required=True, choices=["train", "train-churn", "train-copy", "train-ckpt", "train-paging", "busy"])
    p.add_argument("--role", default="train", choices=["train", "share", "steal"])
    p.add_argument("--comm")
    p.add_argument("--cpu", type=int)
    p.add_argument("--duration", required=True)
    p.add_argument("--ready-file")
    p.add_argument("--wait-file")
    p.add_argument("--ckpt-dir")
    p.add_argument("--working-set", type=int, default=192 * MiB)
    p.add_argument("--data-dir")
    a = p.parse_args()
    if a.comm:
        set_comm(a.comm)
    if a.cpu is not None:
        os.sched_setaffinity(0, {a.cpu})
    seconds = parse_ms(a.duration)
    if a.pattern == "busy":
        touch(a.ready_file)
        burn(seconds)
        return
    import torch

    step = make_step(torch, a.pattern, a.role, a.ckpt_dir)
    step()
    touch(a.ready_file)
    while a.wait_file and not os.path.exists(a.wait_file):
        time.sleep(0.001)
    # train-paging's host working set, made only now: the demo moved this
    # process into a memory cgroup while it waited, and this is charged
    # there. Every step reads one value per 4 KiB page of it.
    held = None
    if a.pattern == "train-paging":
        if a.data_dir:
            path = os.path.join(a.data_dir, "dataset")
            with open(path, "wb") as f:
                for _ in range(a.working_set // MiB):
                    f.write(b"\x01" * MiB)  # data, not holes: paging it out and in reads the disk
            held = torch.from_file(path, shared=True, size=a.working_set // 4, dtype=torch.float32)
        else:
            held = torch.ones(a.working_set // 4, dtype=torch.float32)
    end = time.monotonic() + seconds
    steps = 0
    start = time.monotonic()
    while time.monotonic() < end:
        step()
        if held is not None:
            float(held[::1024].sum())
        steps += 1
    print(json.dumps({"pattern": a.pattern, "role": a.role, "steps": steps, "seconds": time.monotonic() - start}))


if __name__ == "__main__":
    main()
