"""The refresh worker the UI runs: outbox pass + sync, as events, never overlapping.

The app runs :meth:`RefreshService.run` on the session's network loop (a thread of its own, see
:class:`smstui.core.session.NetworkLoop`), awaited from one exclusive Textual worker, with an ``emit``
callable (``app.post_message``, which is thread-safe, wrapped to map core events to Textual
messages); ``wake``/``stop`` may be called from any thread. One poll runs to its end before the next is armed (dolphie's one-shot worker
re-armed by a timer), so polls never overlap however slow the link; ``wake()`` ("refresh now")
arms the next one at once, and a wake during a poll makes exactly one more poll follow it.

A poll never raises for network, gateway, auth or store trouble: each becomes a
:class:`~smstui.core.events.SyncFailed` and a :class:`~smstui.core.events.SyncStateChanged` (offline / auth /
error) for the status bar; the next poll tries again, backing off while offline (interval doubled
per failure, at most 5 minutes) so a dead link costs nothing. No Textual here.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Callable
from typing import Any

from smstui.core.api.errors import ApiError, AuthError, TransportError
from smstui.core.events import (
    DevicesChanged,
    Event,
    MessagesChanged,
    OutboxChanged,
    RegionChanged,
    SyncFailed,
    SyncStateChanged,
)
from smstui.core.logs import see_the_log
from smstui.core.store.connection import StoreError
from smstui.core.store.schema import from_ts
from smstui.core.sync_state import SyncState

log = logging.getLogger("smstui.core.service")

Emit = Callable[[Event], Any]
MAX_BACKOFF = 300.0


class RefreshService:
    """Background refresh of one :class:`smstui.core.session.Session`."""

    def __init__(
        self, session: Any, interval: float | None = None, *, max_backoff: float = MAX_BACKOFF, stretch: bool = True
    ) -> None:
        self.session = session
        # Poll less while webhooks flow (the app: it sees their writes through the store);
        # smstui watch reports what its own polls find, so it keeps its interval.
        self.stretch = stretch
        self.interval = float(interval if interval is not None else getattr(session, "refresh_interval", 15.0))
        self.max_backoff = max(max_backoff, self.interval)
        self.state = SyncState(last_synced=session.syncer.last_synced)
        self.failures = 0
        self.polls = 0
        self._wake = asyncio.Event()
        self._force_devices = False
        self._stopping = False
        self._lock = asyncio.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None

    # ------------------------------------------------------------------ control

    def wake(self, *, force_devices: bool = True) -> None:
        """Refresh now (devices too, unless told otherwise); safe to call at any time, from any thread."""
        self._force_devices = self._force_devices or force_devices
        self._on_loop(self._wake.set)

    def stop(self) -> None:
        self._stopping = True
        self._on_loop(self._wake.set)

    def _on_loop(self, action: Callable[[], None]) -> None:
        # asyncio.Event is not thread-safe: the app may run the service on a loop of its own.
        loop = self._loop
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if loop is None or running is loop or loop.is_closed():
            action()
        else:
            loop.call_soon_threadsafe(action)

    @property
    def busy(self) -> bool:
        return self._lock.locked()

    def next_delay(self) -> float:
        """Seconds until the next poll: the interval, longer while failing or while webhooks flow,
        shorter when a queued message's retry falls due earlier."""
        delay = self.interval
        if self.failures:
            delay = min(self.max_backoff, self.interval * 2**self.failures)
        elif self.stretch and self.pushing():  # webhooks flow: polling is the safety net (smstui.core.push_state)
            delay = max(delay, self.webhook_interval)
        due = self.session.store.next_outbox_attempt()
        if due is not None and not self.state.status == "offline":
            delay = min(delay, max(0.5, due - self.session.clock()))
        return delay

    def pushing(self) -> bool:
        """A webhook came less than ``[ui] webhook_quiet_after`` seconds ago."""
        ui = getattr(getattr(self.session, "config", None), "ui", None)
        quiet_after = float(getattr(ui, "webhook_quiet_after", 300.0))
        try:
            last = self.session.store.last_webhook()
        except (StoreError, AttributeError):  # a store without the record: poll as always
            return False
        return last is not None and self.session.clock() - last[0] < quiet_after

    @property
    def webhook_interval(self) -> float:
        ui = getattr(getattr(self.session, "config", None), "ui", None)
        return float(getattr(ui, "webhook_refresh_interval", 120.0))

    async def run(self, emit: Emit) -> None:
        """Poll until stopped or cancelled; ``emit`` gets every event as it happens."""
        self._stopping = False
        self._loop = asyncio.get_running_loop()
        while not self._stopping:
            self._wake.clear()
            force, self._force_devices = self._force_devices, False
            await self.poll_once(emit, force_devices=force)
            if self._stopping:
                break
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=self.next_delay())
            except TimeoutError:
                pass

    # ------------------------------------------------------------------ one poll

    async def poll_once(self, emit: Emit | None = None, *, force_devices: bool = False) -> list[Event]:
        """One outbox pass and one sync. Returns the events (also passed to ``emit`` live)."""
        events: list[Event] = []

        def push(event: Event) -> None:
            events.append(event)
            if emit is not None:
                result = emit(event)
                if inspect.isawaitable(result):
                    asyncio.ensure_future(result)

        async with self._lock:
            self.polls += 1
            self._set_state(push, self.state._replace(status="syncing", progress=None))
            failure: tuple[str, str, str] | None = None  # (status, kind, message)

            try:
                outbox = await self.session.outbox.process()
            except StoreError as exc:
                failure = ("error", "store", str(exc))
            except Exception as exc:  # never let one bad pass kill the refresh loop
                log.exception("outbox pass failed")
                failure = ("error", "internal", f"Sending failed unexpectedly ({type(exc).__name__}); {see_the_log()}.")
            else:
                if outbox.changed:
                    push(OutboxChanged(outbox.changed, auth_needed=outbox.auth_needed))
                if outbox.phone_keys:
                    push(MessagesChanged(frozenset(outbox.phone_keys)))
                if outbox.auth_needed:
                    failure = ("auth", "auth", outbox.error or "Log in again to send and refresh.")

            def progress(done: int, total: int) -> None:
                self._set_state(push, self.state._replace(progress=(done, total)))

            try:
                report = await self.session.syncer.sync(progress=progress, force_devices=force_devices)
            except AuthError as exc:
                failure = ("auth", "auth", str(exc))
            except TransportError as exc:
                failure = failure or ("offline", "network", str(exc))
            except ApiError as exc:
                failure = failure or ("error", "gateway", str(exc))
            except StoreError as exc:
                failure = ("error", "store", str(exc))
            except Exception as exc:
                log.exception("sync failed")
                failure = failure or (
                    "error",
                    "internal",
                    f"Refresh failed unexpectedly ({type(exc).__name__}); {see_the_log()}.",
                )
            else:
                if report.phone_keys:
                    push(MessagesChanged(frozenset(report.phone_keys), new_incoming=report.new_incoming))
                if report.folded:
                    push(OutboxChanged(tuple(report.folded)))
                if report.devices_changed:
                    push(DevicesChanged())

            take = getattr(self.session.syncer, "take_region_news", None)
            news = take() if take is not None else None
            if news is not None:  # whether or not the sync failed after its device refresh
                push(RegionChanged.of(news))

            if failure is None:
                self.failures = 0
                now = from_ts(self.session.clock())
                self._set_state(push, SyncState("idle", now, None, None))
            else:
                status, kind, message = failure
                self.failures += 1
                push(SyncFailed(message, kind))
                self._set_state(push, SyncState(status, self.state.last_synced, message, None))  # type: ignore[arg-type]
        return events

    def _set_state(self, push: Callable[[Event], None], state: SyncState) -> None:
        if state != self.state:
            self.state = state
            push(SyncStateChanged(state))


__all__ = ["RefreshService"]
