"""Notice at once what another process wrote into the store (``smstui webhook serve``, a
``smstui send`` or ``sync`` beside the app), on a thread of its own so the UI pays nothing.

Every ``every`` seconds (0.1) it asks SQLite's ``PRAGMA data_version``, which changes only when
another connection committed; only then does it read the store's change marks
(:mod:`smstui.core.store.watch`) and tell ``on_change`` which conversations differ, as the
refresh loop's :class:`~smstui.core.events.MessagesChanged` would. Writes of this process go
through its own events and do not move ``data_version``, so they are not told twice.

It keeps to a tenth of a core: a look that read the marks (8 ms at 100k messages, ~60 ms at a
million) is followed by a pause nine times as long, so a sync worker committing many times a
second does not turn the watch into a busy loop beside the UI; and its thread runs at a lower
priority than the UI's (smstui.core.priority).

Every ``push_every`` seconds (1) it also reads the last webhook and how many sent messages still
wait for a status, for the status line's push / poll (smstui.core.push_state); ``on_push`` hears
them when they change. A store error is logged once and the watch goes on. No Textual here.
"""

import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from smstui.core.events import MessagesChanged
from smstui.core.priority import lower_this_thread
from smstui.core.push_state import PushInfo
from smstui.core.store.connection import StoreError

if TYPE_CHECKING:
    from smstui.core.store.database import Store
    from smstui.core.store.watch import ChangeMarks

log = logging.getLogger("smstui.core.store_watcher")

EVERY = 0.1
PUSH_EVERY = 1.0
#: The share of one core the watch may take while another process writes all the time.
DUTY = 0.1


def pause_after(spent: float, every: float = EVERY, duty: float = DUTY) -> float:
    """How long to wait after a look that took ``spent`` seconds of this thread's CPU."""
    return max(every, spent * (1 - duty) / duty)


class StoreWatcher:
    def __init__(
        self,
        store: "Store",
        on_change: Callable[[MessagesChanged], None],
        *,
        on_push: Callable[[PushInfo], None] | None = None,
        every: float = EVERY,
        push_every: float = PUSH_EVERY,
    ) -> None:
        self.store = store
        self.on_change = on_change
        self.on_push = on_push
        self.every = every
        self.push_every = push_every
        self._stop = threading.Event()
        #: Set once the base to compare with is read (the thread's first step): what is written
        #: from then on is told.
        self.ready = threading.Event()
        self._thread: threading.Thread | None = None
        self._version: int | None = None
        self._marks: ChangeMarks | None = None
        self._push: PushInfo | None = None
        self._push_at = 0.0
        self._failed = False
        self._reader: Store | None = None
        self.checks = self.changes = 0  # for tests and the bench

    def __repr__(self) -> str:
        return f"StoreWatcher({self.store.path.name!r}, changes={self.changes})"

    def start(self) -> "StoreWatcher":
        if self._thread is not None:
            return self
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="smstui-store-watch", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            if thread is threading.current_thread():
                return  # from a listener, mid-look: the loop ends after it and closes the reader
            thread.join(timeout)
            if thread.is_alive():
                return  # still reading: the thread closes its reader when the look ends
        self._close_reader()

    def _close_reader(self) -> None:
        reader, self._reader = self._reader, None
        if reader is not None and reader is not self.store:
            reader.close()

    def _marks_store(self) -> "Store":
        """The marks are read on a connection of the watch's own. On the app's, every UI read
        waited for the lock while they were read (~60 ms at a million messages, many times a
        second while a sync worker commits; longer still with the watch at a lower priority).
        ``data_version`` stays the app's: it moves only for writes of other processes."""
        if self._reader is None:
            from smstui.core.store.database import Store

            memory = str(self.store.path) == ":memory:"  # a second connection would see another database
            self._reader = self.store if memory else Store(self.store.path, region=self.store.region)
        return self._reader

    def prime(self) -> None:
        """Take the store as it is now as the base to compare with."""
        try:
            self._version = self.store.data_version()
            self._marks = self._marks_store().change_marks()
        except (StoreError, sqlite3.Error) as exc:  # closed under us, damaged: said once
            self._report(exc)

    def check(self) -> bool:
        """One look: True when another process had written (and ``on_change`` was told what)."""
        self.checks += 1
        try:
            version = self.store.data_version()
            if version == self._version and self._marks is not None:
                return False
            self._version = version
            reader = self._marks_store()
            if self._marks is None:
                self._marks = reader.change_marks()
                return False
            self._marks, found = reader.changes_since(self._marks)
        except (StoreError, sqlite3.Error) as exc:  # closed under us, damaged: said once
            self._report(exc)
            return False
        self._failed = False
        self._push_at = 0.0  # another process wrote: a webhook's note may be among it
        if found.phone_keys:
            self.changes += 1
            self._tell(lambda: self.on_change(MessagesChanged(found.phone_keys, new_incoming=found.new_incoming)))
        return True

    def check_push(self) -> None:
        if self.on_push is None:
            return
        try:
            reader = self._marks_store()
            info = PushInfo(reader.last_webhook(), reader.pending_count())
        except (StoreError, sqlite3.Error) as exc:  # closed under us, damaged: said once
            self._report(exc)
            return
        if info != self._push:
            self._push = info
            on_push = self.on_push
            self._tell(lambda: on_push(info))

    def _run(self) -> None:
        lower_this_thread()
        self.prime()  # here, not in start(): reading the marks must not hold up the UI's loop
        self.ready.set()
        wait = self.every
        try:
            while not self._stop.wait(wait):
                started = time.thread_time()
                self.check()
                now = time.monotonic()
                if now - self._push_at >= self.push_every:
                    self._push_at = now
                    self.check_push()
                wait = pause_after(time.thread_time() - started, self.every)
        finally:
            self._close_reader()

    def _tell(self, call: Callable[[], None]) -> None:
        try:
            call()
        except Exception:  # a listener's bug must not end the watch
            log.exception("a store-change listener failed")

    def _report(self, exc: Exception) -> None:
        if not self._failed:
            self._failed = True
            log.warning("watching the store for other processes' writes failed: %s", exc)


__all__ = ["PushInfo", "StoreWatcher"]
