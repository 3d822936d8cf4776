"""The store's drafts and templates."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from smstui.core.store.connection import StoreBase

if TYPE_CHECKING:
    pass


class DraftRows(StoreBase):
    # ------------------------------------------------------------------ drafts and templates

    def save_draft(self, key: str, data: dict[str, Any]) -> None:
        with self._lock:
            if not any(v for v in data.values()):
                self._db.execute("DELETE FROM drafts WHERE key = ?", (key,))
                return
            self._db.execute(
                "INSERT INTO drafts (key, data, updated) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET "
                "data = excluded.data, updated = excluded.updated",
                (key, json.dumps(data, ensure_ascii=False), self.now()),
            )

    def draft(self, key: str) -> dict[str, Any] | None:
        rows = self._query("SELECT data FROM drafts WHERE key = ?", (key,))
        return json.loads(rows[0][0]) if rows else None

    def delete_draft(self, key: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM drafts WHERE key = ?", (key,))

    def save_template(self, name: str, body: str) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO templates (name, body, updated) VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE SET "
                "body = excluded.body, updated = excluded.updated",
                (name, body, self.now()),
            )

    def templates(self) -> list[tuple[str, str]]:
        return [(r[0], r[1]) for r in self._query("SELECT name, body FROM templates ORDER BY name COLLATE NOCASE")]

    def delete_template(self, name: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM templates WHERE name = ?", (name,))
