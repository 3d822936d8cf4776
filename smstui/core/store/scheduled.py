"""Messages still waiting for their time: a mixin of :class:`smstui.core.store.database.Store`.

Two kinds, told apart because only one can still be changed: those the gateway has (an sms_id,
a status that is not final) cannot be changed or cancelled through the API, only answered with
a correction; those smstui has not handed over yet (queued in the outbox) can still be edited or
cancelled. Both queries read a partial index (``messages_pending``, ``messages_outbox``), never
the whole history.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from smstui.core.store.connection import StoreBase, rows_to_messages
from smstui.core.store.schema import MESSAGE_COLUMNS, PENDING_WHERE, QUEUED, SENDING, UNKNOWN

if TYPE_CHECKING:  # records load on first use: the first frame does not need them
    from smstui.core.store.records import StoredMessage

# Outbox rows the gateway does not have (or may not have): still smstui's to change.
LOCAL_STATES = (QUEUED, SENDING, UNKNOWN)


class ScheduledRows(StoreBase):
    def scheduled_messages(self, after: float, *, limit: int = 1000) -> list[StoredMessage]:
        """Outgoing messages scheduled after ``after`` (epoch seconds) and not sent yet, soonest
        first: those on the gateway and those still in the outbox."""
        marks = ",".join("?" * len(LOCAL_STATES))
        rows = self._query(
            f"SELECT {MESSAGE_COLUMNS} FROM messages INDEXED BY messages_pending "
            f"WHERE {PENDING_WHERE} AND incoming = 0 AND scheduled_at > ? "
            f"UNION ALL SELECT {MESSAGE_COLUMNS} FROM messages INDEXED BY messages_outbox "
            f"WHERE outbox IN ({marks}) AND sms_id IS NULL AND scheduled_at > ? "
            "ORDER BY scheduled_at, lid LIMIT ?",
            (after, *LOCAL_STATES, after, limit),
        )
        return rows_to_messages(rows)


def is_local(message: StoredMessage) -> bool:
    """Not on the gateway yet: smstui can still edit or cancel it."""
    return message.sms_id is None and message.outbox in LOCAL_STATES
