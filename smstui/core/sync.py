"""Sync: bring the local store up to date with the gateway, at a cost that grows with what can
still change, never with the size of history.

The gateway has no change feed and no paging, only ``getallsms`` filtered by time/status/phone and
``getsmsstatus`` per id. Sync uses them like this:

Cursor
    ``sync.cursor`` (meta) is the newest ``created`` seen on the gateway, in the gateway's own
    timestamps, so a wrong local clock cannot make sync skip messages. It is written in the same
    transaction as the messages it stands for (``Store.upsert_messages(meta=...)``): a killed
    process leaves either both or neither, and the next run simply lists again.

Incremental refresh (every poll)
    1. ``getallsms begindate = cursor - overlap`` (``sync.overlap_minutes``, default 10). The
       overlap catches messages whose ``created`` is a little older than messages already seen
       (an incoming SMS stamped when the phone got it but uploaded later, same-second inserts).
       It returns the new messages plus the few in the overlap; upserts are idempotent by sms_id.
    2. Status of messages that are not final (status 1, 2, 3, 6) and older than the listing's
       begin (newer ones come with the listing for free). Three ways, the cheapest by a small cost
       model (one request = 1, one listed message = 1/20):

       * ``ids``: one ``getsmsstatus`` per message;
       * ``window``: move the listing's begin back to the oldest pending message (no extra request,
         but the history in between is listed again; its size is counted in the local store);
       * ``snapshot``: four ``getallsms status=s begindate=oldest`` (s = 1, 2, 3, 6) list only
         what is still pending; a pending message missing from all four has changed, and only
         those are asked for one by one. Cost grows with the pending and the changed messages.

       How often a pending message is checked falls with its age (``status_tiers``): younger than
       an hour on every refresh, up to a day every 5 minutes, up to 7 days hourly, older every 6
       hours. Most messages are delivered within minutes; those that never finalise (a phone that
       never came back, carriers that send no delivery report, leaving "Sent" forever) cannot make
       every refresh expensive. ``sync(force=True)`` ("refresh now") checks them all.

    An idle refresh therefore costs one small ``getallsms`` (plus the pending checks), whatever the
    size of the store.

First sync
    Walks backwards from now in time windows (1 day to start with, then sized from the density
    seen to ~500 messages per window, ~2,000 in the sync worker process, between 1 hour and 30
    days) down to ``first_sync_days``,
    reporting ``(messages stored, messages the gateway counts in the range)`` to ``progress``
    (the total is 0 when the gateway gives no count). While a window is written, the next one
    is already being fetched; decoding and writing take turns on one thread (the lane), so the
    loop only moves bytes. Each window is committed together with
    its progress (``sync.first.*`` meta), so an interrupted first sync resumes where it stopped.
    Windows stay small because parsing a listing holds the GIL and storing it holds the store's
    write lock: a 2,000-message window (1.2 MB of JSON) made the app's frames wait 15-140 ms.
    History is stored with ``mark_unseen=False`` (old replies are not "unread"). While a first sync
    is resumed, the incremental listing runs first so new messages show up at once.

Devices
    ``getalldevices`` plus ``getdevicestatus`` per device, every ``sync.device_interval`` seconds
    (or when forced). Their dates are read by their own zone fields and say nothing about the
    account's zone. Their SIMs' countries teach the default region when the profile sets none
    (:class:`smstui.core.region.Regions`; ``SyncReport.region`` says what changed).

Time zone
    Date filters name the zone they are written in (``timezone=``: the account's when known,
    else UTC), so windows and cursors mean one instant; the account's zone itself, which ``timetosend``
    needs, is learnt about once a day from a small listing (:meth:`Syncer.check_zone`; rules in
    :mod:`smstui.core.gateway_time`) and kept in meta (:func:`load_account_zone`).

Completeness
    First-sync windows overlap by ``FIRST_SYNC_OVERLAP``. After the first sync, every
    ``VERIFY_EVERY`` seconds and on "refresh now", the history is checked against the gateway's
    counts (:mod:`smstui.core.history_check`): one request when complete; ranges that differ are
    listed again. ``SyncReport.verified`` and :attr:`Syncer.last_check` say what was verified.

Sync never duplicates a message the outbox holds while it reconciles a lost answer: listings go
through ``fold`` (:meth:`smstui.core.outbox.Outbox.fold_from_sync`) before they are stored.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import sqlite3
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from smstui.core.api.client import GatewayClient
from smstui.core.api.errors import GatewayError, ResponseFormatError
from smstui.core.gateway_messages import Message, MessageFilter, MessageList
from smstui.core.gateway_time import SOURCE_CONFIG, SOURCE_GATEWAY, AccountZone
from smstui.core.history_check import HistoryCheck, check_history
from smstui.core.models import PENDING_STATUSES
from smstui.core.optout import DEFAULT_WORDS, ReplyWords
from smstui.core.store.database import Store
from smstui.core.store.optouts import OptoutReply
from smstui.core.store.schema import META_LAST_SYNC, from_ts, to_ts

if TYPE_CHECKING:
    from smstui.core.region import RegionNews, Regions

log = logging.getLogger("smstui.core.sync")

DAY = 86_400.0
REQUEST_COST = 1.0
MESSAGE_COST = 1.0 / 20  # a listed message is ~450 bytes of JSON, parsed and compared
# Rows per store transaction: the store's write lock (which the app's reads wait for) and the
# GIL are released between chunks, so a big listing never stalls the UI for its whole upsert.
UPSERT_CHUNK = 250
# In the sync worker process (smstui.core.sync_worker) the GIL is not the app's and readers never
# wait for a WAL writer, so bigger transactions cost the app nothing: fewer statements and
# commits make a first sync ~15 % faster (bench/first_sync.py). The app's own writes (drafts,
# a queued send) wait for at most one such transaction (~0.1 s), within the store's busy_timeout.
WORKER_UPSERT_CHUNK = 2000
# A first sync's messages per listing: ~500 keeps the app's frames smooth when it parses them in
# its own process (the module docstring); the worker process asks for windows of ~2,000, so
# each listing is one transaction of WORKER_UPSERT_CHUNK rows (bench/first_sync.py: a tenth less
# CPU, a quarter of the requests).
FIRST_SYNC_PER_WINDOW = 500
WORKER_PER_WINDOW = 2000
# (age below which a pending message belongs to the tier, seconds between its checks)
STATUS_TIERS: tuple[tuple[float, float], ...] = (
    (3600.0, 0.0),
    (DAY, 300.0),
    (7 * DAY, 3600.0),
    (float("inf"), 6 * 3600.0),
)
SNAPSHOT_STATUSES = tuple(sorted(PENDING_STATUSES))

META_CURSOR = "sync.cursor"
META_FIRST_UPPER = "sync.first.upper"
META_FIRST_LOWER = "sync.first.lower"
META_FIRST_WINDOW = "sync.first.window"
META_FIRST_DONE = "sync.first.done"
META_DEVICES_AT = "sync.devices_at"
META_STATUS_AT = "sync.status_at."
META_GATEWAY_TZ = "gateway_tz"
META_GATEWAY_TZ_SOURCE = "gateway_tz.source"  # "gateway": learnt from zone names in listings
META_GATEWAY_TZ_CHECKED = "gateway_tz.checked_at"
ZONE_RECHECK = DAY  # the user may change the account's zone in the vendor's settings
META_VERIFIED_AT = "sync.verified_at"
META_VERIFY_REPORT = "sync.verify_report"
VERIFY_EVERY = 6 * 3600.0  # a whole-history count check: one request when all is well
# Consecutive first-sync windows overlap by this much (upserts by id make it free): even a
# gateway that read a bound in a zone with a DST change in between leaves no hole.
FIRST_SYNC_OVERLAP = 3600.0
CURSOR_AHEAD = DAY  # gateway dates may run ahead of our clock, by this much at most

Progress = Callable[[int, int], None]
Fold = Callable[[Sequence[Message]], list[int]]
Plan = Literal["ids", "window", "snapshot"]


@dataclass(slots=True)
class SyncReport:
    """What one ``sync()`` changed and what it cost."""

    phone_keys: set[str] = field(default_factory=set)
    inserted: int = 0
    changed: int = 0
    new_incoming: int = 0
    devices_changed: bool = False
    first_sync: bool = False
    first_sync_done: bool = False
    progress: tuple[int, int] | None = None
    verified: HistoryCheck | None = None
    folded: list[int] = field(default_factory=list)
    status_plan: Plan | None = None
    region: RegionNews | None = None  # the device refresh learnt or questioned the region
    optouts_changed: int = 0  # numbers a STOP or START reply put on or took off the suppression list
    requests: int = 0
    bytes: int = 0

    @property
    def messages_changed(self) -> bool:
        return bool(self.phone_keys)


def _float(text: str | None) -> float | None:
    try:
        return None if text is None else float(text)
    except ValueError:
        return None


def load_account_zone(store: Store, configured: str | None = None) -> AccountZone:
    """The account's zone as a previous run learnt it (meta), kept there as it is learnt anew.

    Stores of older versions may hold an offset ("+02:00") or a zone taken from device dates:
    neither is the account's zone, so they are dropped and the zone is learnt again.
    """
    learnt = store.get_meta(META_GATEWAY_TZ) if store.get_meta(META_GATEWAY_TZ_SOURCE) == SOURCE_GATEWAY else None

    def keep(name: str) -> None:
        store.set_meta(META_GATEWAY_TZ, name)
        store.set_meta(META_GATEWAY_TZ_SOURCE, SOURCE_GATEWAY)

    return AccountZone(configured, learnt, on_learn=keep)


class Syncer:
    """Brings one store up to date with one gateway account (see the module docstring)."""

    def __init__(
        self,
        store: Store,
        client: GatewayClient,
        settings: object | None = None,
        *,
        clock: Callable[[], float] | None = None,
        fold: Fold | None = None,
        overlap_minutes: float | None = None,
        device_interval: float | None = None,
        first_sync_days: int | None = None,
        window_days: float = 1.0,
        target_per_window: int = FIRST_SYNC_PER_WINDOW,
        status_tiers: Sequence[tuple[float, float]] = STATUS_TIERS,
        regions: Regions | None = None,
        reply_words: ReplyWords | None = DEFAULT_WORDS,
    ) -> None:
        self.store = store
        #: Rows per store transaction (UPSERT_CHUNK; the worker process uses WORKER_UPSERT_CHUNK).
        self.upsert_chunk = UPSERT_CHUNK
        #: The stop/start words incoming messages are checked against (None: no detection).
        self.reply_words = reply_words
        self.regions = regions
        self._region_news: RegionNews | None = None  # see take_region_news
        self.client = client
        self._clock = clock or store.now
        self.fold = fold
        self.overlap = 60.0 * float(
            overlap_minutes if overlap_minutes is not None else getattr(settings, "overlap_minutes", 10)
        )
        self.device_interval = float(
            device_interval if device_interval is not None else getattr(settings, "device_interval", 60)
        )
        self.first_sync_days = int(
            first_sync_days if first_sync_days is not None else getattr(settings, "first_sync_days", 90)
        )
        self.window = window_days * DAY
        self.target_per_window = target_per_window
        self.status_tiers = tuple(status_tiers)
        if self.client.zone.on_learn is None and not self.client.zone.known:
            # A client made without the session: keep what it learns in this store too.
            self.client.zone = load_account_zone(self.store)

    def now(self) -> float:
        return self._clock()

    def size_for_worker(self) -> None:
        """The sizes a sync uses in its own process (smstui.core.sync_worker): no UI shares its
        interpreter, so bigger listings and transactions cost the app nothing."""
        self.upsert_chunk = WORKER_UPSERT_CHUNK
        self.target_per_window = max(self.target_per_window, WORKER_PER_WINDOW)

    # ------------------------------------------------------------------ state

    @property
    def first_sync_done(self) -> bool:
        return self.store.get_meta(META_FIRST_DONE) == "1"

    @property
    def last_synced(self) -> datetime | None:
        return self.store.last_synced()

    def cursor(self) -> float | None:
        value = _float(self.store.get_meta(META_CURSOR))
        if value is not None:
            return value
        newest = self.store.max_created()
        return None if newest is None else newest.timestamp()

    def reset(self) -> None:
        """Forget cursors (e.g. after switching account): the next sync is a first sync."""
        for key in (
            META_CURSOR,
            META_LAST_SYNC,
            META_FIRST_UPPER,
            META_FIRST_LOWER,
            META_FIRST_WINDOW,
            META_FIRST_DONE,
            META_DEVICES_AT,
            META_GATEWAY_TZ,
            META_GATEWAY_TZ_SOURCE,
            META_GATEWAY_TZ_CHECKED,
            META_VERIFIED_AT,
            META_VERIFY_REPORT,
        ):
            self.store.delete_meta(key)
        for index in range(len(self.status_tiers)):
            self.store.delete_meta(f"{META_STATUS_AT}{index}")

    # ------------------------------------------------------------------ entry points

    async def sync(
        self, progress: Progress | None = None, *, force_devices: bool = False, force: bool = False
    ) -> SyncReport:
        """One refresh: devices when due, then the first sync or an incremental refresh.

        ``force`` ("refresh now") also refreshes devices and checks every pending status now.

        Raises the client's errors (:class:`smstui.core.api.errors.ApiError`); whatever was committed
        before stays committed and the next call continues from there.
        """
        report = SyncReport()
        requests, received = self.client.request_count, self.client.bytes_received
        try:
            if self._zone_due():
                await self.check_zone()
            if force or force_devices or self._devices_due():
                report.devices_changed = await self.refresh_devices(force=True)
                if self.regions is not None:
                    report.region = self.regions.learn(d.device for d in self.store.devices())
                    self._region_news = report.region or self._region_news
            if self.first_sync_done:
                await self._incremental(report, force=force)
            else:
                if self.store.get_meta(META_FIRST_LOWER) is not None and self.cursor() is not None:
                    await self._incremental(report, statuses=False)
                await self._first_sync(report, progress)
            if force or self._verify_due():
                report.verified = await self.verify_history(report)
            self.store.set_meta(META_LAST_SYNC, repr(self.now()))
        finally:
            report.requests = self.client.request_count - requests
            report.bytes = self.client.bytes_received - received
        return report

    # ------------------------------------------------------------------ completeness

    @property
    def last_check(self) -> HistoryCheck | None:
        """The latest history check (kept in meta), for ``smstui sync`` and the app."""
        return HistoryCheck.from_json(self.store.get_meta(META_VERIFY_REPORT))

    def _verify_due(self) -> bool:
        if not self.first_sync_done:
            return False
        last = _float(self.store.get_meta(META_VERIFIED_AT))
        return last is None or not 0 <= self.now() - last < VERIFY_EVERY

    async def verify_history(self, report: SyncReport | None = None) -> HistoryCheck:
        """Compare the synced history with the gateway's counts; list again what is missing.

        The range is what sync vouches for: from the first sync's lower end up to the cursor
        less the overlap (newer messages are listed again by every refresh anyway).
        """
        report = report or SyncReport()
        lower = _float(self.store.get_meta(META_FIRST_LOWER))
        cursor = self.cursor()
        now = self.now()
        upper = min(cursor if cursor is not None else now, now) - self.overlap
        if lower is None or upper <= lower:
            result = HistoryCheck(begin=lower or now, end=now, at=now)
        else:
            result = await check_history(
                self.client,
                self.store,
                lower,
                upper,
                lambda messages: self._store(report, messages, mark_unseen=False),
                now=now,
            )
        self.store.set_meta(META_VERIFY_REPORT, result.to_json())
        self.store.set_meta(META_VERIFIED_AT, repr(now))
        if not result.complete:
            log.warning("history check: %s", result.summary())
        return result

    def _zone_due(self) -> bool:
        if self.client.zone.source == SOURCE_CONFIG:
            return False
        last = _float(self.store.get_meta(META_GATEWAY_TZ_CHECKED))
        return last is None or not 0 <= self.now() - last < ZONE_RECHECK

    async def check_zone(self) -> bool:
        """Learn (or confirm) the account's zone: one small listing, about once a day."""
        known = await self.client.learn_account_zone()
        self.store.set_meta(META_GATEWAY_TZ_CHECKED, repr(self.now()))
        return known

    def _capped(self, cursor: float) -> float:
        """A cursor no further ahead than a day: one message dated in 2035 (a phone's clock, a
        garbled date) must not make every later listing start after every new message."""
        return min(cursor, self.now() + CURSOR_AHEAD)

    def take_region_news(self) -> RegionNews | None:
        """What the last device refresh learnt about the region, once, even when the sync
        failed after it (the store was re-keyed all the same: the UI must follow)."""
        news, self._region_news = self._region_news, None
        return news

    def _devices_due(self) -> bool:
        last = _float(self.store.get_meta(META_DEVICES_AT))
        return last is None or self.now() - last >= self.device_interval or not self.store.devices()

    async def refresh_devices(self, force: bool = False) -> bool:
        """Device list and online states; returns True when anything changed."""
        if not force and not self._devices_due():
            return False
        devices = await self.client.devices()
        changed = self.store.save_devices(devices)
        for device in devices:
            try:
                status = await self.client.device_status(device.id)
            except GatewayError as exc:
                log.info("no status for device %s: %s", device.id, exc)
                continue
            changed = self.store.save_device_status(status) or changed
        self.store.set_meta(META_DEVICES_AT, repr(self.now()))
        return changed

    # ------------------------------------------------------------------ storing listings

    def _store(
        self, report: SyncReport, messages: Sequence[Message], *, mark_unseen: bool, meta: dict[str, str] | None = None
    ) -> None:
        self._prepare(report, messages, mark_unseen=mark_unseen)
        self._write(report, messages, mark_unseen=mark_unseen, meta=meta)

    def _prepare(self, report: SyncReport, messages: Sequence[Message], *, mark_unseen: bool) -> None:
        """What must run on the sync's own loop before a listing is written: the outbox's fold
        (it reads the outbox's in-flight state) and counting the new incoming messages."""
        if self.fold is not None and messages:
            report.folded.extend(self.fold(messages))
        if mark_unseen and messages:
            known = self.store.known_sms_ids(m.id for m in messages)
            report.new_incoming += sum(1 for m in messages if m.incoming and m.id not in known)

    def _write(
        self, report: SyncReport, messages: Sequence[Message], *, mark_unseen: bool, meta: dict[str, str] | None = None
    ) -> None:
        """Store a listing in chunks (the store only: safe on another thread)."""
        # ``meta`` (cursors, progress) goes with the last chunk: it never runs ahead of the rows it
        # stands for; an interrupted listing is simply listed again (upserts are idempotent).
        size = self.upsert_chunk
        chunks = [messages[i : i + size] for i in range(0, len(messages), size)] or [messages]
        for index, chunk in enumerate(chunks):
            last = index == len(chunks) - 1
            replies = self._optout_replies(chunk)
            result = self.store.upsert_messages(
                chunk,
                mark_unseen=mark_unseen,
                meta=meta if last else None,
                after=self._recorder(replies, report) if replies else None,
            )
            report.inserted += len(result.inserted)
            report.changed += len(result.changed)
            report.phone_keys |= result.phone_keys
        if report.folded:
            for lid in report.folded:
                row = self.store.message(lid)
                if row is not None:
                    report.phone_keys.add(row.phone_key)

    def _recorder(self, replies: list[OptoutReply], report: SyncReport) -> Callable[[sqlite3.Connection], None]:
        def record(db: sqlite3.Connection) -> None:
            report.optouts_changed += self.store.apply_optout_replies(db, replies)

        return record

    def _optout_replies(self, messages: Sequence[Message]) -> list[OptoutReply]:
        """The STOP/START replies among ``messages``, stored with them (one transaction)."""
        words = self.reply_words
        if words is None:
            return []
        replies = []
        for message in messages:
            if not message.incoming:
                continue
            kind = words.detect(message.body)
            if kind is not None:
                at = to_ts(message.created) or self.store.now()
                replies.append(OptoutReply(message.phone, kind == "stop", at, message.body or "", message.id))
        return replies

    # ------------------------------------------------------------------ first sync

    async def _first_sync(self, report: SyncReport, progress: Progress | None) -> None:
        report.first_sync = True
        upper = _float(self.store.get_meta(META_FIRST_UPPER))
        if upper is None:
            upper = self.now()
            self.store.set_meta(META_FIRST_UPPER, repr(upper))
        goal = upper - self.first_sync_days * DAY
        reached = _float(self.store.get_meta(META_FIRST_LOWER))
        window = _float(self.store.get_meta(META_FIRST_WINDOW)) or self.window
        # Progress is in messages: the gateway's count for the whole range (one small request; 0
        # when it gives none), against what is stored (a resumed first sync starts where it was).
        total = await self._history_count(goal)
        stored = self.store.message_count() - report.inserted  # this pass's rows are counted below

        def report_progress(finished: bool = False) -> None:
            done = total if finished and total else stored + report.inserted
            report.progress = (min(done, total) if total else done, total)
            if progress is not None:
                progress(*report.progress)

        report_progress()
        stack = contextlib.ExitStack()
        # The next window is asked for while this one is written, so the gateway composes its
        # answer while the store works, not after. Decoding the answers and writing them take
        # turns on one thread, the lane, and the loop only moves bytes: run side by side on two
        # threads, a listing's parsing (pure Python) kept the GIL from the writer's executemany,
        # which takes it back after every row and so waited up to a switch interval (5 ms) each
        # time; the store's work took several times as long (bench/first_sync.py).
        lane = ThreadPoolExecutor(max_workers=1, thread_name_prefix="smstui-sync-lane")
        previous_lane, self.client.decode_lane = self.client.decode_lane, lane
        ahead: tuple[float, asyncio.Future[MessageList]] | None = None
        try:
            # History comes in by the hundred thousand: checkpoint the WAL less often.
            stack.enter_context(self.store.large_writes())
            while reached is None or reached > goal:
                top = upper if reached is None else reached
                lo = max(goal, top - window)
                if ahead is not None and ahead[0] == lo:
                    listing = await ahead[1]
                else:
                    listing = await self.client.list_messages(self._window_filter(lo, reached))
                ahead = None
                messages = listing.messages
                meta = {META_FIRST_LOWER: repr(lo)}
                if reached is None:
                    newest = max((m.created.timestamp() for m in messages if m.created), default=lo)
                    meta[META_CURSOR] = repr(self._capped(max(newest, self.cursor() or newest)))
                density = len(messages) / max(1.0, top - lo)
                window = (
                    min(30 * DAY, max(3600.0, self.target_per_window / density))
                    if density
                    else min(30 * DAY, window * 2)
                )
                meta[META_FIRST_WINDOW] = repr(window)
                if lo <= goal:
                    meta[META_FIRST_DONE] = "1"
                    # Every status was just read: no pending check is due yet.
                    meta.update({f"{META_STATUS_AT}{i}": repr(self.now()) for i in range(len(self.status_tiers))})
                else:
                    following = max(goal, lo - window)
                    ahead = (
                        following,
                        asyncio.ensure_future(self.client.list_messages(self._window_filter(following, lo))),
                    )
                self._prepare(report, messages, mark_unseen=False)
                await self._write_on_thread(lane, report, messages, meta)
                reached = lo
                report_progress(finished=lo <= goal)
        finally:
            stack.close()
            if ahead is not None and not ahead[1].done():
                ahead[1].cancel()
            if ahead is not None:
                with contextlib.suppress(BaseException):
                    await ahead[1]  # retrieved: a failed look-ahead is no "never retrieved" warning
            self.client.decode_lane = previous_lane
            lane.shutdown(wait=False)  # idle: every write was awaited
        report.first_sync_done = True

    async def _write_on_thread(
        self, lane: Executor, report: SyncReport, messages: Sequence[Message], meta: dict[str, str]
    ) -> None:
        """``_write`` on the first sync's lane; a cancelled sync (the app quitting) still waits
        for it, so nothing writes to the store after the sync has ended (or the store was closed)."""
        write = functools.partial(self._write, report, messages, mark_unseen=False, meta=meta)
        writing = asyncio.ensure_future(asyncio.get_running_loop().run_in_executor(lane, write))
        try:
            await asyncio.shield(writing)
        except asyncio.CancelledError:
            with contextlib.suppress(Exception):
                await writing
            raise

    async def _history_count(self, since: float) -> int:
        """How many messages the gateway has from ``since`` on (0: it would not say)."""
        try:
            return max(0, await self.client.count_messages(MessageFilter(begin=from_ts(since))))
        except (GatewayError, ResponseFormatError) as exc:
            log.info("no message count for the first sync's progress: %s", exc)
            return 0

    @staticmethod
    def _window_filter(lo: float, reached: float | None) -> MessageFilter:
        # The newest window has no end, so messages stamped after our "now" are not missed.
        return MessageFilter(begin=from_ts(lo), end=None if reached is None else from_ts(reached + FIRST_SYNC_OVERLAP))

    # ------------------------------------------------------------------ incremental

    async def _incremental(self, report: SyncReport, *, statuses: bool = True, force: bool = False) -> None:
        cursor = self.cursor()
        now = self.now()
        if cursor is None:
            cursor = now
        begin = cursor - self.overlap
        check: list[tuple[int, float]] = []
        due_tiers: list[int] = []
        if statuses:
            # Pending messages newer than ``begin`` come with the listing itself.
            pending = [(sid, created) for sid, created in self.store.pending_sms_ids() if created < begin]
            check, due_tiers = self._due_statuses(pending, now, force)
        plan = self._plan(check, begin)
        report.status_plan = plan
        listing_begin = begin
        if plan == "window":
            listing_begin = min(created for _, created in check) - 1
        listing = await self.client.list_messages(MessageFilter(begin=from_ts(listing_begin)))
        newest = max((m.created.timestamp() for m in listing.messages if m.created), default=cursor)
        self._store(
            report, listing.messages, mark_unseen=True, meta={META_CURSOR: repr(self._capped(max(cursor, newest)))}
        )
        if plan == "ids":
            await self._check_ids(report, [sid for sid, _ in check])
        elif plan == "snapshot":
            await self._snapshot(report, check)
        for index in due_tiers:
            self.store.set_meta(f"{META_STATUS_AT}{index}", repr(now))

    def _due_statuses(
        self, pending: list[tuple[int, float]], now: float, force: bool
    ) -> tuple[list[tuple[int, float]], list[int]]:
        """The pending messages whose age tier is due for a check, and those tiers."""
        check: list[tuple[int, float]] = []
        due: list[int] = []
        lower = 0.0
        for index, (max_age, every) in enumerate(self.status_tiers):
            members = [p for p in pending if lower <= now - p[1] < max_age]
            lower = max_age
            if not members:
                continue
            last = _float(self.store.get_meta(f"{META_STATUS_AT}{index}"))
            if force or every <= 0 or last is None or now - last >= every:
                check.extend(members)
                due.append(index)
        return check, due

    def _plan(self, check: list[tuple[int, float]], begin: float) -> Plan | None:
        """The cheapest way to refresh the status of ``check`` (see the module docstring)."""
        if not check:
            return None
        n = len(check)
        oldest = min(created for _, created in check)
        costs: dict[Plan, float] = {
            "ids": n * REQUEST_COST,
            "window": self.store.count_created_between(oldest - 1, begin) * MESSAGE_COST,
            "snapshot": len(SNAPSHOT_STATUSES) * REQUEST_COST + n * MESSAGE_COST,
        }
        return min(costs, key=lambda k: costs[k])

    async def _check_ids(self, report: SyncReport, ids: Sequence[int]) -> None:
        for sms_id in ids:
            try:
                status = await self.client.sms_status(sms_id)
            except GatewayError as exc:
                # e.g. deleted on the gateway: nothing to update; the next refresh asks again.
                log.info("no status for sms %s: %s", sms_id, exc)
                continue
            key = self.store.update_status(sms_id, status.status, status.description)
            if key is not None:
                report.changed += 1
                report.phone_keys.add(key)

    async def _snapshot(self, report: SyncReport, check: list[tuple[int, float]]) -> None:
        since = from_ts(min(created for _, created in check) - 1)
        still_pending: set[int] = set()
        for status in SNAPSHOT_STATUSES:
            listing = await self.client.list_messages(MessageFilter(begin=since, status=status))
            still_pending.update(m.id for m in listing.messages)
            self._store(report, listing.messages, mark_unseen=False)
        await self._check_ids(report, [sid for sid, _ in check if sid not in still_pending])


__all__ = ["SyncReport", "Syncer", "load_account_zone"]
