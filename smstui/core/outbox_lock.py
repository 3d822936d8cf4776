"""The outbox's single-send lock across processes: one process submits from a store at a time.

The app's refresh, ``smstui send`` and ``smstui sync`` may run at once on one profile. Each
outbox pass holds the file lock (:class:`smstui.core.file_lock.FileLock`, beside the store) for
its whole length (reconcile and submit), so a row another process has marked ``sending`` is never
taken for an orphan and sent twice. Waiting polls the non-blocking lock: a blocking ``flock`` in
a thread could not be cancelled.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from smstui.core.file_lock import FileLock

POLL_SECONDS = 0.05


class OutboxFileLock(FileLock):
    """``async with OutboxFileLock(store_path):`` holds the lock for the block."""

    def __init__(self, store_path: Path) -> None:
        super().__init__(store_path.with_name(f"{store_path.name}.outbox.lock"))

    async def __aenter__(self) -> OutboxFileLock:
        while not self.acquire():
            await asyncio.sleep(POLL_SECONDS)
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.release()


__all__ = ["OutboxFileLock"]
