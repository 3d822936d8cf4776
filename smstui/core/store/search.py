"""Searching and listing stored messages, newest first: a mixin of :class:`smstui.core.store.database.Store`.

The search words' meaning lives in :mod:`smstui.core.search`. Three ways to one answer, chosen by what is asked (:meth:`SearchStore.search_messages`):

* words, or filters the index holds (device, slot, status, direction): the full-text index
  (smstui.core.store.search_schema), walked newest first by its time-ordered key, joined to the
  messages only for the rows returned;
* a conversation and no words: that conversation's rows by its index (bounded by its size, and
  filtered in SQL), since the index would walk every message with the same status first;
* nothing but dates, or nothing at all: the messages by ``created``.

Pages are read by key set (the last row's created time and lid), never by offset, and
:meth:`iter_messages` streams every match a page at a time with the lock released between
pages, so an export of a million messages holds one page in memory and sync goes on meanwhile.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from smstui.core.store.connection import StoreBase
from smstui.core.store.search_schema import KEY_SHIFT, LID_MASK, NAMES, QUEUE, REBUILD, TABLE, bucket_of

if TYPE_CHECKING:
    from smstui.core.filters import MessageFilters
    from smstui.core.search import SearchQuery, Word
    from smstui.core.store.records import StoredMessage
    from smstui.core.store.search_page import SearchPage

#: How many rows of the hour a page ends in are read to sort that hour exactly (a burst of more
#: than this many matching messages in one hour is ordered by lid past it).
_HOUR_CAP = 20_000
_NAME_KEYS = 200  # numbers a word matching contact names may stand for


# (kind, FTS5 expression, words): kind is "fts", "thread", "plain" or "none" (nothing can match).
# A plain tuple: the first frame imports this module, and a NamedTuple costs a class to make.
_Plan = tuple[str, "str | None", "list[Word]"]


class SearchStore(StoreBase):
    """Full-text search and filtered listings, over :class:`StoreBase`'s connection."""

    # ------------------------------------------------------------------ public

    def search_messages(
        self,
        query: SearchQuery,
        *,
        limit: int = 100,
        before: tuple[float, int] | None = None,
        count_cap: int | None = None,
    ) -> SearchPage:
        """The newest ``limit`` messages matching ``query`` (older than ``before``: a key set from
        :attr:`SearchPage.after`), with the contact names of their numbers; with ``count_cap``
        also how many match in all, up to that cap (one plan for both: the search screen's key)."""
        from smstui.core.store.search_page import SearchPage

        plan = self._plan(query)
        rows, more = self._page(plan, query.filters, limit, before)
        count = None
        if count_cap is not None:
            count = len(rows) if not more and before is None else self._count(plan, query.filters, count_cap)
        return SearchPage(rows, more, plan[2], self.contact_names({m.phone_key for m in rows}), count)

    def iter_messages(self, query: SearchQuery, *, page: int = 500) -> Iterator[StoredMessage]:
        """Every match, newest first, read ``page`` rows at a time (the lock is not held between)."""
        plan = self._plan(query)
        before: tuple[float, int] | None = None
        while True:
            if plan[0] == "fts":
                self._apply_queue()  # written since the last page: the next sees it
            rows, more = self._page(plan, query.filters, page, before)
            yield from rows
            if not more or not rows:
                return
            before = (rows[-1].created.timestamp(), rows[-1].lid)

    def count_messages(self, query: SearchQuery, *, cap: int | None = None) -> int:
        """How many messages match (at most ``cap``: "1,000+" needs no exact count)."""
        return self._count(self._plan(query), query.filters, cap)

    def _count(self, plan: _Plan, filters: MessageFilters, cap: int | None) -> int:
        if plan[0] == "none":
            return 0
        sql, params = self._select(plan, filters, None, "1")
        limit = "" if cap is None else f" LIMIT {int(cap)}"
        return int(self._query(f"SELECT COUNT(*) FROM ({sql}{limit})", params)[0][0])

    def contact_names(self, keys: set[str] | Sequence[str]) -> dict[str, str]:
        """The contact name of each of these numbers that has one (the list's rule: MAX(name))."""
        from smstui.core.store.connection import chunks

        names: dict[str, str] = {}
        for chunk in chunks(sorted(keys)):
            marks = ",".join("?" * len(chunk))
            for key, name in self._query(
                f"SELECT phone_key, MAX(name) FROM contacts WHERE name != '' AND phone_key IN ({marks}) GROUP BY phone_key",
                chunk,
            ):
                names[key] = name
        return names

    def rebuild_search_index(self) -> None:
        """Fill the index again from the messages and contacts (it never needs it in normal use)."""
        with self.transaction() as db:
            for statement in REBUILD.split(";"):
                if statement.strip():
                    db.execute(statement)

    # ------------------------------------------------------------------ planning

    def _plan(self, query: SearchQuery) -> _Plan:
        self._apply_queue()
        # Imported on first use: the first frame has no search to plan.
        from smstui.core.search import filter_clauses, index_tokens, query_words, quote, word_clause

        words = query_words(query.text, self.region)
        filters = query.filters
        if query.text.strip() and not words:  # only punctuation: nothing to look for
            return ("none", None, words)
        if not words:
            if filters.phone_key is not None:
                return ("thread", None, words)
            clauses = filter_clauses(filters)
            if not clauses:
                return ("plain", None, words)
            return ("fts", " AND ".join(clauses), words)
        parts = []
        for word in words:
            clause = word_clause(word, self._expand, self._name_keys(word))
            if clause is None:
                return ("none", None, words)
            parts.append(clause)
        parts += filter_clauses(filters)
        if filters.phone_key is not None:
            # The number's own token narrows the walk to its conversation (and messages naming
            # it); the join then keeps the conversation's.
            parts += [quote(t) for t in index_tokens(filters.phone_key)]
        return ("fts", " AND ".join(parts), words)

    def _apply_queue(self) -> None:
        """Index writes still queued (a write outside a transaction, another program's) first."""
        if self._query(f"SELECT 1 FROM {QUEUE} LIMIT 1"):
            with self.transaction():
                pass  # the transaction applies the queue before it commits

    def _expand(self, prefix: str) -> list[str] | None:
        """The index's terms that start with ``prefix`` (None when more than MAX_EXPANSION).

        fts5vocab counts each term's postings as it lists it (5 ms for a word in a fifth of a
        million messages), so answers are kept until the index changes, and a longer prefix is
        answered from a shorter one's complete list: typing ``deliv`` after ``del`` costs nothing,
        nor do the words before the one being typed.
        """
        from smstui.core.search import MAX_EXPANSION

        version = self._index_version()
        if version is None:
            return self._vocabulary(prefix, MAX_EXPANSION)
        cache: dict[str, list[str] | None] = getattr(self, "_terms_cache", {})
        if getattr(self, "_terms_version", None) != version:
            cache = {}
            self._terms_version = version
        self._terms_cache = cache
        if prefix in cache:
            return cache[prefix]
        for length in range(len(prefix) - 1, 1, -1):
            shorter = cache.get(prefix[:length], None)
            if shorter is not None:
                found: list[str] | None = [t for t in shorter if t.startswith(prefix)]
                break
        else:
            found = self._vocabulary(prefix, MAX_EXPANSION)
        if len(cache) > 256:
            cache.clear()
        cache[prefix] = found
        return found

    def _vocabulary(self, prefix: str, most: int) -> list[str] | None:
        if not getattr(self, "_terms_table", False):
            with self._lock:  # per connection, in its temp schema: nothing is written to the file
                self._db.execute(
                    f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.{TABLE}_terms USING fts5vocab(main, {TABLE}, row)"
                )
            self._terms_table = True
        upper = _next_prefix(prefix)
        sql = f"SELECT term FROM temp.{TABLE}_terms WHERE term >= ?" + (" AND term < ?" if upper else "")
        rows = self._query(sql + " LIMIT ?", (prefix, *([upper] if upper else []), most + 1))
        if len(rows) > most:
            return None
        return [r[0] for r in rows]

    def _index_version(self) -> bytes | None:
        """Changes whenever the index does, whoever wrote it: FTS5's structure record (rowid 10 of
        its ``_data`` table), which every flush and merge rewrites. None: unknown, cache nothing."""
        try:
            rows = self._query(f"SELECT block FROM {TABLE}_data WHERE id = 10")
        except Exception:
            return None
        return bytes(rows[0][0]) if rows else None

    def _name_keys(self, word: Word) -> list[str]:
        """The numbers of the contacts whose name matches every token of ``word``."""
        from smstui.core.search import quote

        match = " AND ".join(quote(t) + ("*" if len(t) >= 2 else "") for t in word.tokens)
        rows = self._query(
            f"SELECT DISTINCT c.phone_key FROM {NAMES} JOIN contacts c ON c.id = {NAMES}.rowid "
            f"WHERE {NAMES} MATCH ? AND c.name != '' LIMIT ?",
            (match, _NAME_KEYS),
        )
        return [r[0] for r in rows]

    # ------------------------------------------------------------------ reading

    def _page(
        self, plan: _Plan, filters: MessageFilters, limit: int, before: tuple[float, int] | None
    ) -> tuple[list[StoredMessage], bool]:
        from smstui.core.store.connection import rows_to_messages

        if plan[0] == "none" or limit <= 0:
            return [], False
        sql, params = self._select(plan, filters, before)
        if plan[0] != "fts":
            rows = self._query(f"{sql} ORDER BY m.created DESC, m.lid DESC LIMIT ?", (*params, limit + 1))
            return rows_to_messages(rows[:limit]), len(rows) > limit
        order = f" ORDER BY {TABLE}.rowid DESC"
        with self._lock:  # both reads see the same rows
            rows = self._db.execute(f"{sql}{order} LIMIT ?", (*params, limit + 1)).fetchall()
            if len(rows) > limit:
                # The index orders by hour, then lid: read the rest of the last row's hour too,
                # so the page is the newest ``limit`` by created time exactly.
                last = rows[-1][0]
                hour = (last >> KEY_SHIFT) << KEY_SHIFT
                rows += self._db.execute(
                    f"{sql} AND {TABLE}.rowid >= ? AND {TABLE}.rowid < ?{order} LIMIT ?",
                    (*params, hour, last, _HOUR_CAP),
                ).fetchall()
        rows.sort(key=lambda r: (r[10], r[1]), reverse=True)  # created, lid (after the key column)
        return rows_to_messages(r[1:] for r in rows[:limit]), len(rows) > limit

    def _select(
        self, plan: _Plan, filters: MessageFilters, before: tuple[float, int] | None, columns: str | None = None
    ) -> tuple[str, list[Any]]:
        """The SELECT (without ORDER BY) for a plan, and its parameters."""
        from smstui.core.store.schema import MESSAGE_COLUMNS

        cols = columns or ", ".join(f"m.{c.strip()}" for c in MESSAGE_COLUMNS.split(","))
        where: list[str] = []
        params: list[Any] = []
        if plan[0] == "fts":
            index_only = columns is not None and filters.phone_key is None and before is None
            index_only = index_only and filters.since is None and filters.until is None
            if index_only:  # a count the index answers alone
                sql = f"SELECT {cols} FROM {TABLE}"
            else:
                # CROSS JOIN: the index is the outer loop, walked in key order.
                key = f"{TABLE}.rowid, " if columns is None else ""
                sql = f"SELECT {key}{cols} FROM {TABLE} CROSS JOIN messages m ON m.lid = ({TABLE}.rowid & {LID_MASK})"
            where.append(f"{TABLE} MATCH ?")
            params.append(plan[1])
            upper = [] if filters.until is None else [filters.until.timestamp()]
            if before is not None:
                upper.append(before[0])
            if upper:
                where.append(f"{TABLE}.rowid <= ?")
                params.append((bucket_of(min(upper)) << KEY_SHIFT) | LID_MASK)
            if filters.since is not None:
                where.append(f"{TABLE}.rowid >= ?")
                params.append(bucket_of(filters.since.timestamp()) << KEY_SHIFT)
        else:
            sql = f"SELECT {cols} FROM messages m"
            for column, value in (("device_id", filters.device_id), ("slot", filters.slot)):
                if value is not None:
                    where.append(f"m.{column} = ?")
                    params.append(value)
            if filters.statuses:
                where.append(f"m.status IN ({', '.join('?' * len(filters.statuses))})")
                params.extend(filters.statuses)
            if filters.direction is not None:
                where.append("m.incoming = ?")
                params.append(1 if filters.direction == "in" else 0)
        if filters.phone_key is not None:
            where.append("m.phone_key = ?")
            params.append(filters.phone_key)
        if filters.since is not None:
            where.append("m.created >= ?")
            params.append(filters.since.timestamp())
        if filters.until is not None:
            where.append("m.created <= ?")
            params.append(filters.until.timestamp())
        if before is not None:
            # "created <= ?" on its own lets the created (or thread) index seek to the page's
            # start; an OR alone walks every newer row first (each page slower than the last).
            where.append("m.created <= ? AND (m.created < ? OR m.lid < ?)")
            params.extend([before[0], before[0], before[1]])
        return sql + (" WHERE " + " AND ".join(where) if where else ""), params


def _next_prefix(prefix: str) -> str | None:
    """The smallest string after every string starting with ``prefix`` (None: there is none)."""
    for i in range(len(prefix) - 1, -1, -1):
        if ord(prefix[i]) < 0x10FFFF:
            nxt = chr(ord(prefix[i]) + 1)
            if "\ud800" <= nxt <= "\udfff":
                nxt = "\ue000"
            return prefix[:i] + nxt
    return None
