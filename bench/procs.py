"""Run a child process on a pseudo-terminal, as a user's terminal would run it.

Textual's real driver (not the headless one) needs a terminal: it sets raw mode, asks for the
size and writes escape sequences to it. A pty gives it one; a thread drains what it writes so the
child never blocks on a full buffer.
"""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass
class PtyRun:
    returncode: int
    wall: float  # spawn to exit, seconds
    ready: float | None  # spawn to first useful frame (from the child's BENCH_REPORT), seconds
    textual_ready: float | None  # spawn to Textual's Ready event, seconds
    output: bytes


def run_on_pty(
    argv: list[str], env: dict[str, str], *, size: tuple[int, int] = (120, 40), timeout: float = 60.0
) -> PtyRun:
    master, slave = pty.openpty()
    cols, rows = size
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    chunks: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO once the child closed its side
                return
            if not data:
                return
            chunks.append(data)

    with tempfile.TemporaryDirectory(prefix="smstui-bench-") as tmp:
        report = Path(tmp) / "ready"
        child_env = dict(env, BENCH_REPORT=str(report), COLUMNS=str(cols), LINES=str(rows))
        reader = threading.Thread(target=drain, daemon=True)
        reader.start()
        t0 = time.time()
        proc = subprocess.Popen(
            argv, stdin=slave, stdout=slave, stderr=slave, env=child_env, close_fds=True, start_new_session=True
        )
        try:
            code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            code = -9
        wall = time.time() - t0
        os.close(slave)
        reader.join(timeout=5)
        os.close(master)
        ready = _read_time(report, t0)
        textual_ready = _read_time(Path(str(report) + ".ready"), t0)
    return PtyRun(code, wall, ready, textual_ready, b"".join(chunks))


def _read_time(path: Path, t0: float) -> float | None:
    try:
        return float(path.read_text()) - t0
    except (OSError, ValueError):
        return None


def python() -> str:
    return sys.executable
