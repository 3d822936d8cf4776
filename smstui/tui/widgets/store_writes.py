"""Store writes from the UI that must land in the order they were asked for.

A draft save (debounced, from a timer) and the send that consumes the draft used to run in two
unrelated threads: the save could land after the send and bring the sent message back as a
draft, also after a restart. Every draft save, every draft read for a form and every outbox write
of a composed message goes through one worker thread here, first come first served; the UI
thread only submits and awaits.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


class StoreWrites:
    """One thread, one queue. ``submit`` from the UI thread keeps the order of the calls."""

    def __init__(self) -> None:
        self._executor: ThreadPoolExecutor | None = None

    def submit(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> Future[T]:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="smstui-store-writes")
        return self._executor.submit(fn, *args, **kwargs)

    async def wait(self, future: Future[T]) -> T:
        return await asyncio.wrap_future(future)

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return await self.wait(self.submit(fn, *args, **kwargs))

    def shutdown(self) -> None:
        """Finish what was asked (a draft save on the way out), then stop the thread."""
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None
