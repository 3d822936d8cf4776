"""Webhooks into the store: what the gateway pushed, written as sync would write it, and nothing
a webhook says trusted further than it can hurt.

Incoming messages go through the sync's own path (``Store.upsert_messages(mark_unseen=True)``),
so the conversation's summary and its unread mark update as for a polled reply, and an sms_id
the store already holds is never written again (a duplicate changes nothing; a webhook can never
rewrite a message, incoming or sent). An image becomes a message whose text is
``[image] <url>`` (the store has no image column for incoming messages; the URL is shown
literally, like every text from the network). The message is shown at once and then confirmed
with ``getsmsstatus`` in the background: an id the gateway does not know as incoming (status 5)
is removed again, so a forged webhook cannot plant an id that a later send would collide with,
and a STOP in it is recorded on the suppression list only once confirmed (until then it must not
stop anyone's messages).

Status webhooks follow the vendor's order (1 New -> 3 Queued on phone -> 2 Taken -> 6 Sent ->
a final one): a known outgoing message moving forward is stored at once. Anything else is asked
of the gateway first and the gateway's answer stored instead: an sms_id the store does not know,
a move backwards, a code outside that order, a device that is not the message's. A final status
is never overwritten (and costs no request: its answer could not be stored anyway). Writes are
compare-and-set (``Store.swap_status``), so a sync or a second receiver writing in between wins.

Confirmations run on one bounded queue per event loop; when it is full the webhook is answered
"busy" (HTTP 503) before anything is stored, so the gateway may send it again. The outbox, the
bodies of sent messages and their recipients are never touched.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, tzinfo
from typing import Literal, NamedTuple

from smstui.core.api.errors import ApiError, GatewayError
from smstui.core.gateway_messages import Message, SmsStatus
from smstui.core.models import FINAL_STATUSES, Status
from smstui.core.optout import DEFAULT_WORDS, ReplyWords
from smstui.core.store.database import Store
from smstui.core.store.optouts import OptoutReply
from smstui.core.store.schema import to_ts
from smstui.webhook.payloads import IncomingMessage, Payload, StatusUpdate

log = logging.getLogger("smstui.webhook")

Confirm = Callable[[int], Awaitable[SmsStatus]]
Outcome = Literal["stored", "duplicate", "confirming", "kept", "busy"]

# The vendor's order of the pending statuses (3 before 2 for historical reasons, api.md).
ORDER = {Status.NEW: 0, Status.QUEUED_ON_PHONE: 1, Status.TAKEN: 2, Status.SENT: 3}
FINAL_RANK = len(ORDER)
OUTGOING_FINALS = FINAL_STATUSES - {Status.INCOMING}
QUEUE_SIZE = 256


class Applied(NamedTuple):
    """What became of one webhook: ``outcome`` and the conversations it changed."""

    outcome: Outcome
    phone_keys: frozenset[str] = frozenset()


class _Job(NamedTuple):
    kind: Literal["status", "incoming"]
    sms_id: int
    lid: int | None = None  # the incoming row to confirm
    reply: OptoutReply | None = None  # its STOP/START, recorded once confirmed


def rank(status: int | None) -> int | None:
    """The position of ``status`` in the vendor's order; None for codes outside it."""
    if status is None:
        return None
    if status in ORDER:
        return ORDER[Status(status)]
    return FINAL_RANK if status in OUTGOING_FINALS else None


def judge(known: tuple[bool, int | None, int | None] | None, update: StatusUpdate) -> Outcome:
    """What to do with a status claim about a message the store holds as ``known``
    (Store.outgoing_status): "stored" (take it), "duplicate", "kept" (a final or incoming one
    stays) or "confirming" (ask the gateway first)."""
    if known is None:
        return "confirming"
    outgoing, status, device = known
    if not outgoing or status in FINAL_STATUSES:
        return "duplicate" if status == update.status_id else "kept"
    if status == update.status_id:
        return "duplicate"
    if update.device_id is not None and device is not None and update.device_id != device:
        return "confirming"
    old, new = rank(status), rank(update.status_id)
    if old is None or new is None or new <= old:
        return "confirming"
    return "stored"


class Applier:
    """Applies validated webhooks to one profile's store (see the module docstring).

    ``confirm`` asks the gateway for one message's status (``GatewayClient.sms_status``).
    ``account_zone`` is not used here (the payloads are parsed with it) but kept with the
    applier so the receiver reads dates as the sync does. ``on_change`` is told the
    conversations a webhook or a confirmation changed (the in-app receiver repaints them);
    ``on_unknown`` the id of a message the gateway confirmed but the store lacks (sent by
    another client, or a send of ours whose id is not stored yet): a sync lists it, with the
    outbox's fold, so whoever owns the sync may run one now. Both are called on the receiver's
    event loop.
    """

    def __init__(
        self,
        store: Store,
        confirm: Confirm,
        *,
        reply_words: ReplyWords | None = DEFAULT_WORDS,
        account_zone: Callable[[], tzinfo] = lambda: UTC,
        clock: Callable[[], float] | None = None,
        confirm_incoming: bool = True,
        queue_size: int = QUEUE_SIZE,
        on_change: Callable[[frozenset[str]], None] | None = None,
        on_unknown: Callable[[int], None] | None = None,
    ) -> None:
        self.store = store
        self.confirm = confirm
        self.reply_words = reply_words
        self.account_zone = account_zone
        self.clock = clock or store.now
        self.confirm_incoming = confirm_incoming
        self.queue_size = queue_size
        self.on_change = on_change
        self.on_unknown = on_unknown
        self._queue: asyncio.Queue[_Job] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._worker: asyncio.Task[None] | None = None
        self._queued: set[tuple[str, int]] = set()
        self.confirmed = 0  # confirmations answered (tests and the log's summary)

    def __repr__(self) -> str:
        return f"Applier({self.store.path.name!r}, queued={len(self._queued)})"

    # ------------------------------------------------------------------ entry points

    async def apply(self, payload: Payload) -> Applied:
        """Store what ``payload`` says may be stored now; queue what must be confirmed."""
        self.bind()
        applied = await asyncio.to_thread(self._apply, payload)
        self._tell(applied.phone_keys)
        return applied

    def _apply(self, payload: Payload) -> Applied:
        """The store's part, on a worker thread (a write may wait for the sync's transaction)."""
        applied = self._status(payload) if isinstance(payload, StatusUpdate) else self._incoming(payload)
        if applied.outcome != "busy":  # a busy one is answered 503: the gateway sends it again
            self.store.note_webhook(_kind(payload), self.clock())
        return applied

    async def note_rejected(self) -> None:
        await asyncio.to_thread(self.store.note_webhook, "rejected", self.clock())

    async def drain(self) -> None:
        """Wait until every queued confirmation is done (tests; a clean shutdown)."""
        queue = self._queue
        if queue is not None and self._loop is asyncio.get_running_loop():
            await queue.join()

    def drain_from_thread(self, timeout: float = 30.0) -> None:
        """:meth:`drain` from another thread than the receiver's (the app, a test): blocks until
        every confirmation queued so far is done, or raises TimeoutError."""
        import concurrent.futures

        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            asyncio.run_coroutine_threadsafe(self.drain(), loop).result(timeout)
        except concurrent.futures.TimeoutError:
            raise TimeoutError(f"webhook confirmations still running after {timeout:g} s") from None

    async def aclose(self) -> None:
        worker, self._worker = self._worker, None
        if worker is not None and not worker.done() and self._loop is asyncio.get_running_loop():
            worker.cancel()
            try:
                await worker
            except asyncio.CancelledError:
                pass
        self._queue, self._loop = None, None
        self._queued.clear()

    @property
    def pending(self) -> int:
        """Confirmations queued or running."""
        return len(self._queued)

    # ------------------------------------------------------------------ status

    def _status(self, update: StatusUpdate) -> Applied:
        for _ in range(3):  # compare-and-set: a write in between makes us judge again
            known = self.store.outgoing_status(update.sms_id)
            verdict = judge(known, update)
            if verdict == "confirming":
                return self._enqueue(_Job("status", update.sms_id))
            if verdict != "stored":
                return Applied(verdict)
            assert known is not None
            # The webhook's status_message is not kept: for the codes of the order smstui has
            # its own words, and an unknown code is confirmed and takes the gateway's.
            key = self.store.swap_status(update.sms_id, known[1], update.status_id, None)
            if key is not None:
                return Applied("stored", frozenset({key}))
        return self._enqueue(_Job("status", update.sms_id))

    # ------------------------------------------------------------------ incoming

    def _incoming(self, message: IncomingMessage) -> Applied:
        if self.store.known_sms_ids([message.sms_id]):
            return Applied("duplicate")
        if self.confirm_incoming and self._full():
            return Applied("busy")
        now = self.clock()
        when = message.date or message.date_sent
        # Never after now: a phone's clock ahead (or a forged date) must not pin the thread on
        # top; the sync's listing brings the gateway's own time for it.
        created = min(to_ts(when), now) if when is not None else now
        body = message.body if message.type == "text" else f"[image] {message.img_url}"
        row = Message(
            id=message.sms_id,
            phone=message.address,
            body=body,
            status=Status.INCOMING,
            device_id=message.device_id,
            slot=message.sim,
            created=datetime.fromtimestamp(created, UTC),
        )
        reply = self._reply(row, created)

        def after(db: sqlite3.Connection) -> None:
            self.store.note_webhook_change(db)
            if reply is not None and not self.confirm_incoming:
                self.store.apply_optout_replies(db, [reply])

        result = self.store.upsert_messages([row], mark_unseen=True, after=after)
        keys = frozenset(result.phone_keys)
        if not result.inserted:  # a sync stored it in between: it is the gateway's now
            return Applied("duplicate", keys)
        if not self.confirm_incoming:
            return Applied("stored", keys)
        self._enqueue(_Job("incoming", message.sms_id, result.inserted[0], reply))
        return Applied("stored", keys)

    def _reply(self, row: Message, at: float) -> OptoutReply | None:
        if self.reply_words is None:
            return None
        kind = self.reply_words.detect(row.body)
        return None if kind is None else OptoutReply(row.phone, kind == "stop", at, row.body, row.id)

    # ------------------------------------------------------------------ confirmations

    def _full(self) -> bool:
        return len(self._queued) >= self.queue_size

    def _enqueue(self, job: _Job) -> Applied:
        """Queue ``job`` (called from a worker thread: the queue lives on the loop)."""
        key = (job.kind, job.sms_id)
        if key in self._queued:
            return Applied("confirming")  # already asked: one request answers both
        if self._full():
            return Applied("busy")
        loop = self._loop
        if loop is None or loop.is_closed():
            return Applied("busy")
        self._queued.add(key)
        loop.call_soon_threadsafe(self._put, job)
        return Applied("confirming")

    def _put(self, job: _Job) -> None:
        assert self._queue is not None
        self._queue.put_nowait(job)

    def bind(self) -> None:
        """Make the queue and its worker on the running loop (each loop its own: the receiver's
        loop may change between test clients, and an asyncio queue belongs to one loop)."""
        loop = asyncio.get_running_loop()
        if self._loop is loop and self._worker is not None and not self._worker.done():
            return
        self._loop = loop
        self._queue = asyncio.Queue()
        self._queued.clear()
        self._worker = loop.create_task(self._work(self._queue), name="smstui-webhook-confirm")

    async def _work(self, queue: asyncio.Queue[_Job]) -> None:
        while True:
            job = await queue.get()
            try:
                await self._confirm(job)
            except Exception:  # one bad answer must not stop every later confirmation
                log.exception("confirming a webhook about sms %s failed", job.sms_id)
            finally:
                self._queued.discard((job.kind, job.sms_id))
                queue.task_done()

    async def _confirm(self, job: _Job) -> None:
        try:
            answer: SmsStatus | None = await self.confirm(job.sms_id)
        except GatewayError as exc:
            log.info("the gateway does not know sms %s (%s)", job.sms_id, exc.gateway_message[:100])
            answer = None
        except ApiError as exc:
            # Unreachable or no answer: nothing proven either way. The status is left to the
            # sync's reconciling; an incoming message stays (it is only shown).
            log.info("could not confirm sms %s with the gateway: %s", job.sms_id, exc)
            return
        self.confirmed += 1
        keys = await asyncio.to_thread(self._settle, job, answer)
        self._tell(keys)
        if job.kind == "status" and answer is not None and self.on_unknown is not None:
            if not await asyncio.to_thread(self.store.known_sms_ids, [job.sms_id]):
                try:
                    self.on_unknown(job.sms_id)
                except Exception:  # a listener's bug must not stop the confirmations
                    log.exception("a webhook listener failed")

    def _settle(self, job: _Job, answer: SmsStatus | None) -> frozenset[str]:
        if job.kind == "incoming":
            assert job.lid is not None
            if answer is not None and answer.status == Status.INCOMING:
                if job.reply is not None:
                    with self.store.transaction() as db:
                        self.store.apply_optout_replies(db, [job.reply])
                return frozenset()
            log.warning("removed an incoming message the gateway does not know as incoming (sms %s)", job.sms_id)
            key = self.store.drop_unconfirmed_incoming(job.lid, job.sms_id)
            return frozenset() if key is None else frozenset({key})
        if answer is None:
            return frozenset()  # the gateway does not know it: nothing to show
        for _ in range(3):
            known = self.store.outgoing_status(job.sms_id)
            if known is None:
                # Sent by another client, or our send whose id is not stored yet: the sync
                # lists it with its text; a status alone makes no message.
                log.info("sms %s is not in the store: left to the sync", job.sms_id)
                return frozenset()
            outgoing, status, _device = known
            if not outgoing or status in FINAL_STATUSES or status == answer.status:
                return frozenset()
            key = self.store.swap_status(job.sms_id, status, answer.status, answer.description)
            if key is not None:
                return frozenset({key})
        return frozenset()

    def _tell(self, keys: frozenset[str]) -> None:
        if keys and self.on_change is not None:
            try:
                self.on_change(keys)
            except Exception:  # a listener's bug must not turn a webhook into an error
                log.exception("a webhook listener failed")


def _kind(payload: Payload) -> Literal["status", "incoming"]:
    return "status" if isinstance(payload, StatusUpdate) else "incoming"


__all__ = ["Applied", "Applier", "Confirm", "Outcome", "judge", "rank"]
