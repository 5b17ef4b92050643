"""Annotations for ``ingero trace``: mark training steps and request spans.

Standard library only. Each message carries the time it is sent
(time.time_ns(), the clock of trace's event timestamps), which trace keeps
only when it lies at most 250 ms before the message arrives; trace stamps
the sender's PID, UID and GID as the kernel reports them. docs/annotations.md
is the contract.

    import ingero_annotate

    ann = ingero_annotate.Annotator()      # $INGERO_ANNOTATE_SOCKET or the default
    for step, batch in enumerate(loader):
        ann.point(step=step)               # holds until the next point
        ...
    with ann.span("req-9b21fc", model="llama"):
        ...                                # events inside carry request_id=req-9b21fc

By default a missing trace is not an error: the annotator stays silent, so a
training job runs the same with or without ingero. Pass required=True to
raise instead.
"""

import contextlib
import json
import os
import socket
import threading
import time

DEFAULT_SOCKET = "/run/ingero/annotate.sock"
MAX_LINE = 4096

__all__ = ["Annotator", "DEFAULT_SOCKET"]


def socket_path():
    """The socket trace listens on: $INGERO_ANNOTATE_SOCKET, else the default."""
    return os.environ.get("INGERO_ANNOTATE_SOCKET") or DEFAULT_SOCKET


class Annotator:
    """One connection to trace. Thread-safe; spans belong to the connection,
    and trace ends those still open when it closes."""

    def __init__(self, path=None, required=False, pid=None):
        self._lock = threading.Lock()
        self._required = required
        self._pid = pid  # None: the sender's own events; 0: every traced process
        self._sock = None
        path = path or socket_path()
        try:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(path)
            self._sock = s
        except OSError as e:
            s.close()
            if required:
                raise ConnectionError(
                    "connecting to ingero trace at %s (is trace running, and are you "
                    "in the socket's group?): %s" % (path, e)) from e

    @property
    def connected(self):
        return self._sock is not None

    def point(self, **labels):
        """An instant: its labels hold for the events that follow, until the next point."""
        self._send({"kind": "point", "labels": _strings(labels)})

    def begin(self, request_id, **labels):
        """Opens the span of request_id."""
        self._send({"kind": "begin", "request_id": str(request_id), "labels": _strings(labels)})

    def end(self, request_id):
        """Closes the span of request_id."""
        self._send({"kind": "end", "request_id": str(request_id)})

    @contextlib.contextmanager
    def span(self, request_id, **labels):
        """A span around the with-block, ended even when the block raises."""
        self.begin(request_id, **labels)
        try:
            yield
        finally:
            self.end(request_id)

    def close(self):
        with self._lock:
            if self._sock is not None:
                self._sock.close()
                self._sock = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _send(self, msg):
        if not msg.get("labels"):
            msg.pop("labels", None)
        if self._pid is not None:
            msg["pid"] = self._pid
        with self._lock:
            # Read under the lock, so that the lines of this connection go
            # out in the order of their times, as trace requires.
            msg["time_ns"] = time.time_ns()
            line = json.dumps(msg, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
            if len(line) > MAX_LINE:
                raise ValueError("annotation of %d bytes is over the %d-byte line limit" % (len(line), MAX_LINE))
            if self._sock is None:
                if self._required:
                    raise ConnectionError("not connected to ingero trace")
                return
            try:
                self._sock.sendall(line + b"\n")
            except OSError:
                # Trace stopped: go quiet rather than break the workload.
                self._sock.close()
                self._sock = None
                if self._required:
                    raise


def _strings(labels):
    return {str(k): str(v) for k, v in labels.items()}
