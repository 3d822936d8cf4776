"""A lock that says "this bulk job is being sent by a process right now", across processes.

The app, ``smstui bulk --resume`` and ``smstui sync`` may all want to continue one interrupted
job; two of them sending its queued rows at once would send them twice. The running process
holds an exclusive ``flock`` on a file beside the store for as long as it runs the job; the
kernel drops it when the process dies (kill -9 included), so a crash never leaves it held.
Systems without ``fcntl`` (Windows) get no lock; the rest of smstui's safety rules still apply.
"""

from __future__ import annotations

import os
from pathlib import Path


class JobLock:
    """``acquire()`` without waiting: True when this process now runs the job."""

    def __init__(self, store_path: Path, job_id: str) -> None:
        self.path = store_path.with_name(f"{store_path.name}.bulk-{job_id}.lock")
        self._fd: int | None = None

    def acquire(self) -> bool:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX
            return True
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing drops the flock
            self._fd = None


__all__ = ["JobLock"]
