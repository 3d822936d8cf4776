"""Full-text search and export over 1,000,000 messages: a query ≤ 50 ms, the index ≤ 40 % of the
store, an export of everything in ≤ 100 MB of memory.

* **query**: each query of :data:`QUERIES` as the search screen runs it on a key (the newest
  100 matches and how many up to 1,000, ``search_messages(limit=100, count_cap=1000)``), on a
  freshly opened store:
  the first call (cold SQLite cache) decides, medians of repeats in the notes. Words, prefixes as
  typed, non-Latin text, numbers in national form, a contact's name, filters alone and with words,
  a conversation, a word nothing has.
* **size**: pages of the index's tables (``dbstat``) against the rest of the store.
* **build**: a store of this size written before the index existed (schema 8), opened: the
  migration that indexes the whole history.
* **export**: ``smstui export`` of every message to JSON Lines and CSV, each a fresh process on the
  sandbox store; peak RSS (VmHWM) and time.

    python bench/search.py [--size N] [--smoke]
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Row, bench_args, bench_env, first_and_median, mb, ms, print_rows  # noqa: E402
from bench.generate import BIG_THREAD_PHONE, NOW, store_file  # noqa: E402
from bench.sandbox import make_sandbox  # noqa: E402
from smstui.core.filters import MessageFilters  # noqa: E402
from smstui.core.search import SearchQuery  # noqa: E402
from smstui.core.store.database import Store  # noqa: E402

TARGET = 0.050
SIZE_TARGET = 0.40
RSS_TARGET = 100 * 1024 * 1024
COUNT_CAP = 1_000  # as the search screen counts
OFFICE, TRAVEL = 11231, 1297
LAST_30_DAYS = MessageFilters(since=datetime.fromtimestamp(NOW, UTC) - timedelta(days=30))
# (label, words, filters): what people type, and what the generated history holds.
QUERIES: list[tuple[str, str, MessageFilters]] = [
    ("common word", "delivery", MessageFilters()),
    ("two common words", "invoice friday", MessageFilters()),
    ("typing d", "d", MessageFilters()),
    ("typing de", "de", MessageFilters()),
    ("typing del", "del", MessageFilters()),
    ("typing deliv", "deliv", MessageFilters()),
    ("rare: an order number", "10042", MessageFilters()),
    ("digits prefix", "123", MessageFilters()),
    ("Cyrillic prefix", "спас", MessageFilters()),
    ("German, accents folded", "schon", MessageFilters()),
    ("national number", "0151 2345", MessageFilters()),
    ("contact name", "weber", MessageFilters()),
    ("no match", "zzzzqqq", MessageFilters()),
    ("word + failed", "parcel", MessageFilters(statuses=(8, 9, 10, 11, 12, 100, 101))),
    ("word + received", "thanks", MessageFilters(direction="in")),
    ("word + device + slot", "code", MessageFilters(device_id=OFFICE, slot=1)),
    ("word + last 30 days", "meeting", LAST_30_DAYS),
    ("word in the 10k thread", "thanks", MessageFilters(phone_key=BIG_THREAD_PHONE)),
    ("failed, no words", "", MessageFilters(statuses=(8, 9, 10, 11, 12, 100, 101))),
    ("still new (rare), no words", "", MessageFilters(statuses=(1,))),
    ("last 30 days, no words", "", LAST_30_DAYS),
]


def _with_contacts(store: Store) -> None:
    """A few hundred named contacts over the conversations (the generator makes none)."""
    names = ["Anna Weber", "Ben Okafor", "Carlos García", "Dmitri Ivanov", "Emma Schulz", "Fatima Al-Sayed"]
    keys = [t.phone_key for t in store.threads(limit=600)]
    tag = store.add_tag("Customers", 8303)
    for i, key in enumerate(keys):
        store.add_contact(tag, key, f"{names[i % len(names)]} {i}", None)


def query_rows(path: Path, size: int, repeats: int) -> tuple[list[Row], Path]:
    tmp = Path(tempfile.mkdtemp(prefix="smstui-bench-search-"))
    db = tmp / "store.sqlite3"
    shutil.copyfile(path, db)
    with Store(db, region="DE") as store:
        _with_contacts(store)
        store._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    results: dict[str, tuple[float, float, int]] = {}
    for label, words, filters in QUERIES:
        with Store(db, region="DE") as store:  # a fresh connection: a cold SQLite cache
            query = SearchQuery(words, filters)

            def key(q: SearchQuery = query, s: Store = store) -> int:
                return s.search_messages(q, limit=100, count_cap=COUNT_CAP).total or 0

            first, med = first_and_median(key, repeats)
            results[label] = (first, med, key())
    worst_label, worst = max(results.items(), key=lambda kv: kv[1][0])
    worst_med = max(v[1] for v in results.values())
    notes = "; ".join(
        f"{label} {ms(v[0])} (median {ms(v[1])}, {v[2]:,}{'+' if v[2] >= COUNT_CAP else ''} found)"
        for label, v in results.items()
    )
    rows = [
        Row(
            f"search: query, newest 100 + count ({size:,} msgs, {len(QUERIES)} queries)",
            ms(worst[0]),
            target="≤ 50 ms",
            ok=worst[0] <= TARGET,
            note=f"worst first call {worst_label!r}; worst median {ms(worst_med)}. {notes}",
            data={"queries": {k: list(v) for k, v in results.items()}},
        )
    ]
    return rows, db


def size_row(db: Path, size: int) -> Row:
    con = sqlite3.connect(db)
    try:
        pages = dict(con.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name").fetchall())
    finally:
        con.close()
    index = sum(v for k, v in pages.items() if k.startswith(("message_search", "contact_search", "search_queue")))
    rest = sum(pages.values()) - index
    ratio = index / rest if rest else 0.0
    return Row(
        f"search: index size ({size:,} msgs)",
        f"{mb(index)} (+{ratio * 100:.1f} %)",
        baseline=f"{mb(rest)} (the store without it)",
        ratio=f"{1 + ratio:.2f}x",
        target="≤ +40 %",
        ok=ratio <= SIZE_TARGET,
        note="dbstat pages of message_search*, contact_search*, search_queue against every other table and index",
    )


def build_row(path: Path, size: int) -> Row:
    """Open a copy of the store as schema 8 left it: the migration indexes the whole history."""
    with tempfile.TemporaryDirectory(prefix="smstui-bench-build-") as tmp:
        db = Path(tmp) / "old.sqlite3"
        shutil.copyfile(path, db)
        con = sqlite3.connect(db)
        con.executescript(
            "DROP TRIGGER messages_search_insert; DROP TRIGGER messages_search_update; "
            "DROP TRIGGER messages_search_delete; DROP TABLE message_search; DROP TABLE search_queue; DROP TABLE search_direct; "
            "DROP TRIGGER contacts_search_insert; DROP TRIGGER contacts_search_update; "
            "DROP TRIGGER contacts_search_delete; DROP TABLE contact_search; "
            # What schema 10 (triage) added after the index: its migration runs again after 9's.
            "DROP INDEX IF EXISTS messages_retry_of; ALTER TABLE messages DROP COLUMN retry_of; "
            "ALTER TABLE messages DROP COLUMN handled_at; PRAGMA user_version = 8;"
        )
        con.close()
        t0 = time.perf_counter()
        Store(db, region="DE").close()
        took = time.perf_counter() - t0
    return Row(
        f"search: building the index for an existing {size:,}-message store (first start after the upgrade)",
        f"{took:.1f} s",
        note="once, in the schema 9 migration",
    )


# The child's own peak RSS (bench.common.own_peak_rss, imported after the export: not counted).
_PROBE = (
    "import sys\n"
    "from smstui.cli.commands import main\n"
    "sys.argv = ['smstui', *sys.argv[1:]]\n"
    "try:\n"
    "    main()\n"
    "except SystemExit as exc:\n"
    "    code = exc.code\n"
    "from bench.common import own_peak_rss\n"
    "print(f'RSS={own_peak_rss()}', file=sys.__stdout__, flush=True)\n"
    "sys.exit(code)\n"
)


def export_rows(db: Path, size: int) -> list[Row]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="smstui-bench-export-") as tmp:
        box = make_sandbox(Path(tmp) / "box", db)
        for fmt in ("jsonl", "csv"):
            out = Path(tmp) / f"all.{fmt}"
            t0 = time.perf_counter()
            proc = subprocess.run(
                [sys.executable, "-c", _PROBE, "export", "--format", fmt, "-o", str(out)],
                env=bench_env(box.env()),
                capture_output=True,
                text=True,
                timeout=1800,
            )
            took = time.perf_counter() - t0
            if proc.returncode != 0:
                tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
                rows.append(Row(f"export: {fmt}", "failed", ok=False, note=" / ".join(tail)))
                continue
            rss = int(next(x for x in proc.stdout.splitlines() if x.startswith("RSS=")).split("=")[1])
            written = sum(1 for _ in out.open(encoding="utf-8")) if fmt == "jsonl" else None
            rows.append(
                Row(
                    f"export: every message to {fmt} ({size:,} msgs), peak RSS",
                    mb(rss),
                    target="≤ 100 MB",
                    ok=rss <= RSS_TARGET,
                    note=(
                        f"{took:.1f} s ({size / took:,.0f} messages/s), {mb(out.stat().st_size)} written"
                        + (f", {written:,} lines" if written is not None else "")
                    ),
                    data={"rss": rss, "seconds": took},
                )
            )
    return rows


def run(size: int = 1_000_000, *, smoke: bool = False) -> list[Row]:
    path = store_file(size)
    rows, db = query_rows(path, size, repeats=2 if smoke else 9)
    try:
        rows.append(size_row(db, size))
        rows.append(build_row(path, size))
        rows += export_rows(db, size)
    finally:
        shutil.rmtree(db.parent, ignore_errors=True)
    if smoke:  # tiny sizes: the numbers mean nothing, only that every part ran
        for row in rows:
            row.ok = False if row.value == "failed" else None
    return rows


def main() -> None:
    args = bench_args(__doc__.splitlines()[0], 1_000_000, 2_000)
    print_rows(run(args.size, smoke=args.smoke))


if __name__ == "__main__":
    main()
