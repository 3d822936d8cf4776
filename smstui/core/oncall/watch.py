"""``smstui watch``'s loop, without the printing: sync passes, and what each one brought.

A :class:`Watcher` runs the session's :class:`~smstui.core.service.RefreshService` one poll at a
time (outbox pass + sync, never overlapping, backing off while the gateway cannot be reached) and
turns each pass into items for the command line to print:

* :class:`Started`: how things stand when watching begins (after the first pass, which only
  catches up: its changes are history, not news);
* :class:`MessageChange`: a message added or changed by a pass (its new status), in the order
  written, at most ``max_changes`` per pass (then :class:`MoreChanges` says how many more);
* :class:`~smstui.core.oncall.alerts.Alert`: from the :class:`~smstui.core.oncall.alerts.AlertEngine`;
* :class:`SyncTrouble` once per outage (and kind of trouble), :class:`SyncBack` when a pass works
  again; the passes in between are retried with the service's backoff;
* :class:`Tick`: one per pass, for those who want a heartbeat.

No printing, no click here: :mod:`smstui.cli.watch` renders the items as lines or JSON Lines.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, NamedTuple

from smstui.core.events import MessagesChanged, OutboxChanged, SyncFailed
from smstui.core.oncall.alerts import Alert, AlertEngine
from smstui.core.oncall.health import Thresholds, device_health
from smstui.core.service import RefreshService

if TYPE_CHECKING:
    from smstui.core.session import Session
    from smstui.core.store.records import StoredMessage

MAX_CHANGES = 100


class Started(NamedTuple):
    at: datetime
    phones: int
    offline: int
    queued: int
    interval: float


class MessageChange(NamedTuple):
    at: datetime  # when the pass saw it
    message: StoredMessage
    new: bool  # added by this pass (else a change of a stored one)


class MoreChanges(NamedTuple):
    at: datetime
    more: int  # changes left out


class SyncTrouble(NamedTuple):
    at: datetime
    kind: str  # network, auth, gateway, store, internal (events.SyncFailed)
    message: str
    retry_in: float  # seconds until the next try


class SyncBack(NamedTuple):
    at: datetime
    down_since: datetime


class Tick(NamedTuple):
    number: int  # passes so far, this one included
    at: datetime
    state: str  # the sync state after it: idle, offline, auth, error
    changes: int
    alerts: int


Item = Started | MessageChange | MoreChanges | Alert | SyncTrouble | SyncBack | Tick


class Watcher:
    """Sync passes of one session and the items they bring (see the module docstring)."""

    def __init__(
        self,
        session: Session,
        *,
        interval: float,
        thresholds: Thresholds,
        max_changes: int = MAX_CHANGES,
    ) -> None:
        self.session = session
        self.service = RefreshService(session, interval, stretch=False)  # its passes are its news
        self.alerts = AlertEngine(thresholds, started=session.clock())
        self.thresholds = thresholds
        self.max_changes = max_changes
        self.passes = 0
        self._down: str | None = None  # the kind of trouble being reported, if any
        self._down_since: float | None = None

    def next_delay(self) -> float:
        """Seconds until the next pass: the interval, longer while the gateway fails."""
        return self.service.next_delay()

    async def step(self) -> list[Item]:
        """One pass: sync, then what it changed, the alerts and the trouble it met."""
        session, store = self.session, self.session.store
        since = session.clock()
        newest = store.max_lid()
        events = await self.service.poll_once(force_devices=self.passes == 0)
        self.passes += 1
        now = session.clock()
        items: list[Item] = []
        failure = next((e for e in reversed(events) if isinstance(e, SyncFailed)), None)
        if failure is not None:
            if failure.kind != self._down:
                if self._down_since is None:
                    self._down_since = since
                items.append(SyncTrouble(_dt(now), failure.kind, failure.message, self.next_delay()))
            self._down = failure.kind
        elif self._down is not None:
            items.append(SyncBack(_dt(now), _dt(self._down_since or since)))
            self._down = self._down_since = None
        keys: set[str] = set()
        for event in events:
            if isinstance(event, MessagesChanged):
                keys |= event.phone_keys
            elif isinstance(event, OutboxChanged):
                keys |= {m.phone_key for m in store.messages_by_lids(event.lids).values()}
        changes = 0
        if self.passes > 1 and keys:
            changed = store.messages_changed(keys, since, limit=self.max_changes + 1)
            changes = len(changed)
            items.extend(MessageChange(_dt(now), m, m.lid > newest) for m in changed[: self.max_changes])
            if len(changed) > self.max_changes:
                everything = len(store.messages_changed(keys, since, limit=1_000_000))
                changes = everything
                items.append(MoreChanges(_dt(now), everything - self.max_changes))
        devices = store.devices()
        alerts = self.alerts.evaluate(store, now, devices)
        if self.passes == 1:
            queue = store.queue_state(now)
            offline = sum(device_health(d, now, self.thresholds.max_offline).offline for d in devices)
            items.insert(0, Started(_dt(now), len(devices), offline, queue.size, self.service.interval))
        items.extend(alerts)
        items.append(Tick(self.passes, _dt(now), self.service.state.status, changes, len(alerts)))
        return items


def _dt(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


__all__ = [
    "Item",
    "MessageChange",
    "MoreChanges",
    "Started",
    "SyncBack",
    "SyncTrouble",
    "Tick",
    "Watcher",
]
