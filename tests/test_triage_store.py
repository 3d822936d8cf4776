"""The triage's store part (smstui.core.store.triage) and reasons (smstui.core.oncall.triage): what the
list holds, handled marks that hide and come back, retries linked both ways, the facets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from smstui.core.gateway_messages import Message
from smstui.core.oncall.triage import explain, reason_of
from smstui.core.store.database import Store
from smstui.core.store.schema import REJECTED, UNKNOWN

NOW = datetime(2026, 5, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(tmp_path / "s.sqlite3", region="DE", clock=lambda: NOW.timestamp())
    yield s
    s.close()


def _msg(sms_id: int, status: int, hours_ago: float, device: int = 1, slot: int = 0) -> Message:
    return Message(
        id=sms_id,
        phone=f"+49151234567{sms_id % 10}",
        body=f"m{sms_id}",
        status=status,
        device_id=device,
        slot=slot,
        created=NOW - timedelta(hours=hours_ago),
    )


def test_the_list_its_filters_and_facets(store: Store) -> None:
    store.upsert_messages(
        [_msg(1, 9, 1), _msg(2, 8, 30, device=2, slot=1), _msg(3, 7, 1), _msg(4, 100, 2), _msg(5, 5, 1)]
    )
    refused = store.enqueue(phone="+4915123456786", body="no", device_id=2, slot=0)
    store.set_outbox_states([refused], REJECTED, error="Device not found")
    unclear = store.enqueue(phone="+4915123456787", body="?", device_id=1, slot=0)
    store.set_outbox_states([unclear], UNKNOWN)
    rows = store.triage_rows()
    # Newest first: not the delivered one, not the incoming one.
    assert [r.message.sms_id for r in rows] == [None, None, 1, 4, 2]
    assert {r.message.lid for r in rows[:2]} == {refused, unclear}
    assert [r.message.sms_id for r in store.triage_rows(since=NOW.timestamp() - 3 * 3600)] == [None, None, 1, 4]
    assert [r.message.sms_id for r in store.triage_rows(device_id=2)] == [None, 2]
    assert [r.message.sms_id for r in store.triage_rows(slot=1)] == [2]
    assert [r.message.sms_id for r in store.triage_rows(statuses=(100, 101), outbox=())] == [4]
    assert [r.message.lid for r in store.triage_rows(statuses=(), outbox=(UNKNOWN,))] == [unclear]
    facets = sorted(store.triage_facets(), key=lambda f: (f[0], f[1], f[2] or 0))
    assert sum(f[4] for f in facets) == 5 and {(f[0], f[1]) for f in facets} == {(1, 0), (2, 0), (2, 1)}
    assert store.triage_count() == 5
    # The reasons in plain words.
    by_lid = {r.message.lid: r.message for r in rows}
    assert reason_of(by_lid[refused]).title == "Refused by the gateway"
    assert explain(by_lid[refused]) == "the gateway refused it: Device not found"
    assert reason_of(by_lid[unclear]).key == "unknown" and "before sending it again" in explain(by_lid[unclear])
    assert explain(store.message_by_sms_id(2)).startswith("the phone sent it, but the carrier reported it not")
    assert explain(store.message_by_sms_id(4)) == "the phone's app lacks the permission to send SMS"


def test_handled_marks_hide_and_come_back(store: Store) -> None:
    store.upsert_messages([_msg(1, 9, 1), _msg(2, 9, 2)])
    one = store.message_by_sms_id(1).lid
    assert store.mark_handled([one, one]) == [one]
    assert store.mark_handled([one]) == []  # already handled: nothing changes
    assert [r.message.sms_id for r in store.triage_rows()] == [2]
    (shown, _) = store.triage_rows(handled=True)
    assert shown.message.lid == one and shown.handled_at == NOW
    assert store.message(one).status == 9  # kept as it was
    assert store.thread_size(store.message(one).phone_key) == 1
    assert store.mark_handled([one], handled=False) == [one]
    assert store.triage_count() == 2


def test_a_retry_is_linked_both_ways_and_handles_the_failure(store: Store) -> None:
    store.upsert_messages([_msg(1, 9, 1)])
    failed = store.message_by_sms_id(1)
    retry = store.enqueue(phone=failed.phone, body=failed.body, device_id=2, slot=1)
    store.link_retry(failed.lid, [retry])
    original, retries = store.retry_links(failed.lid)
    assert original is None and [r.lid for r in retries] == [retry]
    assert store.retry_links(retry)[0].lid == failed.lid
    assert store.triage_rows() == []  # handled by the retry
    (row,) = store.triage_rows(handled=True)
    assert row.retried_as == retry and row.handled_at is not None
    # The retry failing too is a failure of its own, which says what it retries.
    store.set_outbox_states([retry], REJECTED, error="nope")
    (again,) = store.triage_rows()
    assert again.message.lid == retry and again.retry_of == failed.lid
