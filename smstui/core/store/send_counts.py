"""How many messages each SIM sent in a window: a mixin of :class:`smstui.core.store.database.Store`.

The window is today (from the user's midnight) and the last hour, counted in one indexed pass
over ``messages_created`` (only today's rows are read, however long the history); see
:mod:`smstui.core.send_limits` for what counts.
"""

from __future__ import annotations

from smstui.core.send_limits import SendCount
from smstui.core.store.connection import StoreBase
from smstui.core.store.schema import CANCELLED, REJECTED


class SendCountRows(StoreBase):
    def send_counts(self, day_start: float, hour_start: float) -> dict[tuple[int, int], SendCount]:
        """Outgoing messages per (device, slot) created since ``day_start`` and since
        ``hour_start`` (epoch seconds); refused and cancelled ones never reached a phone."""
        # INDEXED BY: the planner would otherwise walk messages_device (every message with a
        # device, for the GROUP BY) instead of today's rows. Just after midnight the last hour
        # reaches into yesterday: read from the earlier of the two starts.
        rows = self._query(
            "SELECT device_id, COALESCE(slot, 0), SUM(created >= ?), SUM(created >= ?) "
            "FROM messages INDEXED BY messages_created "
            "WHERE created >= ? AND incoming = 0 AND device_id IS NOT NULL "
            "AND (outbox IS NULL OR outbox NOT IN (?, ?)) GROUP BY device_id, COALESCE(slot, 0)",
            (day_start, hour_start, min(day_start, hour_start), REJECTED, CANCELLED),
        )
        return {
            (int(device), int(slot)): SendCount(int(device), int(slot), int(today or 0), int(hour or 0))
            for device, slot, today, hour in rows
        }
