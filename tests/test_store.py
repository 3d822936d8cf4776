"""The local store: gateway upserts, threads, outbox state changes, atomicity, file mode."""

from __future__ import annotations

import os
import re
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from smstui.core.gateway_messages import Message
from smstui.core.models import Device, DeviceStatus
from smstui.core.store.database import Store
from smstui.core.store.schema import QUEUED, REJECTED, SENDING, SUBMITTED, UNKNOWN

T0 = datetime(2026, 5, 20, 10, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0.timestamp()

    def __call__(self) -> float:
        return self.now


def msg(sms_id: int, phone: str = "+4915123456781", body: str = "hi", status: int = 7, minutes: float = 0) -> Message:
    return Message(
        id=sms_id,
        phone=phone,
        body=body,
        status=status,
        device_id=11231,
        slot=0,
        created=T0 + timedelta(minutes=minutes),
    )


@pytest.fixture
def store(tmp_path: Path):
    with Store(tmp_path / "s.sqlite3", region="DE", clock=Clock()) as s:
        yield s


def test_database_files_are_private(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "p.sqlite3"
    with Store(path) as s:
        s.upsert_messages([msg(1)])
        for file in path.parent.iterdir():
            assert stat.S_IMODE(os.stat(file).st_mode) == 0o600, file


def test_upsert_is_idempotent_and_tracks_threads(store: Store) -> None:
    result = store.upsert_messages([msg(1), msg(2, status=5, body="reply", minutes=1), msg(3, phone="015123456782")])
    assert len(result.inserted) == 3 and result.phone_keys == {"+4915123456781", "+4915123456782"}
    again = store.upsert_messages([msg(1), msg(2, status=5, body="reply", minutes=1)])
    assert not again.any
    changed = store.upsert_messages([msg(1, status=8)])
    assert len(changed.changed) == 1
    (anna, other) = store.threads()
    assert anna.phone_key == "+4915123456781" and anna.total == 2 and anna.unread == 1 and anna.failed == 1
    assert anna.last_incoming and anna.last_body == "reply"
    assert store.mark_thread_seen(anna.phone_key) and store.threads()[0].unread == 0
    assert other.phone == "015123456782"  # shown as the gateway wrote it, grouped by E.164


def test_threads_carry_their_shown_number(store: Store) -> None:
    # Formatted as the summary is written (one number, then a bulk-sized batch through the
    # set-wise refresh), so the list never formats numbers while it paints.
    store.upsert_messages([msg(1), msg(2, phone="Vodafone")])
    shown = {t.phone_key: t.display for t in store.threads()}
    assert shown == {"+4915123456781": "+49 1512 3456781", "Vodafone": "Vodafone"}
    many = [msg(100 + i, phone=f"+4915200000{i:03d}") for i in range(100)]
    store.upsert_messages(many)
    shown = {t.phone_key: t.display for t in store.threads(limit=1000)}
    assert len(shown) == 102 and shown["+4915200000042"] == "+49 1520 0000042"
    store.rebuild_threads()
    assert all(t.display for t in store.threads(limit=1000))


def test_history_is_not_unread(store: Store) -> None:
    store.upsert_messages([msg(1, status=5)], mark_unseen=False)
    assert store.threads()[0].unread == 0


def test_meta_is_written_with_the_messages_or_not_at_all(store: Store) -> None:
    store.upsert_messages([msg(1)], meta={"sync.cursor": "1"})
    assert store.get_meta("sync.cursor") == "1"

    def boom(*args, **kwargs):
        raise RuntimeError("crash in the middle")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(store, "_refresh_threads", boom)
        with pytest.raises(RuntimeError):
            store.upsert_messages([msg(2)], meta={"sync.cursor": "2"})
    assert store.get_meta("sync.cursor") == "1" and store.message_by_sms_id(2) is None


def test_outbox_lifecycle(store: Store) -> None:
    lid = store.enqueue(phone="+4915123456781", body="hello", device_id=11231, slot=0)
    row = store.message(lid)
    assert row.outbox == QUEUED and row.display_status == "queued" and row.attempted_at is None
    assert store.threads()[0].last_outbox == QUEUED
    assert store.begin_send(lid)
    assert not store.begin_send(lid)  # a second sender cannot take it
    assert store.message(lid).outbox == SENDING and store.message(lid).attempted_at == T0
    assert not store.set_outbox_states([lid], QUEUED, only_if=(UNKNOWN,))
    assert store.set_outbox_states([lid], UNKNOWN, error="lost", next_attempt=T0.timestamp(), only_if=(SENDING,))
    assert store.message(lid).display_status == "unknown — check"
    assert store.threads()[0].failed == 1  # unknown rows ask for attention
    assert store.set_reconcile(lid, misses=1, next_check=None, error="check it")
    row = store.message(lid)
    assert row.recon_misses == 1 and row.next_attempt is None and row.outbox_error == "check it"
    store.attach_sms_ids([(lid, 500, 1)])
    row = store.message(lid)
    assert row.outbox == SUBMITTED and row.sms_id == 500 and row.status == 1 and row.recon_misses == 0
    assert store.claimed_sms_ids([500, 501]) == {500}
    assert not store.set_reconcile(lid, misses=2, next_check=None, error="x")  # only unknown rows


def test_attach_folds_the_row_sync_stored_first(store: Store) -> None:
    lid = store.enqueue(phone="+4915123456781", body="hello", device_id=11231, slot=0)
    store.upsert_messages([msg(700, body="hello", status=6)])
    assert store.message_count() == 2
    store.attach_sms_ids([(lid, 700)])
    assert store.message_count() == 1
    row = store.message(lid)
    assert row.sms_id == 700 and row.status == 6 and store.threads()[0].total == 1


def test_attach_does_not_take_the_status_of_an_incoming_row_holding_the_id(store: Store) -> None:
    """A reply stored under the id the gateway now gives our send (a forged webhook planted it):
    the reply goes, and our message starts as New, not as a received message."""
    lid = store.enqueue(phone="+4915123456781", body="hello", device_id=11231, slot=0)
    store.upsert_messages([msg(700, body="planted", status=5)])
    assert store.message_by_sms_id(700).incoming
    store.attach_sms_ids([(lid, 700)])
    row = store.message(lid)
    assert row.sms_id == 700 and row.status == 1 and not row.incoming and row.body == "hello"
    assert store.message_count() == 1 and store.threads()[0].last_status == 1


def test_attach_refreshes_the_conversation_of_every_row_it_touches(store: Store) -> None:
    lid = store.enqueue(phone="+4915123456781", body="hello", device_id=11231, slot=0)
    assert (store.threads()[0].last_outbox, store.threads()[0].last_status) == (QUEUED, None)
    store.attach_sms_ids([(lid, 500, 6)])
    assert (store.threads()[0].last_outbox, store.threads()[0].last_status) == (SUBMITTED, 6)
    # Sync stored the gateway's copy first, under the number as the gateway wrote it (no "+"):
    # a conversation of its own, which must go when the copy is folded into our row.
    other = store.enqueue(phone="+4915123456782", body="two", device_id=11231, slot=0)
    store.upsert_messages([msg(501, phone="4915123456782", body="two", status=6, minutes=1)])
    assert {t.phone_key for t in store.threads()} == {"+4915123456781", "+4915123456782", "+494915123456782"}
    store.attach_sms_ids([(other, 501)])
    assert {t.phone_key for t in store.threads()} == {"+4915123456781", "+4915123456782"}
    assert store.thread_size("+494915123456782") == 0
    assert next(t for t in store.threads() if t.phone_key == "+4915123456782").last_status == 6
    summaries = _thread_rows(store)
    store.rebuild_threads()
    assert _thread_rows(store) == summaries


def test_attach_sms_ids_applies_pairs_in_order(store: Store) -> None:
    first = store.enqueue(phone="+4915123456781", body="same", device_id=11231, slot=0)
    second = store.enqueue(phone="+4915123456781", body="same", device_id=11231, slot=0)
    # One call saying 810 is the first row's, then that it is the second's: the second wins and
    # the first is checked again, as two calls in a row would leave them.
    store.attach_sms_ids([(first, 810), (second, 810)])
    assert store.message(second).sms_id == 810
    moved = store.message(first)
    assert moved.outbox == UNKNOWN and moved.sms_id is None
    assert store.threads()[0].failed == 1


def test_attach_never_deletes_another_outbox_row(store: Store) -> None:
    first = store.enqueue(phone="+4915123456781", body="same", device_id=11231, slot=0)
    second = store.enqueue(phone="+4915123456781", body="same", device_id=11231, slot=0)
    store.attach_sms_ids([(first, 800)])
    # The gateway's own answer says 800 is the second one: the first is re-checked, not lost.
    store.attach_sms_ids([(second, 800)])
    assert store.message(second).sms_id == 800
    moved = store.message(first)
    assert moved is not None and moved.outbox == UNKNOWN and moved.sms_id is None


def test_outbox_due_respects_backoff(store: Store) -> None:
    lid = store.enqueue(phone="+4915123456781", body="x", device_id=1, slot=0)
    store.set_outbox_states([lid], QUEUED, next_attempt=T0.timestamp() + 10, count_attempt=True)
    assert store.outbox_due() == [] and store.next_outbox_attempt() == T0.timestamp() + 10
    assert [r.lid for r in store.outbox_due(T0.timestamp() + 10)] == [lid]
    assert store.message(lid).attempts == 1
    store.set_outbox_states([lid], REJECTED, error="no")
    assert store.message(lid).failed and store.outbox_due(T0.timestamp() + 100) == []


def test_pending_and_counts(store: Store) -> None:
    store.upsert_messages([msg(1, status=1), msg(2, status=6, minutes=5), msg(3, status=7, minutes=10)])
    assert [i for i, _ in store.pending_sms_ids()] == [1, 2]
    start = T0.timestamp()
    assert store.count_created_between(start, start + 300) == 2
    assert store.count_created_between(start + 1) == 2
    store.update_status(1, 7, "delivered")
    assert [i for i, _ in store.pending_sms_ids()] == [2]
    # A status code we do not know is not final: sync keeps asking. Incoming (5) is final.
    store.upsert_messages([msg(4, status=4, minutes=15), msg(5, status=5, minutes=20), msg(6, status=101, minutes=25)])
    assert [i for i, _ in store.pending_sms_ids()] == [2, 4]
    assert [i for i, _ in store.pending_sms_ids(limit=1)] == [2]


def test_devices_and_status(store: Store) -> None:
    assert store.save_devices([Device(id=1, title="A"), Device(id=2, title="B")])
    assert not store.save_devices([Device(id=1, title="A"), Device(id=2, title="B")])
    assert store.save_device_status(DeviceStatus(device_id=1, online=True, last_seen=T0))
    assert store.device(1).online is True and store.device(2).online is None
    assert store.save_devices([Device(id=1, title="A")])
    assert [d.device.id for d in store.devices()] == [1]


def _thread_rows(store: Store) -> list[tuple]:
    return store._query("SELECT * FROM threads ORDER BY phone_key")


def test_set_outbox_states_many_rows_in_one_go(store: Store) -> None:
    phones = [f"+491512345{i:04d}" for i in range(1200)]  # more than one IN (...) chunk
    lids = store.enqueue_many([dict(phone=p, body="x", device_id=1, slot=0) for p in phones])
    assert sorted(store.set_outbox_states(lids, SENDING, count_attempt=True)) == lids
    assert {r.outbox for r in store.outbox((SENDING,))} == {SENDING} and len(store.outbox((SENDING,))) == 1200
    assert store.message(lids[-1]).attempts == 1
    summaries = _thread_rows(store)
    store.rebuild_threads()
    assert _thread_rows(store) == summaries  # the cheap summary update is exact
    assert store.threads(limit=1)[0].last_outbox == SENDING
    # only_if guards each row; the rows left alone are not reported.
    assert store.outbox((SENDING,), bulk=True) == []  # none of these is a bulk job's
    assert len(store.outbox((SENDING,), bulk=False)) == 1200
    assert store.set_outbox_states(lids[:2], QUEUED, only_if=(UNKNOWN,)) == []
    assert sorted(store.set_outbox_states(lids[:3], UNKNOWN, error="lost", only_if=(SENDING,))) == lids[:3]
    assert sum(t.failed for t in store.threads(limit=2000)) == 3 and store.message(lids[0]).outbox_error == "lost"
    assert sorted(store.set_outbox_states(lids[:3], QUEUED, reset_misses=True)) == lids[:3]
    assert sum(t.failed for t in store.threads(limit=2000)) == 0
    with pytest.raises(ValueError):
        store.set_outbox_states(lids, "nonsense")


def test_attach_sms_ids_applies_each_pairs_rules(store: Store) -> None:
    a = store.enqueue(phone="+4915123456781", body="one", device_id=1, slot=0)
    b = store.enqueue(phone="+4915123456782", body="two", device_id=1, slot=0)
    c = store.enqueue(phone="+4915123456783", body="three", device_id=1, slot=0)
    d = store.enqueue(phone="+4915123456783", body="three", device_id=1, slot=0)
    store.attach_sms_ids([(d, 903)])  # matched by content earlier; the gateway's pairing below says 903 is c
    store.upsert_messages([msg(901, phone="+4915123456781", body="one", status=6)])  # sync saw it first
    store.attach_sms_ids([(a, 901), (b, 902, 11), (c, 903, 1)])
    assert store.message_count() == 4  # the synced copy of 901 folded into a
    rows = {lid: store.message(lid) for lid in (a, b, c, d)}
    assert (rows[a].sms_id, rows[a].status, rows[a].outbox) == (901, 6, SUBMITTED)
    assert (rows[b].sms_id, rows[b].status) == (902, 11)
    assert rows[c].sms_id == 903 and rows[d].sms_id is None and rows[d].outbox == UNKNOWN
    summaries = _thread_rows(store)
    store.rebuild_threads()
    assert _thread_rows(store) == summaries
    assert {t.phone_key: t.failed for t in store.threads()}["+4915123456782"] == 1  # status 11 failed
    found = store.messages_by_sms_ids([901, 902, 999])
    assert {k: v.lid for k, v in found.items()} == {901: a, 902: b}
    store.attach_sms_ids([])


def test_search_finds_numbers_typed_in_national_or_00_form(store: Store) -> None:
    store.upsert_messages(
        [
            msg(1, phone="+4915123456781"),
            msg(2, phone="+447700900123"),
            msg(3, phone="+12025550143"),
            msg(4, phone="+39061234567"),
        ]
    )

    def found(text: str) -> set[str]:
        return {t.phone_key for t in store.threads(search=text)}

    assert found("0151") == {"+4915123456781"}  # the store's region is DE
    assert found("0151 234-56") == {"+4915123456781"}
    assert found("(0151) 23456781") == {"+4915123456781"}
    assert found("0044 7700") == {"+447700900123"}
    assert found("+49 151") == found("49151") == {"+4915123456781"}
    assert found("061234") == {"+39061234567"}  # digits anywhere still match
    assert found("0152") == set() and found("Ann 0151") == set()
    store.region = "US"
    assert found("1202555") == {"+12025550143"} and found("011 44 7700") == {"+447700900123"}
    store.region = None
    assert found("0151") == set()  # without a region, a trunk 0 means nothing


def test_thread_refresh_reads_messages_by_their_index(store: Store) -> None:
    """Each write refreshes its conversations: that must never scan the message history."""
    store.upsert_messages([msg(1), msg(2, phone="+4915123456782")])
    executed: list[str] = []
    store._db.set_trace_callback(executed.append)
    try:
        store.rebuild_threads()
    finally:
        store._db.set_trace_callback(None)
    refresh = [sql for sql in executed if sql.startswith(("INSERT INTO threads", "DELETE FROM threads WHERE"))]
    assert len(refresh) == 2
    for sql in refresh:
        plan = [str(row[-1]) for row in store._query("EXPLAIN QUERY PLAN " + sql)]
        assert not [step for step in plan if re.match(r"SCAN (messages|m)\b", step)], plan


def test_row_to_message_reads_columns_in_field_order() -> None:
    """row_to_message builds StoredMessage positionally: MESSAGE_COLUMNS must name its fields in order."""
    import dataclasses

    from smstui.core.store.records import StoredMessage, row_to_message
    from smstui.core.store.schema import MESSAGE_COLUMNS

    names = [f.name for f in dataclasses.fields(StoredMessage)]
    assert [c.strip() for c in MESSAGE_COLUMNS.split(",")] == names
    row = [None] * len(names)
    row[0], row[2], row[3], row[4], row[9], row[18], row[23] = 7, "+1", "1", "b", 0.0, 2, 1
    msg = row_to_message(row)
    assert (msg.lid, msg.phone, msg.attempts, msg.recon_misses, msg.resent) == (7, "+1", 2, 1, False)
