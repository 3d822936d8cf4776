"""``smstui doctor``: check a profile's store and, when asked, replace a damaged one.

Everything in the store but what the user wrote is a copy of the gateway, so a repair keeps the
damaged file as a backup next to it, starts a fresh store and lets the next sync bring the
history back. What only the store holds is salvaged first, as far as it can still be read: the
messages never sent (re-queued), drafts and templates. A message whose sending was not confirmed
(unknown, or cut off while sending) may be on the gateway already; re-queuing it could send it
twice, so it is listed for the user to check after the sync instead.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from smstui.core.store.database import Store
from smstui.core.store.schema import QUEUED, SENDING, UNKNOWN, from_ts


@dataclass
class Health:
    path: Path
    ok: bool
    problems: list[str] = field(default_factory=list)


@dataclass
class Repair:
    backup: Path
    requeued: int = 0
    drafts: int = 0
    templates: int = 0
    unconfirmed: list[tuple[str, str]] = field(default_factory=list)  # (phone, body) to check
    unreadable: list[str] = field(default_factory=list)  # what could not be read at all


def check(path: Path) -> Health:
    """``PRAGMA quick_check`` on the file (read-only): O(size), no index-content check."""
    if not path.exists():
        return Health(path, True, [])
    try:
        db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
        try:
            rows = [r[0] for r in db.execute("PRAGMA quick_check(20)").fetchall()]
        finally:
            db.close()
    except sqlite3.DatabaseError as exc:
        return Health(path, False, [str(exc)])
    return Health(path, rows == ["ok"], [] if rows == ["ok"] else rows)


def repair(path: Path, *, region: str | None = None, clock: Callable[[], float] | None = None) -> Repair:
    """Move ``path`` aside (``<name>.damaged-YYYYmmdd-HHMMSS``), create a fresh store there and
    put back what could be salvaged."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime())
    backup = path.with_name(f"{path.name}.damaged-{stamp}")
    report = Repair(backup)
    salvaged = _salvage(path, report)
    path.replace(backup)
    for suffix in ("-wal", "-shm"):  # the journal belongs to the damaged file
        side = path.with_name(path.name + suffix)
        if side.exists():
            side.replace(backup.with_name(backup.name + suffix))
    store = Store(path, region=region, clock=clock)
    try:
        queued = [row for row in salvaged["messages"] if row["outbox"] == QUEUED]
        if queued:
            keep = ("phone", "body", "device_id", "slot", "scheduled_at", "customer_id", "urgent", "image_path")
            store.enqueue_many([{k: row[k] for k in keep} for row in queued])
        report.requeued = len(queued)
        report.unconfirmed = [(r["phone"], r["body"]) for r in salvaged["messages"] if r["outbox"] != QUEUED]
        for key, data in salvaged["drafts"]:
            store.save_draft(key, data)
        report.drafts = len(salvaged["drafts"])
        for name, body in salvaged["templates"]:
            store.save_template(name, body)
        report.templates = len(salvaged["templates"])
    finally:
        store.close()
    return report


def _salvage(path: Path, report: Repair) -> dict[str, list[Any]]:
    """Best effort: each table read on its own, row by row, so one bad page loses only its rows."""
    import json

    found: dict[str, list[Any]] = {"messages": [], "drafts": [], "templates": []}
    try:
        db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    except sqlite3.DatabaseError as exc:
        report.unreadable.append(f"the whole file ({exc})")
        return found
    try:
        columns = "phone, body, device_id, slot, scheduled_at, customer_id, urgent, image_path, outbox"
        states = (QUEUED, SENDING, UNKNOWN)
        for row in _rows(
            db,
            f"SELECT {columns} FROM messages WHERE outbox IN (?,?,?) ORDER BY lid",
            states,
            "messages waiting to be sent",
            report,
        ):
            item = dict(zip([c.strip() for c in columns.split(",")], row, strict=False))
            if isinstance(item["phone"], str) and isinstance(item["body"], str):
                item["scheduled_at"] = _when(item["scheduled_at"])
                item["slot"] = item["slot"] or 0
                found["messages"].append(item)
        for key, data in _rows(db, "SELECT key, data FROM drafts", (), "drafts", report):
            try:
                found["drafts"].append((key, json.loads(data)))
            except (TypeError, ValueError):
                continue
        found["templates"] = [
            (n, b)
            for n, b in _rows(db, "SELECT name, body FROM templates", (), "templates", report)
            if isinstance(n, str) and isinstance(b, str)
        ]
    finally:
        db.close()
    return found


def _rows(db: sqlite3.Connection, sql: str, params: tuple[Any, ...], what: str, report: Repair) -> list[Any]:
    rows: list[Any] = []
    try:
        cursor = db.execute(sql, params)
        while True:
            row = cursor.fetchone()
            if row is None:
                break
            rows.append(row)
    except sqlite3.DatabaseError as exc:
        report.unreadable.append(f"{what} ({exc}; {len(rows)} read before it)")
    return rows


def _when(value: Any) -> datetime | None:
    if isinstance(value, (int, float)):
        try:
            return from_ts(value)
        except (OverflowError, OSError, ValueError):
            return None
    return None


__all__ = ["Health", "Repair", "check", "repair"]
