"""What another process changed in the store: cheap marks to compare, read by the app's watcher
(smstui.core.store_watcher). A mixin of :class:`smstui.core.store.database.Store`.

SQLite's ``PRAGMA data_version`` changes on this connection only when *another* connection
committed, so the watcher asks it every ~100 ms (microseconds, no table read) and only then
reads the marks below, each from an index or a small table, to name the conversations that
changed: new rows (the primary key past the last one seen), messages still waiting for their
status (the pending index: a webhook or a sync moved one on), and the conversations' summaries
(a message removed, a count changed). No migration: nothing is stored for it.
"""

from __future__ import annotations

from typing import NamedTuple

from smstui.core.store.connection import StoreBase
from smstui.core.store.schema import PENDING_WHERE


class ChangeMarks(NamedTuple):
    """A snapshot to compare the next one against."""

    max_lid: int
    pending: dict[int, tuple[int | None, str]]  # lid -> (status, phone_key)
    threads: dict[str, tuple[object, ...]]  # phone_key -> its summary's changing fields


class StoreChanges(NamedTuple):
    phone_keys: frozenset[str]
    new_incoming: int  # unread incoming messages among the new rows


class WatchRows(StoreBase):
    def data_version(self) -> int:
        """Changes when another connection (process) committed since the last call's answer."""
        return self._int("PRAGMA data_version")

    def change_marks(self) -> ChangeMarks:
        # Each read takes the lock on its own, so a UI read waits for one query at most; a
        # write landing between them moves data_version again and is compared next time.
        max_lid = self._int("SELECT COALESCE(MAX(lid), 0) FROM messages")
        pending = {
            int(lid): (status, str(key))
            for lid, status, key in self._query(
                # INDEXED BY: the planner would walk the sms_id index over every message.
                f"SELECT lid, status, phone_key FROM messages INDEXED BY messages_pending WHERE {PENDING_WHERE}"
            )
        }
        threads = {
            str(row[0]): tuple(row[1:])
            for row in self._query(
                "SELECT phone_key, last_lid, last_status, last_outbox, total, unread, failed FROM threads"
            )
        }
        return ChangeMarks(max_lid, pending, threads)

    def changes_since(self, before: ChangeMarks) -> tuple[ChangeMarks, StoreChanges]:
        """The marks now, and which conversations differ from ``before``."""
        after = self.change_marks()  # first: a row added after it is told next time, not lost
        new_rows = self._query(
            "SELECT phone_key, incoming, seen FROM messages WHERE lid > ? AND lid <= ?", (before.max_lid, after.max_lid)
        )
        keys = {str(row[0]) for row in new_rows}
        new_incoming = sum(1 for _key, incoming, seen in new_rows if incoming and not seen)
        for lid in before.pending.keys() | after.pending.keys():
            was, now = before.pending.get(lid), after.pending.get(lid)
            if was != now:
                keys.update(mark[1] for mark in (was, now) if mark is not None)
        for key in before.threads.keys() | after.threads.keys():
            if before.threads.get(key) != after.threads.get(key):
                keys.add(key)
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
