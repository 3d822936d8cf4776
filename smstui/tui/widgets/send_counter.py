"""Today's and the last hour's sends per SIM, for the forms that send (compose, bulk, newsletters).

Read from the store (:meth:`Store.send_counts`, one indexed pass over today's rows) at most
every :data:`FRESH_FOR` seconds, so typing in a form never waits for it; a send made from the
form itself drops the cached figures (:meth:`SendCounter.forget`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

from smstui.core.send_limits import SendCount, SendLimits, count_text, limit_warnings, windows
from smstui.tui.widgets.format import slot_label

if TYPE_CHECKING:
    from smstui.core.store.database import Store

FRESH_FOR = 15.0


class SendCounter:
    def __init__(
        self, store: Store, clock: Callable[[], datetime], tz: tzinfo | None, limits: SendLimits | None
    ) -> None:
        self._store = store
        self._clock = clock
        self._tz = tz
        self.limits = limits or SendLimits()
        self._counts: dict[tuple[int, int], SendCount] | None = None
        self._read_at = 0.0

    def counts(self) -> Mapping[tuple[int, int], SendCount]:
        now = time.monotonic()
        if self._counts is None or now - self._read_at > FRESH_FOR:
            try:
                self._counts = self._store.send_counts(*windows(self._clock(), self._tz))
            except Exception:  # a damaged or closed store: no figures, never a failed form
                self._counts = {}
            self._read_at = now
        return self._counts

    def forget(self) -> None:
        self._counts = None

    def line(self, device_id: int | None, slot: int | None) -> str:
        """``SMS 1: 12 today, 3 in the last hour`` for the chosen SIM ("" without a device)."""
        if device_id is None or slot is None:
            return ""
        return f"{slot_label(slot)}: {count_text(self.counts().get((device_id, slot)))}"

    def warnings(self, planned: Mapping[tuple[int, int], int], names: Mapping[int, str] | None = None) -> list[str]:
        if not self.limits.any:
            return []
        return limit_warnings(planned, self.counts(), self.limits, names)
