"""Calls the stand-in CUDA runtime through ctypes from a method of a class
with a Greek name (a two-byte str), for the kernel walker's test, which
expects every call's Python frames to name the marked lines exactly."""
import ctypes
import os
import sys
import time

lib = ctypes.CDLL(sys.argv[1])
go_file = sys.argv[2]


class Βρόχος:
    def run(self, n):
        for _ in range(n):
            lib.cudaDeviceSynchronize()  # SYNC


def main():
    print("ready", flush=True)
    while not os.path.exists(go_file):
        time.sleep(0.01)
    Βρόχος().run(100)  # CALL


main()  # MAIN
