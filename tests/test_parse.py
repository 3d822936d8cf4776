"""The tolerant readers against the documents' exact shapes and every quirk api.md lists."""

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, strategies as st

from smstui.core.api import parse

FIXTURES = Path(__file__).parent / "fixtures"


def load(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


def test_vendor_message_list_reads_offsets_and_quirks() -> None:
    result = parse.parse_message_list(load("getallsms.vendor_example.json"))
    assert result.count == 4
    by_id = {m.id: m for m in result.messages}
    first = by_id[22074698]
    assert first.phone == "+4915752982212"
    assert first.status == 1 and first.slot == 0 and first.device_id == 260
    assert first.created == datetime(2021, 7, 11, 12, 59, 26, tzinfo=timezone(timedelta(hours=2)))
    assert first.created == datetime(2021, 7, 11, 10, 59, 26, tzinfo=UTC)  # +02:00 read as given
    assert first.sent_at is None
    assert by_id[22074938].customer_id == 19921 and by_id[22074938].urgent is True
    assert by_id[22078325].customer_id is None  # 0 means "none"
    assert by_id[22074938].scheduled_at == datetime(2021, 8, 1, 12, 0, tzinfo=UTC)


def test_seed_message_list_with_zone_names_and_missing_sim() -> None:
    result = parse.parse_message_list(load("getallsms.seed.json"))
    assert [m.id for m in result.messages] == [62050971, 62051117]
    msg = result.messages[0]
    assert msg.slot is None  # `sim` absent
    assert msg.created == datetime(2023, 11, 2, 22, 44, 43, tzinfo=ZoneInfo("Europe/Paris"))
    assert msg.created.astimezone(UTC) == datetime(2023, 11, 2, 21, 44, 43, tzinfo=UTC)
    assert msg.body == "Hello! Thank you for Order! "  # trailing space kept: bodies are data
    assert msg.title == "Taken by phone"
    assert result.count == 2  # no count in the answer: counted


def test_empty_list_is_a_json_array() -> None:
    result = parse.parse_message_list(load("getallsms.empty.json"))
    assert result.messages == () and result.count == 0


def test_devices_keyed_by_id_with_string_quirks() -> None:
    devices = {d.id: d for d in parse.parse_devices(load("getalldevices.seed.json"))}
    emulator, sdk = devices[1576], devices[1297]
    assert emulator.sims[0].number == "15555215554"  # leading space dropped
    assert emulator.sims[0].slot == 0 and emulator.sims[0].roaming is False
    assert emulator.sims[0].country == "US"
    assert emulator.delay_between_sms is None and emulator.delay_between_requests == 1
    assert emulator.subscription is True and emulator.app_version_current is False
    assert sdk.imei is None  # the string "null"
    assert sdk.sims[0].roaming is True
    assert sdk.last_seen == datetime(2020, 4, 20, 20, 51, 34, tzinfo=ZoneInfo("UTC"))


def test_device_status_with_timezone_type_1() -> None:
    status = parse.parse_device_status(load("getdevicestatus.ok.json"))
    assert status.online is False and status.device_id == 260
    assert status.last_seen == datetime(2020, 8, 11, 14, 9, 53, tzinfo=UTC)  # 16:09:53 at +02:00
    assert status.seconds_since_seen == 28851900


def test_status_and_ids() -> None:
    status = parse.parse_sms_status(load("getsmsstatus.ok.json"))
    assert (status.sms_id, status.status, status.title) == (22074698, 1, "New")
    assert parse.first_int(load("savepaket.ok.json"), "paket_id", "paket") == 1011
    assert parse.first_int({"paket": "12"}, "paket_id", "paket") == 12
    assert parse.first_int(load("savecontact.ok.json"), "contact_id") == 15954765


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(" 42", 42), ("42", 42), (42, 42), ("42.0", 42), (None, None), ("null", None), ("", None)],
)
def test_ints_from_any_form(raw, expected) -> None:
    assert parse.opt_int(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(0, False), (1, True), ("0", False), ("1", True), (True, True), ("true", True), (None, None), ("null", None)],
)
def test_booleans_from_any_form(raw, expected) -> None:
    assert parse.to_bool(raw) == expected


def test_unknown_status_code_keeps_server_title() -> None:
    raw = {"id": "7", "sendto": "+1", "body": "x", "status": "42", "statustitle": "Teleported"}
    msg = parse.parse_message(raw)
    assert msg.status == 42 and msg.title == "Teleported" and not msg.final


def test_date_strings_and_abbreviations() -> None:
    assert parse.parse_datetime("2024-01-02 03:04") == datetime(2024, 1, 2, 3, 4, tzinfo=UTC)
    cest = parse.parse_datetime({"date": "2024-06-01 12:00:00.000000", "timezone_type": 2, "timezone": "CEST"})
    assert cest == datetime(2024, 6, 1, 10, 0, tzinfo=UTC)  # 12:00 CEST
    assert parse.parse_datetime({"date": None, "timezone_type": 3, "timezone": "UTC"}) is None


@pytest.mark.parametrize(
    "bad",
    [
        {"smss": "oops"},
        {"smss": {"1": {"sendto": "+1", "status": 1}}},  # no id
        {"smss": {"1": {"id": 1, "sendto": "+1", "status": "sent"}}},  # status not a number
        {"smss": {"1": {"id": 1, "status": 1, "created": {"date": "yesterday", "timezone": "UTC"}}}},
        {"smss": {"1": {"id": 1, "status": 1, "created": {"date": "2024-01-01", "timezone": "Mars/Olympus"}}}},
    ],
)
def test_truly_malformed_is_rejected(bad) -> None:
    with pytest.raises(ValueError):
        parse.parse_message_list(bad)


@given(st.integers(min_value=0, max_value=10**12), st.sampled_from(["{}", " {}", "{} ", "{}.0"]))
def test_id_forms_roundtrip(number: int, form: str) -> None:
    assert parse.opt_int(form.format(number)) == number


@given(
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1)).map(
        lambda d: d.replace(microsecond=0)
    ),
    st.integers(min_value=-12 * 60, max_value=14 * 60).map(lambda m: m - m % 15),
)
def test_php_datetime_offsets(moment: datetime, minutes: int) -> None:
    sign = "-" if minutes < 0 else "+"
    text = f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    value = {"date": moment.strftime("%Y-%m-%d %H:%M:%S.000000"), "timezone_type": 1, "timezone": text}
    parsed = parse.parse_datetime(value)
    # The instant the offset says, kept in UTC (dates sharing a ZoneInfo compare by wall clock).
    assert parsed == moment.replace(tzinfo=timezone(timedelta(minutes=minutes)))
    assert parsed.utcoffset() == timedelta(0)


@given(
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1)),
    st.sampled_from(["%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]),
)
def test_php_date_field_fast_path_matches_strptime(moment: datetime, fmt: str) -> None:
    text = moment.strftime(fmt)
    expected = datetime.strptime(text.replace("T", " "), fmt.replace("T", " "))
    value = parse.parse_datetime({"date": text, "timezone_type": 3, "timezone": "UTC"})
    assert value == expected.replace(tzinfo=UTC)


@pytest.mark.parametrize("bad", ["2024-13-01 10:00:00", "2024-03-12 10:00:00+01:00", "20240312", "2024-03-12 25:00"])
def test_php_date_field_rejects_what_strptime_rejects(bad: str) -> None:
    with pytest.raises(ValueError):
        parse.parse_datetime({"date": bad, "timezone_type": 3, "timezone": "UTC"})
