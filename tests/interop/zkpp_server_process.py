"""Starts and stops the zkpp-server binary for interop tests, with deadlines."""

import os
import re
import select
import signal
import subprocess
import time

STARTUP_DEADLINE = 20.0
SHUTDOWN_DEADLINE = 20.0


class ZkppServer:
    """`with ZkppServer(binary) as s:` runs the server on a free loopback port."""

    def __init__(self, binary, *args):
        self.binary = binary
        self.args = list(args)
        self.proc = None
        self.address = None

    def __enter__(self):
        self.proc = subprocess.Popen([self.binary, "--port", "0", *self.args],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        line = self._read_line(STARTUP_DEADLINE)
        m = re.fullmatch(r"zkpp-server listening on (127\.0\.0\.1:\d+)\n", line)
        if not m:
            self.proc.kill()
            raise AssertionError("unexpected first line from zkpp-server: %r" % line)
        self.address = m.group(1)
        return self

    def __exit__(self, *exc):
        self.stop()

    def stop(self):
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=SHUTDOWN_DEADLINE)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise AssertionError("zkpp-server did not stop within %s s of SIGTERM" % SHUTDOWN_DEADLINE)
        if code != 0:
            raise AssertionError("zkpp-server exited with %d after SIGTERM" % code)

    def _read_line(self, deadline):
        end = time.monotonic() + deadline
        out = b""
        fd = self.proc.stdout.fileno()
        while not out.endswith(b"\n"):
            left = end - time.monotonic()
            if left <= 0:
                self.proc.kill()
                raise AssertionError("timed out after %s s waiting for zkpp-server's listening line" % deadline)
            ready, _, _ = select.select([fd], [], [], left)
            if ready:
                chunk = os.read(fd, 1)
                if not chunk:
                    raise AssertionError("zkpp-server exited before printing its listening line: %s"
                                         % self.proc.stderr.read().decode(errors="replace"))
                out += chunk
        return out.decode()


def wait_until(predicate, what, deadline=20.0):
    """Polls `predicate` until true; fails with `what` after the deadline."""
    end = time.monotonic() + deadline
    while not predicate():
        if time.monotonic() > end:
            raise AssertionError("timed out after %s s waiting for %s" % (deadline, what))
        time.sleep(0.01)
