"""Bulk sending through ``addalotofsms``: many messages per request, every one tracked.

``addalotofsms`` answers "saved" and nothing else: no ids. To follow each message like a single
send, every batch carries a **marker**: a random customer id no other message has, given to all
messages of the batch as ``customerid``. Once accepted, the batch is read back and each message
matched to its row by (number, text); the row gets the gateway's sms_id (``Store.attach_sms_ids``)
and from then on sync follows its status.

Reading back costs a request, so accepted batches are read together: one ``getallsms`` of the
job's device since the first of them went out, each message tied to its batch by the marker
(``BatchInfo.ids_pending_since`` records, in the job record, that a batch was accepted and its ids
are still to read). That listing runs at the end of a run, on pause/cancel/stop, and every
LOOKUP_EVERY_MESSAGES / LOOKUP_EVERY_SECONDS. A batch it does not fully account for (a lagging
or truncated listing, a zone guessed wrong) is looked up alone with
``getallsms(customerid=marker)``, as every batch was before. 10,000 messages in batches of 1250
thus take 8 sends + 1 listing (+ 1 device list when sync has not stored the device yet).

Safety rules (the outbox's rules, applied to whole batches):

* every message is written to the store (outbox state QUEUED, ``batch`` = its batch key) before
  any request; the store is the job, so a job survives a crash and resumes where it stopped;
* a batch is marked SENDING before its request. A failure that proves nothing reached the gateway
  (connection refused) puts it back to QUEUED and it is retried with backoff;
* a failure that may have reached the gateway (timeout, dropped connection, HTTP 5xx, garbled
  answer) is never re-sent blindly. After a settle delay (a slow request may still be running)
  the batch is looked up by its marker: all found -> attached; some found -> those attached and
  the rest marked UNKNOWN for the user to check; none found -> the lookup is authoritative (the
  marker is unique and the gateway stores a request's messages all at once, before it answers),
  so the batch is sent again, with the same marker;
* a batch interrupted by a crash (rows still SENDING on restart) is resolved the same way,
  except when its record says it was accepted: then it is looked up, and what is not found
  becomes UNKNOWN, never resent;
* a refusal (``error: 1``) naming an item is narrowed down by splitting the batch, so only the
  refused messages are marked REJECTED; a refusal of the batch as a whole (no item named) pauses
  the job with the gateway's words; a login failure pauses it too.

Rows with their own customer id (a CSV ``customer_id`` column) keep it, because the user's
systems rely on it; those batches cannot have a marker, so they are looked up in a narrow time
window on the job's device instead and matched by (number, text, customer id), skipping messages
already tied to other local rows. Such rows are never mixed into marker batches.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import secrets
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from smstui.core.api.client import GatewayClient
from smstui.core.api.errors import (
    AccountZoneError,
    ApiError,
    AuthError,
    GatewayError,
    TransportError,
)
from smstui.core.bulk.job_state import ProgressCallback
from smstui.core.bulk.jobs import (
    CANCELLED_JOB,
    DONE,
    JOBS_KEY,
    LOOKUP_EVERY_MESSAGES,
    LOOKUP_EVERY_SECONDS,
    PAUSED,
    RUNNING,
    STOPPED,
    BatchInfo,
    BulkReport,
    JobInfo,
    job_key,
    new_marker,
    save_job,
    unfinished_jobs,
)
from smstui.core.bulk.lock import JobLock
from smstui.core.bulk.plan import (
    DEFAULT_BATCH_SIZE,
    MAX_BATCH_SIZE,
    BulkError,
    BulkRow,
    plan_batches,
)
from smstui.core.bulk.readback import ReadBack
from smstui.core.gateway_messages import OutgoingSms
from smstui.core.models import Slot
from smstui.core.store.database import Store
from smstui.core.store.records import StoredMessage
from smstui.core.store.schema import (
    QUEUED,
    REJECTED,
    SENDING,
    UNKNOWN,
)

log = logging.getLogger(__name__)

# Refusals of single messages for one reason before the job stops (the reason is likely the
# whole job's, e.g. the account's, and narrowing costs two requests per message).
MAX_SAME_REFUSALS = 10
_ITEM = re.compile(r"\bitems?\b\s*#?\s*\d+", re.IGNORECASE)


class BulkJob(ReadBack):
    """One bulk send, stored in the store; ``run()`` sends it, ``pause()``/``cancel()`` stop it.

    Create with :meth:`create` (queues every message, no network) or load an existing one with
    :meth:`load` (e.g. after a restart, see :func:`unfinished_jobs`). Its state and shared steps
    are :class:`~smstui.core.bulk.job_state.JobState`'s, reading ids back
    :class:`~smstui.core.bulk.readback.ReadBack`'s; sending is here.
    """

    @classmethod
    def create(
        cls,
        store: Store,
        client: GatewayClient,
        rows: Sequence[BulkRow],
        *,
        device_id: int,
        slot: int = 0,
        batch_size: int = DEFAULT_BATCH_SIZE,
        title: str = "",
        urgent: bool = False,
        **options: Any,
    ) -> BulkJob:
        """Plan batches and queue every message in the store (one transaction, no network)."""
        if not rows:
            raise BulkError("There is nothing to send: no valid rows.")
        if not 1 <= batch_size <= MAX_BATCH_SIZE:
            raise BulkError(f"The batch size must be between 1 and {MAX_BATCH_SIZE} (it is {batch_size}).")
        try:
            Slot(int(slot))
        except ValueError:
            raise BulkError(f"Slot {slot} does not exist; use 0-5.") from None
        now = store.now()
        job_id = f"b{int(now):x}{secrets.token_hex(3)}"
        info = JobInfo(
            id=job_id,
            title=title.strip() or f"Bulk send of {len(rows)}",
            created=now,
            device_id=int(device_id),
            slot=int(slot),
            urgent=urgent,
            batch_size=batch_size,
            total=len(rows),
            scheduled=any(r.scheduled_at is not None for r in rows),
        )
        marked = [r for r in rows if r.customer_id is None]
        own = [r for r in rows if r.customer_id is not None]
        taken = {r.customer_id for r in own if r.customer_id is not None}
        items: list[dict[str, Any]] = []
        for group, with_marker in ((marked, True), (own, False)):
            for chunk in plan_batches(group, batch_size):
                key = f"{job_id}:{len(info.batches):05d}"
                marker = new_marker(store, taken) if with_marker else None
                if marker is not None:
                    taken.add(marker)
                info.batches.append(BatchInfo(key=key, marker=marker, size=len(chunk)))
                for row in chunk:
                    items.append(
                        dict(
                            phone=row.phone,
                            body=row.body,
                            device_id=int(device_id),
                            slot=int(row.slot if row.slot is not None else slot),
                            scheduled_at=row.scheduled_at,
                            customer_id=marker if with_marker else row.customer_id,
                            urgent=urgent,
                            batch=key,
                        )
                    )
        # The job record first: rows without it would be orphans no one resumes.
        save_job(store, info)
        jobs = json.loads(store.get_meta(JOBS_KEY, "[]") or "[]")
        jobs.append(job_id)
        store.set_meta(JOBS_KEY, json.dumps(jobs))
        store.enqueue_many(items)
        return cls(store, client, info, **options)

    @classmethod
    def load(cls, store: Store, client: GatewayClient, job_id: str, **options: Any) -> BulkJob:
        text = store.get_meta(job_key(job_id))
        if not text:
            raise BulkError(f"There is no bulk job {job_id!r}.")
        return cls(store, client, JobInfo.from_json(text), **options)

    def pause(self) -> None:
        """Stop after the request under way; ``run()`` again resumes."""
        self._request = "pause"
        if self._wake is not None:
            self._wake.set()

    def cancel(self) -> None:
        """Stop after the request under way and cancel every message not yet sent.

        Called while the job is not running, it cancels the queued messages at once.
        """
        self._request = "cancel"
        if self._wake is not None:
            self._wake.set()
        if not self._running:
            self._cancel_queued()
            self._set_state(CANCELLED_JOB)

    async def run(self, progress: ProgressCallback | None = None) -> BulkReport:
        """Send every batch not yet sent, resolving interrupted ones first.

        Returns when all is done, on pause/cancel, or when the gateway refuses or cannot be
        reached (state STOPPED, ``error`` says why; ``run()`` again retries). A task cancelled
        mid-request leaves the batch SENDING; the next ``run()`` looks it up before resending.
        """
        if self._running:
            raise BulkError("This bulk job is already running.")
        if self.info.state in (CANCELLED_JOB,):
            return self.report()
        with self.exclusive():
            return await self._run_locked(progress)

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """Hold the job's cross-process lock (smstui.core.bulk.lock), or raise :class:`BulkError`."""
        lock = JobLock(self.store.path, self.id)
        if not lock.acquire():
            raise BulkError(
                "This bulk job is being sent by another smstui process (the app or a command) right now; "
                "it goes on there."
            )
        try:
            yield
        finally:
            lock.release()

    async def _run_locked(self, progress: ProgressCallback | None) -> BulkReport:
        self._running = True
        self._request = None
        self._wake = asyncio.Event()
        self._progress = progress
        self.info.error = None
        self._set_state(RUNNING)
        try:
            if self.info.scheduled:
                try:
                    await self.client.ensure_timezone()  # timetosend is read on the account's clock
                except AccountZoneError as exc:
                    self.info.error = str(exc)
                except ApiError as exc:
                    # Without the zone, send times would be off by hours.
                    self.info.error = f"cannot learn the account's time zone: {exc}"
            if not self.info.error:
                await self._check_device()
            for index, batch in enumerate(self.info.batches, start=1):
                if self._request or self.info.error:
                    break
                self._batch_index = index
                ok = await self._process(batch)
                if not ok:
                    break
            # Whatever stopped the loop, learn the ids of what was accepted. Asked to stop, one
            # quick look; what it misses stays pending (never resent) for the next run.
            if self._pending_batches():
                await self._read_pending_ids(thorough=not self._request and not self.info.error)
        except asyncio.CancelledError:
            self._set_state(PAUSED, "interrupted while sending; resume to check and finish the batch")
            raise
        finally:
            self._running = False
        if self._request == "cancel":
            self._cancel_queued()
            self._set_state(CANCELLED_JOB)
            counts = self.counts()
            if counts.sending or counts.awaiting_ids:
                # A batch cancelled while its outcome was unknown: find out now, never resend.
                try:
                    await self.reconcile()
                except ApiError as exc:
                    log.info("cancelled job %s: batch left to check later (%s)", self.id, exc)
        elif self._request == "pause":
            self._set_state(PAUSED)
        elif self.info.error:
            self._set_state(STOPPED, self.info.error)
        else:
            counts = self.counts()
            self._set_state(DONE if not counts.remaining else PAUSED)
        self._emit("finished")
        return self.report()

    def requeue_unknown(self, lids: Sequence[int] | None = None) -> int:
        """The user's decision: send these UNKNOWN messages again (they may arrive twice)."""
        chosen = [r.lid for r in self.rows() if r.outbox == UNKNOWN and (lids is None or r.lid in lids)]
        count = len(
            self.store.set_outbox_states(chosen, QUEUED, error="sending again (your choice)", only_if=(UNKNOWN,))
        )
        if count and self.info.state in (DONE, STOPPED, CANCELLED_JOB):
            self._set_state(PAUSED)
        return count

    async def _check_device(self) -> None:
        """Refuse at once a device the account lacks, instead of message by message."""
        if any(d.device.id == self.info.device_id for d in self.store.devices()):
            return  # known from sync; a stale list only ever lacks devices, so others are asked
        try:
            devices = await self.client.devices()
        except ApiError:
            return  # the batches will tell
        if devices and all(d.id != self.info.device_id for d in devices):
            self.info.error = (
                f"device {self.info.device_id} is not one of this account's phones "
                f"({', '.join(str(d.id) for d in devices)}); cancel this job and send from another device"
            )

    async def _process(self, batch: BatchInfo) -> bool:
        """Bring one batch to a final state; False stops the job (error set)."""
        rows = [r for r in self.rows(batch) if r.outbox in (QUEUED, SENDING)]
        if not rows:
            return True
        interrupted = [r for r in rows if r.outbox == SENDING]
        if batch.ids_pending_since is not None:
            # Accepted in an earlier run, ids not read: look them up, never resend. With more to
            # send in this batch, now (its lookup must not see a resent copy as one of them).
            interrupted = []
            if any(r.outbox == QUEUED for r in rows):
                if not await self._read_pending_ids(only=[batch]):
                    return False
        if interrupted:
            outcome = await self._resolve(batch, interrupted)
            if outcome is None:
                return False
            self._emit(f"batch {self._batch_index}: checked an interrupted request")
        if interrupted or batch.ids_pending_since is not None:
            rows = self.rows(batch)  # the lookups above changed some
        queued = [r for r in rows if r.outbox == QUEUED]
        if not queued or self._request:
            return True
        return await self._submit(batch, queued, defer=batch.marker is not None)

    def _outgoing(self, row: StoredMessage) -> OutgoingSms:
        return OutgoingSms(
            sendto=row.phone,
            body=row.body,
            device_id=row.device_id if row.device_id is not None else self.info.device_id,
            slot=row.slot or 0,
            timetosend=row.scheduled_at,
            customer_id=row.customer_id,
            urgent=row.urgent,
        )

    async def _submit(self, batch: BatchInfo, rows: list[StoredMessage], *, defer: bool = False) -> bool:
        """Send ``rows`` of ``batch``; ``defer``: read their ids later with other batches'."""
        failures = 0
        subset = {r.lid for r in rows}
        while rows:
            if self._request:
                return True
            batch.attempts += 1
            batch.last_attempt = self.store.now()
            if batch.first_attempt is None:
                batch.first_attempt = batch.last_attempt
            batch.failure = None
            self._save_batch()
            self.store.set_outbox_states([r.lid for r in rows], SENDING, count_attempt=True)
            try:
                await self.client.add_many_sms([self._outgoing(r) for r in rows])
            except AuthError as exc:
                self._requeue(rows, str(exc))
                return self._halt(str(exc))
            except GatewayError as exc:
                reason = exc.gateway_message or str(exc)
                if not _ITEM.search(reason):
                    self._requeue(rows)
                    return self._halt(
                        f"the gateway refused batch {self._batch_index} as a whole: {reason}. Fix the cause and resume."
                    )
                if len(rows) == 1:
                    self.store.set_outbox_states([rows[0].lid], REJECTED, error=reason)
                    self._emit(f"batch {self._batch_index}: a message was refused")
                    same = _ITEM.sub("item", reason)
                    self._refusals[same] = self._refusals.get(same, 0) + 1
                    if self._refusals[same] >= MAX_SAME_REFUSALS:
                        return self._halt(
                            f"the gateway refused {MAX_SAME_REFUSALS} messages for the same reason: {reason}. "
                            "Fix the cause and resume, or cancel the job."
                        )
                    return True
                self._requeue(rows)
                return await self._narrow(batch, rows)
            except TransportError as exc:
                if not exc.maybe_accepted:
                    self._requeue(rows, str(exc))
                    failures += 1
                    if failures > len(self.retry_delays):
                        return self._halt(str(exc))
                    self._emit(f"batch {self._batch_index}: {exc.kind} error, retrying")
                    await self._wait(self._retry_delay(failures))
                    rows = [r for r in self.rows(batch) if r.lid in subset and r.outbox == QUEUED]
                    continue
                batch.failure = exc.kind
                self._save_batch()
                self._emit(f"batch {self._batch_index}: answer lost, checking the gateway")
                outcome = await self._resolve(batch, rows)
                if outcome is None:
                    return False
                if outcome:
                    failures += 1
                    if failures > len(self.retry_delays):
                        return self._halt(str(exc))
                    await self._wait(self._retry_delay(failures))
                rows = [r for r in self.rows(batch) if r.lid in subset and r.outbox == QUEUED]
                continue
            except ApiError as exc:  # pragma: no cover - every ApiError is one of the above
                self._requeue(rows, str(exc))
                return self._halt(str(exc))
            # Accepted: learn the ids. Never resend an accepted batch, whatever the lookup says.
            if defer:
                if batch.ids_pending_since is None:
                    batch.ids_pending_since = batch.last_attempt
                self._save_batch()
                self._emit(f"batch {self._batch_index} sent")
                if self._lookup_due():
                    return await self._read_pending_ids()
                return True
            ok = await self._after_accept(batch, rows)
            self._emit(f"batch {self._batch_index} sent")
            return ok
        return True

    async def _narrow(self, batch: BatchInfo, rows: list[StoredMessage]) -> bool:
        """A refusal naming an item: send halves apart until the refused messages stand alone."""
        middle = len(rows) // 2
        for part in (rows[:middle], rows[middle:]):
            lids = {p.lid for p in part}
            current = [r for r in self.rows(batch) if r.lid in lids and r.outbox == QUEUED]
            if current and not await self._submit(batch, current):
                return False
            if self._request:
                break
        return True

    def _lookup_due(self) -> bool:
        pending = self._pending_batches()
        if not pending:
            return False
        oldest = min(b.ids_pending_since for b in pending if b.ids_pending_since is not None)
        return (
            sum(b.size for b in pending) >= LOOKUP_EVERY_MESSAGES or self.store.now() - oldest >= LOOKUP_EVERY_SECONDS
        )


async def resume_interrupted(
    store: Store, client: GatewayClient, *, progress: ProgressCallback | None = None, **options: Any
) -> list[tuple[JobInfo, BulkReport | str]]:
    """Continue the jobs a killed process or a lost connection left unfinished.

    Jobs that were running, stopped by an error, or never started are run again (the same
    rules: interrupted batches are looked up before anything is resent); a job the user paused
    is not sent on, only its interrupted batches are checked. A job another process is sending
    right now is left to it. Returns each job with its report, or the reason it was left.
    """
    results: list[tuple[JobInfo, BulkReport | str]] = []
    for info in unfinished_jobs(store):
        job = BulkJob(store, client, info, **options)
        try:
            if info.state == PAUSED:
                if not job.counts().sending:
                    continue
                with job.exclusive():
                    results.append((info, await job.reconcile()))
                continue
            results.append((info, await job.run(progress)))
        except BulkError as exc:
            results.append((info, str(exc)))
    return results
