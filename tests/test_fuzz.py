"""Fuzzed gateway answers (tests/fuzz_strategies.py) fed to the parsers, the client and sync.

Whatever the gateway answers, every call ends in a typed model or a typed error (never another
exception), and sync never leaves a corrupted or inconsistent store.

Examples per test: ~250 by default (CI); ``SMSTUI_FUZZ=long`` runs 10,000 each:

    SMSTUI_FUZZ=long .venv/bin/pytest -q tests/test_fuzz.py -p no:cacheprovider --hypothesis-show-statistics
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

import httpx
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from smstui.core.api import parse
from smstui.core.api.client import GatewayClient
from smstui.core.api.errors import ApiError, ResponseFormatError
from smstui.core.gateway_messages import (
    MessageFilter,
    MessageList,
    OutgoingSms,
    SmsStatus,
)
from smstui.core.gateway_time import AccountZone
from smstui.core.models import Device, DeviceStatus
from smstui.core.store.database import Store
from smstui.core.sync import Syncer
from tests import fuzz_strategies as fz
from tests.test_sync import assert_no_duplicates

UTC = UTC

_COMMON = dict(
    deadline=None,  # shared, loaded machines: time is not the property under test
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
        HealthCheck.filter_too_much,
    ],
    print_blob=True,
)
settings.register_profile("smstui-fuzz-ci", max_examples=250, **_COMMON)
settings.register_profile("smstui-fuzz-long", max_examples=10_000, **_COMMON)
PROFILE = settings.get_profile("smstui-fuzz-long" if os.environ.get("SMSTUI_FUZZ") == "long" else "smstui-fuzz-ci")
# Sync examples make a store and run two syncs of a dozen requests each: fewer of them in CI.
SYNC_PROFILE = settings(
    PROFILE, max_examples=max(120, PROFILE.max_examples // 2) if PROFILE.max_examples < 1000 else PROFILE.max_examples
)


# ------------------------------------------------------------------ what a typed result is


def _no_surrogates(text: str | None) -> bool:
    return text is None or not any(0xD800 <= ord(c) <= 0xDFFF for c in text)


def _sqlite_int(value: int | None, *, positive: bool = False) -> bool:
    if value is None:
        return True
    if type(value) is not int:
        return False
    return (1 if positive else -(2**63)) <= value <= fz.INT64_MAX


def _aware(value: datetime | None) -> bool:
    return value is None or (isinstance(value, datetime) and value.utcoffset() is not None)


def check_typed(result: Any) -> None:
    """Every field of a model is of its declared type and storable in SQLite as it is."""
    if isinstance(result, MessageList):
        assert type(result.count) is int and _sqlite_int(result.count)
        for m in result.messages:
            assert _sqlite_int(m.id, positive=True), m.id
            assert _sqlite_int(m.status) and _sqlite_int(m.device_id) and _sqlite_int(m.slot)
            assert _sqlite_int(m.customer_id) and _sqlite_int(m.paket_id)
            assert isinstance(m.phone, str) and isinstance(m.body, str) and isinstance(m.urgent, bool)
            for text in (m.phone, m.body, m.status_title, m.paket_title):
                assert _no_surrogates(text)
            for when in (m.created, m.sent_at, m.scheduled_at):
                assert _aware(when)
    elif isinstance(result, list):
        for device in result:
            check_typed(device)
    elif isinstance(result, Device):
        assert _sqlite_int(result.id, positive=True)
        assert isinstance(result.title, str) and _no_surrogates(result.title)
        assert _sqlite_int(result.delay_between_sms) and _sqlite_int(result.delay_between_requests)
        for sim in result.sims:
            assert _sqlite_int(sim.slot) and isinstance(sim.roaming, bool)
        assert _aware(result.created) and _aware(result.last_seen)
    elif isinstance(result, DeviceStatus):
        assert _sqlite_int(result.device_id, positive=True) and isinstance(result.online, bool)
        assert _sqlite_int(result.seconds_since_seen) and _aware(result.last_seen)
        assert _no_surrogates(result.title)
    elif isinstance(result, SmsStatus):
        assert _sqlite_int(result.sms_id, positive=True) and _sqlite_int(result.status)
    elif isinstance(result, bool):
        pass
    elif isinstance(result, int):
        assert _sqlite_int(result)
    elif isinstance(result, str):
        assert result and _no_surrogates(result)
    else:
        assert result is None, result


# ------------------------------------------------------------------ (1) the parsers

ID_METHODS = ("addsms", "savetag", "savecontact", "savepaket")


def run_parser(method: str, payload: dict[str, Any]) -> Any:
    """What the client does with an answer to ``method`` that is a JSON object."""
    parse.to_bool_safe(payload.get("error"))
    parse.opt_str(payload.get("message"))
    if method == "getallsms":
        return parse.parse_message_list(payload, UTC)
    if method == "onlycount":
        return parse.req_int(payload.get("count"), "count")
    if method == "getalldevices":
        return parse.parse_devices(payload, UTC)
    if method == "getdevicestatus":
        return parse.parse_device_status(payload, UTC)
    if method == "getsmsstatus":
        return parse.parse_sms_status(payload)
    if method == "gettoken":
        return parse.opt_str(payload.get("token"))
    if method == "addalotofsms":
        return None
    return parse.first_int(payload, *fz.ID_KEYS[method])


PARSED = ("getallsms", "onlycount", "getalldevices", "getdevicestatus", "getsmsstatus", "gettoken", *ID_METHODS)


def check_truth(method: str, result: Any, truth: Any) -> None:
    if method == "getallsms":
        by_id = {m.id: m for m in result.messages}
        assert set(by_id) == {t.id for t in truth}
        for t in truth:
            m = by_id[t.id]
            assert (m.status, m.customer_id, m.urgent, m.slot, m.body) == (
                t.status,
                t.customer_id,
                t.urgent,
                t.slot,
                t.body,
            )
            assert m.created == t.created
    elif method == "getalldevices":
        assert [d.id for d in result] == truth
    elif method == "getdevicestatus":
        assert result.device_id == truth
    elif method == "getsmsstatus":
        assert result.sms_id == truth
    else:
        assert result == truth


@PROFILE
@given(method=st.sampled_from(PARSED), data=st.data())
def test_parsers_read_every_quirk(method: str, data: st.DataObject) -> None:
    payload, truth = data.draw(fz.VALID[method](), label="payload")
    result = run_parser(method, payload)
    check_typed(result)
    check_truth(method, result, truth)


@PROFILE
@given(method=st.sampled_from(PARSED), data=st.data())
def test_parsers_on_broken_answers_give_a_model_or_value_error(method: str, data: st.DataObject) -> None:
    payload = data.draw(fz.broken_payloads(method), label="payload")
    if not isinstance(payload, dict):
        return  # the client refuses non-objects before any parser runs (tested below)
    try:
        result = run_parser(method, payload)
    except ValueError:
        return  # the client's _read turns it into ResponseFormatError
    check_typed(result)


@PROFILE
@given(value=st.one_of(fz.junk_dates(), fz.php_dates().map(lambda d: d[0])))
def test_read_date_gives_an_aware_datetime_none_or_value_error(value: Any) -> None:
    try:
        result = parse.read_date(value, UTC)
    except ValueError:
        return
    assert _aware(result)


# ------------------------------------------------------------------ (2) the client over HTTP


class FakeGateway:
    """An httpx MockTransport handler serving queued answers per gateway method.

    A queue's last answer is repeated when it runs out. ``served`` records (method, form, answer).
    """

    def __init__(self, queues: dict[str, list[fz.Answer]]) -> None:
        self.queues = {k: list(v) for k, v in queues.items()}
        self.served: list[tuple[str, dict[str, str], fz.Answer]] = []

    def key(self, request: httpx.Request) -> tuple[str, dict[str, str]]:
        method = request.url.path.rstrip("/").rsplit("/", 1)[-1]
        form = {k: v[-1] for k, v in parse_qs(request.content.decode(), keep_blank_values=True).items()}
        if method == "getallsms" and form.get("onlycount") == "1":
            method = "onlycount"
        return method, form

    def __call__(self, request: httpx.Request) -> httpx.Response:
        method, form = self.key(request)
        queue = self.queues.get(method) or [fz.Answer(200, b'{"error":1,"message":"unknown method"}')]
        answer = queue.pop(0) if len(queue) > 1 else queue[0]
        self.served.append((method, form, answer))
        headers = {"content-type": answer.content_type} if answer.content_type else {}
        if answer.location is not None:
            headers["location"] = answer.location
        return httpx.Response(answer.status, content=answer.body, headers=headers)


def make_client(gateway: FakeGateway) -> GatewayClient:
    return GatewayClient(
        "http://gateway.test/getdata/",
        email="me@example.com",
        password="pw",
        token="tok",
        timeout=5,
        gateway_tz=UTC,
        transport=httpx.MockTransport(gateway),
    )


SMS = OutgoingSms(sendto="+4915752982212", body="hi", device_id=260)
CALLS: dict[str, tuple[str, Any, type | tuple[type, ...]]] = {
    # name: (the queue it reads, the call, the type it returns)
    "list_messages": (
        "getallsms",
        lambda c: c.list_messages(MessageFilter(begin=datetime(2024, 1, 1, tzinfo=UTC))),
        MessageList,
    ),
    "count_messages": ("onlycount", lambda c: c.count_messages(), int),
    "sms_status": ("getsmsstatus", lambda c: c.sms_status(22074698), SmsStatus),
    "devices": ("getalldevices", lambda c: c.devices(), list),
    "device_status": ("getdevicestatus", lambda c: c.device_status(260), DeviceStatus),
    "add_sms": ("addsms", lambda c: c.add_sms(SMS), int),
    "add_sms_without_token": ("smstosend", lambda c: c.add_sms_without_token(SMS, "me@example.com", "pw"), int),
    "add_many_sms": ("addalotofsms", lambda c: c.add_many_sms([SMS, SMS]), type(None)),
    "save_tag": ("savetag", lambda c: c.save_tag("vip"), int),
    "save_contact": ("savecontact", lambda c: c.save_contact(8303, "+4915752982212", "Ann"), int),
    "save_newsletter": ("savepaket", lambda c: c.save_newsletter("n", 260, "body", [1, 2]), int),
    "get_token": ("gettoken", lambda c: c.get_token("me@example.com", "pw"), str),
    "learn_account_zone": ("getallsms", lambda c: c.learn_account_zone(), bool),
}


async def _call(name: str, gateway: FakeGateway) -> Any:
    client = make_client(gateway)
    if name == "learn_account_zone":
        client = GatewayClient(
            "http://gateway.test/getdata/",
            email="me@example.com",
            password="pw",
            token="tok",
            timeout=5,
            transport=httpx.MockTransport(gateway),
        )
    try:
        return await CALLS[name][1](client)
    finally:
        await client.aclose()


@PROFILE
@given(name=st.sampled_from(sorted(CALLS)), data=st.data())
def test_client_ends_in_a_model_or_an_api_error(name: str, data: st.DataObject) -> None:
    method, _, returns = CALLS[name]
    queues = {
        m: data.draw(st.lists(fz.answers(m), min_size=1, max_size=3), label=m)
        for m in {method, "gettoken", "getalldevices", "getdevicestatus"}
    }
    gateway = FakeGateway(queues)
    first = queues[method][0]
    try:
        result = asyncio.run(_call(name, gateway))
    except ApiError as exc:
        assert str(exc)  # a sentence for the user
        assert not (first.valid and gateway.served[0][2] is first and len(gateway.served) == 1), (
            f"a valid answer was refused: {exc!r}"
        )
        return
    assert isinstance(result, returns), result
    check_typed(result)
    if first.valid and gateway.served and gateway.served[0][2] is first and name != "learn_account_zone":
        check_truth(method, result, first.truth)


# ------------------------------------------------------------------ (3) sync on a real store


def stored_ids(store: Store) -> list[int]:
    return [row[0] for row in store._query("SELECT sms_id FROM messages WHERE sms_id IS NOT NULL")]


def listed_ids(answers: Iterable[fz.Answer]) -> set[int]:
    return {t.id for a in answers if a.valid for t in a.truth}


def is_storing(method: str, form: dict[str, str]) -> bool:
    """A listing whose messages sync stores (the account-zone lookup names no zone, stores nothing)."""
    return method == "getallsms" and "timezone" in form


def check_store(store: Store, gateway: FakeGateway) -> None:
    assert store._query("PRAGMA integrity_check") == [("ok",)]
    assert_no_duplicates(store)
    ids = stored_ids(store)
    assert all(type(i) is int and 1 <= i <= fz.INT64_MAX for i in ids), ids
    served_ok = [a for m, f, a in gateway.served if m == "getallsms" and a.valid]
    parsed_and_stored = [a for m, f, a in gateway.served if is_storing(m, f) and a.valid]
    # Nothing invented; every valid listing that sync stores is in the store.
    listed = set()
    for m, _f, a in gateway.served:
        if m == "getallsms" and 200 <= a.status < 300:
            listed |= _ids_in_body(a.body)
    assert set(ids) <= listed | listed_ids(served_ok)
    assert listed_ids(parsed_and_stored) <= set(ids)


def _ids_in_body(body: bytes) -> set[int]:
    """Ids a broken-but-readable listing may still carry (sync may store what parses)."""
    try:
        payload = parse_json(body)
        if not isinstance(payload, dict):
            return set()
        return {m.id for m in parse.parse_message_list(payload).messages}
    except (ValueError, RecursionError, OverflowError, TypeError):
        return set()


def parse_json(body: bytes) -> Any:
    import json

    return json.loads(body)


async def _sync_twice(store: Store, gateway: FakeGateway) -> list[BaseException | None]:
    client = make_client(gateway)
    client.zone = AccountZone()  # learnt from the listings, not configured
    syncer = Syncer(store, client, first_sync_days=3, window_days=1, overlap_minutes=10, device_interval=60)
    outcomes: list[BaseException | None] = []
    try:
        for force in (False, True):
            try:
                await syncer.sync(force=force)
                outcomes.append(None)
            except ApiError as exc:
                outcomes.append(exc)
    finally:
        await client.aclose()
    return outcomes


SYNC_METHODS = ("getallsms", "onlycount", "getalldevices", "getdevicestatus", "getsmsstatus")


def _run_sync(queues: dict[str, list[fz.Answer]]) -> tuple[list[BaseException | None], FakeGateway, Store, Any]:
    tmp = tempfile.TemporaryDirectory(prefix="smstui-fuzz-")
    store = Store(Path(tmp.name) / "store.sqlite3")
    gateway = FakeGateway(queues)
    return asyncio.run(_sync_twice(store, gateway)), gateway, store, tmp


@SYNC_PROFILE
@given(data=st.data())
def test_sync_stores_quirky_listings(data: st.DataObject) -> None:
    queues = {m: data.draw(st.lists(fz.valid_answer(m), min_size=1, max_size=4), label=m) for m in SYNC_METHODS}
    outcomes, gateway, store, tmp = _run_sync(queues)
    try:
        assert outcomes == [None, None]
        check_store(store, gateway)
    finally:
        store.close()
        tmp.cleanup()


@SYNC_PROFILE
@given(data=st.data())
def test_sync_on_broken_answers_raises_api_errors_and_keeps_the_store_sound(data: st.DataObject) -> None:
    queues = {m: data.draw(st.lists(fz.answers(m), min_size=1, max_size=4), label=m) for m in SYNC_METHODS}
    outcomes, gateway, store, tmp = _run_sync(queues)
    try:
        assert all(o is None or isinstance(o, ApiError) for o in outcomes)
        check_store(store, gateway)
        # The store stays usable: a sync against a sane gateway goes through afterwards.
        sane = FakeGateway(
            {
                "getallsms": [
                    fz.Answer(
                        200,
                        b'{"error":0,"smss":{"7":{"id":7,"status":7,"sendto":"+4915752982212",'
                        b'"created":{"date":"2024-05-01 10:00:00","timezone_type":3,"timezone":"UTC"}}}}',
                        truth=[fz.MessageTruth(7, 7, None, False, None, None, "")],
                        valid=True,
                    )
                ],
                "onlycount": [fz.Answer(200, b'{"error":0,"count":1}')],
                "getalldevices": [fz.Answer(200, b'{"error":0,"device":[]}')],
                "getsmsstatus": [fz.Answer(200, b'{"error":0,"sms_id":7,"status":7}')],
            }
        )
        assert asyncio.run(_sync_twice(store, sane)) == [None, None]
        assert 7 in stored_ids(store)
        assert store._query("PRAGMA integrity_check") == [("ok",)]
        assert_no_duplicates(store)
    finally:
        store.close()
        tmp.cleanup()


# ------------------------------------------------------------------ regressions the fuzzing found


def _listing(message: dict[str, Any]) -> bytes:
    import json

    return json.dumps(
        {"error": 0, "smss": {"1": {"id": 1, "status": 1, "sendto": "+4915752982212", **message}}}
    ).encode()


async def _list_once(body: bytes) -> MessageList:
    gateway = FakeGateway({"getallsms": [fz.Answer(200, body)]})
    client = make_client(gateway)
    try:
        return await client.list_messages()
    finally:
        await client.aclose()


@pytest.mark.parametrize(
    "value",
    [
        {"date": "9999-12-31 23:59:59.000000", "timezone_type": 1, "timezone": "-12:00"},
        {"date": "0001-01-01 00:00:00.000000", "timezone_type": 1, "timezone": "+14:00"},
        "9999-12-31T23:59:59-05:00",
    ],
)
def test_a_date_beyond_datetime_in_utc_is_a_value_error_not_overflow(value: Any) -> None:
    # Was: OverflowError from astimezone, which the client's _read did not catch.
    with pytest.raises(ValueError, match="out of range"):
        parse.read_date(value)
    with pytest.raises(ResponseFormatError):
        asyncio.run(_list_once(_listing({"created": value})))


def test_an_offset_date_beyond_datetime_is_no_evidence_of_the_zone() -> None:
    zone = AccountZone(local=lambda: ZoneInfo("Europe/Berlin"))
    zone.observe_offset({"date": "9999-12-31 23:59:59.000000", "timezone_type": 1, "timezone": "-12:00"})
    # Was: OverflowError when the stand-in zone was checked against the evidence (any send time).
    assert zone.stand_in_problem() is None and zone.for_writing() == ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(
    "raw",
    [2**63, -(2**63) - 1, "9223372036854775808", 1e19, "1e308", 10**4000],
    ids=["2**63", "-2**63-1", "str 2**63", "1e19", "str 1e308", "10**4000"],
)
def test_numbers_beyond_64_bits_are_refused(raw: Any) -> None:
    # Was: accepted, then OverflowError ("Python int too large to convert to SQLite INTEGER") in the store.
    with pytest.raises(ValueError, match="64-bit"):
        parse.opt_int(raw)
    for field in ("id", "status", "deviceid", "customerid", "sim", "paketid"):
        with pytest.raises(ValueError):
            parse.parse_message({"id": 1, "status": 1, field: raw})
    assert parse.opt_int(fz.INT64_MAX) == fz.INT64_MAX and parse.opt_int(-(2**63)) == -(2**63)


@pytest.mark.parametrize("raw", [0, "0", -1, " -7 ", fz.INT64_MAX + 1])
def test_gateway_ids_are_positive_and_fit_sqlite(raw: Any) -> None:
    with pytest.raises(ValueError):
        parse.parse_message({"id": raw, "status": 1})
    with pytest.raises(ValueError):
        parse.first_int({"tag_id": raw}, "tag_id", "id")
    with pytest.raises(ValueError):
        parse.parse_sms_status({"sms_id": raw, "status": 1})
    with pytest.raises(ValueError):
        parse.parse_device({"id": raw})
    assert parse.parse_message({"id": fz.INT64_MAX, "status": 1}).id == fz.INT64_MAX


def test_an_id_beyond_64_bits_in_a_save_answer_is_a_format_error() -> None:
    gateway = FakeGateway({"savetag": [fz.Answer(200, b'{"error":0,"tag_id":9223372036854775808}')]})

    async def save() -> int:
        client = make_client(gateway)
        try:
            return await client.save_tag("vip")
        finally:
            await client.aclose()

    with pytest.raises(ResponseFormatError):
        asyncio.run(save())


@pytest.mark.parametrize(
    "body",
    [b"[" * 100_000 + b"]" * 100_000, b'{"error":0,"smss":' + b'{"a":' * 5_000 + b"1" + b"}" * 5_001],
    ids=["100k lists", "5k objects in smss"],
)
def test_json_nested_beyond_the_recursion_limit_is_a_format_error(body: bytes) -> None:
    # Was: RecursionError out of json.loads in the client's _decode.
    with pytest.raises(ResponseFormatError, match="nested too deeply"):
        asyncio.run(_list_once(body))


def test_lone_surrogates_are_stored_as_replacement_characters(tmp_path: Path) -> None:
    # JSON may escape half a surrogate pair ("\ud800"); json.loads keeps it, SQLite cannot encode it.
    # Was: UnicodeEncodeError (a ValueError, not an ApiError) out of Store.upsert_messages, every sync.
    body = (
        b'{"error":0,"smss":{"5":{"id":5,"status":"5","sendto":"+49157\\ud800","body":"hi \\udc00 there",'
        b'"statustitle":"\\ud83d","pakettitle":"x\\ud800"}}}'
    )
    listing = asyncio.run(_list_once(body))
    message = listing.messages[0]
    assert message.body == "hi \ufffd there" and message.phone == "+49157\ufffd" and message.status_title == "\ufffd"
    with Store(tmp_path / "s.sqlite3") as store:
        store.upsert_messages(listing.messages)
        assert store.message_by_sms_id(5).body == "hi \ufffd there"
    assert parse.parse_device({"id": 3, "title": "\udfff"}).title == "\ufffd"
