"""The suppression list: numbers that replied STOP (or were added by hand), per profile.

A mixin of :class:`smstui.core.store.database.Store` (schema v11). A row is kept when the
opt-out is lifted (``active = 0``), with the time of the last change: a reply only changes a row
when it is newer than that change, so re-listing the sync's overlap window never brings back an
opt-out the user lifted by hand, and an old STOP read on a first sync never undoes a newer START.
"""

import sqlite3
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import NamedTuple

from smstui.core.store.connection import StoreBase, chunks
from smstui.core.store.schema import from_ts

MANUAL = "manual"
REPLY = "reply"


class Optout(NamedTuple):
    phone: str
    phone_key: str
    at: datetime  # when the reply came, or when it was added by hand
    reply: str  # the text that opted out ("" when added by hand)
    source: str  # REPLY or MANUAL


class OptoutReply(NamedTuple):
    """An incoming message that says stop (``active``) or start (not ``active``)."""

    phone: str
    active: bool
    at: float  # epoch seconds the message was received
    text: str
    sms_id: int | None


_COLUMNS = "phone, phone_key, changed_at, reply, source"


def _row(row: Sequence[object]) -> Optout:
    phone, key, at, reply, source = row
    return Optout(str(phone), str(key), from_ts(float(at)), str(reply), str(source))  # type: ignore[arg-type]


class OptoutRows(StoreBase):
    def apply_optout_replies(self, db: sqlite3.Connection, replies: Iterable[OptoutReply]) -> int:
        """Record stop/start replies in the caller's transaction (see the module docstring);
        returns how many numbers changed."""
        changed = 0
        for reply in sorted(replies, key=lambda r: r.at):
            cur = db.execute(
                "INSERT INTO optouts (phone_key, phone, active, changed_at, reply, source, sms_id) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(phone_key) DO UPDATE SET "
                "phone = excluded.phone, active = excluded.active, changed_at = excluded.changed_at, "
                "reply = excluded.reply, source = excluded.source, sms_id = excluded.sms_id "
                "WHERE excluded.changed_at > optouts.changed_at "
                "AND (excluded.active != optouts.active OR excluded.sms_id IS NOT optouts.sms_id)",
                (
                    self.phone_key(reply.phone),
                    reply.phone,
                    int(reply.active),
                    reply.at,
                    reply.text,
                    REPLY,
                    reply.sms_id,
                ),
            )
            changed += cur.rowcount
        return changed

    def set_optout(self, phone: str, active: bool, *, reply: str = "") -> bool:
        """Add a number to the list or lift its opt-out by hand; False when nothing changed."""
        key = self.phone_key(phone)
        with self.transaction() as db:
            row = db.execute("SELECT active FROM optouts WHERE phone_key = ?", (key,)).fetchone()
            if (row is None and not active) or (row is not None and bool(row[0]) == active):
                return False
            db.execute(
                "INSERT INTO optouts (phone_key, phone, active, changed_at, reply, source, sms_id) "
                "VALUES (?, ?, ?, ?, ?, ?, NULL) ON CONFLICT(phone_key) DO UPDATE SET phone = excluded.phone, "
                "active = excluded.active, changed_at = excluded.changed_at, reply = excluded.reply, "
                "source = excluded.source, sms_id = NULL",
                (key, phone, int(active), self.now(), reply, MANUAL),
            )
        return True

    def optout(self, phone_key: str) -> Optout | None:
        """The opt-out in force for a conversation's number, or None."""
        rows = self._query(f"SELECT {_COLUMNS} FROM optouts WHERE phone_key = ? AND active = 1", (phone_key,))
        return _row(rows[0]) if rows else None

    def optouts(self) -> list[Optout]:
        """Every number opted out, newest first."""
        return [
            _row(r) for r in self._query(f"SELECT {_COLUMNS} FROM optouts WHERE active = 1 ORDER BY changed_at DESC")
        ]

    def optouts_among(self, phones: Iterable[str]) -> dict[str, Optout]:
        """The opt-outs of ``phones`` (any form), by the number as given."""
        by_key: dict[str, list[str]] = {}
        for phone in phones:
            by_key.setdefault(self.phone_key(phone), []).append(phone)
        found: dict[str, Optout] = {}
        for part in chunks(list(by_key)):
            marks = ",".join("?" * len(part))
            for row in self._query(f"SELECT {_COLUMNS} FROM optouts WHERE active = 1 AND phone_key IN ({marks})", part):
                optout = _row(row)
                for phone in by_key[optout.phone_key]:
                    found[phone] = optout
        return found


__all__ = ["MANUAL", "REPLY", "Optout", "OptoutReply", "OptoutRows"]
