"""Calls the stand-in CUDA runtime through ctypes, as a framework would.
The end-to-end test expects the recorded stacks to name the marked lines."""
import ctypes
import os
import sys
import time

lib = ctypes.CDLL(sys.argv[1])
go_file = sys.argv[2]


def hot_loop(seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end: lib.cudaDeviceSynchronize()  # SYNC


def main():
    print("ready", flush=True)
    while not os.path.exists(go_file):
        time.sleep(0.01)
    hot_loop(1.5)  # CALL


main()  # MAIN
