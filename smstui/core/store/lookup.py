"""The store's on-call lookups: a mixin of :class:`smstui.core.store.database.Store`.

Which conversations hold failed messages (any, or ones written since a moment), which one holds
a gateway id, the pages before and after a message (a conversation paged, or opened at one), and what the message
detail view shows beyond a message row. Every query is indexed: the conversation list runs them on each key.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from smstui.core.store.messages import MessageRows

if TYPE_CHECKING:
    from smstui.core.store.messages import Thread
    from smstui.core.store.records import MessageExtras, StoredMessage

# SQLite's INTEGER is signed 64-bit: a larger "id" cannot be stored, so it names nothing (and
# binding it would raise OverflowError).
MAX_SQL_INT = 2**63 - 1


class LookupStore(MessageRows):
    """On-call lookups, over the conversations of :class:`MessageRows`."""

    def failed_threads(
        self,
        *,
        search: str = "",
        device_id: int | None = None,
        since: float | None = None,
        limit: int = 500,
    ) -> list[Thread]:
        """Conversations with a failed (or refused, or unclear) message, newest first; with
        ``since`` (epoch seconds) only those with such a message written since then.

        ``search`` and ``device_id`` filter as in :meth:`Store.threads`.
        """
        if since is None:
            only: tuple[str, Sequence[Any]] = ("t.failed > 0", ())
        else:
            from smstui.core.store.schema import failed_row

            # "+": not the status and outbox indexes for these terms, so the window is searched by
            # ``messages_created`` (the last hour's rows) rather than by every failure in the
            # history (11 ms against 0.1 ms on the 100k bench store).
            only = (
                f"t.phone_key IN (SELECT phone_key FROM messages WHERE created >= ? AND {failed_row('+')})",
                (since,),
            )
        return self.threads(search=search, device_id=device_id, limit=limit, only=only)

    def threads_holding(self, sms_id: int) -> list[Thread]:
        """The conversation holding the message with this gateway id (a list of one, or empty)."""
        if not 0 < sms_id <= MAX_SQL_INT:
            return []
        return self.threads(
            only=("t.phone_key IN (SELECT phone_key FROM messages WHERE sms_id = ?)", (sms_id,)), limit=1
        )

    def thread_messages_after(
        self, phone_key: str, after: tuple[float, int], *, limit: int = 200
    ) -> list[StoredMessage]:
        """The page of a conversation just newer than (created, lid) ``after``, oldest first:
        what a window opened at one message loads as the user scrolls down."""
        from smstui.core.store.connection import rows_to_messages
        from smstui.core.store.schema import MESSAGE_COLUMNS

        created, lid = after
        # "created >= ?" first: it lets the thread index seek to the message (an OR alone walks
        # the conversation from its start: 13x slower near the end of the bench's 10k thread).
        return rows_to_messages(
            self._query(
                f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE phone_key = ? AND created >= ? AND (created > ? OR lid > ?) "
                "ORDER BY created, lid LIMIT ?",
                (phone_key, created, created, lid, limit),
            )
        )

    def thread_page(
        self,
        phone_key: str,
        *,
        limit: int,
        before: tuple[float, int] | None = None,
        after: tuple[float, int] | None = None,
    ) -> tuple[list[StoredMessage], bool]:
        """Up to ``limit`` messages of a conversation, oldest first, and whether it has more
        beyond them: its newest, those just older than ``before`` or just newer than ``after``
        (each a (created, lid)). One row more is read to know whether there are more."""
        if after is not None:
            page = self.thread_messages_after(phone_key, after, limit=limit + 1)
            return page[:limit], len(page) > limit
        page = self.thread_messages(phone_key, limit=limit + 1, before=before)
        return page[-limit:], len(page) > limit

    def message_extras(self, lid: int, phone_key: str) -> MessageExtras | None:
        """Extras of message ``lid`` (of conversation ``phone_key``), or None if it is gone."""
        rows = self._query(
            "SELECT m.paket_title, m.submitted_at, m.updated, d.sms_id, m.resent FROM messages m "
            "LEFT JOIN messages d ON d.lid = m.duplicate_of WHERE m.lid = ?",
            (lid,),
        )
        if not rows:
            return None
        paket_title, submitted, updated, original, resent = rows[0]
        copies: tuple[tuple[int, int | None], ...] = ()
        if resent:
            # Only a re-sent row can have second copies (smstui.core.outbox flags them). duplicate_of
            # has no index; a copy is to the same number, so the conversation's index bounds it.
            copies = tuple(
                (r[0], r[1])
                for r in self._query(
                    "SELECT lid, sms_id FROM messages WHERE phone_key = ? AND duplicate_of = ? ORDER BY lid",
                    (phone_key, lid),
                )
            )
        from smstui.core.store.records import (
            MessageExtras,  # the first frame needs no records of it
        )
        from smstui.core.store.schema import from_ts

        return MessageExtras(paket_title, from_ts(submitted), from_ts(updated), original, copies)

    def sms_id_neighbours(self, sms_id: int) -> tuple[float | None, float | None]:
        """Created times of the stored gateway messages just below and just above ``sms_id``.

        The gateway numbers messages in the order it receives them, so a message missing from
        the store was created between its neighbours: a listing of that window finds it.
        """
        below = self._query("SELECT created FROM messages WHERE sms_id < ? ORDER BY sms_id DESC LIMIT 1", (sms_id,))
        above = self._query("SELECT created FROM messages WHERE sms_id > ? ORDER BY sms_id LIMIT 1", (sms_id,))
        return (below[0][0] if below else None, above[0][0] if above else None)
