"""The store's on-call counts: a mixin of :class:`smstui.core.store.database.Store`.

What the dashboard, ``smstui health``, ``smstui watch`` and the alerts read: delivery counts of a
time window per device and slot, the same window as a timeline, the queue (how many messages
still wait to leave, and since when the oldest), failures that changed lately, and the messages
of some conversations that changed since a moment. Every query is bounded by an index (the
``created`` window, the status or outbox index, the conversation index), so the dashboard opens
at once on the 100k-message bench store (``bench/dashboard.py``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, NamedTuple

from smstui.core.models import FAILED_STATUSES, QUEUED_STATUSES, Status
from smstui.core.store.connection import StoreBase, chunks, rows_to_messages
from smstui.core.store.schema import MESSAGE_COLUMNS, QUEUED, REJECTED, SENDING, UNKNOWN, sql_codes

if TYPE_CHECKING:
    from smstui.core.store.records import StoredMessage

_FAILED = f"status IN ({sql_codes(FAILED_STATUSES)})"
# Still on its way out: on the gateway or the phone (New, Taken, Queued on phone), or in our
# outbox (queued, being sent). "Sent" (6) has left the phone: it waits for a report, not a slot.
WAITING = f"(status IN ({sql_codes(QUEUED_STATUSES)}) OR (status IS NULL AND outbox IN ('{QUEUED}', '{SENDING}')))"
# How a message counts: delivered, sent without a report yet, failed (the gateway's failure
# statuses, or refused by it), unclear (the answer to the send was lost), or still waiting.
_COUNTS = (
    f"SUM(status = {Status.DELIVERED:d}), SUM(status = {Status.SENT:d}), "
    f"SUM({_FAILED} OR outbox = '{REJECTED}'), SUM(outbox = '{UNKNOWN}'), SUM({WAITING})"
)


class SlotCountRow(NamedTuple):
    """Outgoing messages of one device and slot written in a window, by how they stand."""

    device_id: int | None
    slot: int | None
    delivered: int
    sent: int
    failed: int
    unknown: int
    queued: int


class QueueRow(NamedTuple):
    """The messages still waiting to leave (scheduled ones only once due)."""

    size: int
    oldest_since: float | None  # when the oldest began to wait: written, or its scheduled time
    oldest_lid: int | None


class HealthRows(StoreBase):
    """On-call reads (see the module docstring); outgoing messages only, cancelled ones left out."""

    def delivery_counts(self, since: float, until: float) -> list[SlotCountRow]:
        """Per (device, slot): outgoing messages written in ``[since, until]``, by how they stand."""
        rows = self._query(
            f"SELECT device_id, slot, {_COUNTS} FROM messages "
            "WHERE created >= ? AND created <= ? AND incoming = 0 GROUP BY device_id, slot "
            "ORDER BY device_id, slot",
            (since, until),
        )
        return [
            SlotCountRow(
                None if r[0] is None else int(r[0]),
                None if r[1] is None else int(r[1]),
                *(int(v or 0) for v in r[2:7]),
            )
            for r in rows
        ]

    def delivery_timeline(self, since: float, until: float, buckets: int) -> list[tuple[int, int]]:
        """``buckets`` equal slices of ``[since, until]``, oldest first: (messages written, of
        them failed) in each (``until`` itself in the last). Refused and unclear sends count as
        written, not as failed."""
        count = max(1, buckets)
        width = max(1e-9, (until - since) / count)
        rows = self._query(
            f"SELECT CAST((created - ?) / ? AS INTEGER) AS b, COUNT(*), SUM({_FAILED}) FROM messages "
            "WHERE created >= ? AND created <= ? AND incoming = 0 GROUP BY b",
            (since, width, since, until),
        )
        sends = [0] * count
        failures = [0] * count
        for bucket, total, failed in rows:
            index = min(count - 1, max(0, int(bucket)))
            sends[index] += int(total)
            failures[index] += int(failed or 0)
        return list(zip(sends, failures, strict=True))

    def queue_state(self, now: float) -> QueueRow:
        """How many messages wait to leave, and the oldest of them (not yet due: not waiting)."""
        waiting = f"incoming = 0 AND {WAITING} AND (scheduled_at IS NULL OR scheduled_at <= ?)"
        since = "MAX(created, COALESCE(scheduled_at, created))"
        size = int(self._query(f"SELECT COUNT(*) FROM messages WHERE {waiting}", (now,))[0][0])
        if not size:
            return QueueRow(0, None, None)
        oldest = self._query(f"SELECT {since}, lid FROM messages WHERE {waiting} ORDER BY 1, lid LIMIT 1", (now,))
        return QueueRow(size, float(oldest[0][0]), int(oldest[0][1])) if oldest else QueueRow(size, None, None)

    def failures_changed(self, changed_since: float, written_since: float, *, limit: int = 1000) -> list[StoredMessage]:
        """Outgoing messages with a failure status that changed since ``changed_since`` and were
        written since ``written_since``, newest first; failures marked handled are left out.

        The written-since bound keeps a first sync's years of old failures out of the alerts and
        lets the ``created`` index bound the search.
        """
        rows = self._query(
            f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE created >= ? AND +{_FAILED} AND incoming = 0 "
            "AND updated >= ? AND handled_at IS NULL ORDER BY created DESC, lid DESC LIMIT ?",
            (written_since, changed_since, limit),
        )
        return rows_to_messages(rows)

    def max_lid(self) -> int:
        """The newest local id (0 for an empty store): rows above it were added since."""
        return int(self._query("SELECT COALESCE(MAX(lid), 0) FROM messages")[0][0])

    def messages_changed(self, phone_keys: Iterable[str], since: float, *, limit: int = 1000) -> list[StoredMessage]:
        """Messages of these conversations added or changed since ``since`` (the store's clock),
        in the order they were written: what ``smstui watch`` prints after a sync pass."""
        found: list[StoredMessage] = []
        for part in chunks(sorted(set(phone_keys))):
            marks = ",".join("?" * len(part))
            found.extend(
                rows_to_messages(
                    self._query(
                        f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE phone_key IN ({marks}) AND updated >= ? "
                        "ORDER BY updated, lid LIMIT ?",
                        (*part, since, limit),
                    )
                )
            )
        found.sort(key=lambda m: (m.created, m.lid))
        return found[:limit]


__all__ = ["WAITING", "HealthRows", "QueueRow", "SlotCountRow"]
