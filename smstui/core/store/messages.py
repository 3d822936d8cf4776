"""The store's messages and the conversation summaries (``threads``) kept in step with them."""

import json
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from smstui.core.models import FAILED_STATUSES
from smstui.core.store.connection import (
    StoreBase,
    chunks,
    like_escape,
    row_to_message,
    rows_to_messages,
)
from smstui.core.store.schema import (
    ATTENTION_STATES,
    CANCELLED,
    FAILED_SUM,
    MESSAGE_COLUMNS,
    PENDING_WHERE,
    QUEUED,
    SENDING,
    SUBMITTED,
    UNKNOWN,
    from_ts,
    to_ts,
)
from smstui.core.store.search_schema import insert_indexed

if TYPE_CHECKING:
    from smstui.core.gateway_messages import Message
    from smstui.core.store.records import (
        StoredMessage,
        UpsertResult,
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


_INSERT_COLUMNS = (
    "sms_id, phone, phone_key, body, status, status_title, device_id, slot, "
    "created, sent_at, scheduled_at, customer_id, urgent, paket_id, paket_title, incoming, seen, updated"
)
_INSERT = f"INSERT INTO messages ({_INSERT_COLUMNS}) VALUES ({','.join('?' * 18)})"
_UPDATE = (
    "UPDATE messages SET status = ?, status_title = ?, sent_at = ?, scheduled_at = ?, body = ?, "
    "paket_id = ?, outbox = CASE WHEN outbox IS NULL THEN NULL ELSE ? END, outbox_error = NULL, updated = ? "
    "WHERE lid = ?"
)


def _failed(status: int | None, outbox: str | None) -> int:
    """1 when a row counts in its thread's ``failed`` (the same rule as ``schema.failed_row``)."""
    return int(status in FAILED_STATUSES or outbox in ATTENTION_STATES)


class MessageRows(StoreBase):
    # ------------------------------------------------------------------ messages from the gateway

    def upsert_messages(
        self,
        messages: Iterable["Message"],
        *,
        mark_unseen: bool = True,
        meta: dict[str, str] | None = None,
        after: Callable[[sqlite3.Connection], None] | None = None,
    ) -> "UpsertResult":
        """Merge gateway messages by sms_id in one transaction.

        Incoming messages new to the store count as unread (``mark_unseen``); a first sync passes
        False so years of history do not show up as unread. ``meta`` is written in the same
        transaction, so a sync cursor never runs ahead of the messages it stands for; so is
        whatever ``after`` writes (the opt-outs the messages say, smstui.core.store.optouts).

        Set-wise, because a first sync stores a whole history through here (bench/first_sync.py):
        one lookup of the batch's known ids, one ``executemany`` of the new rows, and the
        summaries of conversations that only gained messages updated from those rows alone
        (:meth:`_add_to_threads`); re-reading a 50,000-message conversation for each batch of
        250 made a first sync quadratic in its biggest conversation.
        """
        from smstui.core.store.records import UpsertResult  # not needed by the first frame

        result = UpsertResult()
        now = self.now()
        batch = list(messages)
        with self.transaction() as db:
            for key, value in (meta or {}).items():
                db.execute(
                    "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    (key, value),
                )
            known: dict[int, tuple[Any, ...]] = {}
            for part in chunks([m.id for m in batch]):
                for row in db.execute(
                    "SELECT sms_id, lid, status, status_title, sent_at, scheduled_at, body, outbox, paket_id, phone_key "
                    "FROM messages WHERE sms_id IN (SELECT value FROM json_each(?))",
                    (json.dumps(part),),
                ):
                    known[row[0]] = row[1:]
            new: list[tuple[Any, ...]] = []
            seen_ids: set[int] = set()
            again: list[Message] = []  # an id twice in one batch: its second copy comes after
            updates: list[tuple[Any, ...]] = []
            changes: list[tuple[str, int, int, int, str, str | None]] = []
            changed_keys: set[str] = set()  # recomputed in full (an id twice in the batch)
            for msg in batch:
                row = known.get(msg.id)
                if row is None:
                    if msg.id in seen_ids:
                        again.append(msg)
                        continue
                    seen_ids.add(msg.id)
                    new.append(self._new_row(msg, now, mark_unseen))
                    continue
                if msg.id in seen_ids:  # already compared in this batch: compare with what it wrote
                    again.append(msg)
                    continue
                seen_ids.add(msg.id)
                lid, status, title, sent_at, scheduled_at, body, outbox, paket_id, key = row
                new_values = (
                    msg.status,
                    msg.status_title,
                    to_ts(msg.sent_at),
                    to_ts(msg.scheduled_at),
                    msg.body,
                    msg.paket_id,
                )
                if (status, title, sent_at, scheduled_at, body, paket_id) != new_values or outbox in (
                    QUEUED,
                    SENDING,
                    UNKNOWN,
                ):
                    updates.append((*new_values, SUBMITTED, now, lid))
                    result.changed.append(lid)
                    after_outbox = None if outbox is None else SUBMITTED
                    failed = _failed(msg.status, after_outbox) - _failed(status, outbox)
                    changes.append((key, lid, failed, msg.status, msg.body, after_outbox))
            if new:
                before = db.execute("SELECT COALESCE(MAX(lid), 0) FROM messages").fetchone()[0]
                self._insert_rows(db, new, before)
                lids = [r[0] for r in db.execute("SELECT lid FROM messages WHERE lid > ? ORDER BY lid", (before,))]
                result.inserted.extend(lids)
                self._add_to_threads(db, new, lids)
                result.phone_keys.update(r[2] for r in new)
            if updates:
                db.executemany(_UPDATE, updates)
                self._change_in_threads(db, changes)
                result.phone_keys.update(c[0] for c in changes)
            for msg in again:
                hit = self._update_one(db, msg, now)
                if hit is not None:
                    result.changed.append(hit[0])
                    changed_keys.add(hit[1])
            result.phone_keys |= changed_keys
            self._refresh_threads(db, changed_keys)
            if after is not None:
                after(db)
        return result

    def _insert_rows(self, db: sqlite3.Connection, rows: list[tuple[Any, ...]], before: int) -> None:
        """INSERT ``rows`` (``_INSERT``'s values; every lid in the store is at most ``before``)
        as one statement, through a temporary table, and index them for search.

        Row by row, each INSERT is a statement of its own, and one that fires a trigger (the
        search index's queue) keeps a statement journal: every page it touches in the table and
        its eleven indexes is copied first, ~20 µs a message. One INSERT ... SELECT copies each
        page once (a first sync's store time -40 %, bench/first_sync.py), and indexes its rows
        without the queue.
        """
        if len(rows) < 8:  # a send's or a refresh's few: not worth the staging
            db.executemany(_INSERT, rows)
            return
        db.execute(f"CREATE TEMP TABLE IF NOT EXISTS upsert_stage ({_INSERT_COLUMNS})")
        db.executemany(f"INSERT INTO temp.upsert_stage VALUES ({','.join('?' * 18)})", rows)
        insert_indexed(
            db, f"INSERT INTO messages ({_INSERT_COLUMNS}) SELECT * FROM temp.upsert_stage ORDER BY rowid", before
        )
        db.execute("DELETE FROM temp.upsert_stage")

    def _new_row(self, msg: "Message", now: float, mark_unseen: bool) -> tuple[Any, ...]:
        """The INSERT's values for a gateway message (the order of ``_INSERT``)."""
        incoming = msg.incoming
        return (
            msg.id,
            msg.phone,
            self.phone_key(msg.phone),
            msg.body,
            msg.status,
            msg.status_title,
            msg.device_id,
            msg.slot,
            to_ts(msg.created) or now,
            to_ts(msg.sent_at),
            to_ts(msg.scheduled_at),
            msg.customer_id,
            int(msg.urgent),
            msg.paket_id,
            msg.paket_title,
            int(incoming),
            0 if (incoming and mark_unseen) else 1,
            now,
        )

    def _update_one(self, db: sqlite3.Connection, msg: "Message", now: float) -> tuple[int, str] | None:
        """Apply a message already stored; returns its lid and phone_key when anything changed."""
        lid, status, title, sent_at, scheduled_at, body, outbox, paket_id, key = db.execute(
            "SELECT lid, status, status_title, sent_at, scheduled_at, body, outbox, paket_id, phone_key "
            "FROM messages WHERE sms_id = ?",
            (msg.id,),
        ).fetchone()
        new_values = (msg.status, msg.status_title, to_ts(msg.sent_at), to_ts(msg.scheduled_at), msg.body, msg.paket_id)
        if (status, title, sent_at, scheduled_at, body, paket_id) == new_values and outbox not in (
            QUEUED,
            SENDING,
            UNKNOWN,
        ):
            return None
        db.execute(_UPDATE, (*new_values, SUBMITTED, now, lid))
        return int(lid), str(key)

    def _change_in_threads(
        self, db: sqlite3.Connection, changes: Sequence[tuple[str, int, int, int, str, str | None]]
    ) -> None:
        """Apply changed rows to their summaries: (phone_key, lid, change of the failed count,
        new status, body and outbox), for rows whose number, time and read mark stayed.

        What :meth:`_refresh_threads` would compute, without reading the conversation: a status
        answer for a message in a 50,000-message conversation recomputed all of it (0.13-1 s,
        holding the store's write lock), now two keyed updates.
        """
        keys = {c[0] for c in changes}
        present = {
            r[0]
            for r in db.execute(
                "SELECT phone_key FROM threads WHERE phone_key IN (SELECT value FROM json_each(?))",
                (json.dumps(sorted(keys), ensure_ascii=False),),
            )
        }
        failed: dict[str, int] = {}
        for key, _lid, delta, *_rest in changes:
            failed[key] = failed.get(key, 0) + delta
        db.executemany(
            "UPDATE threads SET failed = failed + ? WHERE phone_key = ?",
            [(delta, key) for key, delta in failed.items() if delta and key in present],
        )
        db.executemany(
            "UPDATE threads SET last_status = ?, last_body = substr(?, 1, 200), last_outbox = ? "
            "WHERE phone_key = ? AND last_lid = ?",
            [(status, body, outbox, key, lid) for key, lid, _d, status, body, outbox in changes if key in present],
        )
        if keys - present:  # a summary missing (a store older than its rows): make it whole
            self._refresh_threads(db, keys - present)

    def _add_to_threads(
        self, db: sqlite3.Connection, rows: Sequence[tuple[Any, ...]], lids: Sequence[int], outbox: str | None = None
    ) -> None:
        """Add just-inserted rows (``_INSERT``'s values, their lids; ``outbox`` their outbox
        state, the same for all: None from sync, queued from the outbox) to their summaries.

        What :meth:`_refresh_threads` would compute, from the new rows and the old summary:
        counts add up, the newest message and the device list merge. A conversation whose
        older messages also changed in the same transaction is recomputed after this anyway.
        """
        if len(rows) != len(lids):  # cannot happen in one write transaction; stay exact if it does
            self._refresh_threads(db, {r[2] for r in rows})
            return
        delta: dict[str, list[Any]] = {}
        for row, lid in zip(rows, lids, strict=True):
            key = row[2]
            # [total, unread, failed, newest (created, lid), its row, device ids]
            entry = delta.get(key)
            if entry is None:
                entry = delta[key] = [0, 0, 0, (row[8], lid), row, set()]
            entry[0] += 1
            entry[1] += row[16] == 0
            entry[2] += _failed(row[4], outbox)
            if (row[8], lid) > entry[3]:
                entry[3], entry[4] = (row[8], lid), row
            if row[6] is not None:
                entry[5].add(row[6])
        old: dict[str, tuple[Any, ...]] = {}
        for part in chunks(list(delta)):
            for r in db.execute(
                "SELECT phone_key, last_created, last_lid, total, unread, failed, devices, phone, last_body, "
                "last_status, last_incoming, last_outbox FROM threads WHERE phone_key IN (SELECT value FROM json_each(?))",
                (json.dumps(part, ensure_ascii=False),),
            ):
                old[r[0]] = r[1:]
        values = []
        for key, (total, unread, failed, newest, row, devices) in delta.items():
            last = (newest[1], row[1], newest[0], row[3][:200], row[4], row[15], outbox)
            prior = old.get(key)
            if prior is not None:
                total, unread, failed = total + prior[2], unread + prior[3], failed + prior[4]
                devices |= {int(d) for d in prior[5].split(",") if d}
                if (prior[0], prior[1]) > newest:
                    last = (prior[1], prior[6], prior[0], prior[7], prior[8], prior[9], prior[10])
            values.append((key, *last, total, unread, failed, ",".join(str(d) for d in sorted(devices))))
        db.executemany(
            "INSERT INTO threads (phone_key, last_lid, phone, last_created, last_body, last_status, last_incoming, "
            "last_outbox, total, unread, failed, devices) VALUES (?,?,?,?,?,?,?,?,?,?,?,?) "
            "ON CONFLICT(phone_key) DO UPDATE SET phone = excluded.phone, last_lid = excluded.last_lid, "
            "last_created = excluded.last_created, last_body = excluded.last_body, last_status = excluded.last_status, "
            "last_incoming = excluded.last_incoming, last_outbox = excluded.last_outbox, total = excluded.total, "
            "unread = excluded.unread, failed = excluded.failed, devices = excluded.devices",
            values,
        )
        self._fill_displays(db, delta)

    def update_status(self, sms_id: int, status: int, title: str | None = None) -> str | None:
        """Apply one status answer; returns the thread's phone_key when it changed."""
        with self.transaction() as db:
            row = db.execute(
                "SELECT lid, status, phone_key, outbox, body FROM messages WHERE sms_id = ?", (sms_id,)
            ).fetchone()
            if row is None or row[1] == status:
                return None
            lid, old, key, outbox, body = row
            db.execute(
                "UPDATE messages SET status = ?, status_title = COALESCE(?, status_title), updated = ? WHERE lid = ?",
                (status, title, self.now(), lid),
            )
            failed = _failed(status, outbox) - _failed(old, outbox)
            self._change_in_threads(db, [(key, lid, failed, status, body, outbox)])
            return str(key)

    def pending_sms_ids(self, limit: int = 10_000) -> list[tuple[int, float]]:
        """Gateway ids (and created time) of messages that can still change status, oldest first.

        Every status not final counts, codes we do not know included (see models.is_final).
        """
        return [
            (r[0], r[1])
            for r in self._query(
                f"SELECT sms_id, created FROM messages WHERE {PENDING_WHERE} ORDER BY created LIMIT ?", (limit,)
            )
        ]

    def message_count(self) -> int:
        return self._int("SELECT COUNT(*) FROM messages")

    def max_created(self) -> datetime | None:
        newest = self._query("SELECT MAX(created) FROM messages WHERE sms_id IS NOT NULL")[0][0]
        return None if newest is None else from_ts(float(newest))

    # ------------------------------------------------------------------ threads

    def _refresh_threads(self, db: sqlite3.Connection, keys: Iterable[str]) -> None:
        """Recompute the summaries of the conversations ``keys`` (a send's one, a bulk job's
        thousands), in the caller's transaction; a conversation left without messages goes.

        Two statements whatever the count: the keys travel as one JSON array (no parameter
        limit, no temporary table), and each summary is read through the ``messages_thread``
        index, so one number costs what four queries of its own would and a bulk job's 10,000
        numbers a fraction of that.
        """
        keys = list(keys)
        if not keys:
            return
        wanted = json.dumps(keys, ensure_ascii=False)
        db.execute(
            "DELETE FROM threads WHERE phone_key IN (SELECT value FROM json_each(?)) "
            "AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.phone_key = threads.phone_key)",
            (wanted,),
        )
        db.execute(
            "INSERT INTO threads (phone_key, phone, last_lid, last_created, last_body, last_status, last_incoming, "
            "last_outbox, total, unread, failed, devices) "
            "SELECT k.key, m.phone, m.lid, m.created, substr(m.body, 1, 200), m.status, m.incoming, m.outbox, "
            "a.total, a.unread, a.failed, "
            "COALESCE((SELECT group_concat(device_id, ',') FROM (SELECT DISTINCT device_id FROM messages "
            "  WHERE phone_key = k.key AND device_id IS NOT NULL ORDER BY device_id)), '') "
            "FROM (SELECT DISTINCT value AS key FROM json_each(?1)) k "
            "JOIN messages m ON m.lid = (SELECT lid FROM messages WHERE phone_key = k.key "
            "  ORDER BY created DESC, lid DESC LIMIT 1) "
            "JOIN (SELECT phone_key, COUNT(*) AS total, COALESCE(SUM(incoming = 1 AND seen = 0), 0) AS unread, "
            f"  {FAILED_SUM} AS failed "
            "  FROM messages WHERE phone_key IN (SELECT value FROM json_each(?1)) GROUP BY phone_key) a "
            "  ON a.phone_key = k.key "
            "WHERE true "  # SQLite needs it to tell the upsert's ON CONFLICT from a join's ON
            "ON CONFLICT(phone_key) DO UPDATE SET phone = excluded.phone, last_lid = excluded.last_lid, "
            "last_created = excluded.last_created, last_body = excluded.last_body, last_status = excluded.last_status, "
            "last_incoming = excluded.last_incoming, last_outbox = excluded.last_outbox, total = excluded.total, "
            "unread = excluded.unread, failed = excluded.failed, devices = excluded.devices",
            (wanted,),
        )
        self._fill_displays(db, keys)

    def _fill_displays(self, db: sqlite3.Connection, keys: Iterable[str] | None = None) -> None:
        """Format the shown number of conversations that have none yet (``keys``, or all).

        A number's display form never changes (it is the international format of its key), so
        each is formatted once, when its conversation first appears.
        """
        if keys is None:
            rows = db.execute("SELECT phone_key FROM threads WHERE display IS NULL").fetchall()
        else:
            rows = []
            for chunk in chunks(list(keys)):
                rows += db.execute(
                    f"SELECT phone_key FROM threads WHERE display IS NULL AND phone_key IN ({','.join('?' * len(chunk))})",
                    chunk,
                ).fetchall()
        if not rows:
            return
        from smstui.core.phone import (
            format_display,  # phonenumbers is slow to import: not at start-up
        )

        db.executemany(
            "UPDATE threads SET display = ? WHERE phone_key = ?", [(format_display(key), key) for (key,) in rows]
        )

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
        self,
        *,
        search: str = "",
        device_id: int | None = None,
        limit: int = 500,
        offset: int = 0,
        only: tuple[str, Sequence[Any]] | None = None,
    ) -> list[Thread]:
        """Conversations, newest first; ``search`` matches the number's digits or a contact name.

        ``only``: one more condition on the summary ``t`` (SQL, parameters), for the lookups of
        :mod:`smstui.core.store.lookup` (failed conversations, the one holding a gateway id).
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
            params_s: list[Any] = [f"%{like_escape(text)}%"]
            if digits:
                clauses.append("t.phone_key LIKE ?")
                params_s.append(f"%{digits}%")
                # Numbers are stored in international form: "0151…" typed in national form
                # (or "0049151…") is the start of "+49151…".
                from smstui.core.phone import (
                    international_prefixes,  # lazily: phonenumbers is slow to import
                )

                for prefix in international_prefixes(text, digits, self.region):
                    clauses.append("t.phone_key LIKE ?")
                    params_s.append(f"{prefix}%")
            clauses.append("t.phone LIKE ? ESCAPE '\\'")
            params_s.append(f"%{like_escape(text)}%")
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
            Thread(  # type: ignore[call-arg]  # positional, in the SELECT's order (mypy cannot count slices)
                *r[0:4],
                from_ts(r[4]),
                r[5],
                r[6],
                bool(r[7]),
                *r[8:12],
                tuple(int(d) for d in r[12].split(",") if d),
                r[13],
            )
            for r in self._query(sql, params)
        ]

    def thread_count(self) -> int:
        return self._int("SELECT COUNT(*) FROM threads")

    def thread_messages(
        self, phone_key: str, *, limit: int = 200, before: tuple[float, int] | None = None
    ) -> list["StoredMessage"]:
        """A page of one conversation, oldest first; ``before`` = (created, lid) of the oldest shown."""
        params: list[Any] = [phone_key]
        cond = ""
        if before is not None:
            cond = " AND (created < ? OR (created = ? AND lid < ?))"
            params.extend([before[0], before[0], before[1]])
        params.append(limit)
        rows = self._query(
            f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE phone_key = ?{cond} ORDER BY created DESC, lid DESC LIMIT ?",
            params,
        )
        return rows_to_messages(reversed(rows))

    def thread_size(self, phone_key: str) -> int:
        return self._int("SELECT COUNT(*) FROM messages WHERE phone_key = ?", (phone_key,))

    def mark_thread_seen(self, phone_key: str) -> bool:
        with self.transaction() as db:
            changed = db.execute("UPDATE messages SET seen = 1 WHERE phone_key = ? AND seen = 0", (phone_key,)).rowcount
            if changed:
                db.execute("UPDATE threads SET unread = 0 WHERE phone_key = ?", (phone_key,))
        return changed > 0

    def message(self, lid: int) -> "StoredMessage | None":
        rows = self._query(f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE lid = ?", (lid,))
        return row_to_message(rows[0]) if rows else None

    def message_by_sms_id(self, sms_id: int) -> "StoredMessage | None":
        rows = self._query(f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE sms_id = ?", (sms_id,))
        return row_to_message(rows[0]) if rows else None

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
    ) -> list["StoredMessage"]:
        """Messages by any combination of filters, newest first (the CLI's ``--offline``).

        ``status`` is one code or several (any of them: ``models.FAILED_STATUSES`` for "failed").
        """
        where: list[str] = []
        params: list[Any] = []
        for column, value in (
            ("phone_key", phone_key),
            ("device_id", device_id),
            ("slot", slot),
            ("customer_id", customer_id),
            ("batch", batch),
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
        sql = f"SELECT {MESSAGE_COLUMNS} FROM messages" + (" WHERE " + " AND ".join(where) if where else "")
        sql += " ORDER BY created DESC, lid DESC"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return rows_to_messages(self._query(sql, params))
