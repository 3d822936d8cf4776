"""Alerts: a phone goes offline or comes back, a message fails, the queue grows or ages.

:class:`AlertEngine` looks at the store after each sync pass (:meth:`AlertEngine.evaluate`) and
returns what is new since the last look:

* **conditions** fire once when they start and once more when they clear, never once per pass:
  a phone not seen for longer than ``max_offline`` (``device_offline``, cleared when it is seen
  again), more than ``max_queue`` messages waiting (``queue_size``), the oldest waiting longer
  than ``max_queue_age`` (``queue_age``). A condition already true when the engine starts fires
  on its first look: the watcher learns how things stand.
* **events** fire once each: a message the gateway reports failed (``message_failed``), among
  those that changed since the engine started and were written in the last day (a first sync's
  years of old failures are history, not news). More than :data:`MAX_SINGLE_FAILURES` at once
  become one alert naming how many.

Thresholds come from the config's ``[oncall]`` table (:class:`smstui.core.oncall.health.Thresholds`).
An :class:`Alert` is plain data with a JSON form (:meth:`Alert.to_json`): ``smstui watch`` prints
it, the app shows it as a notification and may ring the bell, and both may hand it to the user's
command (:func:`run_alert_command`: no shell, a timeout, its failure said in a sentence). Device
titles and numbers in the text are network data: whoever shows them makes them safe. No UI here.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from smstui.core.models import STATUS_HINTS, Slot, status_title
from smstui.core.oncall.health import DeviceHealth, Thresholds, describe_duration, device_health

if TYPE_CHECKING:
    from smstui.core.store.database import Store
    from smstui.core.store.devices import StoredDevice
    from smstui.core.store.records import StoredMessage

FIRING = "firing"
CLEARED = "cleared"

DEVICE_OFFLINE = "device_offline"
MESSAGE_FAILED = "message_failed"
QUEUE_SIZE = "queue_size"
QUEUE_AGE = "queue_age"

MAX_SINGLE_FAILURES = 5  # more failures in one look become one alert
RECENT_FAILURES = 86_400.0  # failures of messages written longer ago are not news
# Rows are stamped with the store's clock as their transaction starts and become visible when it
# ends: looking back a little further than the last look cannot miss one (the lids dedupe).
LOOK_BACK = 60.0


@dataclass(frozen=True, slots=True)
class Alert:
    """One alert: a condition that started (``firing``) or ended (``cleared``), or an event."""

    kind: str
    state: str
    key: str  # the condition ("device_offline:260", "queue_size") or event ("message_failed:17")
    message: str
    at: datetime
    device_id: int | None = None
    device_title: str | None = None
    value: float | None = None
    threshold: float | None = None
    lids: tuple[int, ...] = ()
    sms_ids: tuple[int, ...] = ()

    @property
    def firing(self) -> bool:
        return self.state == FIRING

    def to_json(self) -> dict[str, Any]:
        """The documented JSON form (``smstui watch --json``, the alert command's stdin)."""
        return {
            "kind": self.kind,
            "state": self.state,
            "key": self.key,
            "message": self.message,
            "at": self.at.isoformat(),
            "device_id": self.device_id,
            "device_title": self.device_title,
            "value": self.value,
            "threshold": self.threshold,
            "lids": list(self.lids),
            "sms_ids": list(self.sms_ids),
        }


class AlertEngine:
    """Remembers which conditions fire and which failures were told (see the module docstring)."""

    def __init__(self, thresholds: Thresholds, *, started: float) -> None:
        self.thresholds = thresholds
        self.active: dict[str, Alert] = {}
        self._started = self._failures_since = started
        self._told: set[int] = set()

    def evaluate(self, store: Store, now: float, devices: list[StoredDevice] | None = None) -> list[Alert]:
        """What changed since the last look, as alerts (reads the store: run it off the UI)."""
        at = datetime.fromtimestamp(now, UTC)
        listed = devices if devices is not None else store.devices()
        alerts = self._devices(listed, now, at)
        alerts += self._queue(store, now, at)
        alerts += self._failures(store, now, at, {d.device.id: d.device.title for d in listed})
        return alerts

    # ------------------------------------------------------------------ conditions

    def _condition(self, key: str, on: bool, make: Callable[[str], Alert]) -> list[Alert]:
        """Fire ``make(FIRING)`` when ``key`` starts, ``make(CLEARED)`` when it ends."""
        if on and key not in self.active:
            alert = make(FIRING)
            self.active[key] = alert
            return [alert]
        if not on and key in self.active:
            del self.active[key]
            return [make(CLEARED)]
        return []

    def _devices(self, devices: list[StoredDevice], now: float, at: datetime) -> list[Alert]:
        alerts: list[Alert] = []
        present = set()
        for stored in devices:
            health = device_health(stored, now, self.thresholds.max_offline)
            key = f"{DEVICE_OFFLINE}:{health.id}"
            present.add(key)
            alerts += self._condition(key, health.offline, partial(self._device_alert, health, key, at))
        for key in [k for k in self.active if k.startswith(f"{DEVICE_OFFLINE}:") and k not in present]:
            del self.active[key]  # removed from the account: nothing to watch any more
        return alerts

    def _device_alert(self, health: DeviceHealth, key: str, at: datetime, state: str) -> Alert:
        limit = self.thresholds.max_offline
        if state == FIRING:
            what = (
                "reported offline and never seen"
                if health.silent_for is None
                else f"not seen for {describe_duration(health.silent_for)}"
            )
            text = f"Phone {health.label} is offline: {what} (allowed: {describe_duration(limit)})."
        else:
            seen = "" if health.silent_for is None else f": seen {describe_duration(health.silent_for)} ago"
            text = f"Phone {health.label} is back{seen}."
        return Alert(DEVICE_OFFLINE, state, key, text, at, health.id, health.title, health.silent_for, limit)

    def _queue(self, store: Store, now: float, at: datetime) -> list[Alert]:
        queue = store.queue_state(now)
        size_limit = self.thresholds.max_queue
        age_limit = self.thresholds.max_queue_age
        age = None if queue.oldest_since is None else max(0.0, now - queue.oldest_since)

        def size(state: str) -> Alert:
            text = (
                f"{queue.size} messages wait to leave (allowed: {size_limit})."
                if state == FIRING
                else f"The queue is back to {queue.size} waiting (allowed: {size_limit})."
            )
            return Alert(QUEUE_SIZE, state, QUEUE_SIZE, text, at, value=float(queue.size), threshold=float(size_limit))

        def oldest(state: str) -> Alert:
            if state == FIRING:
                text = (
                    f"The oldest waiting message has waited {describe_duration(age or 0.0)} "
                    f"(allowed: {describe_duration(age_limit)})."
                )
            else:
                text = "No message has waited too long any more."
            lids = (queue.oldest_lid,) if queue.oldest_lid is not None and state == FIRING else ()
            return Alert(QUEUE_AGE, state, QUEUE_AGE, text, at, value=age, threshold=age_limit, lids=lids)

        alerts = self._condition(QUEUE_SIZE, queue.size > size_limit, size)
        alerts += self._condition(QUEUE_AGE, age is not None and age > age_limit, oldest)
        return alerts

    # ------------------------------------------------------------------ events

    def _failures(self, store: Store, now: float, at: datetime, titles: dict[int, str]) -> list[Alert]:
        # Never before the engine started: what changed before is not news.
        since = max(self._started, self._failures_since - LOOK_BACK)
        rows = store.failures_changed(since, now - RECENT_FAILURES)
        self._failures_since = now
        new = [row for row in reversed(rows) if row.lid not in self._told]  # oldest first
        self._told.update(row.lid for row in new)
        if len(self._told) > 50_000:  # bounded; what is older than LOOK_BACK is never read again
            self._told = {row.lid for row in rows}
        if len(new) > MAX_SINGLE_FAILURES:
            counts: dict[str, int] = {}
            for row in new:
                word = status_title(row.status or 0, row.status_title)
                counts[word] = counts.get(word, 0) + 1
            how = ", ".join(f"{n} {word.lower()}" for word, n in sorted(counts.items(), key=lambda kv: -kv[1]))
            return [
                Alert(
                    MESSAGE_FAILED,
                    FIRING,
                    f"{MESSAGE_FAILED}:{new[0].lid}+{len(new) - 1}",
                    f"{len(new)} messages failed ({how}).",
                    at,
                    value=float(len(new)),
                    lids=tuple(row.lid for row in new),
                    sms_ids=tuple(row.sms_id for row in new if row.sms_id is not None),
                )
            ]
        return [self._failure(row, at, titles) for row in new]

    @staticmethod
    def _failure(row: StoredMessage, at: datetime, titles: dict[int, str]) -> Alert:
        title = titles.get(row.device_id) if row.device_id is not None else None
        where = ""
        if row.device_id is not None:
            where = f" from {title} (#{row.device_id})" if title else f" from device #{row.device_id}"
            if row.slot is not None:
                try:
                    where += f", {Slot(row.slot).label}"
                except ValueError:
                    where += f", slot {row.slot}"
        reason = status_title(row.status or 0, row.status_title)
        hint = STATUS_HINTS.get(row.status or 0)
        text = f"Message to {row.phone}{where} failed ({reason})" + (f": {hint}." if hint else ".")
        return Alert(
            MESSAGE_FAILED,
            FIRING,
            f"{MESSAGE_FAILED}:{row.lid}",
            text,
            at,
            row.device_id,
            title,
            lids=(row.lid,),
            sms_ids=() if row.sms_id is None else (row.sms_id,),
        )


def run_alert_command(argv: Sequence[str], alert: Alert, timeout: float) -> str | None:
    """Run the user's alert command with ``alert`` as one JSON object on its stdin.

    Run directly (no shell: nothing in the alert is ever read as shell syntax), in a session of
    its own (a Ctrl+C meant for smstui does not reach it), its output discarded (the app owns
    the terminal), stopped after ``timeout`` seconds. Returns None when it exited 0, else a
    sentence saying what went wrong and what to check. Blocks: call it off the UI's loop.
    """
    if not argv:
        return None
    program = argv[0]
    payload = (json.dumps(alert.to_json(), ensure_ascii=False) + "\n").encode("utf-8")
    try:
        result = subprocess.run(
            list(argv),
            input=payload,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            timeout=timeout,
            check=False,
            start_new_session=True,
        )
    except FileNotFoundError:
        return f"the alert command {program!r} was not found; check [oncall] command in the config"
    except PermissionError:
        return f"the alert command {program!r} may not be run (permission denied); check [oncall] command"
    except subprocess.TimeoutExpired:
        return f"the alert command {program!r} did not finish within {timeout:g} s and was stopped"
    except OSError as exc:
        return f"the alert command {program!r} could not be started: {exc.strerror or exc}"
    if result.returncode != 0:
        said = (result.stderr or b"").decode("utf-8", "replace").strip().splitlines()
        detail = f": {said[-1][:200]}" if said else ""
        return f"the alert command {program!r} exited with code {result.returncode}{detail}"
    return None


__all__ = [
    "CLEARED",
    "DEVICE_OFFLINE",
    "FIRING",
    "MESSAGE_FAILED",
    "QUEUE_AGE",
    "QUEUE_SIZE",
    "Alert",
    "AlertEngine",
    "run_alert_command",
]
