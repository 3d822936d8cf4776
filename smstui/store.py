"""The local store: one SQLite database per profile (WAL), the app's memory between runs.

Everything the screens show comes from here, so the app opens instantly on what it already
knows and works offline. The gateway is the truth for what it holds; the store adds what the
gateway cannot tell us: messages not yet accepted (the outbox), tags/contacts/newsletters we
created (the API cannot list them), drafts, templates and sync cursors.

One table holds every message, gateway-known or not yet sent, keyed by a local id (``lid``);
``sms_id`` is the gateway's id once known. A ``threads`` table keeps one summary row per
normalised phone number, recomputed only for the numbers a write touched, so the conversation
list never has to aggregate the whole history.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, NamedTuple

from smstui.lazy import lazy_names
from smstui.models import FAILED_STATUSES, FINAL_STATUSES, PENDING_STATUSES, Device, DeviceStatus, SimCard
from smstui.store_lookup import LookupStore
from smstui.store_tags import MIGRATE_NEWSLETTER_TAGS, TagStore
from smstui.store_guard import GuardedConnection, describe

if TYPE_CHECKING:
    from smstui.models import Message
    from smstui.store_records import Contact, Newsletter, StoredMessage, Tag, UpsertResult

SCHEMA_VERSION = 8

# Outbox states of a message we wrote (``messages.outbox``); NULL for messages the gateway told us of.
QUEUED = "queued"  # saved, not yet sent (or sending will be retried)
SENDING = "sending"  # a request is under way; on restart its outcome is unknown
SUBMITTED = "submitted"  # the gateway accepted it and gave an sms_id
UNKNOWN = "unknown"  # sent, answer lost, not found on the gateway yet: the user must check
REJECTED = "rejected"  # the gateway refused it (error 1); will not be retried
CANCELLED = "cancelled"
OUTBOX_STATES = (QUEUED, SENDING, SUBMITTED, UNKNOWN, REJECTED, CANCELLED)
_SET_REFRESH_FROM = 64  # threads touched by one write from which one set-wise refresh is cheaper
_ATTENTION_STATES = (REJECTED, UNKNOWN)  # counted in a thread's ``failed`` (see _refresh_threads)


def sql_codes(statuses: Iterable[int]) -> str:
    """``8, 9, 10`` for ``status IN (...)``: status lists in SQL come from the models' constants,
    so "failed" or "final" mean the same here as everywhere else (ints only: safe to inline)."""
    return ", ".join(str(int(s)) for s in sorted(statuses))


# The partial index's condition, word for word: SQLite uses the index only for queries that say so.
# Stores made before a change to FINAL_STATUSES keep the old index condition; they stay correct,
# their pending lookups just no longer use the index.
_PENDING_WHERE = f"sms_id IS NOT NULL AND (status IS NULL OR status NOT IN ({sql_codes(FINAL_STATUSES)}))"
# A thread's ``failed`` count: failure statuses and sends that need the user's attention.
_FAILED_SUM = (f"COALESCE(SUM(status IN ({sql_codes(FAILED_STATUSES)}) OR outbox IN "
               f"({', '.join(repr(s) for s in _ATTENTION_STATES)})), 0)")

_MIGRATIONS: list[str] = [
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
    # went out, and how many lookups since found nothing (see smstui.outbox).
    """
    ALTER TABLE messages ADD COLUMN attempted_at REAL;
    ALTER TABLE messages ADD COLUMN recon_misses INTEGER NOT NULL DEFAULT 0;
    """,
    # v4: bulk jobs read their rows by batch prefix (see smstui.bulk).
    """
    CREATE INDEX IF NOT EXISTS messages_batch ON messages (batch) WHERE batch IS NOT NULL;
    """,
    # v5: status codes we do not know are pending too (the gateway may still change them), so
    # the pending index covers every non-final status; opening a conversation finds its
    # unread messages without reading the whole thread.
    f"""
    DROP INDEX IF EXISTS messages_pending;
    CREATE INDEX messages_pending ON messages (created)
        WHERE {_PENDING_WHERE};
    CREATE INDEX IF NOT EXISTS messages_unseen ON messages (phone_key) WHERE seen = 0;
    """,
    # v6: each conversation's number as shown (``+49 170 9827054``), formatted when the summary
    # is written, so the list's first frame needs no phonenumbers (~35 ms of a cold start to
    # import it and load its country data). Rows of older stores are filled by _fill_displays.
    """
    ALTER TABLE threads ADD COLUMN display TEXT;
    """,
    # v7: newsletters name their tags by the gateway's ids, as users see them (smstui.store_tags).
    MIGRATE_NEWSLETTER_TAGS,
    # v8: a send re-sent after its absence was proven (``resent``), and a gateway message that
    # turned out to be a second copy of one of ours (``duplicate_of``: that row's lid), shown.
    """
    ALTER TABLE messages ADD COLUMN resent INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE messages ADD COLUMN duplicate_of INTEGER;
    CREATE INDEX IF NOT EXISTS messages_resent ON messages (phone_key) WHERE resent = 1;
    """,
]
_DISPLAY_FROM = 6  # the schema version that added threads.display


def to_ts(value: datetime | None) -> float | None:
    return None if value is None else value.timestamp()


def from_ts(value: float | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value, timezone.utc)


#: Meta key of the last finished sync (epoch seconds); see Store.last_synced.
META_LAST_SYNC = "sync.last"


_MESSAGE_COLUMNS = (
    "lid, sms_id, phone, phone_key, body, status, status_title, device_id, slot, created, sent_at, "
    "scheduled_at, customer_id, urgent, paket_id, incoming, outbox, outbox_error, attempts, "
    "image_path, batch, attempted_at, next_attempt, recon_misses, resent, duplicate_of"
)


class Thread(NamedTuple):
    """One conversation: every message to or from one normalised number.

    A NamedTuple, as the first frame's other records (StoredDevice, SyncState): immutable and
    hashable like a frozen dataclass, but ~10x cheaper to define at start-up and to build by
    the hundred.
    """

    phone_key: str
    phone: str
    name: str | None
    last_lid: int
    last_created: datetime
    last_body: str
    last_status: int | None
    last_incoming: bool
    last_outbox: str | None
    total: int
    unread: int
    failed: int
    device_ids: tuple[int, ...] = ()
    display: str | None = None  # the number as shown, when the store has formatted it

    @property
    def label(self) -> str:
        return self.name or self.phone


class StoredDevice(NamedTuple):
    device: Device
    online: bool | None
    seconds_since_seen: int | None
    status_checked: datetime | None


def _device_to_json(device: Device) -> str:
    def dt(value: datetime | None) -> str | None:
        return None if value is None else value.isoformat()

    return json.dumps(
        {
            "id": device.id,
            "title": device.title,
            "sims": [
                {
                    "slot": s.slot, "number": s.number, "carrier": s.carrier,
                    "country": s.country, "roaming": s.roaming, "iccid": s.iccid,
                }
                for s in device.sims
            ],
            "imei": device.imei,
            "serial": device.serial,
            "number": device.number,
            "created": dt(device.created),
            "last_seen": dt(device.last_seen),
            "app_version": device.app_version,
            "app_version_current": device.app_version_current,
            "delay_between_sms": device.delay_between_sms,
            "delay_between_requests": device.delay_between_requests,
            "subscription": device.subscription,
        },
        ensure_ascii=False,
    )


def _device_from_json(text: str) -> Device:
    data = json.loads(text)

    def dt(value: str | None) -> datetime | None:
        return None if value is None else datetime.fromisoformat(value)

    return Device(
        id=data["id"],
        title=data["title"],
        sims=tuple(SimCard(**s) for s in data.get("sims", ())),
        imei=data.get("imei"),
        serial=data.get("serial"),
        number=data.get("number"),
        created=dt(data.get("created")),
        last_seen=dt(data.get("last_seen")),
        app_version=data.get("app_version"),
        app_version_current=data.get("app_version_current"),
        delay_between_sms=data.get("delay_between_sms"),
        delay_between_requests=data.get("delay_between_requests"),
        subscription=data.get("subscription"),
    )


class StoreError(Exception):
    """The database cannot be opened or used; the message says which file and what to do."""


class Store(TagStore, LookupStore):
    """All reads and writes of one profile's database.

    Thread-safe: one connection guarded by a lock, so the UI's thread workers and the sync task
    may share it. ``phone_key`` maps a raw number to its conversation key (normalised E.164 when
    the number parses, see :func:`smstui.phone.normalize_loose`).
    """

    def __init__(self, path: str | Path, *, region: str | None = None, clock=None) -> None:
        self.path = Path(path)
        self.region = region
        self._clock = clock or time.time
        self._lock = threading.RLock()
        try:
            if str(path) != ":memory:":
                self.path.parent.mkdir(parents=True, exist_ok=True)
                _create_private(self.path)
            # Errors at any later query name the file and what to do (smstui.store_guard).
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
        self._phone_cache: dict[str, str] = {}

    # ------------------------------------------------------------------ plumbing

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> "Store":
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
                self._db.execute("COMMIT")

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    @property
    def schema_version(self) -> int:
        return self._query("PRAGMA user_version")[0][0]

    def _migrate(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"The local store {self.path} was written by a newer smstui (schema {version}). "
                "Upgrade smstui or move the file away."
            )
        for number in range(version, SCHEMA_VERSION):
            # One script per step, so a killed migration leaves the previous version intact.
            with self._lock:
                try:
                    self._db.executescript(
                        f"BEGIN IMMEDIATE; {_MIGRATIONS[number]} PRAGMA user_version = {number + 1}; COMMIT;"
                    )
                except BaseException:
                    if self._db.in_transaction:
                        self._db.execute("ROLLBACK")
                    raise
        if version < _DISPLAY_FROM <= SCHEMA_VERSION:
            with self.transaction() as db:
                self._fill_displays(db)

    def now(self) -> float:
        return self._clock()

    def phone_key(self, raw: str) -> str:
        key = self._phone_cache.get(raw)
        if key is None:
            from smstui.phone import normalize_loose  # phonenumbers is slow to import: not at start-up

            key = normalize_loose(raw, self.region)
            if len(self._phone_cache) > 50_000:
                self._phone_cache.clear()
            self._phone_cache[raw] = key
        return key

    # ------------------------------------------------------------------ meta / cursors

    def last_synced(self) -> datetime | None:
        """When the last sync finished (written by :class:`smstui.sync.Syncer`); the app reads it
        at start-up without importing the sync machinery."""
        text = self.get_meta(META_LAST_SYNC)
        try:
            return None if text is None else datetime.fromtimestamp(float(text), timezone.utc)
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

    # ------------------------------------------------------------------ devices

    def save_devices(self, devices: Iterable[Device]) -> bool:
        """Replace the device list; returns True when anything changed."""
        now = self.now()
        changed = False
        with self.transaction() as db:
            seen = []
            for device in devices:
                seen.append(device.id)
                data = _device_to_json(device)
                row = db.execute("SELECT data FROM devices WHERE id = ?", (device.id,)).fetchone()
                if row is None or row[0] != data:
                    changed = True
                    db.execute(
                        "INSERT INTO devices (id, title, data, last_seen, updated) VALUES (?, ?, ?, ?, ?) "
                        "ON CONFLICT(id) DO UPDATE SET title = excluded.title, data = excluded.data, "
                        "last_seen = excluded.last_seen, updated = excluded.updated",
                        (device.id, device.title, data, to_ts(device.last_seen), now),
                    )
            placeholders = ",".join("?" * len(seen))
            gone = db.execute(
                f"DELETE FROM devices WHERE id NOT IN ({placeholders})" if seen else "DELETE FROM devices",
                seen,
            ).rowcount
            changed = changed or gone > 0
        return changed

    def save_device_status(self, status: DeviceStatus) -> bool:
        with self.transaction() as db:
            row = db.execute("SELECT online, last_seen FROM devices WHERE id = ?", (status.device_id,)).fetchone()
            if row is None:
                return False
            last_seen = to_ts(status.last_seen) if status.last_seen else row[1]
            db.execute(
                "UPDATE devices SET online = ?, last_seen = ?, seconds_since_seen = ?, status_checked = ? WHERE id = ?",
                (int(status.online), last_seen, status.seconds_since_seen, self.now(), status.device_id),
            )
            return row[0] != int(status.online) or row[1] != last_seen

    def last_sent_by_device(self) -> dict[int, float]:
        """Read-only: each device's latest outgoing message (sent, else created), as a timestamp."""
        rows = self._query(
            "SELECT device_id, max(coalesce(sent_at, created)) FROM messages "
            "WHERE incoming = 0 AND device_id IS NOT NULL GROUP BY device_id"
        )
        return {int(device_id): float(ts) for device_id, ts in rows if ts is not None}

    def devices(self) -> list[StoredDevice]:
        rows = self._query(
            "SELECT data, online, seconds_since_seen, status_checked, last_seen FROM devices ORDER BY title COLLATE NOCASE, id"
        )
        result = []
        for data, online, since, checked, last_seen in rows:
            device = _device_from_json(data)
            if last_seen is not None and (device.last_seen is None or to_ts(device.last_seen) != last_seen):
                device = device._replace(last_seen=from_ts(last_seen))
            result.append(
                StoredDevice(
                    device=device,
                    online=None if online is None else bool(online),
                    seconds_since_seen=since,
                    status_checked=from_ts(checked),
                )
            )
        return result

    def device(self, device_id: int) -> StoredDevice | None:
        for stored in self.devices():
            if stored.device.id == device_id:
                return stored
        return None

    # ------------------------------------------------------------------ messages from the gateway

    def upsert_messages(
        self, messages: Iterable[Message], *, mark_unseen: bool = True, meta: dict[str, str] | None = None
    ) -> UpsertResult:
        """Merge gateway messages by sms_id in one transaction.

        Incoming messages new to the store count as unread (``mark_unseen``); a first sync passes
        False so years of history do not show up as unread. ``meta`` is written in the same
        transaction, so a sync cursor never runs ahead of the messages it stands for.
        """
        result = _records().UpsertResult()
        now = self.now()
        with self.transaction() as db:
            for key, value in (meta or {}).items():
                db.execute(
                    "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    (key, value),
                )
            for msg in messages:
                row = db.execute(
                    "SELECT lid, status, status_title, sent_at, scheduled_at, body, outbox, paket_id FROM messages WHERE sms_id = ?",
                    (msg.id,),
                ).fetchone()
                created = to_ts(msg.created) or now
                if row is None:
                    key = self.phone_key(msg.phone)
                    cur = db.execute(
                        "INSERT INTO messages (sms_id, phone, phone_key, body, status, status_title, device_id, slot, "
                        "created, sent_at, scheduled_at, customer_id, urgent, paket_id, paket_title, incoming, seen, updated) "
                        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                        (
                            msg.id, msg.phone, key, msg.body, msg.status, msg.status_title, msg.device_id,
                            msg.slot, created, to_ts(msg.sent_at), to_ts(msg.scheduled_at), msg.customer_id,
                            int(msg.urgent), msg.paket_id, msg.paket_title, int(msg.incoming),
                            0 if (msg.incoming and mark_unseen) else 1, now,
                        ),
                    )
                    result.inserted.append(cur.lastrowid)
                    result.phone_keys.add(key)
                    continue
                lid, status, title, sent_at, scheduled_at, body, outbox, paket_id = row
                new_values = (msg.status, msg.status_title, to_ts(msg.sent_at), to_ts(msg.scheduled_at), msg.body, msg.paket_id)
                if (status, title, sent_at, scheduled_at, body, paket_id) != new_values or outbox in (QUEUED, SENDING, UNKNOWN):
                    db.execute(
                        "UPDATE messages SET status = ?, status_title = ?, sent_at = ?, scheduled_at = ?, body = ?, "
                        "paket_id = ?, outbox = CASE WHEN outbox IS NULL THEN NULL ELSE ? END, outbox_error = NULL, updated = ? "
                        "WHERE lid = ?",
                        (*new_values, SUBMITTED, now, lid),
                    )
                    result.changed.append(lid)
                    result.phone_keys.add(db.execute("SELECT phone_key FROM messages WHERE lid = ?", (lid,)).fetchone()[0])
            self._refresh_threads(db, result.phone_keys)
        return result

    def update_status(self, sms_id: int, status: int, title: str | None = None) -> str | None:
        """Apply one status answer; returns the thread's phone_key when it changed."""
        with self.transaction() as db:
            row = db.execute("SELECT lid, status, phone_key FROM messages WHERE sms_id = ?", (sms_id,)).fetchone()
            if row is None or row[1] == status:
                return None
            db.execute(
                "UPDATE messages SET status = ?, status_title = COALESCE(?, status_title), updated = ? WHERE lid = ?",
                (status, title, self.now(), row[0]),
            )
            self._refresh_threads(db, {row[2]})
            return row[2]

    def pending_sms_ids(self, limit: int = 10_000) -> list[tuple[int, float]]:
        """Gateway ids (and created time) of messages that can still change status, oldest first.

        Every status not final counts, codes we do not know included (see models.is_final).
        """
        return [
            (r[0], r[1])
            for r in self._query(
                f"SELECT sms_id, created FROM messages WHERE {_PENDING_WHERE} ORDER BY created LIMIT ?", (limit,)
            )
        ]

    def message_count(self) -> int:
        return self._query("SELECT COUNT(*) FROM messages")[0][0]

    def max_created(self) -> datetime | None:
        rows = self._query("SELECT MAX(created) FROM messages WHERE sms_id IS NOT NULL")
        return from_ts(rows[0][0])

    # ------------------------------------------------------------------ threads

    def _refresh_threads(self, db: sqlite3.Connection, keys: Iterable[str]) -> None:
        keys = keys if isinstance(keys, (set, frozenset, list, tuple)) else list(keys)
        if len(keys) > _SET_REFRESH_FROM:
            self._refresh_threads_set(db, keys)
            return
        for key in keys:
            last = db.execute(
                "SELECT lid, phone, created, body, status, incoming, outbox FROM messages WHERE phone_key = ? "
                "ORDER BY created DESC, lid DESC LIMIT 1",
                (key,),
            ).fetchone()
            if last is None:
                db.execute("DELETE FROM threads WHERE phone_key = ?", (key,))
                continue
            total, unread, failed = db.execute(
                "SELECT COUNT(*), COALESCE(SUM(incoming = 1 AND seen = 0), 0), "
                f"{_FAILED_SUM} "
                "FROM messages WHERE phone_key = ?",
                (key,),
            ).fetchone()
            devices = ",".join(
                str(r[0])
                for r in db.execute(
                    "SELECT DISTINCT device_id FROM messages WHERE phone_key = ? AND device_id IS NOT NULL ORDER BY device_id",
                    (key,),
                )
            )
            db.execute(
                "INSERT INTO threads (phone_key, phone, last_lid, last_created, last_body, last_status, last_incoming, "
                "last_outbox, total, unread, failed, devices) VALUES (?,?,?,?,?,?,?,?,?,?,?,?) "
                "ON CONFLICT(phone_key) DO UPDATE SET phone = excluded.phone, last_lid = excluded.last_lid, "
                "last_created = excluded.last_created, last_body = excluded.last_body, last_status = excluded.last_status, "
                "last_incoming = excluded.last_incoming, last_outbox = excluded.last_outbox, total = excluded.total, "
                "unread = excluded.unread, failed = excluded.failed, devices = excluded.devices",
                (key, last[1], last[0], last[2], last[3][:200], last[4], last[5], last[6], total, unread, failed, devices),
            )
        self._fill_displays(db, keys)

    def _refresh_threads_set(self, db: sqlite3.Connection, keys: Iterable[str]) -> None:
        """:meth:`_refresh_threads` for many numbers at once (a bulk job touches thousands):
        the same summaries from a few set-wise statements instead of four queries per number."""
        db.execute("CREATE TEMP TABLE IF NOT EXISTS refresh_keys (phone_key TEXT PRIMARY KEY)")
        db.execute("DELETE FROM refresh_keys")
        db.executemany("INSERT OR IGNORE INTO refresh_keys (phone_key) VALUES (?)", ((k,) for k in keys))
        db.execute(
            "DELETE FROM threads WHERE phone_key IN (SELECT phone_key FROM refresh_keys) "
            "AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.phone_key = threads.phone_key)"
        )
        db.execute(
            "INSERT INTO threads (phone_key, phone, last_lid, last_created, last_body, last_status, last_incoming, "
            "last_outbox, total, unread, failed, devices) "
            "SELECT k.phone_key, m.phone, m.lid, m.created, substr(m.body, 1, 200), m.status, m.incoming, m.outbox, "
            "a.total, a.unread, a.failed, COALESCE(d.devices, '') "
            "FROM refresh_keys k "
            "JOIN messages m ON m.lid = (SELECT lid FROM messages WHERE phone_key = k.phone_key "
            "  ORDER BY created DESC, lid DESC LIMIT 1) "
            "JOIN (SELECT phone_key, COUNT(*) AS total, COALESCE(SUM(incoming = 1 AND seen = 0), 0) AS unread, "
            f"  {_FAILED_SUM} AS failed "
            "  FROM messages WHERE phone_key IN (SELECT phone_key FROM refresh_keys) GROUP BY phone_key) a "
            "  ON a.phone_key = k.phone_key "
            "LEFT JOIN (SELECT phone_key, group_concat(device_id, ',') AS devices FROM ("
            "  SELECT DISTINCT phone_key, device_id FROM messages "
            "  WHERE phone_key IN (SELECT phone_key FROM refresh_keys) AND device_id IS NOT NULL "
            "  ORDER BY phone_key, device_id) GROUP BY phone_key) d ON d.phone_key = k.phone_key "
            "WHERE true "  # SQLite needs it to tell the upsert's ON CONFLICT from a join's ON
            "ON CONFLICT(phone_key) DO UPDATE SET phone = excluded.phone, last_lid = excluded.last_lid, "
            "last_created = excluded.last_created, last_body = excluded.last_body, last_status = excluded.last_status, "
            "last_incoming = excluded.last_incoming, last_outbox = excluded.last_outbox, total = excluded.total, "
            "unread = excluded.unread, failed = excluded.failed, devices = excluded.devices"
        )
        self._fill_displays(db, keys)
        db.execute("DELETE FROM refresh_keys")

    def _fill_displays(self, db: sqlite3.Connection, keys: Iterable[str] | None = None) -> None:
        """Format the shown number of conversations that have none yet (``keys``, or all).

        A number's display form never changes (it is the international format of its key), so
        each is formatted once, when its conversation first appears.
        """
        if keys is None:
            rows = db.execute("SELECT phone_key FROM threads WHERE display IS NULL").fetchall()
        else:
            rows = []
            for chunk in _chunks(list(keys)):
                rows += db.execute(
                    f"SELECT phone_key FROM threads WHERE display IS NULL AND phone_key IN ({','.join('?' * len(chunk))})",
                    chunk,
                ).fetchall()
        if not rows:
            return
        from smstui.phone import format_display  # phonenumbers is slow to import: not at start-up

        db.executemany("UPDATE threads SET display = ? WHERE phone_key = ?",
                       [(format_display(key), key) for (key,) in rows])

    def forget_account(self, note: str) -> int:
        """Another account now uses this profile: drop what the old one's gateway told us.

        Messages the old account never got accepted are kept (nothing the user wrote is lost) but
        cancelled with ``note``, so they are not sent from the new account's phones by surprise;
        the user may retry them. Returns how many were kept that way.
        """
        with self.transaction() as db:
            kept = db.execute(
                "UPDATE messages SET outbox = ?, outbox_error = ?, sms_id = NULL, status = NULL, next_attempt = NULL "
                "WHERE outbox IN (?, ?, ?)",
                (CANCELLED, note, QUEUED, SENDING, UNKNOWN),
            ).rowcount
            db.execute("DELETE FROM messages WHERE outbox IS NULL OR outbox != ?", (CANCELLED,))
            db.execute("DELETE FROM messages WHERE outbox = ? AND sms_id IS NOT NULL", (CANCELLED,))
            for table in ("devices", "contacts", "tags", "newsletters"):
                db.execute(f"DELETE FROM {table}")
            keys = [r[0] for r in db.execute("SELECT DISTINCT phone_key FROM messages")]
            db.execute("DELETE FROM threads")
            self._refresh_threads(db, keys)
        return kept

    def rebuild_threads(self) -> None:
        with self.transaction() as db:
            keys = [r[0] for r in db.execute("SELECT DISTINCT phone_key FROM messages")]
            db.execute("DELETE FROM threads")
            self._refresh_threads(db, keys)

    def threads(
        self, *, search: str = "", device_id: int | None = None, limit: int = 500, offset: int = 0,
        only: tuple[str, Sequence[Any]] | None = None,
    ) -> list[Thread]:
        """Conversations, newest first; ``search`` matches the number's digits or a contact name.

        ``only``: one more condition on the summary ``t`` (SQL, parameters), for the lookups of
        :mod:`smstui.store_lookup` (failed conversations, the one holding a gateway id).
        """
        where = []
        params: list[Any] = []
        if device_id is not None:
            where.append("(',' || t.devices || ',') LIKE ?")
            params.append(f"%,{device_id},%")
        text = search.strip()
        if text:
            digits = "".join(ch for ch in text if ch.isdigit())
            clauses = ["n.name LIKE ? ESCAPE '\\'"]
            params_s: list[Any] = [f"%{_like_escape(text)}%"]
            if digits:
                clauses.append("t.phone_key LIKE ?")
                params_s.append(f"%{digits}%")
                # Numbers are stored in international form: "0151…" typed in national form
                # (or "0049151…") is the start of "+49151…".
                from smstui.phone import international_prefixes  # lazily: phonenumbers is slow to import

                for prefix in international_prefixes(text, digits, self.region):
                    clauses.append("t.phone_key LIKE ?")
                    params_s.append(f"{prefix}%")
            clauses.append("t.phone LIKE ? ESCAPE '\\'")
            params_s.append(f"%{_like_escape(text)}%")
            where.append("(" + " OR ".join(clauses) + ")")
            params.extend(params_s)
        if only is not None:
            where.append(f"({only[0]})")
            params.extend(only[1])
        sql = (
            "SELECT t.phone_key, t.phone, n.name, t.last_lid, t.last_created, t.last_body, t.last_status, "
            "t.last_incoming, t.last_outbox, t.total, t.unread, t.failed, t.devices, t.display FROM threads t "
            "LEFT JOIN (SELECT phone_key, MAX(name) AS name FROM contacts WHERE name != '' GROUP BY phone_key) n "
            "ON n.phone_key = t.phone_key"
            + (" WHERE " + " AND ".join(where) if where else "")
            + " ORDER BY t.last_created DESC LIMIT ? OFFSET ?"
        )
        params.extend([limit, offset])
        return [
            Thread(
                phone_key=r[0], phone=r[1], name=r[2], last_lid=r[3],
                last_created=datetime.fromtimestamp(r[4], timezone.utc), last_body=r[5], last_status=r[6],
                last_incoming=bool(r[7]), last_outbox=r[8], total=r[9], unread=r[10], failed=r[11],
                device_ids=tuple(int(d) for d in r[12].split(",") if d), display=r[13],
            )
            for r in self._query(sql, params)
        ]

    def thread_count(self) -> int:
        return self._query("SELECT COUNT(*) FROM threads")[0][0]

    def thread_messages(
        self, phone_key: str, *, limit: int = 200, before: tuple[float, int] | None = None
    ) -> list[StoredMessage]:
        """A page of one conversation, oldest first; ``before`` = (created, lid) of the oldest shown."""
        params: list[Any] = [phone_key]
        cond = ""
        if before is not None:
            cond = " AND (created < ? OR (created = ? AND lid < ?))"
            params.extend([before[0], before[0], before[1]])
        params.append(limit)
        rows = self._query(
            f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE phone_key = ?{cond} ORDER BY created DESC, lid DESC LIMIT ?",
            params,
        )
        return _messages(reversed(rows))

    def thread_size(self, phone_key: str) -> int:
        return self._query("SELECT COUNT(*) FROM messages WHERE phone_key = ?", (phone_key,))[0][0]

    def mark_thread_seen(self, phone_key: str) -> bool:
        with self.transaction() as db:
            changed = db.execute(
                "UPDATE messages SET seen = 1 WHERE phone_key = ? AND seen = 0", (phone_key,)
            ).rowcount
            if changed:
                db.execute("UPDATE threads SET unread = 0 WHERE phone_key = ?", (phone_key,))
        return changed > 0

    def message(self, lid: int) -> StoredMessage | None:
        rows = self._query(f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE lid = ?", (lid,))
        return _records().row_to_message(rows[0]) if rows else None

    def message_by_sms_id(self, sms_id: int) -> StoredMessage | None:
        rows = self._query(f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE sms_id = ?", (sms_id,))
        return _records().row_to_message(rows[0]) if rows else None

    def messages(
        self,
        *,
        phone_key: str | None = None,
        device_id: int | None = None,
        status: int | Iterable[int] | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        slot: int | None = None,
        customer_id: int | None = None,
        batch: str | None = None,
        limit: int | None = 1000,
    ) -> list[StoredMessage]:
        """Messages by any combination of filters, newest first (the CLI's ``--offline``).

        ``status`` is one code or several (any of them: ``models.FAILED_STATUSES`` for "failed").
        """
        where: list[str] = []
        params: list[Any] = []
        for column, value in (
            ("phone_key", phone_key), ("device_id", device_id), ("slot", slot),
            ("customer_id", customer_id), ("batch", batch),
        ):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        if status is not None:
            codes = [status] if isinstance(status, int) else sorted(set(status))
            where.append(f"status IN ({', '.join('?' * len(codes))})" if codes else "0")
            params.extend(codes)
        if since is not None:
            where.append("created >= ?")
            params.append(since.timestamp())
        if until is not None:
            where.append("created <= ?")
            params.append(until.timestamp())
        sql = f"SELECT {_MESSAGE_COLUMNS} FROM messages" + (" WHERE " + " AND ".join(where) if where else "")
        sql += " ORDER BY created DESC, lid DESC"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return _messages(self._query(sql, params))

    # ------------------------------------------------------------------ outbox rows

    def enqueue(
        self,
        *,
        phone: str,
        body: str,
        device_id: int | None,
        slot: int,
        scheduled_at: datetime | None = None,
        customer_id: int | None = None,
        urgent: bool = False,
        image_path: str | None = None,
        batch: str | None = None,
    ) -> int:
        """Save a message the user wrote, before any request; returns its local id."""
        return self.enqueue_many(
            [dict(phone=phone, body=body, device_id=device_id, slot=slot, scheduled_at=scheduled_at,
                  customer_id=customer_id, urgent=urgent, image_path=image_path, batch=batch)]
        )[0]

    def enqueue_many(self, items: Sequence[dict[str, Any]], *, delete_draft: str | None = None) -> list[int]:
        """Queue messages; ``delete_draft``: the draft they were written in goes in the same transaction."""
        now = self.now()
        lids: list[int] = []
        keys: set[str] = set()
        with self.transaction() as db:
            for item in items:
                key = self.phone_key(item["phone"])
                keys.add(key)
                cur = db.execute(
                    "INSERT INTO messages (phone, phone_key, body, device_id, slot, created, scheduled_at, customer_id, "
                    "urgent, outbox, image_path, batch, updated) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (
                        item["phone"], key, item["body"], item.get("device_id"), int(item.get("slot", 0)), now,
                        to_ts(item.get("scheduled_at")), item.get("customer_id"), int(bool(item.get("urgent"))),
                        QUEUED, item.get("image_path"), item.get("batch"), now,
                    ),
                )
                lids.append(cur.lastrowid)
            self._refresh_threads(db, keys)
            if delete_draft is not None:
                db.execute("DELETE FROM drafts WHERE key = ?", (delete_draft,))
        return lids

    def outbox(
        self, states: Sequence[str] = (QUEUED, SENDING, UNKNOWN), *, bulk: bool | None = None
    ) -> list[StoredMessage]:
        """Outbox rows in ``states``; ``bulk`` False: only single sends (``batch`` unset), True:
        only bulk jobs' rows (a running bulk job may hold thousands in SENDING), None: both."""
        placeholders = ",".join("?" * len(states))
        where = {None: "", False: " AND batch IS NULL", True: " AND batch IS NOT NULL"}[bulk]
        rows = self._query(
            f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE outbox IN ({placeholders}){where} ORDER BY lid", list(states)
        )
        return _messages(rows)

    def outbox_due(self, now: float | None = None) -> list[StoredMessage]:
        """Queued messages whose next attempt is due."""
        moment = self.now() if now is None else now
        rows = self._query(
            f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE outbox = ? AND (next_attempt IS NULL OR next_attempt <= ?) "
            "ORDER BY lid",
            (QUEUED, moment),
        )
        return _messages(rows)

    def next_outbox_attempt(self) -> float | None:
        rows = self._query("SELECT MIN(next_attempt) FROM messages WHERE outbox = ?", (QUEUED,))
        return rows[0][0]

    def set_outbox_state(
        self,
        lid: int,
        state: str,
        *,
        error: str | None = None,
        sms_id: int | None = None,
        next_attempt: float | None = None,
        count_attempt: bool = False,
        status: int | None = None,
        only_if: Sequence[str] | None = None,
        reset_misses: bool = False,
    ) -> bool:
        """Move an outbox row to ``state``; with ``only_if`` only when it is in one of those states.

        Returns True when the row was changed (False: no such row, or another state won the race).
        """
        if state not in OUTBOX_STATES:
            raise ValueError(f"unknown outbox state {state!r}")
        with self.transaction() as db:
            row = db.execute("SELECT phone_key, outbox FROM messages WHERE lid = ?", (lid,)).fetchone()
            if row is None or (only_if is not None and row[1] not in only_if):
                return False
            db.execute(
                "UPDATE messages SET outbox = ?, outbox_error = ?, sms_id = COALESCE(?, sms_id), next_attempt = ?, "
                "attempts = attempts + ?, submitted_at = CASE WHEN ? = 'submitted' THEN ? ELSE submitted_at END, "
                "status = COALESCE(?, status), recon_misses = CASE WHEN ? THEN 0 ELSE recon_misses END, "
                "updated = ? WHERE lid = ?",
                (state, error, sms_id, next_attempt, int(count_attempt), state, self.now(), status,
                 int(reset_misses), self.now(), lid),
            )
            self._refresh_threads(db, {row[0]})
            return True

    def set_outbox_states(
        self,
        lids: Sequence[int],
        state: str,
        *,
        error: str | None = None,
        next_attempt: float | None = None,
        count_attempt: bool = False,
        only_if: Sequence[str] | None = None,
        reset_misses: bool = False,
    ) -> list[int]:
        """:meth:`set_outbox_state` for many rows: one transaction, one thread refresh per number.

        Returns the lids changed (rows missing, or not in ``only_if``, are left alone).
        """
        if state not in OUTBOX_STATES:
            raise ValueError(f"unknown outbox state {state!r}")
        now = self.now()
        changed: list[int] = []
        with self.transaction() as db:
            keys: set[str] = set()
            # Whether a thread's failed count may change; if not, only ``last_outbox`` can.
            attention = state in _ATTENTION_STATES
            for chunk in _chunks(list(lids)):
                rows = db.execute(
                    f"SELECT lid, phone_key, outbox FROM messages WHERE lid IN ({','.join('?' * len(chunk))})", chunk
                ).fetchall()
                picked = [r for r in rows if only_if is None or r[2] in only_if]
                if not picked:
                    continue
                ids = [r[0] for r in picked]
                db.execute(
                    "UPDATE messages SET outbox = ?, outbox_error = ?, next_attempt = ?, attempts = attempts + ?, "
                    "submitted_at = CASE WHEN ? = 'submitted' THEN ? ELSE submitted_at END, "
                    "recon_misses = CASE WHEN ? THEN 0 ELSE recon_misses END, updated = ? "
                    f"WHERE lid IN ({','.join('?' * len(ids))})",
                    (state, error, next_attempt, int(count_attempt), state, now, int(reset_misses), now, *ids),
                )
                changed.extend(ids)
                keys.update(r[1] for r in picked)
                attention = attention or any(r[2] in _ATTENTION_STATES for r in picked)
            if attention:
                self._refresh_threads(db, keys)
            else:
                # Outbox states outside the failed count change no summary field but the last
                # message's state: far cheaper than recomputing a thread per number of a bulk job.
                for chunk in _chunks(changed):
                    db.execute(
                        f"UPDATE threads SET last_outbox = ? WHERE last_lid IN ({','.join('?' * len(chunk))})",
                        (state, *chunk),
                    )
        return changed

    def begin_send(self, lid: int) -> bool:
        """Claim a queued row for one submit request (queued -> sending), atomically.

        False when the row is no longer queued (cancelled, or another process took it), so two
        senders can never submit the same row.
        """
        now = self.now()
        with self.transaction() as db:
            cur = db.execute(
                "UPDATE messages SET outbox = ?, outbox_error = NULL, attempted_at = ?, recon_misses = 0, "
                "next_attempt = NULL, updated = ? WHERE lid = ? AND outbox = ?",
                (SENDING, now, now, lid, QUEUED),
            )
            if cur.rowcount != 1:
                return False
            key = db.execute("SELECT phone_key FROM messages WHERE lid = ?", (lid,)).fetchone()
            self._refresh_threads(db, {key[0]})
            return True

    def set_reconcile(self, lid: int, *, misses: int, next_check: float | None, error: str | None) -> bool:
        """Record one lookup of an unknown row: misses so far, when to look again, what to tell the user."""
        with self.transaction() as db:
            cur = db.execute(
                "UPDATE messages SET recon_misses = ?, next_attempt = ?, outbox_error = ?, updated = ? "
                "WHERE lid = ? AND outbox = ?",
                (misses, next_check, error, self.now(), lid, UNKNOWN),
            )
            return cur.rowcount == 1

    def mark_resent(self, lids: Sequence[int]) -> None:
        """These sends are going out again after a lost answer: a late original is a duplicate."""
        with self.transaction() as db:
            for chunk in _chunks(list(lids)):
                db.execute(f"UPDATE messages SET resent = 1 WHERE lid IN ({','.join('?' * len(chunk))})", chunk)

    def resent_rows(self, since: float = 0.0) -> list[StoredMessage]:
        """Sends written since ``since`` that were re-sent and have their gateway id: a later
        copy of one is a duplicate."""
        return _messages(self._query(
            f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE resent = 1 AND sms_id IS NOT NULL AND created >= ? "
            "ORDER BY lid",
            (since,),
        ))

    def mark_duplicates(self, pairs: Iterable[tuple[int, int]]) -> int:
        """(sms_id of a stored gateway message, lid of our row it copies): flag the message."""
        changed = 0
        with self.transaction() as db:
            for sms_id, lid in pairs:
                changed += db.execute(
                    "UPDATE messages SET duplicate_of = ? WHERE sms_id = ? AND outbox IS NULL AND lid != ? "
                    "AND duplicate_of IS NOT ?",
                    (lid, sms_id, lid, lid),
                ).rowcount
        return changed

    def duplicate_count(self, lids: Sequence[int] | None = None) -> int:
        """Gateway messages flagged as second copies (of these rows, or of any)."""
        if lids is None:
            return self._query("SELECT COUNT(*) FROM messages WHERE duplicate_of IS NOT NULL")[0][0]
        total = 0
        for chunk in _chunks(list(lids)):
            total += self._query(
                f"SELECT COUNT(*) FROM messages WHERE duplicate_of IN ({','.join('?' * len(chunk))})", chunk
            )[0][0]
        return total

    def claimed_sms_ids(self, ids: Iterable[int]) -> set[int]:
        """Of these gateway ids, those already attached to a message we wrote (an outbox row)."""
        found: set[int] = set()
        for chunk in _chunks(list(ids)):
            placeholders = ",".join("?" * len(chunk))
            found.update(
                r[0]
                for r in self._query(
                    f"SELECT sms_id FROM messages WHERE sms_id IN ({placeholders}) AND outbox IS NOT NULL", chunk
                )
            )
        return found

    def batch_counts(self, prefix: str) -> list[tuple[str | None, int | None, int]]:
        """(outbox state, status, count) of the rows whose batch starts with ``prefix``.

        One grouped read over the batch index: a bulk job may have tens of thousands of rows.
        """
        # The range [prefix, prefix + chr(0x10FFFF)) is what the index can seek; LIKE cannot.
        return [
            (r[0], r[1], r[2])
            for r in self._query(
                "SELECT outbox, status, COUNT(*) FROM messages WHERE batch >= ? AND batch < ? GROUP BY outbox, status",
                (prefix, prefix + "\U0010ffff"),
            )
        ]

    def count_created_between(self, since: float, until: float | None = None) -> int:
        """How many gateway messages were created in [since, until]: what a window listing would return."""
        if until is None:
            rows = self._query("SELECT COUNT(*) FROM messages WHERE sms_id IS NOT NULL AND created >= ?", (since,))
        else:
            rows = self._query(
                "SELECT COUNT(*) FROM messages WHERE sms_id IS NOT NULL AND created >= ? AND created <= ?",
                (since, until),
            )
        return rows[0][0]

    def attach_sms_id(self, lid: int, sms_id: int, status: int = 1) -> None:
        """The gateway accepted a local message: it gets the sms_id and follows the gateway's status.

        When sync already stored the same gateway message as its own row (found before the answer
        came), that row is folded into ours so the message is never shown twice.
        """
        with self.transaction() as db:
            keys: set[str] = set()
            dup = db.execute(
                "SELECT lid, status, status_title, outbox, phone_key FROM messages WHERE sms_id = ? AND lid != ?",
                (sms_id, lid),
            ).fetchone()
            if dup is not None and dup[3] is None:
                db.execute("DELETE FROM messages WHERE lid = ?", (dup[0],))
                status = dup[1] if dup[1] is not None else status
            elif dup is not None:
                # Another message we wrote holds this id: it was matched by content (identical
                # text, same number) and this answer proves the match wrong. It goes back to
                # being checked on the gateway; the gateway's own answer wins.
                db.execute(
                    "UPDATE messages SET sms_id = NULL, status = NULL, status_title = NULL, outbox = ?, "
                    "outbox_error = ?, next_attempt = ?, recon_misses = 0, updated = ? WHERE lid = ?",
                    (UNKNOWN, "Checking the gateway again for this message.", self.now(), self.now(), dup[0]),
                )
                keys.add(dup[4])
            db.execute(
                "UPDATE messages SET sms_id = ?, outbox = ?, outbox_error = NULL, status = COALESCE(status, ?), "
                "next_attempt = NULL, recon_misses = 0, submitted_at = ?, updated = ? WHERE lid = ?",
                (sms_id, SUBMITTED, status, self.now(), self.now(), lid),
            )
            key = db.execute("SELECT phone_key FROM messages WHERE lid = ?", (lid,)).fetchone()
            if key:
                keys.add(key[0])
            self._refresh_threads(db, keys)

    def attach_sms_ids(self, pairs: Iterable[tuple[int, int] | tuple[int, int, int]]) -> None:
        """:meth:`attach_sms_id` for many (lid, sms_id[, status]) pairs, in one transaction.

        Same rules per pair, in order (a row sync stored first is folded in; another outbox row
        holding the id goes back to being checked); one thread refresh per number touched.
        """
        items = [(p[0], p[1], p[2] if len(p) > 2 else 1) for p in pairs]
        if not items:
            return
        now = self.now()
        with self.transaction() as db:
            keys: set[str] = set()
            holders: dict[int, tuple[int, int | None, str | None, str | None]] = {}  # sms_id -> (lid, status, outbox, key)
            for chunk in _chunks([sms_id for _, sms_id, _ in items]):
                for lid, sms_id, status, outbox, key in db.execute(
                    "SELECT lid, sms_id, status, outbox, phone_key FROM messages "
                    f"WHERE sms_id IN ({','.join('?' * len(chunk))})",
                    chunk,
                ):
                    holders[sms_id] = (lid, status, outbox, key)
            updates = []
            for lid, sms_id, status in items:
                dup = holders.get(sms_id)
                if dup is not None and dup[0] != lid:
                    if dup[2] is None:
                        db.execute("DELETE FROM messages WHERE lid = ?", (dup[0],))
                        status = dup[1] if dup[1] is not None else status
                    else:
                        # Matched by content before and proven wrong by this pairing; see attach_sms_id.
                        db.execute(
                            "UPDATE messages SET sms_id = NULL, status = NULL, status_title = NULL, outbox = ?, "
                            "outbox_error = ?, next_attempt = ?, recon_misses = 0, updated = ? WHERE lid = ?",
                            (UNKNOWN, "Checking the gateway again for this message.", now, now, dup[0]),
                        )
                    if dup[3] is not None:
                        keys.add(dup[3])
                # Pairs are applied in order: the id is this row's from now on.
                holders[sms_id] = (lid, status, SUBMITTED, None)
                updates.append((sms_id, SUBMITTED, status, now, now, lid))
            db.executemany(
                "UPDATE messages SET sms_id = ?, outbox = ?, outbox_error = NULL, status = COALESCE(status, ?), "
                "next_attempt = NULL, recon_misses = 0, submitted_at = ?, updated = ? WHERE lid = ?",
                updates,
            )
            for chunk in _chunks([lid for lid, _, _ in items]):
                keys.update(
                    r[0]
                    for r in db.execute(
                        f"SELECT phone_key FROM messages WHERE lid IN ({','.join('?' * len(chunk))})", chunk
                    )
                )
            self._refresh_threads(db, keys)

    def messages_by_sms_ids(self, ids: Iterable[int]) -> dict[int, StoredMessage]:
        """The stored messages with these gateway ids, by id (one query per 500 ids)."""
        found: dict[int, StoredMessage] = {}
        make = _records().row_to_message
        for chunk in _chunks(list(ids)):
            for row in self._query(
                f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE sms_id IN ({','.join('?' * len(chunk))})", chunk
            ):
                message = make(row)
                found[message.sms_id] = message  # type: ignore[index]
        return found

    def known_sms_ids(self, ids: Iterable[int]) -> set[int]:
        found: set[int] = set()
        for chunk in _chunks(list(ids)):
            placeholders = ",".join("?" * len(chunk))
            found.update(r[0] for r in self._query(f"SELECT sms_id FROM messages WHERE sms_id IN ({placeholders})", chunk))
        return found

    def delete_message(self, lid: int) -> None:
        with self.transaction() as db:
            row = db.execute("SELECT phone_key FROM messages WHERE lid = ?", (lid,)).fetchone()
            db.execute("DELETE FROM messages WHERE lid = ?", (lid,))
            if row:
                self._refresh_threads(db, {row[0]})

    # ------------------------------------------------------------------ drafts and templates

    def save_draft(self, key: str, data: dict[str, Any]) -> None:
        with self._lock:
            if not any(v for v in data.values()):
                self._db.execute("DELETE FROM drafts WHERE key = ?", (key,))
                return
            self._db.execute(
                "INSERT INTO drafts (key, data, updated) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET "
                "data = excluded.data, updated = excluded.updated",
                (key, json.dumps(data, ensure_ascii=False), self.now()),
            )

    def draft(self, key: str) -> dict[str, Any] | None:
        rows = self._query("SELECT data FROM drafts WHERE key = ?", (key,))
        return json.loads(rows[0][0]) if rows else None

    def delete_draft(self, key: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM drafts WHERE key = ?", (key,))

    def save_template(self, name: str, body: str) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO templates (name, body, updated) VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE SET "
                "body = excluded.body, updated = excluded.updated",
                (name, body, self.now()),
            )

    def templates(self) -> list[tuple[str, str]]:
        return [(r[0], r[1]) for r in self._query("SELECT name, body FROM templates ORDER BY name COLLATE NOCASE")]

    def delete_template(self, name: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM templates WHERE name = ?", (name,))


def _create_private(path: Path) -> None:
    """Create the database file 0600 before SQLite does (it would honour the umask).

    SQLite gives the -wal and -shm files the database file's mode, so all three stay private:
    they hold the message history.
    """
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    os.close(fd)


def _chunks(values: list[Any], size: int = 500) -> Iterator[list[Any]]:
    """Slices small enough for one ``IN (...)`` (SQLite caps the number of parameters)."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _records() -> ModuleType:
    from smstui import store_records

    return store_records


def _messages(rows: Iterable[Sequence[Any]]) -> list[StoredMessage]:
    make = _records().row_to_message
    return [make(r) for r in rows]


# Records the first frame does not need live in smstui.store_records, made on first use.
__getattr__ = lazy_names(__name__, "smstui.store_records",
                         ("Contact", "Newsletter", "StoredMessage", "Tag", "UpsertResult"))


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
