"""The alert engine (smstui.core.oncall.alerts) on a real store: one alert per condition until it clears,
one per failure, many failures as one; and the user's alert command (no shell, a timeout, its
failures in a sentence)."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from smstui.core.gateway_messages import Message
from smstui.core.models import Device, DeviceStatus
from smstui.core.oncall.alerts import Alert, AlertEngine, run_alert_command
from smstui.core.oncall.health import Thresholds
from smstui.core.store.database import Store

START = datetime(2026, 5, 20, 12, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START.timestamp()

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path, clock: Clock) -> Store:
    s = Store(tmp_path / "s.sqlite3", region="DE", clock=clock)
    yield s
    s.close()


def _seen(store: Store, clock: Clock, device_id: int, minutes_ago: float) -> None:
    when = datetime.fromtimestamp(clock.now, UTC) - timedelta(minutes=minutes_ago)
    store.save_device_status(DeviceStatus(device_id, online=minutes_ago < 5, last_seen=when))


def _kinds(alerts: list[Alert]) -> list[tuple[str, str]]:
    return [(a.key, a.state) for a in alerts]


def test_a_phone_offline_fires_once_until_it_is_back(store: Store, clock: Clock) -> None:
    store.save_devices([Device(260, "Old phone"), Device(11231, "Office")])
    _seen(store, clock, 260, 60)
    _seen(store, clock, 11231, 1)
    engine = AlertEngine(Thresholds(max_offline=15 * 60), started=clock.now)
    first = engine.evaluate(store, clock.now)
    assert _kinds(first) == [("device_offline:260", "firing")]
    assert first[0].message == "Phone Old phone (#260) is offline: not seen for 1 h (allowed: 15 min)."
    assert first[0].device_title == "Old phone" and first[0].value == 3600
    clock.now += 60
    assert engine.evaluate(store, clock.now) == []  # still offline: no second alert
    _seen(store, clock, 260, 0)
    back = engine.evaluate(store, clock.now)
    assert (
        _kinds(back) == [("device_offline:260", "cleared")]
        and back[0].message == "Phone Old phone (#260) is back: seen 0 s ago."
    )
    assert engine.evaluate(store, clock.now) == []
    # The office phone falls silent: its own alert.
    clock.now += 20 * 60
    _seen(store, clock, 260, 1)
    assert _kinds(engine.evaluate(store, clock.now)) == [("device_offline:11231", "firing")]


def test_the_queue_fires_on_size_and_age_and_clears(store: Store, clock: Clock) -> None:
    engine = AlertEngine(Thresholds(max_queue=2, max_queue_age=30 * 60), started=clock.now)
    lids = [store.enqueue(phone=f"+491512345678{n}", body="x", device_id=1, slot=0) for n in range(3)]
    assert _kinds(engine.evaluate(store, clock.now)) == [("queue_size", "firing")]
    clock.now += 31 * 60
    (old,) = engine.evaluate(store, clock.now)
    assert (old.key, old.state, old.lids) == ("queue_age", "firing", (lids[0],))
    assert old.message == "The oldest waiting message has waited 31 min (allowed: 30 min)."
    assert engine.evaluate(store, clock.now) == []
    for lid in lids:
        store.set_outbox_states([lid], "cancelled")
    assert _kinds(engine.evaluate(store, clock.now)) == [("queue_size", "cleared"), ("queue_age", "cleared")]


def test_each_failure_is_told_once_and_many_at_once_as_one(store: Store, clock: Clock) -> None:
    def failed(sms_id: int, minutes_ago: float = 1, status: int = 9) -> Message:
        return Message(
            id=sms_id,
            phone="+4915123450000",
            body="x",
            status=status,
            device_id=11231,
            slot=0,
            created=datetime.fromtimestamp(clock.now, UTC) - timedelta(minutes=minutes_ago),
        )

    store.save_devices([Device(11231, "Office")])
    store.upsert_messages([failed(1)])  # before the engine started: history
    clock.now += 1
    engine = AlertEngine(Thresholds(), started=clock.now)
    clock.now += 1
    store.upsert_messages([failed(2), failed(3, minutes_ago=2 * 24 * 60), failed(4, status=7)])
    (alert,) = engine.evaluate(store, clock.now)  # not the old one (written two days ago), not the delivered one
    assert alert.kind == "message_failed" and alert.sms_ids == (2,) and alert.device_title == "Office"
    assert alert.message == (
        "Message to +4915123450000 from Office (#11231), SMS 1 failed (Not sent: generic failure): "
        "the carrier or Android refused it (no credit, blocked number or Android's send limit)."
    )
    assert engine.evaluate(store, clock.now) == []  # told once
    clock.now += 1
    store.upsert_messages([failed(n, status=10 if n % 2 else 9) for n in range(10, 17)])
    (many,) = engine.evaluate(store, clock.now)
    assert many.message == "7 messages failed (4 not sent: generic failure, 3 not sent: no service)."
    assert sorted(many.sms_ids) == list(range(10, 17)) and many.value == 7
    # A failure marked handled is not news either.
    clock.now += 1
    store.upsert_messages([failed(20)])
    store.mark_handled([store.message_by_sms_id(20).lid])
    assert engine.evaluate(store, clock.now) == []


def test_the_alert_command_gets_the_json_on_stdin(tmp_path: Path) -> None:
    out = tmp_path / "got.json"
    script = f"import sys, pathlib; pathlib.Path({str(out)!r}).write_text(sys.stdin.read())"
    alert = Alert("queue_size", "firing", "queue_size", "60 wait; $(rm -rf /) `x`", START, value=60.0, threshold=50.0)
    assert run_alert_command([sys.executable, "-c", script], alert, timeout=30) is None
    doc = json.loads(out.read_text())
    assert doc == {
        "kind": "queue_size",
        "state": "firing",
        "key": "queue_size",
        "message": "60 wait; $(rm -rf /) `x`",  # data, never shell syntax: no shell runs it
        "at": "2026-05-20T12:00:00+00:00",
        "device_id": None,
        "device_title": None,
        "value": 60.0,
        "threshold": 50.0,
        "lids": [],
        "sms_ids": [],
    }


def test_alert_command_failures_are_sentences(tmp_path: Path) -> None:
    alert = Alert("queue_size", "firing", "queue_size", "x", START)
    missing = run_alert_command([str(tmp_path / "no-such-program")], alert, timeout=5)
    assert missing is not None and "was not found" in missing and "[oncall] command" in missing
    failing = [sys.executable, "-c", "import sys; print('webhook said 403', file=sys.stderr); sys.exit(3)"]
    assert (
        run_alert_command(failing, alert, timeout=30)
        == f"the alert command {sys.executable!r} exited with code 3: webhook said 403"
    )
    slow = run_alert_command([sys.executable, "-c", "import time; time.sleep(30)"], alert, timeout=1)
    assert slow == f"the alert command {sys.executable!r} did not finish within 1 s and was stopped"
    assert run_alert_command([], alert, timeout=1) is None
