"""The API client against the simulator over real loopback HTTP: every method, every fault."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from smstui.core.api.client import GatewayClient, ImageUpload
from smstui.core.api.errors import (
    AuthError,
    GatewayError,
    ResponseFormatError,
    TransportError,
)
from smstui.core.gateway_messages import MessageFilter, OutgoingSms
from smstui.core.models import Slot
from smstui.simulator.seed import OFFICE_PHONE, OLD_PHONE, TRAVEL_PHONE

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
async def client(sim):
    async with GatewayClient(sim.url, email=sim.email, password=sim.password, timeout=5, clock=sim.clock) as c:
        yield c


async def test_wrong_password_is_an_auth_error(sim) -> None:
    async with GatewayClient(sim.url, timeout=5) as c:
        with pytest.raises(AuthError) as err:
            await c.get_token(sim.email, "not-the-password")
    assert "Check the email and password" in str(err.value)
    assert "not-the-password" not in str(err.value)


async def test_token_is_kept_and_reported(sim) -> None:
    seen: list[str] = []
    async with GatewayClient(sim.url, on_token=seen.append, timeout=5) as c:
        token = await c.get_token(sim.email, sim.password)
        assert seen == [token] and c.has_token
        assert token not in repr(c) and "pass" not in repr(c)


async def test_devices_with_sims_and_quirks(client) -> None:
    devices = {d.id: d for d in await client.devices()}
    assert set(devices) == {OFFICE_PHONE, TRAVEL_PHONE, OLD_PHONE}
    office = devices[OFFICE_PHONE]
    assert [s.slot for s in office.sims] == [0, 1]
    assert office.app_version_current is True
    travel = devices[TRAVEL_PHONE]
    assert travel.imei is None and travel.sims[0].roaming is True
    assert travel.sims[0].number == "4915752982212"
    assert devices[OLD_PHONE].sims == ()
    for device in devices.values():
        assert device.last_seen is not None and device.last_seen.tzinfo is not None
    assert str(await client.ensure_timezone()) == "Europe/Berlin"  # from message dates, not device dates


async def test_device_status_online_and_offline(client) -> None:
    online = await client.device_status(OFFICE_PHONE)
    offline = await client.device_status(OLD_PHONE)
    assert online.online is True
    assert offline.online is False and offline.seconds_since_seen > 3600


async def test_add_sms_then_follow_its_status(sim, client) -> None:
    sms_id = await client.add_sms(
        OutgoingSms(sendto="+4915123456781", body="Hallo 👋", device_id=OFFICE_PHONE, slot=Slot.SMS2)
    )
    status = await client.sms_status(sms_id)
    assert status.sms_id == sms_id and status.status == 1 and not status.final
    sim.advance(60)
    assert (await client.sms_status(sms_id)).status == 7
    listed = await client.list_messages(MessageFilter(phone="+4915123456781", order_desc=True))
    mine = next(m for m in listed.messages if m.id == sms_id)
    assert mine.body == "Hallo 👋" and mine.slot == 1 and mine.device_id == OFFICE_PHONE


async def test_failure_numbers_reach_a_failed_status(sim, client) -> None:
    sms_id = await client.add_sms(OutgoingSms(sendto="+4915229990000", body="x", device_id=OFFICE_PHONE))
    sim.advance(120)
    status = await client.sms_status(sms_id)
    assert status.final and status.status == 9


async def test_scheduled_message_keeps_its_time(sim, client) -> None:
    when = sim.clock() + timedelta(hours=3)
    when = when.replace(microsecond=0)
    await client.ensure_timezone()
    sms_id = await client.add_sms(
        OutgoingSms(sendto="+4917012345673", body="later", device_id=OFFICE_PHONE, timetosend=when)
    )
    sim.advance(3600)
    assert (await client.sms_status(sms_id)).status == 1
    listed = await client.list_messages(MessageFilter(phone="+4917012345673"))
    mine = next(m for m in listed.messages if m.id == sms_id)
    assert mine.scheduled_at == when


async def test_add_sms_without_token(sim) -> None:
    async with GatewayClient(sim.url, timeout=5) as c:
        sms_id = await c.add_sms_without_token(
            OutgoingSms(sendto="+4915123456781", body="one-shot", device_id=OFFICE_PHONE), sim.email, sim.password
        )
        assert sms_id > 0
        with pytest.raises(AuthError):
            await c.add_sms_without_token(
                OutgoingSms(sendto="+4915123456781", body="x", device_id=OFFICE_PHONE), sim.email, "wrong"
            )


async def test_image_upload_replaces_body_with_url(sim, client, tmp_path: Path) -> None:
    image = tmp_path / "pic.png"
    image.write_bytes(PNG)
    upload = ImageUpload.from_path(image)
    sms_id = await client.add_sms(
        OutgoingSms(sendto="+4915123456781", body="see picture", device_id=OFFICE_PHONE, slot=Slot.WHATSAPP), upload
    )
    listed = await client.list_messages(MessageFilter(phone="+4915123456781"))
    body = next(m.body for m in listed.messages if m.id == sms_id)
    assert body.startswith("http://127.0.0.1:") and body.endswith(".png")


def test_image_validation_is_clear(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(ValueError, match="not a JPEG, PNG, WebP or GIF"):
        ImageUpload.from_path(text)
    with pytest.raises(ValueError, match="is not a file"):
        ImageUpload.from_path(tmp_path / "missing.png")


async def test_add_many_and_recover_by_customer_id(client) -> None:
    batch = [
        OutgoingSms(sendto=f"+49151000000{i:02d}", body=f"bulk {i}", device_id=OFFICE_PHONE, customer_id=987654)
        for i in range(25)
    ]
    assert await client.add_many_sms(batch) is None
    found = await client.list_messages(MessageFilter(customer_id=987654))
    assert sorted(m.body for m in found.messages) == sorted(s.body for s in batch)
    assert await client.count_messages(MessageFilter(customer_id=987654)) == 25


async def test_message_list_filters(sim, client) -> None:
    everything = await client.list_messages()
    assert everything.count == len(everything.messages) > 100
    incoming = await client.list_messages(MessageFilter(status=5))
    assert incoming.messages and all(m.incoming for m in incoming.messages)
    device = await client.list_messages(MessageFilter(device_id=TRAVEL_PHONE))
    assert device.messages and all(m.device_id == TRAVEL_PHONE for m in device.messages)
    now = sim.clock()
    recent = await client.list_messages(MessageFilter(begin=now - timedelta(days=2), end=now))
    assert all(now - timedelta(days=2, seconds=1) <= m.created <= now + timedelta(seconds=1) for m in recent.messages)
    assert len(recent.messages) < len(everything.messages)
    assert await client.count_messages(MessageFilter(status=5)) == len(incoming.messages)


async def test_incoming_reply_arrives(sim, client) -> None:
    sms_id = await client.add_sms(OutgoingSms(sendto="+4917012345673", body="ping", device_id=OFFICE_PHONE))
    sim.advance(3600)
    assert (await client.sms_status(sms_id)).status == 7
    replies = await client.list_messages(
        MessageFilter(phone="+4917012345673", status=5, begin=sim.clock() - timedelta(hours=2))
    )
    assert replies.messages, "the simulator's replying numbers answer after delivery"


async def test_tags_contacts_newsletters(sim, client) -> None:
    tag = await client.save_tag("VIP")
    contact = await client.save_contact(tag, "+4915123456781", "Anna")
    assert tag > 0 and contact > 0
    paket = await client.save_newsletter("Sale", OFFICE_PHONE, "20% off", [tag], slot=0, send_at=None)
    assert paket > 0
    with pytest.raises(GatewayError):
        await client.save_newsletter("Bad", 999999, "x", [tag])


async def test_gateway_refusal_keeps_the_gateways_words(client) -> None:
    with pytest.raises(GatewayError) as err:
        await client.add_sms(OutgoingSms(sendto="+4915123456781", body="x", device_id=424242))
    assert err.value.gateway_message
    assert "refused addsms" in str(err.value)


async def test_expired_token_is_renewed_once(sim, client) -> None:
    await client.devices()
    sim.faults.set("expire_tokens", count=1)
    assert len(await client.devices()) == 3  # renewed and retried transparently


async def test_expired_token_without_credentials_is_an_auth_error(sim) -> None:
    async with GatewayClient(sim.url, token=sim.token(), timeout=5) as c:
        await c.devices()
        sim.faults.set("expire_tokens", count=1)
        with pytest.raises(AuthError, match="Log in again"):
            await c.devices()


async def test_a_token_renewed_by_another_process_is_used(sim) -> None:
    """The app and its sync worker share the profile's token file: when one renews the token,
    the other's refused call takes the saved one instead of failing (or logging in again)."""
    saved: list[str] = []
    async with GatewayClient(
        sim.url, token=sim.token(), stored_token=lambda: saved[-1] if saved else None, timeout=5
    ) as c:
        await c.devices()
        sim.faults.set("expire_tokens", count=1)
        saved.append(sim.token())  # the other process logged in again and saved its token
        assert len(await c.devices()) == 3
        assert c.has_token


async def test_a_saved_token_that_is_the_refused_one_changes_nothing(sim) -> None:
    async with GatewayClient(sim.url, token=sim.token(), timeout=5) as c:
        refused = c._token
        c.stored_token = lambda: refused
        await c.devices()
        sim.faults.set("expire_tokens", count=1)
        with pytest.raises(AuthError, match="Log in again"):
            await c.devices()


@pytest.mark.parametrize(
    ("fault", "kind", "maybe_accepted", "text"),
    [
        ("http500", "http", True, "internal error"),
        ("html502", "http", True, "HTTP 502"),
        ("malformed_json", "not_json", True, "not JSON"),
        ("empty_body", "not_json", True, "an empty answer"),
        ("drop", "dropped", True, "connection"),
        ("response_lost", "dropped", True, "connection"),
    ],
)
async def test_each_fault_is_a_clear_transport_error(sim, client, fault, kind, maybe_accepted, text) -> None:
    await client.get_token()
    sim.faults.set(fault, methods={"addsms"}, count=1)
    with pytest.raises(TransportError) as err:
        await client.add_sms(OutgoingSms(sendto="+4915123456781", body="fault", device_id=OFFICE_PHONE))
    assert err.value.kind == kind and err.value.maybe_accepted is maybe_accepted
    assert text in str(err.value)
    assert "Traceback" not in str(err.value)


async def test_response_lost_means_the_gateway_did_act(sim, client) -> None:
    await client.get_token()
    before = await client.count_messages(MessageFilter(phone="+4915123456781"))
    sim.faults.set("response_lost", methods={"addsms"}, count=1)
    with pytest.raises(TransportError):
        await client.add_sms(OutgoingSms(sendto="+4915123456781", body="lost answer", device_id=OFFICE_PHONE))
    assert await client.count_messages(MessageFilter(phone="+4915123456781")) == before + 1


async def test_timeout_is_reported_with_the_url(sim) -> None:
    sim.faults.set("latency", seconds=2, methods={"getalldevices"}, count=1)
    async with GatewayClient(sim.url, email=sim.email, password=sim.password, timeout=0.5) as c:
        await c.get_token()
        with pytest.raises(TransportError) as err:
            await c.devices()
    assert err.value.kind == "timeout" and err.value.maybe_accepted
    assert sim.url in str(err.value)


async def test_unreachable_url_names_the_url() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/getdata/"
    async with GatewayClient(url, email="a@b.c", password="x", timeout=2) as c:
        with pytest.raises(TransportError) as err:
            await c.get_token()
    assert err.value.kind == "connect" and err.value.maybe_accepted is False
    assert url in str(err.value) and "Cannot reach" in str(err.value)


async def test_html_page_at_a_wrong_url(sim) -> None:
    async with GatewayClient(sim.root_url + "/nothing-here/", email=sim.email, password=sim.password, timeout=5) as c:
        with pytest.raises(TransportError) as err:
            await c.get_token()
    assert "Check" in str(err.value)


async def test_requests_and_bytes_are_counted(client) -> None:
    await client.devices()
    assert client.request_count == 2  # gettoken + getalldevices
    assert client.bytes_received > 100


def test_format_time_needs_an_aware_datetime() -> None:
    c = GatewayClient("http://127.0.0.1:9/getdata/", gateway_tz=UTC)
    with pytest.raises(ValueError):
        c.format_time(datetime(2030, 1, 1))
    assert c.format_time(datetime(2030, 1, 1, 12, tzinfo=UTC)) == "2030-01-01 12:00:00"
    # With the account's zone unknown (and nothing contradicting it), the machine's stands in.
    from smstui.core.gateway_time import local_zone

    unknown = GatewayClient("http://127.0.0.1:9/getdata/")
    moment = datetime(2030, 1, 1, 12, tzinfo=UTC)
    assert unknown.format_time(moment) == moment.astimezone(local_zone()).strftime("%Y-%m-%d %H:%M:%S")


def test_malformed_shape_is_a_format_error() -> None:
    c = GatewayClient("http://127.0.0.1:9/getdata/")
    with pytest.raises(ResponseFormatError):
        c._read("getallsms", lambda: (_ for _ in ()).throw(ValueError("smss is neither a list nor an object")))


def _redirecting(status: int, seen: list[tuple[str, str]]) -> httpx.MockTransport:
    import httpx

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append((request.method, str(request.url)))
        if request.url.path.startswith("/old/"):
            return httpx.Response(status, headers={"location": "https://new.test/getdata/addsms"})
        return httpx.Response(200, json={"error": 0, "sms_id": 5, "message": "ok"})

    return httpx.MockTransport(handler)


@pytest.mark.parametrize("status", [301, 302, 303])
async def test_a_redirect_never_turns_the_post_into_a_get(status: int) -> None:
    seen: list[tuple[str, str]] = []
    sms = OutgoingSms(sendto="+4915100000001", body="x", device_id=1)
    async with GatewayClient("https://old.test/old/", token="t", transport=_redirecting(status, seen)) as c:
        with pytest.raises(TransportError) as err:
            await c.add_sms(sms)
    assert seen == [("POST", "https://old.test/old/addsms")]  # nothing followed, nothing as GET
    assert err.value.maybe_accepted is False and "https://new.test/getdata/addsms" in str(err.value)


@pytest.mark.parametrize("status", [307, 308])
async def test_307_and_308_post_again_to_the_new_place(status: int) -> None:
    seen: list[tuple[str, str]] = []
    sms = OutgoingSms(sendto="+4915100000001", body="x", device_id=1)
    async with GatewayClient("https://old.test/old/", token="t", transport=_redirecting(status, seen)) as c:
        assert await c.add_sms(sms) == 5
    assert seen == [("POST", "https://old.test/old/addsms"), ("POST", "https://new.test/getdata/addsms")]


async def test_an_html_404_is_a_definite_refusal() -> None:
    import httpx

    transport = httpx.MockTransport(lambda r: httpx.Response(404, html="<html><h1>Not Found</h1></html>"))
    async with GatewayClient("https://gw.test/wrong/", token="t", transport=transport) as c:
        with pytest.raises(TransportError) as err:
            await c.add_sms(OutgoingSms(sendto="+4915100000001", body="x", device_id=1))
    # Not "maybe accepted": the outbox must not send it to reconciliation.
    assert err.value.maybe_accepted is False and "HTTP 404" in str(err.value) and "an HTML page" in str(err.value)
