"""What the webhook receiver saw: when the last accepted webhook came and how many were taken or
turned away. A mixin of :class:`smstui.core.store.database.Store`.

Kept in the ``meta`` table (no migration): the receiver (``smstui webhook serve``, another
process, or the app's own) writes it, and the app reads it to say "push" or "poll" and when the
gateway last pushed. The counters are incremented in SQL, inside one transaction, so two
receivers on one store never lose a count.
"""

from __future__ import annotations

import sqlite3
from typing import Literal

from smstui.core.store.connection import StoreBase

WebhookKind = Literal["status", "incoming", "rejected"]
KINDS: tuple[str, ...] = ("status", "incoming", "rejected")

META_LAST_AT = "webhook.last_at"
META_LAST_KIND = "webhook.last_kind"
META_ACCEPTED = "webhook.accepted"
META_REJECTED = "webhook.rejected"
META_CHANGES = "webhook.changes"  # bumped with every message row a webhook (or its check) changed

_BUMP = (
    "INSERT INTO meta (key, value) VALUES (?, '1') ON CONFLICT(key) DO UPDATE SET "
    # A value that is not a whole number (a damaged row) starts again from 1, not an error.
    "value = CASE WHEN CAST(value AS INTEGER) > 0 THEN CAST(value AS INTEGER) + 1 ELSE 1 END"
)
_SET = "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value"


class WebhookRows(StoreBase):
    def note_webhook(self, kind: str, at: float) -> None:
        """Count one webhook of ``kind`` ("status", "incoming" or "rejected") that came at ``at``
        (epoch seconds). An accepted one also becomes the last seen; a rejected one only counts
        (whoever posts garbage must not make the app believe the gateway is pushing)."""
        if kind not in KINDS:
            raise ValueError(f"unknown webhook kind {kind!r}")
        with self.transaction() as db:
            if kind == "rejected":
                db.execute(_BUMP, (META_REJECTED,))
                return
            db.execute(_BUMP, (META_ACCEPTED,))
            # Never backwards: two receivers, or a clock step, must not make the last one older.
            row = db.execute("SELECT value FROM meta WHERE key = ?", (META_LAST_AT,)).fetchone()
            if row is None or _seconds(row[0]) <= at:
                db.execute(_SET, (META_LAST_AT, repr(float(at))))
                db.execute(_SET, (META_LAST_KIND, kind))

    def last_webhook(self) -> tuple[float, str] | None:
        """(epoch seconds, kind) of the last accepted webhook, or None when none came yet."""
        at, kind = self.get_meta(META_LAST_AT), self.get_meta(META_LAST_KIND)
        if at is None or kind not in ("status", "incoming"):
            return None
        try:
            return float(at), kind
        except ValueError:
            return None

    def webhook_counts(self) -> tuple[int, int]:
        """(accepted, rejected) webhooks so far."""
        return _count(self.get_meta(META_ACCEPTED)), _count(self.get_meta(META_REJECTED))

    def webhook_changes(self) -> int:
        """How many times a webhook, or the check of one, changed messages in this store: one
        cheap read for another process (the app beside ``smstui webhook serve``) to see that it
        should repaint, also for changes that came after the webhook's answer (a confirmed
        status, a forged reply removed)."""
        return _count(self.get_meta(META_CHANGES))

    def note_webhook_change(self, db: sqlite3.Connection) -> None:
        """Count one change, in the caller's transaction (the one that made it)."""
        db.execute(_BUMP, (META_CHANGES,))

    # ------------------------------------------------------------------ what a webhook may change

    def outgoing_status(self, sms_id: int) -> tuple[bool, int | None, int | None] | None:
        """(found as outgoing, its status, its device) of the message ``sms_id``; None when the
        store has no such message. An incoming one answers (False, 5, device)."""
        rows = self._query("SELECT incoming, status, device_id FROM messages WHERE sms_id = ?", (sms_id,))
        if not rows:
            return None
        incoming, status, device = rows[0]
        return (not incoming, status, device)

    def swap_status(self, sms_id: int, expected: int | None, status: int, title: str | None) -> str | None:
        """Set the status of the outgoing message ``sms_id`` to ``status`` only while it still
        is ``expected`` (compare and set, in one transaction): a sync or another receiver that
        wrote in between wins, and the caller judges again. Returns the conversation's key when
        it changed. Like :meth:`MessageRows.update_status` (the sync's path for status answers),
        it touches the status and the conversation's summary, never the outbox or the text."""
        with self.transaction() as db:
            row = db.execute(
                "SELECT lid, status, phone_key FROM messages WHERE sms_id = ? AND incoming = 0", (sms_id,)
            ).fetchone()
            if row is None or row[1] != expected or row[1] == status:
                return None
            db.execute(
                "UPDATE messages SET status = ?, status_title = ?, updated = ? WHERE lid = ?",
                (status, title, self.now(), row[0]),
            )
            self._refresh_threads(db, {row[2]})
            self.note_webhook_change(db)
            return str(row[2])

    def drop_unconfirmed_incoming(self, lid: int, sms_id: int) -> str | None:
        """Remove the incoming message ``lid`` a webhook added, when the gateway does not know it
        as incoming (a forged webhook): only while it is still that webhook's row (same id, not
        the outbox's). Returns the conversation's key when it went."""
        with self.transaction() as db:
            row = db.execute(
                "SELECT phone_key FROM messages WHERE lid = ? AND sms_id = ? AND incoming = 1 AND outbox IS NULL",
                (lid, sms_id),
            ).fetchone()
            if row is None:
                return None
            db.execute("DELETE FROM messages WHERE lid = ?", (lid,))
            self._refresh_threads(db, {row[0]})
            self.note_webhook_change(db)
            return str(row[0])


def _count(text: str | None) -> int:
    try:
        return max(0, int(text or 0))
    except ValueError:
        return 0


def _seconds(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return float("-inf")  # a damaged value is older than anything
