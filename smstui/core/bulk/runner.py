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
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from smstui.core.api.client import GatewayClient
from smstui.core.api.errors import (
    AccountZoneError,
    ApiError,
    AuthError,
    GatewayError,
    TransportError,
)
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
    BulkProgress,
    BulkReport,
    JobCounts,
    JobInfo,
    job_counts,
    job_key,
    new_marker,
    save_job,
    unfinished_jobs,
)
from smstui.core.bulk.lock import JobLock
from smstui.core.bulk.matching import match_rows
from smstui.core.bulk.plan import (
    DEFAULT_BATCH_SIZE,
    MAX_BATCH_SIZE,
    BulkError,
    BulkRow,
    plan_batches,
)
from smstui.core.gateway_messages import Message, MessageFilter, OutgoingSms
from smstui.core.models import Slot
from smstui.core.send_rule import in_flight_limit
from smstui.core.store.database import Store
from smstui.core.store.records import StoredMessage
from smstui.core.store.schema import (
    CANCELLED,
    QUEUED,
    REJECTED,
    SENDING,
    UNKNOWN,
    from_ts,
)

log = logging.getLogger(__name__)

# Refusals of single messages for one reason before the job stops (the reason is likely the
# whole job's, e.g. the account's, and narrowing costs two requests per message).
MAX_SAME_REFUSALS = 10
WINDOW_MARGIN = timedelta(minutes=10)  # clock skew between us and the gateway
MARKER_MARGIN = timedelta(days=1)  # wider than any zone misreading (gateway_time, ZONE_SLACK)


# --------------------------------------------------------------------------- the job


_ITEM = re.compile(r"\bitems?\b\s*#?\s*\d+", re.IGNORECASE)
ProgressCallback = Callable[[BulkProgress], None]


class BulkJob:
    """One bulk send, stored in the store; ``run()`` sends it, ``pause()``/``cancel()`` stop it.

    Create with :meth:`create` (queues every message, no network) or load an existing one with
    :meth:`load` (e.g. after a restart, see :func:`unfinished_jobs`).
    """

    def __init__(
        self,
        store: Store,
        client: GatewayClient,
        info: JobInfo,
        *,
        settle_seconds: float | None = None,
        settle_margin: float | None = None,
        retry_delays: Sequence[float] = (1, 2, 5, 10, 30),
        lookup_retries: int = 3,
        lookup_delay: float = 2.0,
    ) -> None:
        self.store = store
        self.client = client
        self.info = info
        # smstui.core.send_rule: absence is proven only once the request cannot be in flight any more,
        # never sooner than the client's own timeout, whatever a caller asks.
        timeout = float(getattr(client, "timeout", 20.0) or 20.0)
        limit = in_flight_limit(timeout, settle_margin)
        self.settle_seconds = max(float(settle_seconds or 0.0), limit)
        self.retry_delays = tuple(retry_delays) or (0.0,)
        self.lookup_retries = lookup_retries
        self.lookup_delay = lookup_delay
        self._request: str | None = None  # "pause" or "cancel", honoured between requests
        self._wake: asyncio.Event | None = None
        self._running = False
        self._progress: ProgressCallback | None = None
        self._batch_index = 0
        self._refusals: dict[str, int] = {}
        self.extra_found = 0

    # ------------------------------------------------------------------ creation

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

    # ------------------------------------------------------------------ control

    @property
    def id(self) -> str:
        return self.info.id

    @property
    def running(self) -> bool:
        return self._running

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

    def counts(self) -> JobCounts:
        return job_counts(self.store, self.id, self.info)

    def rows(self, batch: BatchInfo | None = None) -> list[StoredMessage]:
        """The job's messages (or one batch's), in the order they were planned."""
        batches = [batch] if batch is not None else self.info.batches
        result: list[StoredMessage] = []
        for b in batches:
            result.extend(sorted(self.store.messages(batch=b.key, limit=None), key=lambda m: m.lid))
        return result

    def report(self) -> BulkReport:
        return BulkReport(self.id, self.info.state, self.counts(), self.info.error, self.extra_found)

    # ------------------------------------------------------------------ running

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

    async def reconcile(self) -> BulkReport:
        """Look up messages left UNKNOWN (or SENDING) and attach those the gateway has."""
        for batch in self.info.batches:
            rows = [r for r in self.rows(batch) if r.outbox in (UNKNOWN, SENDING)]
            if rows:
                found, missing = await self._lookup_attach(batch, rows)
                text = _ACCEPTED_TEXT if batch.ids_pending_since is not None else _UNKNOWN_TEXT
                self.store.set_outbox_states([r.lid for r in missing if r.outbox == SENDING], UNKNOWN, error=text)
            if batch.ids_pending_since is not None:
                batch.ids_pending_since = None
                self._save_batch()
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

    # ------------------------------------------------------------------ internals

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

    def _set_state(self, state: str, error: str | None = None) -> None:
        self.info.state = state
        self.info.error = error
        save_job(self.store, self.info)

    def _emit(self, note: str = "") -> None:
        if self._progress is not None:
            self._progress(BulkProgress(self.id, self.counts(), self._batch_index, len(self.info.batches), note))

    def _halt(self, error: str) -> bool:
        self.info.error = error
        return False

    def _cancel_queued(self) -> None:
        queued = [r.lid for r in self.rows() if r.outbox == QUEUED]
        self.store.set_outbox_states(queued, CANCELLED, error="cancelled with the bulk job", only_if=(QUEUED,))

    async def _wait(self, seconds: float) -> None:
        """Sleep, but wake at once for pause/cancel."""
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        assert self._wake is not None
        try:
            await asyncio.wait_for(self._wake.wait(), seconds)
        except TimeoutError:
            pass

    def _retry_delay(self, attempt: int) -> float:
        return self.retry_delays[min(attempt - 1, len(self.retry_delays) - 1)]

    def _save_batch(self) -> None:
        save_job(self.store, self.info)

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

    def _requeue(self, rows: Sequence[StoredMessage], error: str | None = None) -> None:
        self.store.set_outbox_states([r.lid for r in rows], QUEUED, error=error)

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

    async def _after_accept(self, batch: BatchInfo, rows: list[StoredMessage]) -> bool:
        missing = list(rows)
        for attempt in range(self.lookup_retries + 1):
            try:
                _, missing = await self._lookup_attach(batch, missing)
            except (AuthError, TransportError) as exc:
                if attempt == self.lookup_retries:
                    self.store.set_outbox_states([r.lid for r in missing], UNKNOWN, error=_ACCEPTED_TEXT)
                    return self._halt(f"the batch was accepted but its ids could not be read: {exc}")
                await self._wait(self.lookup_delay)
                continue
            if not missing:
                return True
            if attempt < self.lookup_retries:
                await self._wait(self.lookup_delay)
        self.store.set_outbox_states([r.lid for r in missing], UNKNOWN, error=_ACCEPTED_TEXT)
        return True

    async def _resolve(self, batch: BatchInfo, rows: list[StoredMessage]) -> list[StoredMessage] | None:
        """After an ambiguous failure (or a crash): rows to send again ([] when none), None to stop.

        Looked up at once (found ends it); nothing found proves absence only after the request's
        in-flight limit (smstui.core.send_rule), so then it waits for that and looks once more.
        """
        checked = await self._lookup_patiently(batch, rows)
        if checked is None:
            return None
        found, missing = checked
        if not found and missing and batch.last_attempt is not None:
            wait = batch.last_attempt + self.settle_seconds - self.store.now()
            if wait > 0:
                await self._wait(min(wait, self.settle_seconds))
                if self._request:
                    return []  # rows stay SENDING; the next run resolves them
                checked = await self._lookup_patiently(batch, missing)
                if checked is None:
                    return None
                found, missing = checked
        if not missing:
            return []
        if found:
            self.store.set_outbox_states([r.lid for r in missing], UNKNOWN, error=_PARTIAL_TEXT)
            return []
        # Nothing with this batch's marker exists: the request never took effect.
        self._requeue(missing, "not found on the gateway after a lost answer; sending again")
        self.store.mark_resent([r.lid for r in missing])  # a late original shows as a duplicate
        return missing

    async def _lookup_patiently(
        self, batch: BatchInfo, rows: list[StoredMessage]
    ) -> tuple[list[StoredMessage], list[StoredMessage]] | None:
        """``_lookup_attach`` with retries on transport errors; None (error set) when it cannot."""
        for attempt in range(self.lookup_retries + 1):
            try:
                return await self._lookup_attach(batch, rows)
            except (AuthError, TransportError) as exc:
                if attempt == self.lookup_retries:
                    self._halt(f"cannot check batch {self._batch_index} on the gateway: {exc}")
                    return None
                await self._wait(self.lookup_delay)
        return None  # pragma: no cover - the loop returns

    def _pending_batches(self) -> list[BatchInfo]:
        return [b for b in self.info.batches if b.ids_pending_since is not None]

    def _lookup_due(self) -> bool:
        pending = self._pending_batches()
        if not pending:
            return False
        oldest = min(b.ids_pending_since for b in pending if b.ids_pending_since is not None)
        return (
            sum(b.size for b in pending) >= LOOKUP_EVERY_MESSAGES or self.store.now() - oldest >= LOOKUP_EVERY_SECONDS
        )

    async def _read_pending_ids(self, *, thorough: bool = True, only: Sequence[BatchInfo] | None = None) -> bool:
        """Attach the ids of accepted batches not yet looked up: one listing for all of them.

        The listing is the job's device since the earliest such request; each message is tied
        to its batch by the marker (unique to the batch), then to its row by number and text.
        A batch the listing does not fully account for (lagging or truncated listing, a zone
        guessed wrong) is looked up on its own by marker as before; ``thorough=False`` (the
        job is stopping) leaves it pending for the next run instead. False: stop (error set).
        """
        pending = list(only) if only is not None else self._pending_batches()
        rows = {b.key: [r for r in self.rows(b) if r.outbox == SENDING] for b in pending}
        for batch in [b for b in pending if not rows[b.key]]:
            batch.ids_pending_since = None  # resolved already (e.g. by reconcile) before a crash
            pending.remove(batch)
        if not pending:
            self._save_batch()
            return True
        since = min(b.ids_pending_since for b in pending if b.ids_pending_since is not None)
        # Bounds name their zone (gateway_time); what this misses is looked up by marker with
        # a day's margin below, which no zone misreading can escape.
        flt = MessageFilter(device_id=self.info.device_id, begin=from_ts(since) - WINDOW_MARGIN)
        unresolved: list[BatchInfo] = list(pending)
        try:
            listing = await self.client.list_messages(flt)
        except ApiError as exc:
            log.info("job %s: reading accepted batches together failed (%s); one by one instead", self.id, exc)
        else:
            unresolved = []
            markers = {b.marker for b in pending}
            relevant = [m for m in listing.messages if not m.incoming and m.customer_id in markers]
            known = self.store.messages_by_sms_ids(m.id for m in relevant)
            by_marker: dict[int | None, list[Message]] = {}
            for msg in sorted(relevant, key=lambda m: m.id):
                by_marker.setdefault(msg.customer_id, []).append(msg)
            pairs: list[tuple[int, int, int]] = []
            for batch in pending:
                batch_rows = rows[batch.key]
                lids = {r.lid for r in batch_rows}
                candidates = [
                    m
                    for m in by_marker.get(batch.marker, ())
                    if not ((k := known.get(m.id)) is not None and k.outbox is not None and k.lid not in lids)
                ]
                found, missing, extra = match_rows(self.store, batch_rows, candidates)
                pairs.extend((row.lid, msg.id, msg.status) for row, msg in found)
                if missing:
                    unresolved.append(batch)
                    continue
                if extra:
                    self.extra_found += len(extra)
                    log.warning("batch %s: %d more messages carry its marker than it has", batch.key, len(extra))
                batch.ids_pending_since = None
            self.store.attach_sms_ids(pairs)
            self._save_batch()
        if not thorough:
            return True
        for batch in unresolved:
            missing = [r for r in self.rows(batch) if r.outbox == SENDING]
            ok = await self._after_accept(batch, missing)  # marks what it cannot find UNKNOWN
            batch.ids_pending_since = None
            self._save_batch()
            if not ok:
                return False
        return True

    async def _lookup_attach(
        self, batch: BatchInfo, rows: Sequence[StoredMessage]
    ) -> tuple[list[StoredMessage], list[StoredMessage]]:
        """Find ``rows`` on the gateway and attach their ids: (found, missing)."""
        if not rows:
            return [], []
        if batch.marker is not None:
            begin = min(r.created for r in rows) - MARKER_MARGIN
            flt = MessageFilter(customer_id=batch.marker, begin=begin)
        else:
            started = (
                batch.first_attempt if batch.first_attempt is not None else min(r.created for r in rows).timestamp()
            )
            flt = MessageFilter(device_id=self.info.device_id, begin=from_ts(started) - MARKER_MARGIN)
        listing = await self.client.list_messages(flt)
        lids = {r.lid for r in rows}
        wanted_ids = {batch.marker} if batch.marker is not None else {r.customer_id for r in rows}
        relevant = [m for m in listing.messages if not m.incoming and m.customer_id in wanted_ids]
        known = self.store.messages_by_sms_ids(m.id for m in relevant)
        candidates = [
            m
            for m in sorted(relevant, key=lambda m: m.id)
            # Skip messages another local message already owns.
            if not ((k := known.get(m.id)) is not None and k.outbox is not None and k.lid not in lids)
        ]
        found, missing, extra = match_rows(self.store, rows, candidates)
        self.store.attach_sms_ids([(row.lid, msg.id, msg.status) for row, msg in found])
        if batch.marker is not None and extra and not missing:
            self.extra_found += len(extra)
            log.warning("batch %s: %d more messages carry its marker than it has", batch.key, len(extra))
        return [r for r, _ in found], missing


_UNKNOWN_TEXT = "the gateway's answer was lost and the message was not found there; check before sending again"
_PARTIAL_TEXT = (
    "the answer was lost and only part of the batch was found on the gateway; "
    "check this message before sending it again"
)
_ACCEPTED_TEXT = "accepted by the gateway, but not yet found in its message list; it will be checked again"


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
