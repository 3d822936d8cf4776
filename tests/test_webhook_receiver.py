"""The receiver's HTTP face (smstui.webhook.receiver), in process over httpx's ASGI transport:
only POST /<secret> answers; wrong paths 404 with nothing in it, oversized 413, malformed 400
and counted, a source over its rate 429, a full queue 503, and no error ever reaches the client
as more than an empty 500. The real-socket runs are in test_webhook_serve.py."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from smstui.core.api.errors import GatewayError
from smstui.core.gateway_messages import Message, SmsStatus
from smstui.core.store.connection import StoreError
from smstui.core.store.database import Store
from smstui.webhook import secret as secrets
from smstui.webhook.apply import Applier
from smstui.webhook.receiver import RateLimit, create_app

SECRET = "k" * 20 + "Q_-" + "z" * 20  # the shape token_urlsafe(32) has: 43 URL-safe characters
STATUS = {"sms_id": 62807347, "status_id": 6, "status_message": "Sent", "sendto": "+4915752982212", "device_id": 1297}
INCOMING = {"address": "+4915752982212", "date": "2026-05-20 13:59:00", "body": "On my way", "sms_id": 62807400,
            "device_id": 1297, "type": "text"}  # fmt: skip


class FakeGateway:
    """getsmsstatus of a few messages; any other id is unknown (the vendor's error)."""

    def __init__(self, statuses: dict[int, int] | None = None) -> None:
        self.statuses = statuses or {}
        self.asked: list[int] = []

    async def __call__(self, sms_id: int) -> SmsStatus:
        self.asked.append(sms_id)
        if sms_id not in self.statuses:
            raise GatewayError("getsmsstatus", "Sms not found")
        return SmsStatus(sms_id, self.statuses[sms_id])


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(tmp_path / "s.sqlite3", region="DE")
    s.upsert_messages([Message(id=62807347, phone="+4915752982212", body="Server down", status=1, device_id=1297)])
    yield s
    s.close()


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def gateway() -> FakeGateway:
    return FakeGateway({62807400: 5, 62807347: 6})


@pytest.fixture
async def hooks(store: Store, gateway: FakeGateway) -> AsyncIterator[Applier]:
    applier = Applier(store, gateway)
    yield applier
    await applier.aclose()


def client_for(app: Any, client: tuple[str, int] = ("203.0.113.5", 4711)) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=client), base_url="http://hook.example")


@pytest.fixture
async def http(hooks: Applier, clock: Clock) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(create_app(hooks, SECRET, clock=clock)) as client:
        yield client


async def test_both_kinds_are_taken(http: httpx.AsyncClient, hooks: Applier, store: Store) -> None:
    answer = await http.post(f"/{SECRET}", json=STATUS)
    assert (answer.status_code, answer.json()) == (200, {"ok": True})
    assert store.message_by_sms_id(62807347).status == 6
    answer = await http.post(f"/{SECRET}", content=json.dumps(INCOMING), headers={"content-type": "text/plain"})
    assert answer.status_code == 200
    await hooks.drain()
    assert store.message_by_sms_id(62807400).body == "On my way"
    assert store.webhook_counts() == (2, 0)
    assert store.last_webhook()[1] == "incoming"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/"),
        ("POST", "/wrong"),
        ("POST", f"/{SECRET}/"),
        ("POST", f"/{SECRET}x"),
        ("POST", f"/{SECRET[:-1]}"),
        ("POST", f"/{SECRET.upper()}"),
        ("POST", f"//{SECRET}"),
        ("POST", f"/%6B{SECRET[1:]}"),  # percent-encoded: the same decoded, not the same door
        ("POST", f"/api/{SECRET}"),
        ("GET", f"/{SECRET}"),
        ("PUT", f"/{SECRET}"),
        ("OPTIONS", f"/{SECRET}"),
        ("DELETE", "/"),
        ("BREW", f"/{SECRET}"),
    ],
)
async def test_anything_else_is_404_with_nothing_in_it(
    http: httpx.AsyncClient, store: Store, method: str, path: str
) -> None:
    answer = await http.request(method, path, json=STATUS)
    assert answer.status_code == 404
    assert answer.content == b""
    assert "allow" not in answer.headers and "location" not in answer.headers
    assert store.message_by_sms_id(62807347).status == 1  # nothing written
    assert store.webhook_counts() == (0, 0)  # not even counted: a scanner is no webhook


async def test_an_oversized_body_is_413(http: httpx.AsyncClient, store: Store) -> None:
    big = json.dumps({**INCOMING, "body": "x" * 70_000}).encode()
    assert (await http.post(f"/{SECRET}", content=big)).status_code == 413

    async def stream() -> AsyncIterator[bytes]:  # no Content-Length: the stream is counted
        for _ in range(100):
            yield b" " * 1024

    answer = await http.post(f"/{SECRET}", content=stream())
    assert answer.status_code == 413 and answer.content == b""
    assert store.message_count() == 1


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"[1, 2]",
        b'"text"',
        b"{}",
        b'{"sms_id": "x", "status_id": 7}',
        b"\xff\xfe",
        b'{"address": "+1", "sms_id": 1, "body": "a", "type": "video"}',
    ],  # fmt: skip
)
async def test_malformed_is_400_and_counted(http: httpx.AsyncClient, store: Store, body: bytes) -> None:
    answer = await http.post(f"/{SECRET}", content=body)
    assert answer.status_code == 400
    assert answer.json()["ok"] is False and answer.json()["error"]
    assert store.webhook_counts() == (0, 1)
    assert store.last_webhook() is None  # garbage does not make the app think the gateway pushes


async def test_a_source_over_its_rate_is_429(hooks: Applier, clock: Clock) -> None:
    app = create_app(hooks, SECRET, rate_limit=RateLimit(rate=1.0, burst=3), clock=clock)
    async with client_for(app) as http, client_for(app, ("198.51.100.7", 1)) as other:
        codes = [(await http.post("/probe")).status_code for _ in range(4)]
        assert codes == [404, 404, 404, 429]  # wrong paths spend the bucket too
        assert (await http.post(f"/{SECRET}", json=STATUS)).status_code == 429
        assert (await other.post(f"/{SECRET}", json=STATUS)).status_code == 200  # per source
        clock.now += 1.0  # a second later, one more
        assert (await http.post(f"/{SECRET}", json=STATUS)).status_code == 200
        assert (await http.post(f"/{SECRET}", json=STATUS)).status_code == 429
    assert app.state.receiver.counters.limited == 3


async def test_forwarded_for_counts_only_behind_a_trusted_proxy(hooks: Applier, clock: Clock) -> None:
    limit = RateLimit(rate=0.0, burst=1)
    spoofed = {"x-forwarded-for": "10.0.0.1"}
    plain = create_app(hooks, SECRET, rate_limit=limit, clock=clock)
    async with client_for(plain) as http:
        assert (await http.post("/x", headers=spoofed)).status_code == 404
        # A client cannot buy a new bucket by writing the header: the connection's address counts.
        assert (await http.post("/x", headers={"x-forwarded-for": "10.0.0.2"})).status_code == 429
    proxied = create_app(hooks, SECRET, rate_limit=limit, clock=clock, trust_proxy=True)
    async with client_for(proxied, ("127.0.0.1", 1)) as http:
        # Behind the proxy the last entry is the one it added; earlier ones are the client's word.
        assert (await http.post("/x", headers={"x-forwarded-for": "1.1.1.1, 10.0.0.1"})).status_code == 404
        assert (await http.post("/x", headers={"x-forwarded-for": "2.2.2.2, 10.0.0.1"})).status_code == 429
        assert (await http.post("/x", headers={"x-forwarded-for": "10.0.0.2"})).status_code == 404


async def test_ipv6_callers_share_the_bucket_of_their_64(hooks: Applier, clock: Clock) -> None:
    limit = RateLimit(rate=0.0, burst=1)
    app = create_app(hooks, SECRET, rate_limit=limit, clock=clock)
    async with client_for(app, ("2001:db8:1:2::1", 1)) as one, client_for(app, ("2001:db8:1:2::ffff", 1)) as two:
        assert (await one.post("/x")).status_code == 404
        assert (await two.post("/x")).status_code == 429  # the same /64
    async with client_for(app, ("2001:db8:1:3::1", 1)) as other:
        assert (await other.post("/x")).status_code == 404


async def test_a_body_that_does_not_arrive_is_408(hooks: Applier, clock: Clock) -> None:
    import asyncio

    never = asyncio.Event()

    async def stalled() -> AsyncIterator[bytes]:
        yield b'{"sms_id": 1,'
        await never.wait()  # the caller stops sending and keeps the connection
        yield b"}"

    app = create_app(hooks, SECRET, clock=clock, body_timeout=0.05)
    async with client_for(app) as http:
        answer = await http.post(f"/{SECRET}", content=stalled())
    assert (answer.status_code, answer.content) == (408, b"")


async def test_a_full_queue_is_503(store: Store, clock: Clock) -> None:
    import asyncio

    gate = asyncio.Event()

    async def slow(sms_id: int) -> SmsStatus:
        await gate.wait()
        return SmsStatus(sms_id, 6)

    hooks = Applier(store, slow, queue_size=1)
    async with client_for(create_app(hooks, SECRET, clock=clock)) as http:
        assert (await http.post(f"/{SECRET}", json={**STATUS, "sms_id": 5})).status_code == 200
        answer = await http.post(f"/{SECRET}", json={**STATUS, "sms_id": 6})
        assert answer.status_code == 503 and answer.headers["retry-after"]
    gate.set()
    await hooks.drain()
    await hooks.aclose()


async def test_no_error_reaches_the_client(
    hooks: Applier, clock: Clock, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(hooks, SECRET, clock=clock)

    async def broken(payload: Any) -> Any:
        raise RuntimeError(f"a bug, with {SECRET} in its words")

    monkeypatch.setattr(hooks, "apply", broken)
    async with client_for(app) as http:
        answer = await http.post(f"/{SECRET}", json=STATUS)
    assert (answer.status_code, answer.content) == (500, b"")
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name == "smstui.webhook")
    assert "RuntimeError: a bug, with <secret> in its words" in logged  # the traceback, blanked
    assert SECRET not in logged

    async def locked(payload: Any) -> Any:
        raise StoreError("the local store is locked by another process")

    monkeypatch.setattr(hooks, "apply", locked)
    async with client_for(app) as http:
        answer = await http.post(f"/{SECRET}", json=STATUS)
    assert answer.status_code == 503  # the gateway may send it again


async def test_a_rotated_secret_is_read_while_running(tmp_path: Path, hooks: Applier, clock: Clock) -> None:
    path = tmp_path / "p.webhook"
    old, made = secrets.load_or_create(path)
    assert made and oct(path.stat().st_mode & 0o777) == "0o600"
    app = create_app(hooks, secrets.SecretFile(path, old), clock=clock)
    async with client_for(app) as http:
        assert (await http.post(f"/{old.reveal()}", json=STATUS)).status_code == 200
        new = secrets.rotate(path)
        assert new != old and oct(path.stat().st_mode & 0o777) == "0o600"
        assert (await http.post(f"/{old.reveal()}", json=STATUS)).status_code == 404
        assert (await http.post(f"/{new.reveal()}", json=STATUS)).status_code == 200
        path.write_text("damaged!\n")
        assert (await http.post(f"/{new.reveal()}", json=STATUS)).status_code == 404  # no secret: no door


def test_a_damaged_secret_file_says_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "p.webhook"
    path.write_text("short\n")
    with pytest.raises(secrets.SecretFileError, match="smstui webhook rotate"):
        secrets.load(path)
    assert secrets.load(tmp_path / "none.webhook") is None


async def test_the_secret_is_in_no_log_line_and_no_repr(
    http: httpx.AsyncClient, hooks: Applier, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    for body in (STATUS, INCOMING, {"nope": 1}, {**STATUS, "sms_id": 999}):
        await http.post(f"/{SECRET}", json=body)
    await http.post(f"/{SECRET}", content=b"x" * 70_000)
    await hooks.drain()
    app = create_app(hooks, SECRET)
    # Every log line but the test's own HTTP client's (which names the URL it posted to).
    ours = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith(("httpx", "httpcore")))
    shown = ours + repr(app.state.receiver) + repr(hooks) + repr(app)
    assert SECRET not in shown
    assert "rejected" in ours  # the rejections were logged, without the body
    assert "nope" not in ours
