"""The outbox's single-send lock across processes: one process submits from a store at a time.

The app's refresh (in its own process or thread), ``smstui send`` and ``smstui sync`` may run
at once on one profile. Each outbox pass holds an exclusive ``flock`` on a file beside the
store for its whole length (reconcile and submit), so a row another process has marked
``sending`` is never taken for an orphan and sent twice. The kernel drops the lock when its
process dies (kill -9 included). Waiting polls a non-blocking ``flock``: a blocking one in a
thread could not be cancelled. Systems without ``fcntl`` get the in-process lock only.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

POLL_SECONDS = 0.05


class OutboxFileLock:
    """``async with OutboxFileLock(store_path):`` holds the lock for the block."""

    def __init__(self, store_path: Path) -> None:
        self.path = store_path.with_name(f"{store_path.name}.outbox.lock")
        self._fd: int | None = None

    def try_acquire(self) -> bool:
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

    async def __aenter__(self) -> OutboxFileLock:
        while not self.try_acquire():
            await asyncio.sleep(POLL_SECONDS)
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.release()


__all__ = ["OutboxFileLock"]
