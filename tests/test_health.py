"""The health computation (smstui.core.oncall.health) on a real store: what counts as what, the queue,
the phones, the problems and their words."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from smstui.core.gateway_messages import Message
from smstui.core.models import Device, DeviceStatus
from smstui.core.oncall.health import (
    Counts,
    Thresholds,
    compute_health,
    describe_duration,
    find_problems,
    percent,
)
from smstui.core.store.database import Store
from smstui.core.store.schema import REJECTED, UNKNOWN

NOW = datetime(2026, 5, 20, 12, 0, tzinfo=UTC)
T = NOW.timestamp()
HOUR = 3600.0


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(tmp_path / "s.sqlite3", region="DE", clock=lambda: T)
    yield s
    s.close()


def _msg(sms_id: int, status: int, minutes_ago: float, *, device: int = 1, slot: int = 0, incoming: bool = False):
    return Message(
        id=sms_id,
        phone="+4915123456781",
        body=f"m{sms_id}",
        status=status,
        device_id=device,
        slot=slot,
        created=NOW - timedelta(minutes=minutes_ago),
    )


def test_counts_by_device_and_slot_in_the_window(store: Store) -> None:
    store.upsert_messages(
        [
            _msg(1, 7, 5),
            _msg(2, 7, 10, slot=1),
            _msg(3, 6, 20),
            _msg(4, 9, 30),
            _msg(5, 1, 40, device=2),
            _msg(6, 3, 50, device=2),
            _msg(7, 7, 90),  # outside the hour
            _msg(8, 5, 5),  # incoming: not counted
        ]
    )
    refused = store.enqueue(phone="+4915123456782", body="no", device_id=1, slot=0)
    store.set_outbox_states([refused], REJECTED, error="Device not found")
    unclear = store.enqueue(phone="+4915123456783", body="lost", device_id=1, slot=0)
    store.set_outbox_states([unclear], UNKNOWN)
    store.enqueue(phone="+4915123456784", body="waiting", device_id=2, slot=0)
    report = compute_health(store, T, HOUR, window_name="1h")
    assert report.totals == Counts(delivered=2, sent=1, failed=2, unknown=1, queued=3)
    assert report.totals.finished == 5 and report.totals.failed_rate == 0.4
    by = {(s.device_id, s.slot): s.counts for s in report.by_slot}
    assert by[(1, 0)] == Counts(delivered=1, sent=1, failed=2, unknown=1)
    assert by[(1, 1)] == Counts(delivered=1)
    assert by[(2, 0)] == Counts(queued=3)
    # Phones the device list lacks still show, by id, with their messages.
    assert {d.id: d.known for d in report.devices} == {1: False, 2: False}
    # A day holds the older delivered one too.
    assert compute_health(store, T, 24 * HOUR).totals.delivered == 3
    # The timeline: 60 slices of a minute, the newest last.
    assert len(report.timeline) == 60 and sum(s for s, _ in report.timeline) == 9
    assert report.timeline[-5] == (1, 0) and report.timeline[-30] == (1, 1) and report.timeline[-1] == (3, 0)


def test_the_queue_counts_what_waits_from_when_it_became_due(store: Store) -> None:
    store.upsert_messages([_msg(1, 1, 90), _msg(2, 2, 30), _msg(3, 6, 200), _msg(4, 7, 300)])
    store.enqueue(phone="+4915123456782", body="later", device_id=1, slot=0, scheduled_at=NOW + timedelta(hours=2))
    due = store.enqueue(
        phone="+4915123456783", body="was due", device_id=1, slot=0, scheduled_at=NOW - timedelta(minutes=5)
    )
    queue = compute_health(store, T, HOUR).queue
    assert queue.size == 3  # New, Taken and the due one; not "Sent", not the one due later
    assert queue.oldest_age == pytest.approx(90 * 60)
    assert queue.oldest_lid == store.message_by_sms_id(1).lid
    store.upsert_messages([_msg(1, 7, 90), _msg(2, 7, 30)])
    queue = compute_health(store, T, HOUR).queue
    # Written just now for a time already past: it waits from when it was written.
    assert (queue.size, queue.oldest_lid, queue.oldest_age) == (1, due, 0)


def test_phones_offline_by_their_last_sighting_and_outdated_apps(store: Store) -> None:
    store.save_devices(
        [
            Device(1, "Office", last_seen=NOW - timedelta(minutes=2), app_version_current=True),
            Device(
                2,
                "Old \x1b[31m",
                last_seen=NOW - timedelta(hours=5, minutes=17),
                app_version="11.0.3",
                app_version_current=False,
            ),
            Device(3, "Blip", last_seen=NOW - timedelta(minutes=3)),
            Device(4, "Never seen"),
        ]
    )
    store.save_device_status(DeviceStatus(3, online=False, last_seen=NOW - timedelta(minutes=3)))
    store.save_device_status(DeviceStatus(4, online=False))
    report = compute_health(store, T, HOUR, max_offline=15 * 60)
    state = {d.title: (d.offline, d.outdated) for d in report.devices}
    # A phone reported offline but seen 3 minutes ago is within the allowance.
    assert state == {
        "Office": (False, False),
        "Old \x1b[31m": (True, True),
        "Blip": (False, False),
        "Never seen": (True, False),
    }
    problems = find_problems(report, Thresholds(max_offline=15 * 60))
    # Phones in the store's order (by title), each kind after the more urgent ones.
    assert [(p.kind, p.device_id) for p in problems] == [("offline", 4), ("offline", 2), ("outdated", 2)]
    assert problems[0].message.endswith("reported offline and never seen (allowed: 15 min)")
    assert problems[1].message == "phone Old \x1b[31m (#2) is offline: not seen for 5 h 17 min (allowed: 15 min)"
    assert problems[2].message == "phone Old \x1b[31m (#2) runs an outdated app 11.0.3: update it"


def test_rate_and_queue_thresholds(store: Store) -> None:
    store.upsert_messages([_msg(1, 7, 5), _msg(2, 9, 6), _msg(3, 10, 7), _msg(4, 1, 50)])
    report = compute_health(store, T, HOUR, window_name="1h")
    problems = find_problems(report, Thresholds(max_queue=0, max_queue_age=30 * 60, max_failed_rate=0.5))
    assert [p.kind for p in problems] == ["failed_rate", "queue_size", "queue_age"]
    assert problems[0].message == "2 of 3 messages of the last hour failed (67%; allowed: 50%)"
    assert problems[1].message == "1 messages wait to leave (allowed: 0)"
    assert problems[2].message == "the oldest waiting message has waited 50 min (allowed: 30 min)"
    assert find_problems(report, Thresholds(max_queue=1, max_queue_age=HOUR, max_failed_rate=0.7)) == []


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (0, "0 s"),
        (59.4, "59 s"),
        (60, "1 min"),
        (3599, "59 min"),
        (3600, "1 h"),
        (19020, "5 h 17 min"),
        (86400, "1 d"),
        (3 * 86400 + 4 * 3600 + 59, "3 d 4 h"),
    ],
)
def test_durations_in_words(seconds: float, words: str) -> None:
    assert describe_duration(seconds) == words


def test_percentages() -> None:
    assert (percent(None), percent(0.0), percent(0.044), percent(0.2), percent(2 / 3)) == (
        "—",
        "0%",
        "4.4%",
        "20%",
        "67%",
    )
