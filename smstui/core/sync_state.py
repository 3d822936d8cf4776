"""Where the background refresh stands (:class:`SyncState`), for the status line.

Its own module so the app's first frame needs only this one of the core events
(:mod:`smstui.core.events` re-exports it). No Textual here.
"""

from datetime import datetime
from typing import Literal, NamedTuple

SyncStatus = Literal["idle", "syncing", "offline", "auth", "error"]


class SyncState(NamedTuple):
    """Where the background refresh stands, for the status bar.

    ``progress`` is ``(done, total)`` while a first sync walks through history, in messages
    (total 0: the gateway gave no count), else None. ``error`` is a sentence for the user when ``status`` is
    ``offline``/``auth``/``error``. A NamedTuple: cheap to define before the first frame.
    """

    status: SyncStatus = "idle"
    last_synced: datetime | None = None
    error: str | None = None
    progress: tuple[int, int] | None = None

    @property
    def ok(self) -> bool:
        return self.status in ("idle", "syncing")
