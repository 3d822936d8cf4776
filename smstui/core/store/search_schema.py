"""The full-text index of the messages (schema v9): an FTS5 table kept in step by triggers.

``message_search`` is a *contentless* FTS5 table (``content=''``, ``detail=none``, ``columnsize=0``):
it keeps only which rows hold which terms, never a second copy of the text, nor word positions or
lengths (no phrases, no ranking: results are newest first), so it adds about a tenth to a store
(bench/search.py). The triggers on ``messages`` write it in the statement that writes the message,
so sync, the outbox, bulk, a region's re-keying and the doctor's repair all keep it in step
inside their own transactions, and nothing in Python has to remember to.

Its rowid is not the message's lid but a *key* that orders by time: the hour the message was
created in, then its lid (:func:`key_of`). FTS5 walks a term's postings in rowid order and stops
at ``LIMIT``, so "the newest 100 matches" reads about 100 postings instead of every match (0.3 ms
against 90 ms for a word in a fifth of 1,000,000 messages); a date range is a rowid range. Whole
hours, not seconds, keep the postings' rowid deltas small (half the index's size at 1,000,000
messages); the store sorts the last hour of a page exactly (smstui.core.store.search).

Two columns: the body, and ``about``: the number's digits and one token per attribute a search
can filter by (device, slot, status, direction), each a private-use character plus a code
(``\\ue000d11231``), which no typed word can produce and a body cannot forge (the triggers blank
that character in bodies). Filters are then terms of the same query, merged by FTS5 as it walks,
so a rare filter costs no more than a rare word.

Contact names have their own small index (``contact_search``, over ``contacts``): a word that
matches a name stands for that contact's numbers, so renaming a contact re-indexes nothing.

A contentless table deletes a row only when given the values it indexed, and the triggers give
exactly ``OLD``'s, through the same SQL expressions (:func:`about_sql`). They give them to a
queue, applied at the end of the transaction (:func:`flush_queue`, which says why).
"""

from __future__ import annotations

import sqlite3

# smstui.core.fts_tokens.META (U+E000) in SQL; not imported: the first frame loads this module.
META_SQL = "char(57344)"
KEY_SHIFT = 31  # the lid's bits; lids stay below 2**31 (two billion messages per store)
LID_MASK = (1 << KEY_SHIFT) - 1
BUCKET_SECONDS = 3600
MAX_CREATED = 4_294_967_295  # times past 2106 (or before 1970) are clamped into the key's range

TABLE = "message_search"
#: Index writes waiting for the end of their transaction (see :func:`flush_queue`).
QUEUE = "search_queue"
#: Contact names, an FTS5 index over ``contacts`` (external content: names are few and small).
NAMES = "contact_search"
#: One row, ``active`` 1 only inside a bulk insert that indexes its rows itself (:func:`insert_indexed`).
DIRECT = "search_direct"


def bucket_of(created: float) -> int:
    """The key's hour for a created time, clamped as the triggers clamp it."""
    return max(0, min(int(created), MAX_CREATED)) // BUCKET_SECONDS


def key_of(created: float, lid: int) -> int:
    """The index's rowid for a message: its hour, then its lid (the same as :func:`key_sql`)."""
    return (bucket_of(created) << KEY_SHIFT) | lid


def key_sql(row: str) -> str:
    """:func:`key_of` in SQL, over ``row`` (``NEW``, ``OLD`` or a table alias)."""
    # CAST truncates toward zero, as int() does; negative times clamp to 0 first.
    return f"(((MAX(0, MIN(CAST({row}.created AS INTEGER), {MAX_CREATED})) / {BUCKET_SECONDS}) << {KEY_SHIFT}) | {row}.lid)"


def body_sql(row: str) -> str:
    return f"replace({row}.body, {META_SQL}, ' ')"


def about_sql(row: str) -> str:
    """The ``about`` column: the number, then ``d<device> s<slot> t<status>`` and ``i`` or ``o``."""
    return (
        f"replace({row}.phone_key, {META_SQL}, ' ') || ' ' "
        f"|| COALESCE({META_SQL} || 'd' || {row}.device_id || ' ', '') "
        f"|| COALESCE({META_SQL} || 's' || {row}.slot || ' ', '') "
        f"|| COALESCE({META_SQL} || 't' || {row}.status || ' ', '') "
        f"|| {META_SQL} || CASE WHEN {row}.incoming THEN 'i' ELSE 'o' END"
    )


def _queue(command: str, row: str) -> str:
    return (
        f"INSERT INTO {QUEUE} (command, key, body, about) "
        f"VALUES ({command}, {key_sql(row)}, {body_sql(row)}, {about_sql(row)});"
    )


def _index_rows(where: str = "") -> str:
    """Index the messages ``where`` says (all of them by default) in one statement, in key
    order: FTS5 starts a segment of its own whenever a rowid is not above the last (see _FLUSH)."""
    return (
        f"INSERT INTO {TABLE} (rowid, body, about) SELECT {key_sql('m')}, {body_sql('m')}, {about_sql('m')} "
        f"FROM messages m {where} ORDER BY 1"
    )


# What the index holds of a row; a change to anything else (seen, outbox, times) leaves it be.
INDEXED = ("lid", "body", "phone_key", "created", "device_id", "slot", "status", "incoming")
_CHANGED = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in INDEXED)

SEARCH_MIGRATION = f"""
    CREATE VIRTUAL TABLE {TABLE} USING fts5(body, about, content='', detail=none, columnsize=0);
    CREATE TABLE {QUEUE} (
        seq INTEGER PRIMARY KEY, command TEXT, key INTEGER NOT NULL, body TEXT NOT NULL, about TEXT NOT NULL
    );
    CREATE TRIGGER messages_search_insert AFTER INSERT ON messages BEGIN
        {_queue("NULL", "NEW")}
    END;
    CREATE TRIGGER messages_search_delete AFTER DELETE ON messages BEGIN
        {_queue("'delete'", "OLD")}
    END;
    CREATE TRIGGER messages_search_update AFTER UPDATE OF {", ".join(INDEXED)} ON messages
    WHEN {_CHANGED} BEGIN
        {_queue("'delete'", "OLD")}
        {_queue("NULL", "NEW")}
    END;
    {_index_rows()};
    CREATE VIRTUAL TABLE {NAMES} USING fts5(name, content='contacts', content_rowid='id');
    CREATE TRIGGER contacts_search_insert AFTER INSERT ON contacts BEGIN
        INSERT INTO {NAMES} (rowid, name) VALUES (NEW.id, NEW.name);
    END;
    CREATE TRIGGER contacts_search_delete AFTER DELETE ON contacts BEGIN
        INSERT INTO {NAMES} ({NAMES}, rowid, name) VALUES ('delete', OLD.id, OLD.name);
    END;
    CREATE TRIGGER contacts_search_update AFTER UPDATE OF id, name ON contacts
    WHEN OLD.id IS NOT NEW.id OR OLD.name IS NOT NEW.name BEGIN
        INSERT INTO {NAMES} ({NAMES}, rowid, name) VALUES ('delete', OLD.id, OLD.name);
        INSERT INTO {NAMES} (rowid, name) VALUES (NEW.id, NEW.name);
    END;
    INSERT INTO {NAMES} ({NAMES}) VALUES ('rebuild');
"""

# v12: the insert trigger stands aside while a bulk insert indexes its own rows (insert_indexed).
DIRECT_MIGRATION = f"""
    CREATE TABLE {DIRECT} (active INTEGER NOT NULL);
    INSERT INTO {DIRECT} (active) VALUES (0);
    DROP TRIGGER messages_search_insert;
    CREATE TRIGGER messages_search_insert AFTER INSERT ON messages
    WHEN NOT EXISTS (SELECT 1 FROM {DIRECT} WHERE active) BEGIN
        {_queue("NULL", "NEW")}
    END;
"""

#: Empties the index and fills it again from the messages (Store.rebuild_search_index).
REBUILD = f"""
    DELETE FROM {QUEUE};
    INSERT INTO {TABLE} ({TABLE}) VALUES ('delete-all');
    {_index_rows()};
    INSERT INTO {NAMES} ({NAMES}) VALUES ('rebuild');
"""


# One statement for every queued row: a command column of NULL inserts, 'delete' deletes. In key
# order, each key's writes in the order they were queued (writes to different keys commute):
# FTS5 adds to its pending terms only in ascending rowid order and writes them out as a segment
# of their own whenever a rowid is not above the last one. A listing comes newest first, so the
# hour in each key fell every few messages: hundreds of segments per listing, and their merging
# took most of the index's time (0.6 s instead of 1.1-1.4 s for 100k messages in order).
_FLUSH = (
    f"INSERT INTO {TABLE} ({TABLE}, rowid, body, about) SELECT command, key, body, about FROM {QUEUE} ORDER BY key, seq"
)


def flush_queue(db: sqlite3.Connection) -> None:
    """Apply the queued index writes, inside the caller's transaction (before its COMMIT).

    The triggers queue rather than write the index: FTS5 flushes its pending terms at every
    statement savepoint, and a trigger runs inside each INSERT's, so each message became its own
    index segment (25 µs a row, a sync's writes twice as slow); one INSERT ... SELECT per
    transaction costs 6 µs a row. The queue is written in the message's own statement, so a
    killed process loses both or neither, and searches apply what is queued before they read.
    """
    if db.execute(f"SELECT 1 FROM {QUEUE} LIMIT 1").fetchone() is not None:
        db.execute(_FLUSH)
        db.execute(f"DELETE FROM {QUEUE}")


def insert_indexed(db: sqlite3.Connection, insert: str, after_lid: int) -> None:
    """Run ``insert`` (one INSERT INTO messages of many rows) and index the rows it added, those
    whose lid is above ``after_lid``, inside the caller's write transaction.

    Through the trigger, every row also went through the queue: written with its body and
    ``about`` to the queue's table (the WAL), read back and deleted at the end of the
    transaction; a first sync wrote its whole history three times over. Here the trigger stands
    aside for the one statement and a single INSERT ... SELECT indexes the new rows from the
    table. The flag is a row in the store, so it holds on every connection; the write lock the
    transaction holds means no other can see it set, and a failure rolls it back with the rows.
    In key order, as :data:`_FLUSH` says why.
    """
    # One row set, whatever a store mended by hand holds; none at all: the trigger indexes them.
    flagged = db.execute(f"UPDATE {DIRECT} SET active = 1 WHERE rowid = (SELECT MIN(rowid) FROM {DIRECT})").rowcount
    db.execute(insert)
    if flagged == 1:
        db.execute(f"UPDATE {DIRECT} SET active = 0")
        db.execute(_index_rows("WHERE m.lid > ?"), (after_lid,))
