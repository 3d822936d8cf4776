"""The store's schema: its migrations, column lists, outbox states, the SQL status lists and times.

All that SQL text in one place, so every module of the store means the same by "pending" or "failed".
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import overload

from smstui.core.models import (
    FAILED_STATUSES,
    FINAL_STATUSES,
    PENDING_STATUSES,
)
from smstui.core.store.search_schema import DIRECT_MIGRATION, SEARCH_MIGRATION

SCHEMA_VERSION = 12

# Outbox states of a message we wrote (``messages.outbox``); NULL for messages the gateway told us of.
QUEUED = "queued"  # saved, not yet sent (or sending will be retried)
SENDING = "sending"  # a request is under way; on restart its outcome is unknown
SUBMITTED = "submitted"  # the gateway accepted it and gave an sms_id
UNKNOWN = "unknown"  # sent, answer lost, not found on the gateway yet: the user must check
REJECTED = "rejected"  # the gateway refused it (error 1); will not be retried
CANCELLED = "cancelled"
OUTBOX_STATES = (QUEUED, SENDING, SUBMITTED, UNKNOWN, REJECTED, CANCELLED)
ATTENTION_STATES = (REJECTED, UNKNOWN)  # counted in a thread's ``failed`` (see _refresh_threads)


def sql_codes(statuses: Iterable[int]) -> str:
    """``8, 9, 10`` for ``status IN (...)``: status lists in SQL come from the models' constants,
    so "failed" or "final" mean the same here as everywhere else (ints only: safe to inline)."""
    return ", ".join(str(int(s)) for s in sorted(statuses))


# The partial index's condition, word for word: SQLite uses the index only for queries that say so.
# Stores made before a change to FINAL_STATUSES keep the old index condition; they stay correct,
# their pending lookups just no longer use the index.
PENDING_WHERE = f"sms_id IS NOT NULL AND (status IS NULL OR status NOT IN ({sql_codes(FINAL_STATUSES)}))"


def failed_row(prefix: str = "") -> str:
    """A message row that failed or needs the user's attention (a refused or unclear send): what
    a thread's ``failed`` counts and the failed filter finds. ``prefix`` goes before each column
    (a table alias, or "+" to keep SQLite from using an index for the term)."""
    states = ", ".join(repr(s) for s in ATTENTION_STATES)
    return f"({prefix}status IN ({sql_codes(FAILED_STATUSES)}) OR {prefix}outbox IN ({states}))"


# A thread's ``failed`` count.
FAILED_SUM = f"COALESCE(SUM({failed_row()}), 0)"

# v7 of the schema (see smstui.core.store.schema.MIGRATIONS): newsletters' tag lists held local tag ids and
# now hold the gateway's. Tags without a gateway id drop out: savepaket was never given them.
# One statement inside the migration's transaction, so a killed migration converts nothing.
MIGRATE_NEWSLETTER_TAGS = """
    UPDATE newsletters SET tags = COALESCE((
        SELECT group_concat(gid, ',') FROM (
            SELECT t.gateway_id AS gid FROM json_each('[' || newsletters.tags || ']') AS j
            JOIN tags t ON t.id = j.value WHERE t.gateway_id IS NOT NULL ORDER BY j.key
        )
    ), '');
"""

MIGRATIONS: list[str] = [
    # v1: the original schema.
    """
    CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS devices (
        id INTEGER PRIMARY KEY,
        title TEXT NOT NULL,
        data TEXT NOT NULL,
        online INTEGER,
        last_seen REAL,
        seconds_since_seen INTEGER,
        status_checked REAL,
        updated REAL NOT NULL
    );
    CREATE TABLE IF NOT EXISTS messages (
        lid INTEGER PRIMARY KEY AUTOINCREMENT,
        sms_id INTEGER UNIQUE,
        phone TEXT NOT NULL,
        phone_key TEXT NOT NULL,
        body TEXT NOT NULL,
        status INTEGER,
        status_title TEXT,
        device_id INTEGER,
        slot INTEGER,
        created REAL NOT NULL,
        sent_at REAL,
        scheduled_at REAL,
        customer_id INTEGER,
        urgent INTEGER NOT NULL DEFAULT 0,
        paket_id INTEGER,
        paket_title TEXT,
        incoming INTEGER NOT NULL DEFAULT 0,
        outbox TEXT,
        outbox_error TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt REAL,
        submitted_at REAL,
        image_path TEXT,
        batch TEXT,
        seen INTEGER NOT NULL DEFAULT 1,
        updated REAL NOT NULL
    );
    CREATE INDEX IF NOT EXISTS messages_thread ON messages (phone_key, created);
    CREATE INDEX IF NOT EXISTS messages_status ON messages (status);
    CREATE INDEX IF NOT EXISTS messages_device ON messages (device_id, created);
    CREATE INDEX IF NOT EXISTS messages_created ON messages (created);
    CREATE INDEX IF NOT EXISTS messages_outbox ON messages (outbox) WHERE outbox IS NOT NULL;
    CREATE TABLE IF NOT EXISTS threads (
        phone_key TEXT PRIMARY KEY,
        phone TEXT NOT NULL,
        last_lid INTEGER NOT NULL,
        last_created REAL NOT NULL,
        last_body TEXT NOT NULL,
        last_status INTEGER,
        last_incoming INTEGER NOT NULL,
        last_outbox TEXT,
        total INTEGER NOT NULL,
        unread INTEGER NOT NULL,
        failed INTEGER NOT NULL,
        devices TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX IF NOT EXISTS threads_recent ON threads (last_created DESC);
    CREATE TABLE IF NOT EXISTS tags (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        gateway_id INTEGER UNIQUE,
        title TEXT NOT NULL,
        created REAL NOT NULL
    );
    CREATE TABLE IF NOT EXISTS contacts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        gateway_id INTEGER,
        tag_id INTEGER NOT NULL REFERENCES tags(id),
        phone TEXT NOT NULL,
        phone_key TEXT NOT NULL,
        name TEXT NOT NULL DEFAULT '',
        created REAL NOT NULL,
        UNIQUE (tag_id, phone_key)
    );
    CREATE INDEX IF NOT EXISTS contacts_phone ON contacts (phone_key);
    CREATE TABLE IF NOT EXISTS newsletters (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        gateway_id INTEGER UNIQUE,
        title TEXT NOT NULL,
        device_id INTEGER NOT NULL,
        slot INTEGER NOT NULL,
        body TEXT NOT NULL,
        tags TEXT NOT NULL,
        send_at REAL,
        created REAL NOT NULL
    );
    CREATE TABLE IF NOT EXISTS drafts (key TEXT PRIMARY KEY, data TEXT NOT NULL, updated REAL NOT NULL);
    """,
    # v2: templates, and the per-thread non-final index sync leans on.
    f"""
    CREATE TABLE IF NOT EXISTS templates (name TEXT PRIMARY KEY, body TEXT NOT NULL, updated REAL NOT NULL);
    CREATE INDEX IF NOT EXISTS messages_pending ON messages (created)
        WHERE sms_id IS NOT NULL AND status IN ({sql_codes(PENDING_STATUSES)});
    CREATE INDEX IF NOT EXISTS messages_customer ON messages (customer_id) WHERE customer_id IS NOT NULL;
    """,
    # v3: what the outbox needs to reconcile a send whose answer was lost: when the request
    # went out, and how many lookups since found nothing (see smstui.core.reconcile).
    """
    ALTER TABLE messages ADD COLUMN attempted_at REAL;
    ALTER TABLE messages ADD COLUMN recon_misses INTEGER NOT NULL DEFAULT 0;
    """,
    # v4: bulk jobs read their rows by batch prefix (see smstui.core.bulk.runner).
    """
    CREATE INDEX IF NOT EXISTS messages_batch ON messages (batch) WHERE batch IS NOT NULL;
    """,
    # v5: status codes we do not know are pending too (the gateway may still change them), so
    # the pending index covers every non-final status; opening a conversation finds its
    # unread messages without reading the whole thread.
    f"""
    DROP INDEX IF EXISTS messages_pending;
    CREATE INDEX messages_pending ON messages (created)
        WHERE {PENDING_WHERE};
    CREATE INDEX IF NOT EXISTS messages_unseen ON messages (phone_key) WHERE seen = 0;
    """,
    # v6: each conversation's number as shown (``+49 170 9827054``), formatted when the summary
    # is written, so the list's first frame needs no phonenumbers (~35 ms of a cold start to
    # import it and load its country data). Rows of older stores are filled by _fill_displays.
    """
    ALTER TABLE threads ADD COLUMN display TEXT;
    """,
    # v7: newsletters name their tags by the gateway's ids, as users see them (smstui.core.store.address_book).
    MIGRATE_NEWSLETTER_TAGS,
    # v8: a send re-sent after its absence was proven (``resent``), and a gateway message that
    # turned out to be a second copy of one of ours (``duplicate_of``: that row's lid), shown.
    """
    ALTER TABLE messages ADD COLUMN resent INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE messages ADD COLUMN duplicate_of INTEGER;
    CREATE INDEX IF NOT EXISTS messages_resent ON messages (phone_key) WHERE resent = 1;
    """,
    # v9: full-text search over every message, filled from the stored ones and kept in step by
    # triggers (smstui.core.store.search_schema).
    SEARCH_MIGRATION,
    # v10: failure triage (smstui.core.store.triage): a message sent again from the triage list
    # names the failed one it retries (``retry_of``: that row's lid), and a failure the user has
    # dealt with is marked handled (``handled_at``), kept but hidden from the list until undone.
    """
    ALTER TABLE messages ADD COLUMN retry_of INTEGER;
    ALTER TABLE messages ADD COLUMN handled_at REAL;
    CREATE INDEX IF NOT EXISTS messages_retry_of ON messages (retry_of) WHERE retry_of IS NOT NULL;
    """,
    # v11: the suppression list (smstui.core.store.optouts): numbers that replied STOP or were
    # added by hand; a lifted opt-out keeps its row (active = 0) with the time of that change.
    """
    CREATE TABLE IF NOT EXISTS optouts (
        phone_key TEXT PRIMARY KEY,
        phone TEXT NOT NULL,
        active INTEGER NOT NULL,
        changed_at REAL NOT NULL,
        reply TEXT NOT NULL DEFAULT '',
        source TEXT NOT NULL,
        sms_id INTEGER
    );
    CREATE INDEX IF NOT EXISTS optouts_active ON optouts (changed_at) WHERE active = 1;
    """,
    # v12: a bulk insert (a first sync's listings) indexes its rows for search itself instead
    # of through the trigger's queue (smstui.core.store.search_schema.insert_indexed).
    DIRECT_MIGRATION,
]
DISPLAY_FROM = 6  # the schema version that added threads.display


# Times are kept as epoch seconds (REAL); these two convert, None staying None. Every part of
# the core converts with them, so a time means the same instant in the store and on the wire.


@overload
def to_ts(value: datetime) -> float: ...
@overload
def to_ts(value: datetime | None) -> float | None: ...
def to_ts(value: datetime | None) -> float | None:
    """Epoch seconds of an aware datetime."""
    return None if value is None else value.timestamp()


@overload
def from_ts(value: float) -> datetime: ...
@overload
def from_ts(value: float | None) -> datetime | None: ...
def from_ts(value: float | None) -> datetime | None:
    """The aware (UTC) datetime of epoch seconds."""
    return None if value is None else datetime.fromtimestamp(value, UTC)


#: Meta key of the last finished sync (epoch seconds); see Store.last_synced.
META_LAST_SYNC = "sync.last"


MESSAGE_COLUMNS = (
    "lid, sms_id, phone, phone_key, body, status, status_title, device_id, slot, created, sent_at, "
    "scheduled_at, customer_id, urgent, paket_id, incoming, outbox, outbox_error, attempts, "
    "image_path, batch, attempted_at, next_attempt, recon_misses, resent, duplicate_of"
)
