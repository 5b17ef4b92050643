"""Calls the stand-in CUDA runtime through ctypes from a method of a class
with a Greek name (a two-byte str), in the main thread and in a second
thread at once, for the kernel walker's test, which expects every call's
Python frames to name the marked lines of its own thread exactly."""
import ctypes
import os
import sys
import threading
import time

lib = ctypes.CDLL(sys.argv[1])
go_file = sys.argv[2]


class Βρόχος:
    def run(self, n):
        for _ in range(n):
            lib.cudaDeviceSynchronize()  # SYNC


def worker():
    Βρόχος().run(100)  # THREAD


def main():
    print("ready", flush=True)
    while not os.path.exists(go_file):
        time.sleep(0.01)
    t = threading.Thread(target=worker)
    t.start()
    Βρόχος().run(100)  # CALL
    t.join()


main()  # MAIN
