"""Re-keying the store for another default region: a mixin of :class:`smstui.core.store.database.Store`.

A conversation's key is its number normalised with the profile's region
(:func:`smstui.core.phone.normalize_loose`): without a region ``015752982212`` stays as typed, with
``DE`` it is ``+4915752982212``. When the region in effect changes (set in the config, learnt
from the phones' SIMs, chosen by the user), every key made with the old one is recomputed, so
the national and the international form of a number become one conversation.

Everything keyed by a number moves together, in one transaction: messages (unread marks and
outbox rows are columns of theirs, so they come along), contacts, the drafts of conversations
(``thread:<key>``), the conversation summaries, and the meta record of the region the keys were
made with. A killed process leaves the old keys or the new ones, never a mix.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import Any

from smstui.core.store.connection import StoreBase

#: Meta key: the region the stored phone keys were computed with ("" for none).
META_KEYS_REGION = "region.keys"
DRAFT_PREFIX = "thread:"  # drafts of a conversation (smstui.tui.screens.conversations)


class RegionStore(StoreBase):
    """Re-keying by region."""

    def rekey_phones(self, region: str | None, *, meta: dict[str, str] | None = None) -> dict[str, str]:
        """Make ``region`` the store's region and recompute every phone key with it.

        ``meta`` is written in the same transaction (what the region was learnt from). Returns
        ``{old key: new key}`` for conversations that moved as a whole (their messages all went
        to one key, possibly joining another conversation): the UI follows an open one.
        """
        from smstui.core.phone import (
            normalize_loose,  # phonenumbers is slow to import: only when needed
        )

        with self.transaction() as db:
            # Under the store's lock: no write sees the new region with old keys or the reverse.
            self.region = region
            touched: set[str] = set()
            # old key -> (newest created, new key) of the rows that moved from it
            moved: dict[str, tuple[float, str]] = {}
            rows = db.execute(
                "SELECT phone, phone_key, MAX(created) FROM messages GROUP BY phone, phone_key"
            ).fetchall()
            for phone, key, newest in rows:
                new = normalize_loose(phone, region)
                if new == key:
                    continue
                db.execute("UPDATE messages SET phone_key = ? WHERE phone_key = ? AND phone = ?", (new, key, phone))
                touched.update((key, new))
                if key not in moved or newest > moved[key][0]:
                    moved[key] = (newest, new)
            renamed = {
                old: new
                for old, (_, new) in moved.items()
                if db.execute("SELECT 1 FROM messages WHERE phone_key = ? LIMIT 1", (old,)).fetchone() is None
            }
            self._rekey_contacts(db, region, normalize_loose)
            _move_drafts(db, renamed)
            if touched:
                self._refresh_threads(db, touched)
            for key, value in {**(meta or {}), META_KEYS_REGION: region or ""}.items():
                db.execute(
                    "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    (key, value),
                )
        return renamed

    @staticmethod
    def _rekey_contacts(db: sqlite3.Connection, region: str | None, normalize: Any) -> None:
        """Contacts follow their numbers; two contacts of one tag that turn out to be one
        number become one row (the name and gateway id of either kept)."""
        rows = db.execute("SELECT id, tag_id, phone, phone_key, name, gateway_id FROM contacts ORDER BY id").fetchall()
        for contact_id, tag_id, phone, key, name, gateway_id in rows:
            new = normalize(phone, region)
            if new == key:
                continue
            other = db.execute(
                "SELECT id FROM contacts WHERE tag_id = ? AND phone_key = ? AND id != ?", (tag_id, new, contact_id)
            ).fetchone()
            if other is None:
                db.execute("UPDATE contacts SET phone_key = ? WHERE id = ?", (new, contact_id))
                continue
            db.execute(
                "UPDATE contacts SET name = CASE WHEN name = '' THEN ? ELSE name END, "
                "gateway_id = COALESCE(gateway_id, ?) WHERE id = ?",
                (name, gateway_id, other[0]),
            )
            db.execute("DELETE FROM contacts WHERE id = ?", (contact_id,))


def _move_drafts(db: sqlite3.Connection, renamed: dict[str, str]) -> None:
    """A conversation's draft goes with it; two drafts of conversations that merge are joined
    (the newer one's options, both texts), so nothing typed is lost."""
    for old, new in renamed.items():
        row = db.execute("SELECT data, updated FROM drafts WHERE key = ?", (DRAFT_PREFIX + old,)).fetchone()
        if row is None:
            continue
        db.execute("DELETE FROM drafts WHERE key = ?", (DRAFT_PREFIX + old,))
        there = db.execute("SELECT data, updated FROM drafts WHERE key = ?", (DRAFT_PREFIX + new,)).fetchone()
        data, updated = row
        if there is not None:
            data, updated = _join_drafts(row, there)
        db.execute(
            "INSERT INTO drafts (key, data, updated) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET "
            "data = excluded.data, updated = excluded.updated",
            (DRAFT_PREFIX + new, data, updated),
        )


def _join_drafts(a: Sequence[Any], b: Sequence[Any]) -> tuple[str, float]:
    newer, older = (a, b) if a[1] >= b[1] else (b, a)
    try:
        new_data, old_data = json.loads(newer[0]), json.loads(older[0])
    except ValueError:
        return newer[0], newer[1]
    first, second = str(new_data.get("body") or ""), str(old_data.get("body") or "")
    if second and second != first:
        new_data["body"] = f"{first}\n\n{second}" if first else second
    return json.dumps(new_data, ensure_ascii=False), newer[1]


__all__ = ["META_KEYS_REGION", "RegionStore"]
