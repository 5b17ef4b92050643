import sys
import time


def inner():
    print("ready", flush=True)
    time.sleep(600)  # WAIT


def outer():
    inner()  # CALL


outer()
