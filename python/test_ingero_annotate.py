"""Runs against a real trace socket whose path is in $INGERO_ANNOTATE_SOCKET
(the Go test common/annotate/emit starts one and checks what arrived);
alone, against a local listener that records the lines."""

import json
import os
import socket
import tempfile
import threading
import time
import unittest

import ingero_annotate


class Local:
    """A stand-in listener for runs without the Go test."""

    def __init__(self):
        self.dir = tempfile.mkdtemp()
        self.path = os.path.join(self.dir, "a.sock")
        self.srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.srv.bind(self.path)
        self.srv.listen(4)
        self.lines = []
        self.t = threading.Thread(target=self._serve, daemon=True)
        self.t.start()

    def _serve(self):
        c, _ = self.srv.accept()
        with c, c.makefile("rb") as f:
            for line in f:
                self.lines.append(json.loads(line))

    def close(self):
        self.t.join(10)
        self.srv.close()
        os.unlink(self.path)
        os.rmdir(self.dir)


class AnnotatorTest(unittest.TestCase):
    def test_steps_and_spans(self):
        path = os.environ.get("INGERO_ANNOTATE_SOCKET")
        local = None
        if not path:
            local = Local()
            path = local.path
        before = time.time_ns()
        with ingero_annotate.Annotator(path, required=True) as ann:
            self.assertTrue(ann.connected)
            for step in range(3):
                ann.point(step=step)
            with ann.span("req-py", model="tiny"):
                pass
            with self.assertRaises(RuntimeError):
                with ann.span("req-raises"):
                    raise RuntimeError("the handler failed")
            with self.assertRaises(ValueError):
                ann.point(big="x" * 5000)
        after = time.time_ns()
        if local:
            local.close()
            # Each line carries its sending time, in the order sent.
            times = [m.get("time_ns") for m in local.lines]
            self.assertTrue(all(isinstance(t, int) for t in times), times)
            self.assertEqual(times, sorted(times))
            self.assertGreaterEqual(times[0], before)
            self.assertLessEqual(times[-1], after)
            kinds = [(m.get("kind"), m.get("request_id"), m.get("labels")) for m in local.lines]
            self.assertEqual(kinds, [
                ("point", None, {"step": "0"}), ("point", None, {"step": "1"}), ("point", None, {"step": "2"}),
                ("begin", "req-py", {"model": "tiny"}), ("end", "req-py", None),
                ("begin", "req-raises", None), ("end", "req-raises", None)])

    def test_no_trace_is_silent_unless_required(self):
        missing = os.path.join(tempfile.gettempdir(), "no-such-ingero.sock")
        ann = ingero_annotate.Annotator(missing)
        self.assertFalse(ann.connected)
        ann.point(step=1)  # a no-op
        with ann.span("r"):
            pass
        with self.assertRaises(ConnectionError):
            ingero_annotate.Annotator(missing, required=True)


if __name__ == "__main__":
    unittest.main()
