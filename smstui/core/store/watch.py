"""What another process changed in the store: cheap marks to compare, read by the app's watcher
(smstui.core.store_watcher). A mixin of :class:`smstui.core.store.database.Store`.

SQLite's ``PRAGMA data_version`` changes on this connection only when *another* connection
committed, so the watcher asks it every ~100 ms (microseconds, no table read) and only then
reads the marks below, each from an index or a small table, to name the conversations that
changed: new rows (the primary key past the last one seen), messages still waiting for their
status (the pending index: a webhook or a sync moved one on), and the conversations' summaries
(a message removed, a count changed). No migration: nothing is stored for it.

Each set of marks is read as one string, an entry per row, built by SQLite (``group_concat``):
comparing two such strings is one memcmp, and only when they differ are they split and compared
as sets of entries. While the app's sync worker commits a listing many times a second, the
watcher wakes on each commit; reading 4,000 pending rows and 2,000 summaries into Python tuples
and dicts took 10-26 ms of the app's GIL each time (bench/key_latency.py: the UI's frames waited).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from smstui.core.store.connection import StoreBase
from smstui.core.store.schema import PENDING_WHERE

# Separators no phone key, status or count holds: between entries, and between an entry's fields.
_ENTRY, _FIELD = "\x1e", "\x1f"


class ChangeMarks(NamedTuple):
    """A snapshot to compare the next one against."""

    max_lid: int
    pending: str  # "lid␟status␟phone_key" per message still waiting for its status, ␞ between
    threads: str  # "phone_key␟last_lid␟last_status␟last_outbox␟total␟unread␟failed" per summary


class StoreChanges(NamedTuple):
    phone_keys: frozenset[str]
    new_incoming: int  # unread incoming messages among the new rows


def _entries_sql(columns: tuple[str, ...]) -> str:
    """One string of every row's ``columns``: fields joined by _FIELD, rows by _ENTRY."""
    fields = " || char(31) || ".join(f"COALESCE({c}, '')" for c in columns)
    return f"COALESCE(group_concat({fields}, char(30)), '')"


# INDEXED BY: the planner would walk the sms_id index over every message.
_PENDING_MARKS = (
    f"SELECT {_entries_sql(('lid', 'status', 'phone_key'))} FROM messages INDEXED BY messages_pending "
    f"WHERE {PENDING_WHERE}"
)
_SUMMARY_MARKS = (
    f"SELECT {_entries_sql(('phone_key', 'last_lid', 'last_status', 'last_outbox', 'total', 'unread', 'failed'))} "
    "FROM threads"
)


def _changed(before: str, after: str, key: Callable[[str], str]) -> set[str]:
    """The phone keys (``key`` of an entry) of the entries that differ between two packed mark
    strings. Phone keys hold no control characters (``normalize_loose`` folds whitespace, which
    both separators are), and ``key`` splits from the end the key is not at, so even one that did
    would name its conversation."""
    if before == after:
        return set()
    differ = set(before.split(_ENTRY)) ^ set(after.split(_ENTRY))
    return {key(entry) for entry in differ if entry}


def _pending_key(entry: str) -> str:  # lid, status, phone_key
    return entry.split(_FIELD, 2)[-1]


def _summary_key(entry: str) -> str:  # phone_key, then six fields
    return entry.rsplit(_FIELD, 6)[0]


class WatchRows(StoreBase):
    def data_version(self) -> int:
        """Changes when another connection (process) committed since the last call's answer."""
        return self._int("PRAGMA data_version")

    def change_marks(self) -> ChangeMarks:
        # Each read takes the lock on its own, so a UI read waits for one query at most; a
        # write landing between them moves data_version again and is compared next time.
        max_lid = self._int("SELECT COALESCE(MAX(lid), 0) FROM messages")
        pending = self._query(_PENDING_MARKS)[0][0]
        threads = self._query(_SUMMARY_MARKS)[0][0]
        return ChangeMarks(max_lid, pending, threads)

    def changes_since(self, before: ChangeMarks) -> tuple[ChangeMarks, StoreChanges]:
        """The marks now, and which conversations differ from ``before``."""
        after = self.change_marks()  # first: a row added after it is told next time, not lost
        new_rows = self._query(
            "SELECT phone_key, incoming, seen FROM messages WHERE lid > ? AND lid <= ?", (before.max_lid, after.max_lid)
        )
        keys = {str(row[0]) for row in new_rows}
        new_incoming = sum(1 for _key, incoming, seen in new_rows if incoming and not seen)
        keys |= _changed(before.pending, after.pending, _pending_key)
        keys |= _changed(before.threads, after.threads, _summary_key)
        return after, StoreChanges(frozenset(keys), new_incoming)

    def pending_count(self) -> int:
        """Sent messages still waiting for a final status (the pending index)."""
        return self._int(f"SELECT COUNT(*) FROM messages INDEXED BY messages_pending WHERE {PENDING_WHERE}")

    def unread_incoming_since(self, lid: int, phone_keys: frozenset[str]) -> tuple[int, int]:
        """(unread incoming messages of these conversations past ``lid``, the newest one's lid):
        the "new message" count of what the app's own receiver stored (its writes are this
        connection's, which the watcher does not see)."""
        if not phone_keys:
            return 0, lid
        marks = ",".join("?" * len(phone_keys))
        row = self._query(
            f"SELECT COUNT(*), MAX(lid) FROM messages WHERE lid > ? AND incoming = 1 AND seen = 0 "
            f"AND phone_key IN ({marks})",
            (lid, *sorted(phone_keys)),
        )[0]
        return int(row[0]), int(row[1] if row[1] is not None else lid)
