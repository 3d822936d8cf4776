"""``EXPLAIN QUERY PLAN`` of the store's hot queries, on the 1M-message bench store.

Each hot store method is called for real with SQLite's trace callback on, so the plans shown are
of the SQL the app runs (not a copy that could drift); a plan line saying ``SCAN messages``
(without an index) is a full scan of the million rows and fails the check.

    python bench/explain.py [--size 1000000]
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import RESULTS  # noqa: E402
from bench.generate import BIG_THREAD_PHONE, fresh_copy, store_file  # noqa: E402
from smstui.core.store.database import Store  # noqa: E402


def _hot_calls(store: Store) -> list[tuple[str, object]]:
    """(name, call) of each query that runs on a key, an open or a refresh."""
    return [
        ("conversation list (newest 500)", lambda: store.threads()),
        ("phone filter per key (+49 151)", lambda: store.threads(search="+49 151")),
        ("name filter per key", lambda: store.threads(search="anna")),
        ("open conversation: newest 200", lambda: store.thread_messages(BIG_THREAD_PHONE, limit=200)),
        ("open conversation: size", lambda: store.thread_size(BIG_THREAD_PHONE)),
        ("open conversation: mark seen (unread)", lambda: store.mark_thread_seen(BIG_THREAD_PHONE)),
        ("pending status checks", lambda: store.pending_sms_ids()),
        ("outbox due", lambda: store.outbox_due()),
        ("newest gateway message (sync cursor)", lambda: store.max_created()),
        ("thread summary refresh (one thread)", lambda: store._refresh_threads(store._db, [BIG_THREAD_PHONE])),
        ("sync: store a listing (200 new, 50 known, 10 changed)", lambda: store.upsert_messages(_listing(store))),
    ]


def _listing(store: Store) -> list[object]:
    """A first-sync chunk as sync stores it: new messages, known ones, a few with a new status."""
    from datetime import UTC, datetime

    from smstui.core.gateway_messages import Message

    known = store.thread_messages(BIG_THREAD_PHONE, limit=50)
    top = store._int("SELECT MAX(sms_id) FROM messages")
    batch = [
        Message(
            id=m.sms_id or 0,
            phone=m.phone,
            body=m.body,
            status=(8 if i < 10 else m.status) or 7,
            device_id=m.device_id,
            slot=m.slot,
            status_title=m.status_title if i >= 10 else None,
            created=m.created,
            sent_at=m.sent_at,
            scheduled_at=m.scheduled_at,
            paket_id=m.paket_id,
        )
        for i, m in enumerate(known)
    ]
    now = datetime.now(UTC)
    batch += [Message(id=top + i + 1, phone=f"+49151999{i:05d}", body="new", status=7, created=now) for i in range(200)]
    return batch


def plans(path: Path) -> list[tuple[str, str, list[str]]]:
    """(name, sql, plan lines) per hot statement."""
    out: list[tuple[str, str, list[str]]] = []
    # mark_thread_seen and the summary refresh write: run on a copy, never on the cached store.
    copy = fresh_copy(path, RESULTS / "explain.sqlite3")
    with Store(copy, region="DE") as store:
        db = store._db
        for name, call in _hot_calls(store):
            traced: list[str] = []
            db.set_trace_callback(traced.append)
            try:
                call()  # type: ignore[operator]
            finally:
                db.set_trace_callback(None)
            shapes: set[str] = set()
            for sql in traced:
                head = sql.lstrip().split(None, 1)[0].upper()
                if head not in ("SELECT", "UPDATE", "DELETE", "INSERT", "WITH"):
                    continue
                # executemany traces each row: one plan per statement shape is enough.
                shape = re.sub(r"'[^']*'|\b\d+(\.\d+)?\b", "?", sql)
                if shape in shapes or sql.startswith("INSERT INTO temp."):
                    continue
                shapes.add(shape)
                rows = db.execute("EXPLAIN QUERY PLAN " + sql).fetchall()
                out.append((name, sql, [f"{'  ' * _depth(rows, r)}{r[3]}" for r in rows]))
    return out


def _depth(rows: list[tuple[int, int, int, str]], row: tuple[int, int, int, str]) -> int:
    parents = {r[0]: r[1] for r in rows}
    depth, parent = 0, row[1]
    while parent in parents:
        depth, parent = depth + 1, parents[parent]
    return depth


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    args = parser.parse_args()
    bad = 0
    for name, sql, lines in plans(store_file(args.size)):
        print(f"### {name}\n\n    {sql}\n")
        for line in lines:
            full_scan = line.strip().startswith("SCAN messages") and "INDEX" not in line
            bad += full_scan
            print(f"    {line}{'   <-- full scan' if full_scan else ''}")
        print()
    print(f"full scans of messages: {bad}")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
