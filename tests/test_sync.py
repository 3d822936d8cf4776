"""Sync against the simulator over HTTP: first sync, incremental correctness, idle cost, kills."""

from __future__ import annotations

from datetime import timedelta

import pytest

from smstui.core.session import open_session
from smstui.core.store.database import Store
from smstui.core.sync import DAY, META_CURSOR, Syncer
from smstui.simulator.records import Msg
from smstui.simulator.seed import OFFICE_PHONE, OLD_PHONE, large
from smstui.simulator.testing import running_simulator
from tests.core_helpers import Kill, kill_on_listing, open_sim_session

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")


def gateway_ids(sim, since_days: float = 90) -> set[int]:
    cut = sim.clock().timestamp() - since_days * DAY
    with sim.state.lock:
        sim.state.tick()
        return {m.id for m in sim.state.messages.values() if m.created >= cut}


def stored_ids(store: Store) -> list[int]:
    return [m.sms_id for m in store.messages(limit=None) if m.sms_id is not None]


def assert_no_duplicates(store: Store) -> None:
    ids = stored_ids(store)
    assert len(ids) == len(set(ids))
    rows = store._query("SELECT phone_key, COUNT(*) FROM messages GROUP BY phone_key")
    totals = {t.phone_key: t.total for t in store.threads(limit=10_000)}
    assert totals == {key: count for key, count in rows}  # thread summaries agree with the rows


async def test_first_sync_stores_history_with_progress(sim) -> None:
    session = open_sim_session(sim)
    seen: list[tuple[int, int]] = []
    try:
        report = await session.syncer.sync(progress=lambda done, total: seen.append((done, total)))
        assert report.first_sync_done and session.syncer.first_sync_done
        assert set(stored_ids(session.store)) == gateway_ids(sim)
        # In messages: the gateway's count of the range, and all of it stored at the end.
        count = len(gateway_ids(sim))
        assert seen[0] == (0, count) and seen[-1] == (count, count)
        assert [d for d, _ in seen] == sorted(d for d, _ in seen)
        # History is not "unread"; devices came along; the account's zone was learnt.
        assert sum(t.unread for t in session.store.threads()) == 0
        assert {d.device.id for d in session.store.devices()} == {OFFICE_PHONE, 1297, OLD_PHONE}
        assert session.store.get_meta("gateway_tz") == "Europe/Berlin"
        assert report.requests < 20
        assert_no_duplicates(session.store)
    finally:
        await session.aclose()


async def test_incremental_sees_new_changed_and_incoming(sim) -> None:
    session = open_sim_session(sim)
    try:
        await session.syncer.sync()
        before = len(stored_ids(session.store))
        # Another client (the web UI, a script) sends a message; the number ends in 1: it replies.
        sent = sim.call(
            "addsms", token=sim.token(), sendto="+4917612345671", body="from elsewhere", device_id=OFFICE_PHONE
        )["sms_id"]
        sim.advance(5)
        report = await session.syncer.sync()
        assert report.inserted == 1 and report.new_incoming == 0
        row = session.store.message_by_sms_id(sent)
        assert row.status == 1 and row.outbox is None
        sim.advance(40)  # delivered, and the reply is in
        report = await session.syncer.sync()
        assert session.store.message_by_sms_id(sent).status == 7
        assert report.new_incoming >= 1 and row.phone_key in report.phone_keys
        thread = next(t for t in session.store.threads() if t.phone_key == row.phone_key)
        assert thread.unread == 1 and thread.last_incoming and thread.total == 2
        # Nothing new: nothing changes, nothing is duplicated.
        sim.advance(5)
        report = await session.syncer.sync()
        assert report.inserted == 0 and not report.phone_keys
        assert set(stored_ids(session.store)) == gateway_ids(sim)
        assert len(stored_ids(session.store)) == before + 2 + (len(gateway_ids(sim)) - before - 2)
        assert_no_duplicates(session.store)
    finally:
        await session.aclose()


async def _idle_cost(n_messages: int, db_path) -> tuple[int, int, int]:
    with running_simulator(data="empty", step_seconds=10) as sim:
        large(sim.state, n_messages=n_messages, n_threads=100, days=60)
        session = open_sim_session(sim, db_path=db_path)
        try:
            first = await session.syncer.sync()
            assert len(stored_ids(session.store)) == n_messages
            costs = []
            for _ in range(3):
                sim.advance(15)
                sim.stats.reset()
                report = await session.syncer.sync()
                assert report.requests == sim.stats.total_requests
                costs.append((sim.stats.total_requests, sim.stats.total_bytes))
            assert costs[0] == costs[1] == costs[2]
            # What an idle refresh reads is the overlap window behind the cursor, nothing older.
            cursor = float(session.store.get_meta(META_CURSOR))
            in_overlap = sum(
                1 for i in gateway_ids(sim) if sim.state.messages[i].created >= cursor - session.syncer.overlap
            )
            assert costs[0][1] <= 200 + 700 * in_overlap
            return costs[0][0], costs[0][1], first.requests
        finally:
            await session.aclose()


async def test_idle_refresh_cost_does_not_grow_with_history(tmp_path) -> None:
    small_requests, small_bytes, small_first = await _idle_cost(200, tmp_path / "small.sqlite3")
    big_requests, big_bytes, big_first = await _idle_cost(5000, tmp_path / "big.sqlite3")
    assert small_requests == big_requests == 1  # one getallsms since the cursor
    assert big_bytes < 5000 and small_bytes < 5000  # a re-download would be megabytes
    # The first sync pages through time windows (~500 messages each, so the app's frames never
    # wait on one big listing); their number follows the history's size / 500, not one per message.
    assert big_first < 5000 / 500 + 15


async def test_first_sync_resumes_after_kill(sim_empty) -> None:
    large(sim_empty.state, n_messages=3000, n_threads=60, days=80)
    session = open_sim_session(sim_empty)
    syncer = Syncer(session.store, session.client, window_days=3, target_per_window=300)
    kill_on_listing(session.client, 4)
    with pytest.raises(Kill):
        await syncer.sync()
    partial = set(stored_ids(session.store))
    assert 0 < len(partial) < 3000 and not syncer.first_sync_done
    session.store.close()

    session = open_sim_session(sim_empty)  # a new process on the same database
    try:
        progress: list[tuple[int, int]] = []
        sim_empty.stats.reset()
        syncer = Syncer(session.store, session.client, window_days=3, target_per_window=300)
        await syncer.sync(progress=lambda d, t: progress.append((d, t)))
        assert syncer.first_sync_done
        assert progress[0][0] > 0  # resumed, not restarted
        assert set(stored_ids(session.store)) == gateway_ids(sim_empty) and len(partial) < 3000
        assert_no_duplicates(session.store)
    finally:
        await session.aclose()


async def test_kill_inside_a_write_leaves_store_consistent(sim) -> None:
    session = open_sim_session(sim)
    await session.syncer.sync()
    cursor = session.store.get_meta(META_CURSOR)
    rows = len(stored_ids(session.store))
    sim.call("addsms", token=sim.token(), sendto="+4917612345672", body="new one", device_id=OFFICE_PHONE)
    sim.advance(5)

    def killed(*args, **kwargs):
        raise Kill("killed mid-transaction")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(session.store, "_refresh_threads", killed)
        with pytest.raises(Kill):
            await session.syncer.sync()
    # The whole write rolled back: neither the message nor the cursor moved.
    assert session.store.get_meta(META_CURSOR) == cursor
    assert len(stored_ids(session.store)) == rows
    session.store.close()
    session = open_sim_session(sim)
    try:
        report = await session.syncer.sync()
        assert report.inserted == 1
        assert set(stored_ids(session.store)) == gateway_ids(sim)
        assert_no_duplicates(session.store)
    finally:
        await session.aclose()


async def test_pending_statuses_are_checked_by_age(sim) -> None:
    session = open_sim_session(sim)
    try:
        await session.syncer.sync()
        stuck = next(r for r in session.store.messages(device_id=OLD_PHONE, limit=None) if r.status == 1)
        assert 3600 < sim.clock().timestamp() - stuck.created.timestamp() < DAY
        sim.set_online(OLD_PHONE, True)
        sim.advance(40)
        await session.syncer.sync()
        # Between an hour and a day old: checked every 5 minutes, not on every refresh.
        assert session.store.message(stuck.lid).status == 1
        report = await session.syncer.sync(force=True)  # "refresh now" checks everything
        assert session.store.message(stuck.lid).status == 7
        assert report.status_plan in ("ids", "window", "snapshot")
    finally:
        await session.aclose()


async def test_many_pending_use_a_status_snapshot(sim_empty) -> None:
    state = sim_empty.state
    now = int(sim_empty.clock().timestamp())
    for i in range(25):
        state.add_message(
            Msg(id=0, phone=f"+49151000{i:05d}2", body=f"stuck {i}", device_id=OLD_PHONE, created=now - 1800, status=1)
        )
    for i in range(400):
        state.add_message(
            Msg(
                id=0,
                phone="+4915100000992",
                body=f"hist {i}",
                device_id=OFFICE_PHONE,
                created=now - 1700 + i * 4,
                status=7,
                outcome=7,
            )
        )
    session = open_sim_session(sim_empty)
    try:
        await session.syncer.sync()
        sim_empty.set_online(OLD_PHONE, True)
        sim_empty.advance(40)
        sim_empty.stats.reset()
        report = await session.syncer.sync()
        assert report.status_plan == "snapshot"
        assert all(r.status == 7 for r in session.store.messages(device_id=OLD_PHONE, limit=None))
        # 1 listing + 4 status snapshots + one status call per message that did change.
        assert sim_empty.stats.requests["getallsms"] == 5
        assert sim_empty.stats.requests["getsmsstatus"] == 25
        sim_empty.advance(5)
        assert (await session.syncer.sync()).requests == 1
    finally:
        await session.aclose()


def test_status_plan_picks_the_cheapest(tmp_path) -> None:
    store = Store(tmp_path / "plan.sqlite3")
    from smstui.core.gateway_time import AccountZone

    syncer = Syncer(store, client=type("C", (), {"zone": AccountZone(), "request_count": 0, "bytes_received": 0})())
    assert syncer._plan([], 1000.0) is None
    assert syncer._plan([(1, 900.0), (2, 950.0)], 1000.0) == "window"  # nothing between: free
    store.upsert_messages(
        [
            __import__("smstui.core.gateway_messages", fromlist=["Message"]).Message(
                id=100 + i,
                phone="+4915100000001",
                body="x",
                status=7,
                created=__import__("datetime").datetime.fromtimestamp(
                    900 + i / 10, __import__("datetime").timezone.utc
                ),
            )
            for i in range(500)
        ]
    )
    assert syncer._plan([(1, 900.0), (2, 950.0)], 1000.0) == "ids"
    assert syncer._plan([(i, 900.0) for i in range(60)], 1000.0) == "snapshot"
    store.close()


async def test_devices_refresh_on_their_own_cadence(sim) -> None:
    session = open_sim_session(sim)
    try:
        await session.syncer.sync()
        sim.stats.reset()
        sim.advance(20)
        report = await session.syncer.sync()
        assert sim.stats.requests["getalldevices"] == 0 and not report.devices_changed
        sim.set_online(OFFICE_PHONE, False)
        sim.advance(session.syncer.device_interval)
        report = await session.syncer.sync()
        assert sim.stats.requests["getalldevices"] == 1 and report.devices_changed
        assert session.store.device(OFFICE_PHONE).online is False
        assert await session.syncer.refresh_devices() is False  # not due: no request
        assert sim.stats.requests["getalldevices"] == 1
    finally:
        await session.aclose()


async def test_zone_is_remembered_between_runs(sim) -> None:
    session = open_sim_session(sim)
    await session.syncer.sync()
    await session.aclose()
    session = open_sim_session(sim)
    try:
        assert getattr(session.client.gateway_tz, "key", None) == "Europe/Berlin"
        sim.stats.reset()
        sim.advance(10)
        when = sim.clock() + timedelta(hours=2)
        (lid,) = session.outbox.queue(["+4915123456782"], "at two", OFFICE_PHONE, scheduled_at=when)
        await session.outbox.process()
        # The stored zone is trusted: no device call just to learn it.
        assert sim.stats.requests["getalldevices"] == 0
        sms_id = session.store.message(lid).sms_id
        assert sim.state.messages[sms_id].timetosend == int(when.timestamp())
    finally:
        await session.aclose()


async def test_sync_over_a_broken_link_raises_typed_errors(sim) -> None:
    from smstui.core.api.errors import TransportError

    session = open_sim_session(sim)
    try:
        await session.syncer.sync()
        sim.faults.set("html502", methods="getallsms", count=1)
        sim.advance(5)
        with pytest.raises(TransportError, match="HTTP 502"):
            await session.syncer.sync()
        report = await session.syncer.sync()  # the next run just works
        assert report.requests >= 1
        assert_no_duplicates(session.store)
    finally:
        await session.aclose()


def test_open_session_needs_no_network(sim) -> None:
    session = open_session(api_url="http://127.0.0.1:9/getdata/")
    assert session.store.message_count() == 0 and not session.logged_in
    session.store.close()


async def test_a_message_dated_years_ahead_does_not_hide_new_ones(sim) -> None:
    # Fuzzing found it: one message created in 2035 moved the cursor there, and every later
    # incremental listing began after every new message.
    from smstui.simulator.records import Msg

    session = open_sim_session(sim)
    try:
        await session.syncer.sync()
        with sim.state.lock:
            sim.state.add_message(
                Msg(
                    id=0,
                    phone="+4915100000009",
                    body="from the future",
                    device_id=11231,
                    created=int(sim.clock().timestamp()) + 9 * 365 * 86400,
                    status=7,
                )
            )
        sim.advance(30)
        await session.syncer.sync()
        assert session.syncer.cursor() <= session.syncer.now() + 86400
        sim.call("addsms", token=sim.token(), sendto="+4915100000008", body="new after", device_id=11231)
        sim.advance(30)
        await session.syncer.sync()
        assert any(m.body == "new after" for m in session.store.messages(limit=None))
    finally:
        await session.aclose()


async def test_first_sync_decodes_and_writes_on_one_lane_thread(sim_empty) -> None:
    """A first sync's listings are parsed and stored on one thread, not the loop's: parsing on the
    loop while another thread wrote made the writer wait for the GIL after every row."""
    import threading

    from smstui.core.api import parse

    large(sim_empty.state, n_messages=3000, n_threads=60, days=80)
    session = open_sim_session(sim_empty)
    syncer = Syncer(session.store, session.client, window_days=3, target_per_window=300)
    loop_thread = threading.current_thread().name
    where: dict[str, set[str]] = {"parse": set(), "write": set()}
    parse_list, upsert = parse.parse_message_list, session.store.upsert_messages

    def parsing(*args, **kwargs):  # type: ignore[no-untyped-def]
        where["parse"].add(threading.current_thread().name)
        return parse_list(*args, **kwargs)

    def writing(*args, **kwargs):  # type: ignore[no-untyped-def]
        where["write"].add(threading.current_thread().name)
        return upsert(*args, **kwargs)

    parse.parse_message_list = parsing  # type: ignore[assignment]
    session.store.upsert_messages = writing  # type: ignore[method-assign]
    try:
        await syncer.sync()
        assert syncer.first_sync_done
        assert set(stored_ids(session.store)) == gateway_ids(sim_empty)
        # Big listings: parsed on the lane, the very thread that writes; the loop only chose.
        lanes = {name for name in where["write"] if name.startswith("smstui-sync-lane")}
        assert len(lanes) == 1 and loop_thread not in where["write"]
        assert lanes <= where["parse"] and where["parse"] - lanes <= {loop_thread}
        assert session.client.decode_lane is None  # given back: later answers decode on the loop
    finally:
        parse.parse_message_list = parse_list  # type: ignore[assignment]
        await session.aclose()


async def test_a_lane_shut_down_under_a_caller_leaves_the_decoding_to_its_loop(sim_empty) -> None:
    """Another loop's caller (a screen, while the app's own thread ran a first sync) may find the
    lane shut down between seeing it and submitting to it: it decodes on its loop instead of
    failing with "cannot schedule new futures after shutdown"."""
    from concurrent.futures import ThreadPoolExecutor

    large(sim_empty.state, n_messages=600, n_threads=10, days=5)
    session = open_sim_session(sim_empty)
    lane = ThreadPoolExecutor(max_workers=1)
    lane.shutdown()
    session.client.decode_lane = lane
    try:
        listing = await session.client.list_messages()
        assert len(listing.messages) == 600
    finally:
        session.client.decode_lane = None
        await session.aclose()
