"""What the webhook receiver saw: when the last accepted webhook came and how many were taken or
turned away. A mixin of :class:`smstui.core.store.database.Store`.

Kept in the ``meta`` table (no migration): the receiver (``smstui webhook serve``, another
process, or the app's own) writes it, and the app reads it to say "push" or "poll" and when the
gateway last pushed. The counters are incremented in SQL, inside one transaction, so two
receivers on one store never lose a count.
"""

from __future__ import annotations

from typing import Literal

from smstui.core.store.connection import StoreBase

WebhookKind = Literal["status", "incoming", "rejected"]
KINDS: tuple[str, ...] = ("status", "incoming", "rejected")

META_LAST_AT = "webhook.last_at"
META_LAST_KIND = "webhook.last_kind"
META_ACCEPTED = "webhook.accepted"
META_REJECTED = "webhook.rejected"

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
