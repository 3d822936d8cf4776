"""The store's failure triage: a mixin of :class:`smstui.core.store.database.Store`.

The triage list holds every outgoing message that failed (a failure status), was refused by the
gateway, or whose send is unclear ("unknown — check"). From it a message is sent again as a new
message that names the failed one (``retry_of``, see schema.MIGRATIONS), or marked handled (``handled_at``):
kept, hidden from the list, undone by clearing the mark. Neither touches ``updated`` nor the
conversation summaries: a failure stays a failure in the conversation, and the watchers of
changes (``smstui watch``, the alerts) do not see it again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from smstui.core.models import FAILED_STATUSES, STUCK_STATUSES
from smstui.core.store.connection import StoreBase, chunks, rows_to_messages
from smstui.core.store.schema import MESSAGE_COLUMNS, REJECTED, UNKNOWN, from_ts, sql_codes

if TYPE_CHECKING:
    from datetime import datetime

    from smstui.core.store.records import StoredMessage

# "+" keeps SQLite on the created index (newest first, stopping at the limit) instead of
# collecting every failure of the history by the status and outbox indexes and sorting them.
# A stuck message (the gateway has it, New or Taken, long after its time) joins the list when the
# caller names the time before which a wait counts as stuck (the ``?``; -inf: none is stuck).
_NEEDS_TRIAGE = (
    f"(+status IN ({sql_codes(FAILED_STATUSES)}) OR +outbox IN ('{REJECTED}', '{UNKNOWN}') "
    f"OR (+status IN ({sql_codes(STUCK_STATUSES)}) AND sms_id IS NOT NULL AND COALESCE(scheduled_at, created) < ?))"
)


class TriageRow(NamedTuple):
    """One message of the triage list, with what triage knows of it."""

    message: StoredMessage
    handled_at: datetime | None
    retry_of: int | None  # the lid of the failed message this one sends again
    retried_as: int | None  # the lid of the newest message sending this one again


class TriageRows(StoreBase):
    """Triage reads and marks (see the module docstring)."""

    def triage_rows(
        self,
        *,
        since: float | None = None,
        device_id: int | None = None,
        slot: int | None = None,
        statuses: Sequence[int] | None = None,
        outbox: Sequence[str] | None = None,
        handled: bool = False,
        limit: int = 500,
        stuck_before: float | None = None,
    ) -> list[TriageRow]:
        """Failed, refused and unclear outgoing messages, newest first.

        ``statuses`` / ``outbox``: only those with one of these statuses or outbox states (a
        reason); ``handled``: the handled ones too (else they are hidden); ``stuck_before``
        (epoch seconds): also messages the gateway holds as New or Taken since before then.
        """
        where = ["created >= ?", _NEEDS_TRIAGE, "incoming = 0"]
        params: list[Any] = [since if since is not None else float("-inf"), _stuck(stuck_before)]
        if device_id is not None:
            where.append("device_id = ?")
            params.append(device_id)
        if slot is not None:
            where.append("slot = ?")
            params.append(slot)
        if statuses is not None or outbox is not None:
            terms = []
            if statuses:
                terms.append(f"+status IN ({', '.join('?' * len(statuses))})")
                params.extend(int(s) for s in statuses)
            if outbox:
                terms.append(f"+outbox IN ({', '.join('?' * len(outbox))})")
                params.extend(outbox)
            where.append("(" + (" OR ".join(terms) or "0") + ")")
        if not handled:
            where.append("handled_at IS NULL")
        params.append(limit)
        rows = self._query(
            f"SELECT {MESSAGE_COLUMNS}, handled_at, retry_of, "
            "(SELECT r.lid FROM messages r WHERE r.retry_of = messages.lid ORDER BY r.lid DESC LIMIT 1) "
            f"FROM messages WHERE {' AND '.join(where)} ORDER BY created DESC, lid DESC LIMIT ?",
            params,
        )
        messages = rows_to_messages(r[:-3] for r in rows)
        return [TriageRow(message, from_ts(r[-3]), r[-2], r[-1]) for message, r in zip(messages, rows, strict=True)]

    def triage_facets(
        self, *, since: float | None = None, handled: bool = False, stuck_before: float | None = None
    ) -> list[tuple[Any, ...]]:
        """(device_id, slot, status, outbox, count) of the list without its device, slot and
        reason filters: what those filters can be set to, and how many each would show."""
        return [
            tuple(r)
            for r in self._query(
                f"SELECT device_id, slot, status, outbox, COUNT(*) FROM messages WHERE created >= ? "
                f"AND {_NEEDS_TRIAGE} AND incoming = 0{'' if handled else ' AND handled_at IS NULL'} "
                "GROUP BY device_id, slot, status, outbox",
                (since if since is not None else float("-inf"), _stuck(stuck_before)),
            )
        ]

    def triage_count(self, stuck_before: float | None = None) -> int:
        """How many messages the triage list holds (handled ones left out)."""
        return int(
            self._query(
                f"SELECT COUNT(*) FROM messages WHERE created >= ? AND {_NEEDS_TRIAGE} AND incoming = 0 "
                "AND handled_at IS NULL",
                (float("-inf"), _stuck(stuck_before)),
            )[0][0]
        )

    def mark_handled(self, lids: Iterable[int], *, handled: bool = True) -> list[int]:
        """Mark failures handled (or, with ``handled=False``, not any more); returns the lids
        that changed. The messages stay as they are; only the triage list hides them."""
        wanted = sorted(set(lids))
        changed: list[int] = []
        now = self.now()
        with self.transaction() as db:
            for part in chunks(wanted):
                marks = ",".join("?" * len(part))
                condition = "handled_at IS NULL" if handled else "handled_at IS NOT NULL"
                changed.extend(
                    int(r[0])
                    for r in db.execute(f"SELECT lid FROM messages WHERE lid IN ({marks}) AND {condition}", part)
                )
                db.execute(
                    f"UPDATE messages SET handled_at = ? WHERE lid IN ({marks}) AND {condition}",
                    (now if handled else None, *part),
                )
        return sorted(changed)

    def link_retry(self, original: int, retries: Iterable[int]) -> None:
        """``retries`` send the failed message ``original`` again: link them to it and mark it
        handled, in one transaction (the new rows were written by the outbox just before; a
        crash in between leaves a plain new message and the failure still listed)."""
        new = sorted(set(retries))
        with self.transaction() as db:
            for part in chunks(new):
                marks = ",".join("?" * len(part))
                db.execute(f"UPDATE messages SET retry_of = ? WHERE lid IN ({marks})", (original, *part))
            db.execute(
                "UPDATE messages SET handled_at = COALESCE(handled_at, ?) WHERE lid = ?",
                (self.now(), original),
            )

    def retry_links(self, lid: int) -> tuple[StoredMessage | None, list[StoredMessage]]:
        """The failed message ``lid`` sends again (or None), and the messages sending it again."""
        rows = self._query("SELECT retry_of FROM messages WHERE lid = ?", (lid,))
        original: StoredMessage | None = None
        if rows and rows[0][0] is not None:
            found = rows_to_messages(
                self._query(f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE lid = ?", (rows[0][0],))
            )
            original = found[0] if found else None
        retries = rows_to_messages(
            self._query(f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE retry_of = ? ORDER BY lid", (lid,))
        )
        return original, retries

    def messages_by_lids(self, lids: Iterable[int]) -> dict[int, StoredMessage]:
        """The rows of these local ids (those that exist)."""
        found: dict[int, StoredMessage] = {}
        for part in chunks(sorted(set(lids))):
            marks = ",".join("?" * len(part))
            for message in rows_to_messages(
                self._query(f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE lid IN ({marks})", part)
            ):
                found[message.lid] = message
        return found


__all__ = ["TriageRow", "TriageRows"]


def _stuck(before: float | None) -> float:
    return float("-inf") if before is None else before
