"""The store's outbox rows: messages we wrote, from queued to the gateway's answer.

See :mod:`smstui.core.outbox` for the rules these rows follow.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from smstui.core.store.connection import (
    StoreBase,
    chunks,
    inserted_id,
    row_to_message,
    rows_to_messages,
)
from smstui.core.store.schema import (
    ATTENTION_STATES,
    MESSAGE_COLUMNS,
    OUTBOX_STATES,
    QUEUED,
    SENDING,
    SUBMITTED,
    UNKNOWN,
    to_ts,
)

if TYPE_CHECKING:
    from smstui.core.store.records import (
        StoredMessage,
    )


class OutboxRows(StoreBase):
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
            [
                dict(
                    phone=phone,
                    body=body,
                    device_id=device_id,
                    slot=slot,
                    scheduled_at=scheduled_at,
                    customer_id=customer_id,
                    urgent=urgent,
                    image_path=image_path,
                    batch=batch,
                )
            ]
        )[0]

    def enqueue_many(self, items: Sequence[dict[str, Any]], *, delete_draft: str | None = None) -> list[int]:
        """Queue messages; ``delete_draft``: the draft they were written in goes in the same transaction."""
        now = self.now()
        lids: list[int] = []
        rows: list[tuple[Any, ...]] = []  # as messages._INSERT orders them, for the summaries
        with self.transaction() as db:
            for item in items:
                key = self.phone_key(item["phone"])
                rows.append(
                    (None, item["phone"], key, item["body"], None, None, item.get("device_id"),
                     int(item.get("slot", 0)), now, None, None, None, 0, None, None, 0, 1, now)
                )  # fmt: skip
                cur = db.execute(
                    "INSERT INTO messages (phone, phone_key, body, device_id, slot, created, scheduled_at, customer_id, "
                    "urgent, outbox, image_path, batch, updated) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (
                        item["phone"],
                        key,
                        item["body"],
                        item.get("device_id"),
                        int(item.get("slot", 0)),
                        now,
                        to_ts(item.get("scheduled_at")),
                        item.get("customer_id"),
                        int(bool(item.get("urgent"))),
                        QUEUED,
                        item.get("image_path"),
                        item.get("batch"),
                        now,
                    ),
                )
                lids.append(inserted_id(cur))
            # Summed into the summaries, not recomputed: a send to a 50,000-message conversation
            # re-read all of it before it was saved (0.2-1.5 s at 1M messages).
            self._add_to_threads(db, rows, lids, outbox=QUEUED)
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
            f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE outbox IN ({placeholders}){where} ORDER BY lid", list(states)
        )
        return rows_to_messages(rows)

    def outbox_due(self, now: float | None = None) -> list[StoredMessage]:
        """Queued messages whose next attempt is due."""
        moment = self.now() if now is None else now
        rows = self._query(
            f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE outbox = ? AND (next_attempt IS NULL OR next_attempt <= ?) "
            "ORDER BY lid",
            (QUEUED, moment),
        )
        return rows_to_messages(rows)

    def next_outbox_attempt(self) -> float | None:
        rows = self._query("SELECT MIN(next_attempt) FROM messages WHERE outbox = ?", (QUEUED,))
        return None if rows[0][0] is None else float(rows[0][0])

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
        """Move outbox rows (one, or a bulk job's thousands) to ``state``, in one transaction;
        with ``only_if`` only those in one of those states.

        Returns the lids changed (rows missing, or in another state: another writer won the race,
        are left alone).
        """
        if state not in OUTBOX_STATES:
            raise ValueError(f"unknown outbox state {state!r}")
        now = self.now()
        changed: list[int] = []
        with self.transaction() as db:
            keys: set[str] = set()
            # Whether a thread's failed count may change; if not, only ``last_outbox`` can.
            attention = state in ATTENTION_STATES
            for chunk in chunks(list(lids)):
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
                attention = attention or any(r[2] in ATTENTION_STATES for r in picked)
            if attention:
                self._refresh_threads(db, keys)
            else:
                # Outbox states outside the failed count change no summary field but the last
                # message's state: far cheaper than recomputing a thread per number of a bulk job.
                for chunk in chunks(changed):
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
            # Neither state counts as failed: only the last message's state can change (a
            # recompute re-read the whole conversation for every send).
            db.execute("UPDATE threads SET last_outbox = ? WHERE last_lid = ?", (SENDING, lid))
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
            for chunk in chunks(list(lids)):
                db.execute(f"UPDATE messages SET resent = 1 WHERE lid IN ({','.join('?' * len(chunk))})", chunk)

    def resent_rows(self, since: float = 0.0) -> list[StoredMessage]:
        """Sends written since ``since`` that were re-sent and have their gateway id: a later
        copy of one is a duplicate."""
        return rows_to_messages(
            self._query(
                f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE resent = 1 AND sms_id IS NOT NULL AND created >= ? "
                "ORDER BY lid",
                (since,),
            )
        )

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
            return self._int("SELECT COUNT(*) FROM messages WHERE duplicate_of IS NOT NULL")
        total = 0
        for chunk in chunks(list(lids)):
            total += self._query(
                f"SELECT COUNT(*) FROM messages WHERE duplicate_of IN ({','.join('?' * len(chunk))})", chunk
            )[0][0]
        return total

    def claimed_sms_ids(self, ids: Iterable[int]) -> set[int]:
        """Of these gateway ids, those already attached to a message we wrote (an outbox row)."""
        found: set[int] = set()
        for chunk in chunks(list(ids)):
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
            return self._int("SELECT COUNT(*) FROM messages WHERE sms_id IS NOT NULL AND created >= ?", (since,))
        return self._int(
            "SELECT COUNT(*) FROM messages WHERE sms_id IS NOT NULL AND created >= ? AND created <= ?",
            (since, until),
        )

    def attach_sms_ids(self, pairs: Iterable[tuple[int, int] | tuple[int, int, int]]) -> None:
        """The gateway accepted local messages: each (lid, sms_id[, status]) row gets its sms_id and
        follows the gateway's status (1, New, unless given), in one transaction.

        When sync already stored the same gateway message as its own row (found before the answer
        came), that row is folded into ours so the message is never shown twice. When another
        message we wrote holds the id, it was matched by content (identical text, same number)
        and this pairing proves the match wrong: it goes back to being checked on the gateway.
        Pairs are applied in order; the conversations of every row touched, ours and the
        folded or re-checked ones, are refreshed.
        """
        items = [(p[0], p[1], p[2] if len(p) > 2 else 1) for p in pairs]
        if not items:
            return
        now = self.now()
        with self.transaction() as db:
            keys: set[str] = set()
            holders: dict[
                int, tuple[int, int | None, str | None, str | None]
            ] = {}  # sms_id -> (lid, status, outbox, key)
            for chunk in chunks([sms_id for _, sms_id, _ in items]):
                for lid, sms_id, status, outbox, key, incoming in db.execute(
                    "SELECT lid, sms_id, status, outbox, phone_key, incoming FROM messages "
                    f"WHERE sms_id IN ({','.join('?' * len(chunk))})",
                    chunk,
                ):
                    # An incoming row holding the id is no copy of our send (a forged webhook
                    # may have planted it): it goes, and its status is not ours to take.
                    holders[sms_id] = (lid, None if incoming else status, outbox, key)
            updates: list[tuple[int, str, int, float, float, int]] = []
            attach = (
                "UPDATE messages SET sms_id = ?, outbox = ?, outbox_error = NULL, status = COALESCE(status, ?), "
                "next_attempt = NULL, recon_misses = 0, submitted_at = ?, updated = ? WHERE lid = ?"
            )
            for lid, sms_id, status in items:
                dup = holders.get(sms_id)
                if dup is not None and dup[0] != lid:
                    if dup[3] is None:
                        # An earlier pair of this call gave the id to another row: write that
                        # one first, so the re-check below finds the id where it was put.
                        db.executemany(attach, updates)
                        updates.clear()
                    if dup[2] is None:
                        db.execute("DELETE FROM messages WHERE lid = ?", (dup[0],))
                        status = dup[1] if dup[1] is not None else status
                    else:
                        # Matched by content before and proven wrong by this pairing (see above).
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
            db.executemany(attach, updates)
            for chunk in chunks([lid for lid, _, _ in items]):
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
        for chunk in chunks(list(ids)):
            for row in self._query(
                f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE sms_id IN ({','.join('?' * len(chunk))})", chunk
            ):
                message = row_to_message(row)
                found[message.sms_id] = message  # type: ignore[index]
        return found

    def known_sms_ids(self, ids: Iterable[int]) -> set[int]:
        found: set[int] = set()
        for chunk in chunks(list(ids)):
            placeholders = ",".join("?" * len(chunk))
            found.update(
                r[0] for r in self._query(f"SELECT sms_id FROM messages WHERE sms_id IN ({placeholders})", chunk)
            )
        return found

    def delete_message(self, lid: int) -> None:
        with self.transaction() as db:
            row = db.execute("SELECT phone_key FROM messages WHERE lid = ?", (lid,)).fetchone()
            db.execute("DELETE FROM messages WHERE lid = ?", (lid,))
            if row:
                self._refresh_threads(db, {row[0]})
