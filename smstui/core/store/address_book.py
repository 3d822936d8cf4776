"""The store's tags, contacts and newsletters: a mixin of :class:`smstui.core.store.database.Store`.

Two ids per tag and contact: the local one (``tags.id``, ``contacts.id``), which contacts point
at and which never leaves smstui, and the gateway's (``gateway_id``), the one the vendor's
dashboard shows and the one users type and see. A tag made on the dashboard is recorded by its
gateway id alone, with an empty title until the user names it (the API cannot list tags, so
smstui cannot learn its title). A tag created here whose savetag answer never came has no gateway
id yet ("pending"). Newsletters keep the gateway's tag ids: exactly what savepaket was given.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from smstui.core.store.connection import StoreBase
from smstui.core.store.schema import from_ts

if TYPE_CHECKING:
    from smstui.core.store.records import Contact, Newsletter, Tag


_CONTACT_COLUMNS = "c.id, c.gateway_id, c.tag_id, c.phone, c.phone_key, c.name, c.created, t.gateway_id"
_CONTACTS_FROM = "FROM contacts c JOIN tags t ON t.id = c.tag_id"


class TagStore(StoreBase):
    """Tags, contacts and newsletters; needs the connection plumbing of :class:`Store`."""

    # ------------------------------------------------------------------ tags

    def add_tag(self, title: str, gateway_id: int | None) -> int:
        """A new tag row; returns its local id."""
        with self.transaction() as db:
            cur = db.execute(
                "INSERT INTO tags (gateway_id, title, created) VALUES (?, ?, ?)", (gateway_id, title, self.now())
            )
            return cur.lastrowid  # type: ignore[return-value]

    def record_gateway_tag(self, gateway_id: int) -> Tag:
        """The tag with this gateway id, recorded without a title if the store has never seen it."""
        with self.transaction() as db:
            db.execute(
                "INSERT INTO tags (gateway_id, title, created) VALUES (?, '', ?) ON CONFLICT(gateway_id) DO NOTHING",
                (gateway_id, self.now()),
            )
        tag = self.tag_by_gateway_id(gateway_id)
        assert tag is not None
        return tag

    def forget_untitled_tag(self, gateway_id: int) -> None:
        """Drop the tag of this gateway id if it is still only an id: no title and no contacts."""
        with self._lock:
            self._db.execute(
                "DELETE FROM tags WHERE gateway_id = ? AND title = '' "
                "AND NOT EXISTS (SELECT 1 FROM contacts WHERE tag_id = tags.id)",
                (gateway_id,),
            )

    def set_tag_gateway_id(self, tag_id: int, gateway_id: int) -> None:
        with self._lock:
            self._db.execute("UPDATE tags SET gateway_id = ? WHERE id = ?", (gateway_id, tag_id))

    def set_tag_title(self, tag_id: int, title: str) -> None:
        """The tag's title as smstui shows it (the gateway has no call to rename a tag)."""
        with self._lock:
            self._db.execute("UPDATE tags SET title = ? WHERE id = ?", (title, tag_id))

    def tags(self, search: str = "") -> list[Tag]:
        if not search.strip():
            return self._tags("", [])
        text = search.strip().lstrip("#")
        like = f"%{like_escape(search.strip())}%"
        return self._tags(
            "WHERE t.title LIKE ? ESCAPE '\\' OR CAST(t.gateway_id AS TEXT) = ? OR t.id IN "
            "(SELECT tag_id FROM contacts WHERE name LIKE ? ESCAPE '\\' OR phone_key LIKE ?)",
            [like, text, like, like],
        )

    def tag(self, tag_id: int) -> Tag | None:
        """The tag with this *local* id."""
        return next(iter(self._tags("WHERE t.id = ?", [tag_id])), None)

    def tag_by_gateway_id(self, gateway_id: int) -> Tag | None:
        return next(iter(self._tags("WHERE t.gateway_id = ?", [gateway_id])), None)

    def _tags(self, where: str, params: list[Any]) -> list[Tag]:
        # Untitled tags (recorded from a gateway id) sort last: they are the ones to name.
        rows = self._query(
            "SELECT t.id, t.gateway_id, t.title, t.created, (SELECT COUNT(*) FROM contacts c WHERE c.tag_id = t.id) "
            f"FROM tags t {where} ORDER BY t.title = '', t.title COLLATE NOCASE, t.gateway_id, t.id",
            params,
        )
        make = _records().Tag
        return [make(r[0], r[1], r[2], from_ts(r[3]), r[4]) for r in rows]

    # ------------------------------------------------------------------ contacts

    def add_contact(self, tag_id: int, phone: str, name: str, gateway_id: int | None) -> int:
        """Add or update the contact ``phone`` of the tag with *local* id ``tag_id``."""
        key = self.phone_key(phone)
        with self.transaction() as db:
            cur = db.execute(
                "INSERT INTO contacts (gateway_id, tag_id, phone, phone_key, name, created) VALUES (?,?,?,?,?,?) "
                "ON CONFLICT(tag_id, phone_key) DO UPDATE SET name = CASE WHEN excluded.name != '' THEN excluded.name ELSE name END, "
                "gateway_id = COALESCE(excluded.gateway_id, gateway_id) RETURNING id",
                (gateway_id, tag_id, phone, key, name, self.now()),
            )
            return int(cur.fetchone()[0])

    def contact(self, tag_id: int, phone: str) -> Contact | None:
        rows = self._query(
            f"SELECT {_CONTACT_COLUMNS} {_CONTACTS_FROM} WHERE c.tag_id = ? AND c.phone_key = ?",
            (tag_id, self.phone_key(phone)),
        )
        return _records().row_to_contact(rows[0]) if rows else None

    def contacts(self, tag_id: int | None = None, search: str = "") -> list[Contact]:
        where: list[str] = []
        params: list[Any] = []
        if tag_id is not None:
            where.append("c.tag_id = ?")
            params.append(tag_id)
        if search.strip():
            like = f"%{like_escape(search.strip())}%"
            where.append("(c.name LIKE ? ESCAPE '\\' OR c.phone LIKE ? ESCAPE '\\' OR c.phone_key LIKE ?)")
            params.extend([like, like, like])
        rows = self._query(
            f"SELECT {_CONTACT_COLUMNS} {_CONTACTS_FROM}"
            + (" WHERE " + " AND ".join(where) if where else "")
            + " ORDER BY c.name COLLATE NOCASE, c.phone",
            params,
        )
        make = _records().row_to_contact
        return [make(r) for r in rows]

    def contact_name(self, phone_key: str) -> str | None:
        rows = self._query(
            "SELECT name FROM contacts WHERE phone_key = ? AND name != '' ORDER BY id DESC LIMIT 1", (phone_key,)
        )
        return rows[0][0] if rows else None

    def recipients_of_tags(self, tag_ids: Sequence[int]) -> list[Contact]:
        """Distinct contacts (by number) of the tags with these *local* ids: who a newsletter reaches."""
        if not tag_ids:
            return []
        placeholders = ",".join("?" * len(tag_ids))
        rows = self._query(
            f"SELECT {_CONTACT_COLUMNS} {_CONTACTS_FROM} "
            f"WHERE c.tag_id IN ({placeholders}) GROUP BY c.phone_key ORDER BY c.name COLLATE NOCASE",
            list(tag_ids),
        )
        make = _records().row_to_contact
        return [make(r) for r in rows]

    # ------------------------------------------------------------------ newsletters

    def add_newsletter(
        self,
        *,
        gateway_id: int | None,
        title: str,
        device_id: int,
        slot: int,
        body: str,
        tag_ids: Sequence[int],
        send_at: datetime | None,
    ) -> int:
        """Record a newsletter; ``tag_ids`` are the *gateway's* tag ids (what savepaket was given)."""
        with self.transaction() as db:
            cur = db.execute(
                "INSERT INTO newsletters (gateway_id, title, device_id, slot, body, tags, send_at, created) "
                "VALUES (?,?,?,?,?,?,?,?)",
                (
                    gateway_id,
                    title,
                    device_id,
                    slot,
                    body,
                    ",".join(map(str, tag_ids)),
                    None if send_at is None else send_at.timestamp(),
                    self.now(),
                ),
            )
            return cur.lastrowid  # type: ignore[return-value]

    def set_newsletter_gateway_id(self, newsletter_id: int, gateway_id: int) -> None:
        """Confirm a newsletter whose answer was lost, once its gateway id is known."""
        with self._lock:
            self._db.execute("UPDATE newsletters SET gateway_id = ? WHERE id = ?", (gateway_id, newsletter_id))

    def newsletters(self) -> list[Newsletter]:
        rows = self._query(
            "SELECT id, gateway_id, title, device_id, slot, body, tags, send_at, created FROM newsletters ORDER BY created DESC"
        )
        make = _records().Newsletter
        return [
            make(
                r[0],
                r[1],
                r[2],
                r[3],
                r[4],
                r[5],
                tuple(int(t) for t in r[6].split(",") if t),
                from_ts(r[7]),
                from_ts(r[8]),
            )
            for r in rows
        ]

    def newsletter_progress(self, paket_id: int) -> dict[int, int]:
        """Message counts by status for one newsletter (from the message list's paket fields)."""
        return {
            r[0]: r[1]
            for r in self._query(
                "SELECT status, COUNT(*) FROM messages WHERE paket_id = ? GROUP BY status", (paket_id,)
            )
        }


def like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _records() -> Any:
    from smstui.core.store import (
        records as store_records,  # not needed for the first frame
    )

    return store_records
