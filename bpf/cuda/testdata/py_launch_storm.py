"""Launches kernels through the stand-in runtime from a Python stack DEPTH
frames deep, as a framework's op would, and prints the loop's nanoseconds
per launch, for BenchmarkPythonLaunches. It waits for a line on stdin
before the loop, so that the tracer can enrol it first."""
import ctypes
import sys
import time


class Dim3(ctypes.Structure):
    _fields_ = [("x", ctypes.c_uint), ("y", ctypes.c_uint), ("z", ctypes.c_uint)]


lib = ctypes.CDLL(sys.argv[1])
launches, depth = int(sys.argv[2]), int(sys.argv[3])
launch = lib.cudaLaunchKernel
launch.argtypes = [ctypes.c_void_p, Dim3, Dim3, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p]
kernel = ctypes.cast(lib.cudaLaunchKernel, ctypes.c_void_p)  # any address: the stand-in runs nothing


def storm(d):
    if d > 1:
        return storm(d - 1)
    grid, block = Dim3(1, 1, 1), Dim3(32, 1, 1)
    print("ready", flush=True)
    sys.stdin.readline()
    t0 = time.perf_counter_ns()
    for _ in range(launches):
        launch(kernel, grid, block, None, 0, None)
    print((time.perf_counter_ns() - t0) / launches, flush=True)


storm(depth)
