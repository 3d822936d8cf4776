"""The webhook bodies (smstui.webhook.payloads): the two documented shapes, the vendor's variety
(numbers as strings, PHP DateTime objects of type 1 and 3, zone-less strings, epoch seconds),
and every way a body can be wrong, each a Rejected with a reason that never quotes the body.

Run also with TZ=America/New_York and TZ=Australia/Sydney: no date here may depend on the
machine's zone."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from smstui.webhook.payloads import (
    MAX_BODY_CHARS,
    IncomingMessage,
    Rejected,
    StatusUpdate,
    parse_body,
    parse_payload,
)

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 5, 20, 12, 0, tzinfo=UTC)

STATUS = {
    "sms_id": 62807347,
    "status_id": 7,
    "status_message": "Delivered",
    "sendto": "+4915752982212",
    "senttime": "2026-05-20 13:58:00",
    "channel_id": 0,
    "device_id": 1297,
}
INCOMING = {
    "address": "+4915752982212",
    "date": "2026-05-20 13:59:00",
    "date_sent": "2026-05-20 13:58:59",
    "body": "On my way",
    "internal_id": 441,
    "channel_id": 1,
    "sms_id": 62807400,
    "device_id": 1297,
    "device_name": "Galaxy A12",
    "type": "text",
}
IMAGE = {
    **INCOMING,
    "body": "",
    "internal_id": None,
    "type": "img",
    "sim": 3,
    "img_url": "https://smsgateway24.com/uploads/abc.jpg",
}


def parse(data: Any, tz: Any = PARIS) -> Any:
    return parse_payload(data, tz, now=NOW)


def test_a_status_webhook() -> None:
    got = parse(STATUS)
    assert isinstance(got, StatusUpdate)
    assert (got.sms_id, got.status_id, got.device_id, got.sendto) == (62807347, 7, 1297, "+4915752982212")
    # A zone-less string is the account's wall clock: 13:58 in Paris (CEST) is 11:58 UTC.
    assert got.senttime == datetime(2026, 5, 20, 11, 58, tzinfo=UTC)
    assert got.channel_id == 0  # the vendor does not say what it counts: 0 is a value


def test_an_incoming_text_and_an_image() -> None:
    got = parse(INCOMING)
    assert isinstance(got, IncomingMessage)
    assert (got.address, got.body, got.sms_id, got.type, got.img_url) == (
        "+4915752982212",
        "On my way",
        62807400,
        "text",
        None,
    )
    assert got.date == datetime(2026, 5, 20, 11, 59, tzinfo=UTC)
    image = parse(IMAGE)
    assert isinstance(image, IncomingMessage)
    assert (image.type, image.body, image.sim, image.internal_id) == ("img", "", 3, None)
    assert image.img_url == "https://smsgateway24.com/uploads/abc.jpg"


def test_numbers_as_strings_and_unknown_keys() -> None:
    got = parse({**STATUS, "sms_id": " 62807347", "status_id": "3", "device_id": "1297.0", "new_field": [1, 2]})
    assert isinstance(got, StatusUpdate)
    assert (got.sms_id, got.status_id, got.device_id) == (62807347, 3, 1297)
    assert parse({**INCOMING, "sim": "1"}).sim == 1
    assert parse({**INCOMING, "device_id": "null", "internal_id": ""}).device_id is None
    assert isinstance(parse({**INCOMING, "device_id": 0}), Rejected)  # a device id is positive


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # type 3: the zone named
        (
            {"date": "2026-01-15 09:30:00.000000", "timezone_type": 3, "timezone": "Europe/Paris"},
            datetime(2026, 1, 15, 8, 30, tzinfo=UTC),
        ),
        # type 1: that date's offset, not the account's zone
        (
            {"date": "2026-01-15 10:30:00.000000", "timezone_type": 1, "timezone": "+02:00"},
            datetime(2026, 1, 15, 8, 30, tzinfo=UTC),
        ),
        # a zone-less string: the account's clock, with its DST (CET in January)
        ("2026-01-15 09:30:00", datetime(2026, 1, 15, 8, 30, tzinfo=UTC)),
        ("2026-01-15 09:30", datetime(2026, 1, 15, 8, 30, tzinfo=UTC)),
        # either side of the 2026-03-29 change in Paris: two minutes apart
        ("2026-03-29 01:59:00", datetime(2026, 3, 29, 0, 59, tzinfo=UTC)),
        ("2026-03-29 03:01:00", datetime(2026, 3, 29, 1, 1, tzinfo=UTC)),
        # ISO with an offset, and epoch seconds (number, string, milliseconds)
        ("2026-01-15T09:30:00+01:00", datetime(2026, 1, 15, 8, 30, tzinfo=UTC)),
        (1768465800, datetime(2026, 1, 15, 8, 30, tzinfo=UTC)),
        ("1768465800", datetime(2026, 1, 15, 8, 30, tzinfo=UTC)),
        (1768465800000, datetime(2026, 1, 15, 8, 30, tzinfo=UTC)),
        (None, None),
        ("null", None),
    ],
)
def test_the_vendors_date_variety(value: Any, expected: datetime | None) -> None:
    got = parse({**INCOMING, "date": value})
    assert isinstance(got, IncomingMessage), got
    assert got.date == expected


def test_a_zone_less_date_reads_in_the_account_zone_not_the_machines() -> None:
    sydney = parse({**INCOMING, "date": "2026-01-15 09:30:00"}, ZoneInfo("Australia/Sydney"))
    assert sydney.date == datetime(2026, 1, 14, 22, 30, tzinfo=UTC)
    assert parse({**INCOMING, "date": "2026-01-15 09:30:00"}, UTC).date == datetime(2026, 1, 15, 9, 30, tzinfo=UTC)


BAD: list[tuple[Any, str]] = [
    ([STATUS], "not a JSON object"),
    ("status", "not a JSON object"),
    (None, "not a JSON object"),
    ({}, "neither"),
    ({**STATUS, **INCOMING}, "neither"),
    ({**STATUS, "sms_id": None}, "sms_id is missing"),
    ({k: v for k, v in STATUS.items() if k != "sms_id"}, "sms_id is missing"),
    ({**STATUS, "sms_id": "abc"}, "sms_id is not a whole number"),
    ({**STATUS, "sms_id": 1.5}, "sms_id is not a whole number"),
    ({**STATUS, "sms_id": True}, "sms_id is not a whole number"),
    ({**STATUS, "sms_id": [1]}, "sms_id is not a whole number"),
    ({**STATUS, "sms_id": 0}, "sms_id is out of range"),
    ({**STATUS, "sms_id": -5}, "sms_id is out of range"),
    ({**STATUS, "sms_id": 2**63}, "sms_id is out of range"),
    ({**STATUS, "sms_id": "9" * 5000}, "sms_id is not a whole number"),
    ({**STATUS, "status_id": 10**6}, "status_id is out of range"),
    ({**STATUS, "status_id": None}, "status_id is missing"),
    ({**STATUS, "status_message": {"a": 1}}, "status_message is not a string"),
    ({**STATUS, "senttime": "yesterday"}, "senttime is not a date"),
    ({**STATUS, "senttime": {"date": 5, "timezone": "UTC"}}, "senttime is not a date"),
    ({**STATUS, "senttime": {"date": "2026-01-01 00:00:00", "timezone": "Mars/Olympus"}}, "senttime is not a date"),
    ({**STATUS, "senttime": "2036-01-01 00:00:00"}, "senttime is in the future"),
    ({**STATUS, "senttime": 12345}, "senttime is not a date"),
    ({**STATUS, "senttime": 10**30}, "senttime is not a date"),
    ({**STATUS, "senttime": "9999-12-31 23:59:59"}, "senttime is in the future"),
    ({**INCOMING, "address": ""}, "address is missing"),
    ({**INCOMING, "address": "   "}, "address is missing"),
    ({**INCOMING, "address": None}, "address is missing"),
    ({**INCOMING, "address": "+49\n1"}, "address has control characters"),
    ({**INCOMING, "address": "1" * 65}, "address is longer than 64 characters"),
    ({**INCOMING, "body": "x" * (MAX_BODY_CHARS + 1)}, "body is longer than"),
    ({**INCOMING, "body": None}, "body is missing"),
    ({k: v for k, v in INCOMING.items() if k != "body"}, "body is missing"),
    ({**INCOMING, "type": "video"}, "type is neither"),
    ({**INCOMING, "type": ["text"]}, "type is neither"),
    ({**IMAGE, "img_url": None}, "img_url is not an http(s) URL"),
    ({**IMAGE, "img_url": "javascript:alert(1)"}, "img_url is not an http(s) URL"),
    ({**IMAGE, "img_url": "https://x/a b.jpg"}, "img_url is not an http(s) URL"),
    ({**IMAGE, "img_url": "https://x/\x1b[2J"}, "img_url is not an http(s) URL"),
    ({**IMAGE, "sim": 100}, "sim is out of range"),
    ({**INCOMING, "date": "2026-05-25 12:00:00"}, "date is in the future"),
]


@pytest.mark.parametrize(("data", "reason"), BAD)
def test_what_is_rejected_and_why(data: Any, reason: str) -> None:
    got = parse(data)
    assert isinstance(got, Rejected), got
    assert reason in got.reason
    assert len(got.reason) < 80  # a reason, never the value


def test_a_body_that_says_control_characters_and_markup_keeps_them_as_data() -> None:
    body = "[bold red]x[/] \x1b[31mred\x07 <b>"
    got = parse({**INCOMING, "body": body, "device_name": "[link=x]d[/link]"})
    assert isinstance(got, IncomingMessage)
    assert got.body == body and got.device_name == "[link=x]d[/link]"
    # A lone surrogate (json.loads lets it through) is no UTF-8: it becomes U+FFFD, storable.
    assert parse_body(b'{"address": "+1", "sms_id": 5, "body": "a\\ud800b"}', now=NOW).body == "a\ufffdb"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "not JSON"),
        (b"{", "not JSON"),
        (b"sms_id=1&status_id=7", "not JSON"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b'{"sms_id": NaN, "status_id": 7}', "not JSON"),
        (b'{"sms_id": Infinity, "status_id": 7}', "not JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "not JSON"),
        (b'{"sms_id": ' + b"9" * 5000 + b', "status_id": 7}', "not JSON"),  # int() digit limit
        (b"[]", "not a JSON object"),
    ],
)
def test_raw_bodies_that_are_no_json_object(raw: bytes, reason: str) -> None:
    got = parse_body(raw, now=NOW)
    assert isinstance(got, Rejected)
    assert reason in got.reason


def test_parse_body_reads_both_kinds() -> None:
    assert isinstance(parse_body(json.dumps(STATUS).encode(), PARIS, now=NOW), StatusUpdate)
    assert isinstance(parse_body(json.dumps(IMAGE).encode(), PARIS, now=NOW), IncomingMessage)
