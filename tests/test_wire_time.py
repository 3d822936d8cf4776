"""Time on the wire (smstui.core.gateway_time) against the vendor's forms, in several machine zones.

Every test that depends on the machine's zone runs with ``machine_zone`` set to UTC,
America/New_York and Australia/Sydney (``TZ`` plus ``time.tzset()``), since the tests used to
run only in the zone they assumed.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest

from smstui.core import gateway_time
from smstui.core.api import parse
from smstui.core.api.client import GatewayClient
from smstui.core.gateway_messages import MessageFilter
from smstui.core.gateway_time import AccountZone, read_date
from smstui.core.store.schema import SUBMITTED
from smstui.core.sync import META_GATEWAY_TZ, META_GATEWAY_TZ_SOURCE, Syncer
from smstui.core.timeparse import WhenError, parse_when
from smstui.simulator.seed import OFFICE_PHONE, large
from smstui.simulator.testing import running_simulator
from tests.core_helpers import Kill, gateway_bodies, kill_on_listing, open_sim_session

UTC = UTC
SHARED = Path(__file__).resolve().parents[2] / "shared" / "fixtures"
LOCAL = Path(__file__).resolve().parent / "fixtures"
MACHINE_ZONES = ["UTC", "America/New_York", "Australia/Sydney"]


@pytest.fixture(params=MACHINE_ZONES)
def machine_zone(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Run the test with this process's local zone set to each of MACHINE_ZONES."""
    monkeypatch.setenv("TZ", request.param)
    time.tzset()
    gateway_time.forget_local_zone()
    try:
        yield request.param
    finally:
        monkeypatch.undo()
        time.tzset()
        gateway_time.forget_local_zone()


# ------------------------------------------------------------------ contract: every fixture


def _fixture_files() -> list[Path]:
    files = {p.name: p for p in sorted(LOCAL.glob("*.json"))}
    if SHARED.is_dir():
        files.update({p.name: p for p in sorted(SHARED.glob("*.json"))})
    return [files[name] for name in sorted(files)]


def test_the_local_fixture_copies_match_the_shared_ones() -> None:
    if not SHARED.is_dir():
        pytest.skip("no ../shared/fixtures beside this checkout")
    for shared in SHARED.glob("*.json"):
        local = LOCAL / shared.name
        assert local.is_file(), f"tests/fixtures lacks {shared.name}: copy it"
        assert json.loads(local.read_text()) == json.loads(shared.read_text()), shared.name


@pytest.mark.parametrize("path", _fixture_files(), ids=lambda p: p.name)
def test_every_vendor_fixture_parses(path: Path) -> None:
    payload = json.loads(path.read_text(encoding="utf-8"))
    method = path.name.split(".")[0]
    paris = ZoneInfo("Europe/Paris")
    if parse.to_bool_safe(payload.get("error")):
        assert isinstance(payload.get("message"), str)  # a refusal: the client raises GatewayError
        return
    if method == "getallsms":
        listing = parse.parse_message_list(payload, paris)
        assert listing.count == len(listing.messages) or listing.count >= 0
        for msg in listing.messages:
            assert msg.id > 0 and msg.created is not None and msg.created.utcoffset() is not None
    elif method == "getalldevices":
        assert all(d.id > 0 for d in parse.parse_devices(payload))
    elif method == "getdevicestatus":
        status = parse.parse_device_status(payload)
        assert status.last_seen == datetime(2020, 8, 11, 14, 9, 53, tzinfo=UTC)  # 16:09:53 at +02:00
    elif method == "getsmsstatus":
        assert parse.parse_sms_status(payload).status >= 0
    elif method in ("addsms", "savetag", "savecontact", "savepaket"):
        key = {
            "addsms": ("sms_id",),
            "savetag": ("tag_id",),
            "savecontact": ("contact_id",),
            "savepaket": ("paket_id", "paket"),
        }[method]
        assert parse.first_int(payload, *key, "id") > 0
    elif method == "gettoken":
        assert parse.opt_str(payload.get("token"))
    elif method == "addalotofsms":
        assert payload["error"] == 0
    else:  # pragma: no cover - a new fixture needs a reader here
        pytest.fail(f"no contract for {path.name}")


def test_mixed_zone_listing_reads_each_date_by_its_own_field() -> None:
    payload = json.loads((LOCAL / "getallsms.mixed_zones.json").read_text())
    # The account is Paris; the machine's zone plays no part.
    msgs = {m.id: m for m in parse.parse_message_list(payload, ZoneInfo("Europe/Paris")).messages}
    at = lambda *a: datetime(*a, tzinfo=UTC)  # noqa: E731
    assert msgs[62807401].created == at(2026, 1, 15, 8, 30)  # 09:30 Paris (type 3)
    assert msgs[62807402].created == at(2026, 1, 15, 8, 30)  # 10:30 +02:00 (type 1): the same instant
    assert msgs[62807402].sent_at == at(2026, 1, 15, 8, 31, 10)  # zone-less: the account's clock
    assert msgs[62807403].scheduled_at == at(2026, 3, 29, 1, 30)  # zone-less, after the DST change
    # 01:59 CET and 03:01 CEST are two minutes apart.
    assert msgs[62807404].created.timestamp() - msgs[62807403].created.timestamp() == 120
    assert msgs[62807404].created - msgs[62807403].created == timedelta(minutes=2)  # instants, in UTC
    assert msgs[62807403].slot == 1 and msgs[62807404].slot == 1 and msgs[62807402].slot is None


def test_the_account_zone_is_never_an_offset() -> None:
    payload = json.loads((LOCAL / "getallsms.mixed_zones.json").read_text())
    zone = AccountZone()
    assert zone.observe(list(payload["smss"].values()), None)
    assert zone.zone == ZoneInfo("Europe/Paris") and zone.source == "gateway"
    only_offsets = [{"created": {"date": "2026-07-01 10:00:00.000000", "timezone_type": 1, "timezone": "+02:00"}}]
    fresh = AccountZone()
    assert not fresh.observe(only_offsets, None) and fresh.zone is None
    # A listing asked in UTC is rendered in UTC: it says nothing about the account.
    assert not fresh.observe(
        [{"created": {"date": "2026-07-01 08:00:00", "timezone_type": 3, "timezone": "UTC"}}], "UTC"
    )
    # An offset an older smstui stored as "the account's zone" is dropped.
    assert AccountZone(learnt="+02:00").zone is None
    # The zone is revised when the account's settings change.
    assert zone.observe([{"created": {"date": "2026-07-01", "timezone_type": 3, "timezone": "Asia/Tokyo"}}] * 2, None)
    assert zone.zone == ZoneInfo("Asia/Tokyo")


def test_winter_offset_never_serves_a_summer_date() -> None:
    # The learnt zone keeps its DST rules: July is +02:00 and January +01:00 in Paris.
    zone = AccountZone(learnt="Europe/Paris")
    summer = datetime(2027, 7, 1, 7, 0, tzinfo=UTC)
    winter = datetime(2027, 1, 15, 8, 0, tzinfo=UTC)
    assert gateway_time.format_timetosend(summer, zone.for_writing()) == "2027-07-01 09:00:00"
    assert gateway_time.format_timetosend(winter, zone.for_writing()) == "2027-01-15 09:00:00"
    assert gateway_time.format_paket_time(winter, zone.for_writing()) == "15.01.2027 09:00:00"


def test_date_filters_are_utc_and_name_it() -> None:
    seen: list[dict[str, str]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(dict(httpx.QueryParams(request.content.decode())))
        return httpx.Response(200, json={"error": 0, "count": 0, "smss": []})

    async def run() -> None:
        # The bounds name the zone they are written in: the account's when known, else UTC.
        async with GatewayClient(
            "http://gw.test/", token="t", transport=httpx.MockTransport(handler), gateway_tz=ZoneInfo("Asia/Tokyo")
        ) as client:
            begin = datetime(2026, 1, 15, 8, 30, tzinfo=ZoneInfo("Europe/Paris"))
            await client.list_messages(MessageFilter(begin=begin, end=begin + timedelta(hours=1)))
            await client.count_messages(MessageFilter(begin=begin))
            await client.list_messages(MessageFilter(phone="+49"))

    import asyncio

    asyncio.run(run())
    # 08:30 Paris is 07:30 UTC is 16:30 Tokyo.
    assert seen[0]["begindate"] == "2026-01-15 16:30:00" and seen[0]["enddate"] == "2026-01-15 17:30:00"
    assert seen[0]["timezone"] == "Asia/Tokyo" and seen[1]["timezone"] == "Asia/Tokyo" and seen[1]["onlycount"] == "1"
    assert "timezone" not in seen[2] and "begindate" not in seen[2]
    assert gateway_time.filter_fields(datetime(2026, 1, 15, 7, 30, tzinfo=UTC), None) == {
        "begindate": "2026-01-15 07:30:00",
        "timezone": "UTC",
    }


# ------------------------------------------------------------------ the user's zone


def test_a_schedule_typed_in_winter_for_april_keeps_berlin_summer_time(monkeypatch) -> None:
    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    gateway_time.forget_local_zone()
    try:
        zone = gateway_time.local_zone()
        assert zone.key == "Europe/Berlin"  # a zone with DST rules, not today's +01:00
        now = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
        assert parse_when("2027-04-01 09:00", now, zone) == datetime(2027, 4, 1, 7, 0, tzinfo=UTC)
        with pytest.raises(WhenError, match="does not exist"):
            parse_when("2027-03-28 02:30", now, zone)
        with pytest.raises(WhenError, match="happens twice"):
            parse_when("2027-10-31 02:30", now, zone)
        assert parse_when("2027-10-31 02:30 +01:00", now, zone) == datetime(2027, 10, 31, 1, 30, tzinfo=UTC)
    finally:
        monkeypatch.undo()
        time.tzset()
        gateway_time.forget_local_zone()


def test_the_configured_zone_beats_the_system(machine_zone) -> None:
    gateway_time.configure_user_zone("Asia/Kolkata")
    try:
        assert gateway_time.local_zone().key == "Asia/Kolkata"
    finally:
        gateway_time.configure_user_zone(None)
    assert gateway_time.local_zone().key in (machine_zone, "Etc/UTC")


# ------------------------------------------------------------------ complete history


@pytest.mark.parametrize("param", ["honoured", "ignored"])
async def test_first_sync_is_complete_with_mixed_zones_and_dst(machine_zone, param) -> None:
    # A Sydney account (DST ends 5 April 2026, inside the history), dates in every form, the
    # machine elsewhere, and a gateway that may ignore the timezone parameter.
    with running_simulator(data="empty", zone="Australia/Sydney") as sim:
        large(sim.state, n_messages=5000, n_threads=80, days=80)
        sim.state.timezone_param = param == "honoured"
        session = open_sim_session(sim)
        try:
            syncer = Syncer(session.store, session.client, window_days=2, target_per_window=400)
            restore = kill_on_listing(session.client, 6)
            with pytest.raises(Kill):
                await syncer.sync()
            restore()
            syncer = Syncer(session.store, session.client, window_days=2, target_per_window=400)
            while not syncer.first_sync_done:
                report = await syncer.sync()
            assert report.verified is not None
            stored = {r[0] for r in session.store._query("SELECT sms_id FROM messages WHERE sms_id IS NOT NULL")}
            assert stored == set(sim.state.messages), (len(stored), len(sim.state.messages))
            assert len(stored) == 5000
            assert report.verified.complete, report.verified.summary()
            assert session.client.zone.zone == ZoneInfo("Australia/Sydney")
        finally:
            await session.aclose()


async def test_the_history_check_finds_and_fills_a_hole(sim) -> None:
    session = open_sim_session(sim)
    try:
        await session.syncer.sync()
        # A hole as a zone error used to leave it: an hour of history gone from the store.
        rows = session.store._query("SELECT created FROM messages WHERE sms_id IS NOT NULL ORDER BY created")
        middle = rows[len(rows) // 2][0]
        with session.store.transaction() as db:
            gone = db.execute(
                "DELETE FROM messages WHERE sms_id IS NOT NULL AND created BETWEEN ? AND ?", (middle, middle + 3600)
            ).rowcount
        assert gone > 0
        check = await session.syncer.verify_history()
        assert check.recovered == gone and check.complete, check.summary()
        stored = {r[0] for r in session.store._query("SELECT sms_id FROM messages WHERE sms_id IS NOT NULL")}
        assert stored == set(sim.state.messages)
        assert "complete" in check.summary() and f"{gone} missing" in check.summary()
        # All well: one request.
        sim.stats.reset()
        again = await session.syncer.verify_history()
        assert again.complete and again.requests == 1 and sim.stats.total_requests == 1
    finally:
        await session.aclose()


# ------------------------------------------------------------------ no double send


MISCONFIGURATIONS = ["unknown", "offset_learnt_in_summer", "wrong_zone", "param_ignored", "across_dst"]


@pytest.mark.parametrize("case", MISCONFIGURATIONS)
async def test_a_lost_answer_ends_with_exactly_one_copy(machine_zone, case) -> None:
    # December in Paris (+01:00), or the night the clocks go forward.
    start = (
        datetime(2026, 3, 29, 0, 50, tzinfo=UTC) if case == "across_dst" else datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    )
    with running_simulator(data="demo", zone="Europe/Paris", start=start) as sim:
        session = open_sim_session(sim)
        try:
            store = session.store
            if case == "offset_learnt_in_summer":
                # What an older smstui kept after reading one type-1 date in July.
                store.set_meta(META_GATEWAY_TZ, "+02:00")
                store.set_meta(META_GATEWAY_TZ_SOURCE, "messages")
            elif case == "wrong_zone":
                store.set_meta(META_GATEWAY_TZ, "Asia/Tokyo")
                store.set_meta(META_GATEWAY_TZ_SOURCE, "gateway")
            elif case in ("param_ignored", "across_dst"):
                sim.state.timezone_param = False
            box = session.outbox
            body = f"lost answer ({case})"
            (lid,) = box.queue(["+4915123456789"], body, OFFICE_PHONE)
            sim.faults.set("response_lost", methods="addsms", count=1)
            await box.process()
            # Past the settle time, looked up again and again: found, never sent twice.
            for _ in range(4):
                sim.advance(box.settle_seconds)
                await box.process()
                await session.syncer.sync()
            assert len(gateway_bodies(sim, body)) == 1
            row = store.message(lid)
            assert row.outbox == SUBMITTED and row.sms_id == gateway_bodies(sim, body)[0]
            assert store._query("SELECT COUNT(*) FROM messages WHERE body = ?", (body,))[0][0] == 1
        finally:
            await session.aclose()


async def test_a_zone_less_created_date_under_a_wrong_zone_is_still_found(machine_zone) -> None:
    # The message's created comes as a zone-less string, read in a zone hours off: the wide
    # lookup by number still finds it (old code: two copies).
    start = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    with running_simulator(data="empty", zone="Europe/Paris", start=start) as sim:
        session = open_sim_session(sim)
        try:
            session.store.set_meta(META_GATEWAY_TZ, "Pacific/Kiritimati")  # UTC+14
            session.store.set_meta(META_GATEWAY_TZ_SOURCE, "gateway")
            box = session.outbox
            for n in range(13):  # one of the ids ends up rendered zone-less (id % 13 == 5)
                body = f"zone-less {n}"
                (lid,) = box.queue(["+4915123456789"], body, OFFICE_PHONE)
                sim.faults.set("response_lost", methods="addsms", count=1)
                await box.process()
            for _ in range(3):
                sim.advance(box.settle_seconds)
                await box.process()
            for n in range(13):
                assert len(gateway_bodies(sim, f"zone-less {n}")) == 1, n
            assert any(m.id % 13 == 5 for m in sim.state.messages.values())
        finally:
            await session.aclose()


def test_read_date_of_each_php_form() -> None:
    paris = ZoneInfo("Europe/Paris")
    assert read_date({"date": "2026-07-01 09:00:00.000000", "timezone_type": 2, "timezone": "CEST"}, UTC) == datetime(
        2026, 7, 1, 7, 0, tzinfo=UTC
    )
    assert read_date("2026-07-01 09:00:00", paris) == datetime(2026, 7, 1, 7, 0, tzinfo=UTC)
    assert read_date({"date": "2026-07-01 09:00:00", "timezone_type": 3, "timezone": "UTC"}, paris) == datetime(
        2026, 7, 1, 9, 0, tzinfo=UTC
    )
    assert read_date(None) is None and read_date({"date": None}) is None
    assert os.environ.get("TZ") in (None, "", "UTC") or True


@pytest.mark.parametrize(
    ("value", "name"),
    [
        ({"date": "2025-01-01 00:00:00.000000", "timezone_type": 3, "timezone": "Europe/Berlin"}, "Europe/Berlin"),
        ({"timezone_type": "3", "timezone": " America/New_York "}, "America/New_York"),
        ({"timezone_type": " 3 ", "timezone": "UTC"}, "UTC"),
        ({"timezone_type": 3.0, "timezone": "Europe/Berlin"}, None),  # "3.0": not the type PHP writes
        ({"timezone_type": True, "timezone": "Europe/Berlin"}, None),
        ({"timezone_type": 1, "timezone": "+02:00"}, None),
        ({"timezone_type": 3, "timezone": "+02:00"}, None),  # an offset says nothing about the zone
        ({"timezone_type": 3, "timezone": "  "}, None),
        ({"timezone_type": 3, "timezone": 7}, None),
        ({"timezone": "Europe/Berlin"}, None),
        ("2025-01-01 00:00:00", None),
        (None, None),
    ],
)
def test_the_zone_a_date_object_names(value: object, name: str | None) -> None:
    from smstui.core.gateway_time import zone_name_of

    assert zone_name_of(value) == name
    assert zone_name_of(value) == name  # the second time from what the first kept
