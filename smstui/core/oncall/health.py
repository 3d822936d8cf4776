"""Is the messaging healthy? Counts, rates, the queue and the phones, from the local store.

One computation (:func:`compute_health`) serves the dashboard, ``smstui health`` and the alerts:

* a **window** (the last hour, 24 hours or 7 days, :data:`smstui.core.config.ONCALL_WINDOWS`) of
  outgoing messages by how they stand (:class:`Counts`: delivered, sent without a delivery report
  yet, failed or refused, unclear, still waiting), in total and per device and slot, with a
  timeline of sends and failures for a sparkline;
* the **queue**: how many messages still wait to leave (in the outbox, on the gateway or on the
  phone) and how long the oldest has waited (scheduled messages count from their time);
* the **phones**: each one's last sighting, whether it counts as offline (not seen for longer than
  ``max_offline``, or reported offline with no sighting at all), and whether its app is outdated
  (the gateway's ``isappversionactual``).

:func:`find_problems` turns a report and :class:`Thresholds` into :class:`Problem` lines, one per
offline or outdated phone and per threshold passed, each saying what was measured against what.
Everything is read from the store, so it works offline and at once; the callers sync first when
they can. No UI here.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, NamedTuple

from smstui.core.config import ONCALL_WINDOWS, OnCallSettings
from smstui.core.models import Slot

if TYPE_CHECKING:
    from smstui.core.store.database import Store
    from smstui.core.store.devices import StoredDevice

MINUTE = 60.0
TIMELINE_BUCKETS = 60

# Kinds of trouble (Problem.kind), most urgent first: the CLI gives each an exit code.
OFFLINE = "offline"
FAILED_RATE = "failed_rate"
QUEUE_SIZE = "queue_size"
QUEUE_AGE = "queue_age"
OUTDATED = "outdated"
PROBLEM_KINDS = (OFFLINE, FAILED_RATE, QUEUE_SIZE, QUEUE_AGE, OUTDATED)


class Counts(NamedTuple):
    """Outgoing messages by how they stand. "Finished" ones have an outcome: delivered, sent
    (left the phone, no delivery report yet) or failed."""

    delivered: int = 0
    sent: int = 0
    failed: int = 0
    unknown: int = 0  # the answer to the send was lost: "unknown — check"
    queued: int = 0

    @property
    def finished(self) -> int:
        return self.delivered + self.sent + self.failed

    @property
    def total(self) -> int:
        return self.finished + self.unknown + self.queued

    @property
    def failed_rate(self) -> float | None:
        """The share of finished messages that failed; None with none finished."""
        return self.failed / self.finished if self.finished else None

    @property
    def delivered_rate(self) -> float | None:
        return self.delivered / self.finished if self.finished else None

    def plus(self, other: Counts) -> Counts:
        return Counts(*(a + b for a, b in zip(self, other, strict=True)))


class SlotHealth(NamedTuple):
    device_id: int | None
    slot: int | None
    counts: Counts

    @property
    def slot_label(self) -> str:
        if self.slot is None:
            return "—"
        try:
            return Slot(self.slot).label
        except ValueError:
            return f"slot {self.slot}"


class DeviceHealth(NamedTuple):
    id: int
    title: str
    known: bool  # in the store's device list (else only its messages name it)
    online: bool | None  # as the gateway last said
    last_seen: datetime | None
    silent_for: float | None  # seconds since last seen, at the report's time
    offline: bool  # not seen for longer than max_offline (or reported offline, never seen)
    outdated: bool  # the gateway says its app is not the current version
    app_version: str | None
    counts: Counts  # its messages of the window, every slot

    @property
    def label(self) -> str:
        """``title (#id)``: how every on-call line names a phone."""
        return f"{self.title} (#{self.id})" if self.title else f"device #{self.id}"


class QueueHealth(NamedTuple):
    size: int
    oldest_age: float | None  # seconds the oldest waiting message has waited
    oldest_lid: int | None


class HealthReport(NamedTuple):
    at: datetime
    window: float  # seconds
    window_name: str  # "1h", "24h", "7d" or a duration as given
    totals: Counts
    by_slot: tuple[SlotHealth, ...]
    devices: tuple[DeviceHealth, ...]
    queue: QueueHealth
    timeline: tuple[tuple[int, int], ...]  # (sent, failed) per bucket, oldest first
    last_synced: datetime | None

    @property
    def offline(self) -> tuple[DeviceHealth, ...]:
        return tuple(d for d in self.devices if d.offline)

    @property
    def outdated(self) -> tuple[DeviceHealth, ...]:
        return tuple(d for d in self.devices if d.outdated)

    def slots_of(self, device_id: int | None) -> tuple[SlotHealth, ...]:
        return tuple(s for s in self.by_slot if s.device_id == device_id)


class Thresholds(NamedTuple):
    """What counts as trouble; times in seconds (the config's are in minutes)."""

    max_offline: float = 15 * MINUTE
    max_queue: int = 50
    max_queue_age: float = 30 * MINUTE
    max_failed_rate: float = 0.2

    @classmethod
    def from_settings(cls, settings: OnCallSettings) -> Thresholds:
        return cls(
            float(settings.max_offline) * MINUTE,
            int(settings.max_queue),
            float(settings.max_queue_age) * MINUTE,
            float(settings.max_failed_rate),
        )


class Problem(NamedTuple):
    """One kind of trouble: a phone (``device_id``) or a measure past its threshold."""

    kind: str
    message: str
    device_id: int | None = None
    device_title: str | None = None
    value: float | None = None
    threshold: float | None = None


# ---------------------------------------------------------------------------------- computing


def window_seconds(name: str) -> float:
    """``1h``, ``24h`` or ``7d`` in seconds (ValueError naming the choices otherwise)."""
    try:
        return ONCALL_WINDOWS[name]
    except KeyError:
        raise ValueError(f"unknown window {name!r}: use one of {', '.join(ONCALL_WINDOWS)}") from None


def device_health(stored: StoredDevice, now: float, max_offline: float, counts: Counts | None = None) -> DeviceHealth:
    device = stored.device
    seen = device.last_seen
    silent = None if seen is None else max(0.0, now - seen.timestamp())
    offline = (silent is not None and silent > max_offline) or (silent is None and stored.online is False)
    return DeviceHealth(
        id=device.id,
        title=device.title,
        known=True,
        online=stored.online,
        last_seen=seen,
        silent_for=silent,
        offline=offline,
        outdated=device.app_version_current is False,
        app_version=device.app_version,
        counts=counts if counts is not None else Counts(),
    )


def compute_health(
    store: Store,
    now: float,
    window: float,
    *,
    window_name: str | None = None,
    max_offline: float = 15 * MINUTE,
    buckets: int = TIMELINE_BUCKETS,
    devices: list[StoredDevice] | None = None,
) -> HealthReport:
    """The report of the window ending ``now`` (epoch seconds); ``devices``: the store's device
    list when the caller has it already (the app keeps one), else it is read."""
    since = now - window
    by_slot = tuple(
        SlotHealth(row.device_id, row.slot, Counts(row.delivered, row.sent, row.failed, row.unknown, row.queued))
        for row in store.delivery_counts(since, now)
    )
    totals = Counts()
    per_device: dict[int | None, Counts] = {}
    for entry in by_slot:
        totals = totals.plus(entry.counts)
        per_device[entry.device_id] = per_device.get(entry.device_id, Counts()).plus(entry.counts)
    listed = devices if devices is not None else store.devices()
    health = [device_health(d, now, max_offline, per_device.get(d.device.id, Counts())) for d in listed]
    known = {d.id for d in health}
    for device_id, counts in per_device.items():
        if device_id is not None and device_id not in known:  # a phone no longer on the account
            health.append(DeviceHealth(device_id, "", False, None, None, None, False, False, None, counts))
    queue = store.queue_state(now)
    return HealthReport(
        at=datetime.fromtimestamp(now, UTC),
        window=window,
        window_name=window_name or describe_duration(window),
        totals=totals,
        by_slot=by_slot,
        devices=tuple(health),
        queue=QueueHealth(
            queue.size,
            None if queue.oldest_since is None else max(0.0, now - queue.oldest_since),
            queue.oldest_lid,
        ),
        timeline=tuple(store.delivery_timeline(since, now, buckets)),
        last_synced=store.last_synced(),
    )


def find_problems(report: HealthReport, thresholds: Thresholds) -> list[Problem]:
    """Every problem of ``report``, most urgent kind first (:data:`PROBLEM_KINDS`)."""
    found: list[Problem] = []
    for device in report.devices:
        if not (device.known and device.offline):
            continue
        if device.silent_for is None:
            what = "reported offline and never seen"
        else:
            what = f"not seen for {describe_duration(device.silent_for)}"
        found.append(
            Problem(
                OFFLINE,
                f"phone {device.label} is offline: {what} (allowed: {describe_duration(thresholds.max_offline)})",
                device.id,
                device.title,
                device.silent_for,
                thresholds.max_offline,
            )
        )
    totals = report.totals
    rate = totals.failed_rate
    if rate is not None and rate > thresholds.max_failed_rate:
        found.append(
            Problem(
                FAILED_RATE,
                f"{totals.failed} of {totals.finished} messages of the {describe_window(report)} failed "
                f"({percent(rate)}; allowed: {percent(thresholds.max_failed_rate)})",
                value=rate,
                threshold=thresholds.max_failed_rate,
            )
        )
    queue = report.queue
    if queue.size > thresholds.max_queue:
        found.append(
            Problem(
                QUEUE_SIZE,
                f"{queue.size} messages wait to leave (allowed: {thresholds.max_queue})",
                value=float(queue.size),
                threshold=float(thresholds.max_queue),
            )
        )
    if queue.oldest_age is not None and queue.oldest_age > thresholds.max_queue_age:
        found.append(
            Problem(
                QUEUE_AGE,
                f"the oldest waiting message has waited {describe_duration(queue.oldest_age)} "
                f"(allowed: {describe_duration(thresholds.max_queue_age)})",
                value=queue.oldest_age,
                threshold=thresholds.max_queue_age,
            )
        )
    for device in report.outdated:
        version = f"app {device.app_version}" if device.app_version else "its app"
        found.append(
            Problem(OUTDATED, f"phone {device.label} runs an outdated {version}: update it", device.id, device.title)
        )
    return found


# ---------------------------------------------------------------------------------- words


def describe_duration(seconds: float) -> str:
    """``45 s``, ``12 min``, ``5 h 17 min``, ``3 d 4 h``: as a person says it."""
    total = int(round(max(0.0, seconds)))
    if total < 60:
        return f"{total} s"
    minutes, _ = divmod(total, 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def describe_window(report: HealthReport) -> str:
    """``last hour``, ``last 24 hours``, ``last 7 days`` (else ``last 2 h``)."""
    return {"1h": "last hour", "24h": "last 24 hours", "7d": "last 7 days"}.get(
        report.window_name, f"last {report.window_name}"
    )


def percent(rate: float | None) -> str:
    if rate is None:
        return "—"
    value = rate * 100
    return f"{value:.0f}%" if value >= 10 or value == int(value) else f"{value:.1f}%"


__all__ = [
    "FAILED_RATE",
    "OFFLINE",
    "OUTDATED",
    "PROBLEM_KINDS",
    "QUEUE_AGE",
    "QUEUE_SIZE",
    "Counts",
    "DeviceHealth",
    "HealthReport",
    "Problem",
    "QueueHealth",
    "SlotHealth",
    "Thresholds",
    "compute_health",
    "describe_duration",
    "describe_window",
    "find_problems",
    "percent",
    "window_seconds",
]
