"""On-call lookups: gateway ids as typed, failed conversations, the detail view's extras, and
fetching a message the store lacks from the simulator over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from core_helpers import open_sim_session

from smstui.core.api.errors import GatewayError
from smstui.core.gateway_messages import Message
from smstui.core.lookup import fetch_message, id_query, parse_gateway_id
from smstui.core.store.database import Store
from smstui.core.store.schema import REJECTED
from smstui.simulator.records import Msg
from smstui.simulator.seed import OFFICE_PHONE
from smstui.simulator.testing import TestSimulator

T0 = datetime(2026, 5, 20, 10, 0, tzinfo=UTC)
ANNA, BOB, CARL = "+4915123456781", "+4915123456782", "+4917012345673"


def msg(sms_id: int, phone: str = ANNA, status: int = 7, minutes: float = 0, device: int = 11231) -> Message:
    return Message(
        id=sms_id,
        phone=phone,
        body=f"m{sms_id}",
        status=status,
        device_id=device,
        slot=0,
        created=T0 + timedelta(minutes=minutes),
    )


@pytest.fixture
def store(tmp_path: Path):
    with Store(tmp_path / "s.sqlite3", region="DE", clock=lambda: T0.timestamp()) as s:
        yield s


def test_id_queries_need_a_prefix_and_a_number() -> None:
    assert id_query("#62807347") == "62807347"
    assert id_query("  ID: 62807347 ") == "62807347"
    assert id_query("62807347") is None  # digits alone are a phone number in the filter
    assert id_query("anna") is None
    assert parse_gateway_id("62807347") == parse_gateway_id("#62807347") == parse_gateway_id("id:62807347") == 62807347
    for bad, words in (
        ("", "Type the message's gateway id"),
        ("#12a", "is a number"),
        ("#", "Type"),
        ("0", "positive"),
        ("9" * 25, "19 digits"),
        ("١٢", "is a number"),
    ):
        with pytest.raises(ValueError, match=words):
            parse_gateway_id(bad)


def test_failed_threads_any_time_and_recent_with_search_and_device(store: Store) -> None:
    store.upsert_messages(
        [
            msg(1, ANNA, status=9, minutes=-300),
            msg(2, ANNA, status=7, minutes=-1),  # failed 5 h ago
            msg(3, BOB, status=8, minutes=-20, device=4242),  # failed 20 min ago
            msg(4, CARL, status=7, minutes=-2),  # nothing failed
        ]
    )
    lid = store.enqueue(phone=CARL, body="refused", device_id=11231, slot=0)
    assert {t.phone_key for t in store.failed_threads()} == {ANNA, BOB}
    store.set_outbox_states([lid], REJECTED, error="no credit")
    assert {t.phone_key for t in store.failed_threads()} == {ANNA, BOB, CARL}  # refusals count as the ✗ does
    hour_ago = T0.timestamp() - 3600
    assert {t.phone_key for t in store.failed_threads(since=hour_ago)} == {BOB, CARL}
    assert [t.phone_key for t in store.failed_threads(search="782")] == [BOB]
    assert [t.phone_key for t in store.failed_threads(device_id=4242)] == [BOB]
    assert store.failed_threads(search="781", since=hour_ago) == []


def test_the_thread_holding_an_id_and_how_far_back_it_is(store: Store) -> None:
    store.upsert_messages([msg(10 + i, ANNA, minutes=i) for i in range(5)] + [msg(99, BOB)])
    assert [t.phone_key for t in store.threads_holding(12)] == [ANNA]
    assert store.threads_holding(1234) == [] and store.threads_holding(2**64) == []
    target = store.message_by_sms_id(12)
    assert target is not None
    after = store.thread_messages_after(ANNA, (target.created.timestamp(), target.lid), limit=5)
    assert [m.sms_id for m in after] == [13, 14]
    assert [m.sms_id for m in store.thread_messages_after(ANNA, (target.created.timestamp(), target.lid), limit=1)] == [
        13
    ]


def test_message_extras_name_the_copies_and_the_original(store: Store) -> None:
    lid = store.enqueue(phone=ANNA, body="hi", device_id=11231, slot=0)
    store.attach_sms_ids([(lid, 500)])
    store.mark_resent([lid])  # only a re-sent row can have second copies
    store.upsert_messages([msg(501, ANNA)])
    store.mark_duplicates([(501, lid)])
    copy = store.message_by_sms_id(501)
    assert copy is not None
    extras = store.message_extras(lid, ANNA)
    assert extras is not None and extras.copies == ((copy.lid, 501),) and extras.submitted_at is not None
    copy_extras = store.message_extras(copy.lid, ANNA)
    assert copy_extras is not None and copy_extras.duplicate_of_sms_id == 500 and copy_extras.copies == ()
    assert store.message_extras(12345, ANNA) is None


def test_lookup_queries_use_indexes(store: Store) -> None:
    """The list runs these on every key: none may scan the message history."""
    from smstui.core.store.schema import failed_row

    plans = {
        "recent failures": (f"SELECT phone_key FROM messages WHERE created >= ? AND {failed_row('+')}", (0,)),
        "holding an id": ("SELECT phone_key FROM messages WHERE sms_id = ?", (1,)),
        "pages after": (
            "SELECT lid FROM messages WHERE phone_key = ? AND created >= ? AND (created > ? OR "
            "lid > ?) ORDER BY created, lid LIMIT 5",
            ("+1", 0, 0, 0),
        ),
        "copies": ("SELECT lid, sms_id FROM messages WHERE phone_key = ? AND duplicate_of = ?", ("+1", 1)),
        "neighbour": ("SELECT created FROM messages WHERE sms_id < ? ORDER BY sms_id DESC LIMIT 1", (5,)),
    }
    for what, (sql, params) in plans.items():
        plan = " ".join(str(row[-1]) for row in store._query("EXPLAIN QUERY PLAN " + sql, params))
        assert "USING" in plan and "SCAN messages" not in plan, (what, plan)
    # The page after a message seeks to it in the conversation's index.
    assert "created>?" in " ".join(
        str(r[-1]) for r in store._query("EXPLAIN QUERY PLAN " + plans["pages after"][0], plans["pages after"][1])
    )


async def test_fetch_stores_a_message_sync_has_not_seen(sim: TestSimulator) -> None:
    session = open_sim_session(sim)
    try:
        await session.syncer.sync()
        now = sim.clock()
        fresh = sim.state.add_message(
            Msg(
                id=0,
                phone=ANNA,
                body="arrived after the sync",
                device_id=OFFICE_PHONE,
                created=int(now.timestamp()),
                status=9,
            )
        )
        assert session.store.message_by_sms_id(fresh.id) is None
        found = await fetch_message(
            session.client, session.store, fresh.id, now=now.timestamp(), fold=session.outbox.fold_from_sync
        )
        assert found.status.status == 9 and found.reason is None
        assert found.message is not None and found.message.body == "arrived after the sync"
        assert session.store.message_by_sms_id(fresh.id) == found.message
        assert [t.phone_key for t in session.store.threads_holding(fresh.id)] == [ANNA]
        # An id the gateway does not know is its refusal, in its words.
        with pytest.raises(GatewayError, match="not found"):
            await fetch_message(session.client, session.store, 999_999_999, now=now.timestamp())
    finally:
        await session.aclose()


async def test_fetch_says_why_when_the_message_is_outside_the_history(sim: TestSimulator) -> None:
    session = open_sim_session(sim)
    try:
        now = sim.clock().timestamp()
        first = min(sim.state.messages)
        found = await fetch_message(session.client, session.store, first, now=now)  # nothing synced yet
        assert found.message is None and "refresh" in (found.reason or "")
        await session.syncer.sync()
        old = sim.state.add_message(
            Msg(id=1, phone=ANNA, body="long ago", device_id=OFFICE_PHONE, created=int(now) - 400 * 86_400, status=7)
        )
        found = await fetch_message(session.client, session.store, old.id, now=now)
        assert found.status.status == 7 and found.message is None
        assert "older than the history" in (found.reason or "")
    finally:
        await session.aclose()


async def test_fetch_does_not_list_a_crowded_window(sim: TestSimulator, monkeypatch: pytest.MonkeyPatch) -> None:
    import smstui.core.lookup as lookup

    session = open_sim_session(sim)
    try:
        await session.syncer.sync()
        now = sim.clock().timestamp()
        fresh = sim.state.add_message(
            Msg(id=0, phone=ANNA, body="new", device_id=OFFICE_PHONE, created=int(now), status=7)
        )
        monkeypatch.setattr(lookup, "MAX_LISTED", 0)
        monkeypatch.setattr(lookup, "COUNT_FROM", 0.0)
        found = await fetch_message(session.client, session.store, fresh.id, now=now)
        assert found.message is None and "newer than smstui's last sync" in (found.reason or "")
        assert session.store.message_by_sms_id(fresh.id) is None
    finally:
        await session.aclose()


def test_a_thread_page_says_whether_there_is_more_beyond_it(store: Store) -> None:
    store.upsert_messages([msg(10 + i, ANNA, minutes=i) for i in range(5)] + [msg(99, BOB)])
    newest, more = store.thread_page(ANNA, limit=3)
    assert [m.sms_id for m in newest] == [12, 13, 14] and more
    assert [m.sms_id for m in store.thread_page(ANNA, limit=5)[0]] == [10, 11, 12, 13, 14]
    assert store.thread_page(ANNA, limit=5)[1] is False
    first = newest[0]
    anchor = (first.created.timestamp(), first.lid)
    assert store.thread_page(ANNA, limit=1, before=anchor) == (
        store.thread_messages(ANNA, limit=1, before=anchor),
        True,
    )
    older, more = store.thread_page(ANNA, limit=2, before=anchor)
    assert [m.sms_id for m in older] == [10, 11] and not more
    newer, more = store.thread_page(ANNA, limit=1, after=anchor)
    assert [m.sms_id for m in newer] == [13] and more
    newer, more = store.thread_page(ANNA, limit=2, after=anchor)
    assert [m.sms_id for m in newer] == [13, 14] and not more
