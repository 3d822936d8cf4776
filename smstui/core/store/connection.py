"""The store's connection: opening (0600, WAL), migrating, transactions and the meta table.

The base every part of :class:`smstui.core.store.database.Store` builds on.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from smstui.core.store.guard import GuardedConnection, describe
from smstui.core.store.schema import (
    DISPLAY_FROM,
    META_LAST_SYNC,
    MIGRATIONS,
    SCHEMA_VERSION,
    from_ts,
)
from smstui.core.store.search_schema import flush_queue

if TYPE_CHECKING:
    from smstui.core.store.records import (
        StoredMessage,
    )


DEFAULT_CHECKPOINT = 1000  # SQLite's own WAL auto-checkpoint, in pages
LARGE_WRITES_CHECKPOINT = 10_000  # ~40 MB of WAL between checkpoints (see StoreBase.large_writes)


class StoreError(Exception):
    """The database cannot be opened or used; the message says which file and what to do."""


def sql_statements(script: str) -> Iterator[str]:
    """The statements of an SQL script one by one (``executescript`` would commit the caller's
    transaction first); a trigger's body or a quoted ``;`` stays inside its statement."""
    pending = ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \t\r\n;"):
                yield pending
            pending = ""
    if pending.strip(" \t\r\n;"):
        yield pending  # not a whole statement: executing it says what is wrong


class StoreBase:
    def __init__(
        self, path: str | Path, *, region: str | None = None, clock: Callable[[], float] | None = None
    ) -> None:
        self.path = Path(path)
        self.region = region
        self._clock = clock or time.time
        self._lock = threading.RLock()
        try:
            if str(path) != ":memory:":
                self.path.parent.mkdir(parents=True, exist_ok=True)
                create_private(self.path)
            # Errors at any later query name the file and what to do (smstui.core.store.guard).
            self._db = sqlite3.connect(
                str(path), check_same_thread=False, isolation_level=None, factory=GuardedConnection
            )
            self._db.make_error = lambda exc: StoreError(describe(self.path, exc))
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._db.execute("PRAGMA busy_timeout=5000")
            self._migrate()
        except (sqlite3.DatabaseError, StoreError) as exc:
            db = getattr(self, "_db", None)
            if db is not None:
                db.close()  # a half-open connection would keep the file locked
            if isinstance(exc, StoreError):
                raise
            raise StoreError(describe(self.path, exc)) from None
        self._phone_cache: dict[tuple[str | None, str], str] = {}

    # ------------------------------------------------------------------ plumbing

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic write: a killed process leaves either all of it or none."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            else:
                # The search index's queued writes go in with the rest (smstui.core.store.search_schema).
                flush_queue(self._db)
                self._db.execute("COMMIT")

    @contextmanager
    def large_writes(self, pages: int = LARGE_WRITES_CHECKPOINT) -> Iterator[None]:
        """Checkpoint the WAL every ``pages`` pages instead of every 1,000 while a first sync
        writes: each checkpoint syncs the file to disk, which on a busy machine took 0.3-0.8 s
        (a 100k first sync spent 6 s of its time in them; 1.1 s at 10,000 pages). The next
        write after it checkpoints as usual, so the WAL shrinks back."""
        with self._lock:
            self._db.execute(f"PRAGMA wal_autocheckpoint = {int(pages)}")
        try:
            yield
        finally:
            with self._lock:
                self._db.execute(f"PRAGMA wal_autocheckpoint = {DEFAULT_CHECKPOINT}")

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    def _int(self, sql: str, params: Sequence[Any] = ()) -> int:
        """The one whole number a query answers (a COUNT, a pragma), as an int."""
        return int(self._query(sql, params)[0][0])

    @property
    def schema_version(self) -> int:
        return self._int("PRAGMA user_version")

    def _refuse_newer(self, version: int) -> None:
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"The local store {self.path} was written by a newer smstui (schema {version}). "
                "Upgrade smstui or move the file away."
            )

    def _version_read(self) -> int:
        """The file's schema version as read before migrating, outside any transaction: another
        process may move it on before this one takes the write lock."""
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        version = self._version_read()
        self._refuse_newer(version)
        for number in range(version, SCHEMA_VERSION):
            # One transaction per step, so a killed migration leaves the previous version intact.
            with self._lock:
                try:
                    self._db.execute("BEGIN IMMEDIATE")
                    # Another process opening the store at the same moment (the CLI, the app's
                    # sync worker) may have taken this step while this one waited for the lock.
                    now_at = self._db.execute("PRAGMA user_version").fetchone()[0]
                    self._refuse_newer(now_at)
                    if now_at <= number:
                        for statement in sql_statements(MIGRATIONS[number]):
                            self._db.execute(statement)
                        self._db.execute(f"PRAGMA user_version = {number + 1}")
                    self._db.execute("COMMIT")
                except BaseException:
                    if self._db.in_transaction:
                        self._db.execute("ROLLBACK")
                    raise
        if version < DISPLAY_FROM <= SCHEMA_VERSION:
            with self.transaction() as db:
                self._fill_displays(db)

    # The conversation summaries are :class:`~smstui.core.store.messages.MessageRows`' (every
    # part of the store that writes messages keeps them in step; a v6 upgrade fills displays).

    def _refresh_threads(self, db: sqlite3.Connection, keys: Iterable[str]) -> None:
        """Recompute the summaries of the conversations ``keys``, in the caller's transaction."""
        raise NotImplementedError

    def _fill_displays(self, db: sqlite3.Connection, keys: Iterable[str] | None = None) -> None:
        """Format the shown number of conversations that have none yet (``keys``, or all)."""
        raise NotImplementedError

    def _add_to_threads(
        self, db: sqlite3.Connection, rows: Sequence[tuple[Any, ...]], lids: Sequence[int], outbox: str | None = None
    ) -> None:
        """Add just-inserted rows to their summaries without reading the conversations."""
        raise NotImplementedError

    def now(self) -> float:
        return self._clock()

    def phone_key(self, raw: str) -> str:
        region = self.region  # cached per region: it changes when learnt (smstui.core.store.region)
        key = self._phone_cache.get((region, raw))
        if key is None:
            from smstui.core.phone import (
                normalize_loose,  # phonenumbers is slow to import: not at start-up
            )

            key = normalize_loose(raw, region)
            if len(self._phone_cache) > 50_000:
                self._phone_cache.clear()
            self._phone_cache[(region, raw)] = key
        return key

    # ------------------------------------------------------------------ meta / cursors

    def last_synced(self) -> datetime | None:
        """When the last sync finished (written by :class:`smstui.core.sync.Syncer`); the app reads it
        at start-up without importing the sync machinery."""
        text = self.get_meta(META_LAST_SYNC)
        try:
            return None if text is None else from_ts(float(text))
        except ValueError:
            return None

    def get_meta(self, key: str, default: str | None = None) -> str | None:
        rows = self._query("SELECT value FROM meta WHERE key = ?", (key,))
        return rows[0][0] if rows else default

    def set_meta(self, key: str, value: str) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    def delete_meta(self, key: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM meta WHERE key = ?", (key,))


def create_private(path: Path) -> None:
    """Create the database file 0600 before SQLite does (it would honour the umask).

    SQLite gives the -wal and -shm files the database file's mode, so all three stay private:
    they hold the message history.
    """
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    os.close(fd)


def inserted_id(cursor: sqlite3.Cursor) -> int:
    """The rowid an INSERT just made (sqlite3 types ``lastrowid`` as optional: None before any insert)."""
    rowid = cursor.lastrowid
    if rowid is None:
        raise sqlite3.ProgrammingError("no row was inserted")
    return rowid


def chunks(values: list[Any], size: int = 500) -> Iterator[list[Any]]:
    """Slices small enough for one ``IN (...)`` (SQLite caps the number of parameters)."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


# The records are imported when first built, not with the store: the first frame needs none.


def row_to_message(row: Sequence[Any]) -> StoredMessage:
    from smstui.core.store.records import row_to_message as make

    return make(row)


def rows_to_messages(rows: Iterable[Sequence[Any]]) -> list[StoredMessage]:
    from smstui.core.store.records import row_to_message as make

    return [make(r) for r in rows]


def like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
