"""An exclusive lock across processes: a ``flock`` on a file beside the store.

The kernel drops the lock when its process dies (kill -9 included), so a crash never leaves it
held. The file is created 0600. Systems without ``fcntl`` (Windows) get no lock; the rest of
smstui's safety rules still apply. The bulk job lock and the outbox's lock are both this.
"""

from __future__ import annotations

import os
from pathlib import Path


class FileLock:
    """``acquire()`` without waiting: True when this process now holds the lock."""

    def __init__(self, path: Path) -> None:
        self.path = path
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


__all__ = ["FileLock"]
