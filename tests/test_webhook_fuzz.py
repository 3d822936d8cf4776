"""Fuzzing the receiver (smstui.webhook.receiver + apply + payloads) with arbitrary requests:
methods, paths (the secret, near misses, junk), headers and bodies (bytes, junk JSON, the two
documented shapes with values replaced by junk). Whatever comes: no 500 and no error inside,
only the documented answers; a request on a wrong path or with a wrong method changes nothing in
the store (not even a counter); and the store stays whole (SQLite's integrity check, thread
summaries that agree with the rows, every sent message's text and recipient as they were).

SMSTUI_FUZZ=long runs 10,000 examples instead of the CI's 250."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from hypothesis import HealthCheck, given, settings, strategies as st

from smstui.core.api.errors import GatewayError
from smstui.core.gateway_messages import Message, SmsStatus
from smstui.core.store.database import Store
from smstui.webhook.apply import Applier
from smstui.webhook.receiver import RateLimit, create_app
from tests import fuzz_strategies as fz
from tests.test_sync import assert_no_duplicates

SECRET = "s3cr3t_" + "A" * 36
KNOWN = {100: 1, 101: 3, 102: 6, 103: 7, 104: 9, 200: 5}  # the gateway's statuses of the seeded ids
ANSWERS = {200, 400, 404, 408, 413, 429, 503}

_COMMON: dict[str, Any] = dict(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
    print_blob=True,
)
EXAMPLES = 10_000 if os.environ.get("SMSTUI_FUZZ") == "long" else 250


class Gateway:
    async def __call__(self, sms_id: int) -> SmsStatus:
        if sms_id not in KNOWN:
            raise GatewayError("getsmsstatus", "Sms not found")
        return SmsStatus(sms_id, KNOWN[sms_id])


def seeded(path: Path) -> Store:
    store = Store(path, region="DE")
    store.upsert_messages(
        [
            Message(id=sms_id, phone=f"+49151234567{sms_id % 10}", body=f"sent {sms_id}", status=status, device_id=1297)
            for sms_id, status in KNOWN.items()
            if status != 5
        ]
        + [Message(id=200, phone="+4915123456700", body="a reply", status=5, device_id=1297)]
    )
    return store


def snapshot(store: Store) -> Any:
    return (
        store._query("SELECT lid, sms_id, phone, body, status, outbox, incoming, seen FROM messages ORDER BY lid"),
        store._query("SELECT * FROM threads ORDER BY phone_key"),
        store._query("SELECT key, value FROM meta WHERE key LIKE 'webhook.%' ORDER BY key"),
        store._query("SELECT * FROM optouts ORDER BY phone_key"),
    )


def sent_texts(store: Store) -> list[Any]:
    return store._query("SELECT sms_id, phone, body, device_id FROM messages WHERE incoming = 0 ORDER BY sms_id")


# ------------------------------------------------------------------ strategies


def ids() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.sampled_from(sorted(KNOWN)).flatmap(fz.int_forms),
        fz.gateway_ids(),
        fz.junk_scalars(),
    )


def dates() -> st.SearchStrategy[Any]:
    return st.one_of(fz.php_dates().map(lambda d: d[0]), fz.junk_dates(), st.integers(0, 2**40))


def maybe_junk(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(strategy, strategy, fz.junk())


def status_like() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {"sms_id": ids(), "status_id": maybe_junk(st.sampled_from(fz.KNOWN_STATUSES + (0, 4, 404)))},
        optional={
            "status_message": maybe_junk(fz.texts()),
            "sendto": maybe_junk(fz.texts(20)),
            "senttime": dates(),
            "channel_id": maybe_junk(st.integers(0, 9)),
            "device_id": maybe_junk(st.sampled_from([1297, 11231, 1])),
            "extra": fz.junk(),
        },
    )


def incoming_like() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {"address": maybe_junk(st.sampled_from(["+4915123456700", "015123456701", "Amazon", ""])), "sms_id": ids()},
        optional={
            "body": maybe_junk(st.one_of(fz.texts(), st.sampled_from(["STOP", "Start", "[b]x[/b]\x1b[2J"]))),
            "date": dates(),
            "date_sent": dates(),
            "internal_id": maybe_junk(st.integers(0, 10**6)),
            "channel_id": maybe_junk(st.integers(0, 9)),
            "device_id": maybe_junk(st.sampled_from([1297, 11231])),
            "device_name": maybe_junk(fz.texts()),
            "type": maybe_junk(st.sampled_from(["text", "img"])),
            "sim": maybe_junk(st.integers(0, 5)),
            "img_url": maybe_junk(st.sampled_from(["https://smsgateway24.com/u/1.jpg", "ftp://x", "https://a b"])),
        },
    )


def bodies() -> st.SearchStrategy[bytes]:
    return st.one_of(
        status_like().map(fz.to_json_bytes),
        incoming_like().map(fz.to_json_bytes),
        fz.junk().map(fz.to_json_bytes),
        st.binary(max_size=300),
        st.sampled_from([b"", b"{", b"[" * 5000, b'{"sms_id": 100, "status_id": 7}' + b" " * 70_000, fz.HTML_PAGES[0]]),
    )


def paths() -> st.SearchStrategy[bytes]:
    door = f"/{SECRET}".encode()
    return st.one_of(
        st.just(door),
        st.just(door),
        st.sampled_from(
            [door + b"/", door[:-1], door + b"?x=1", b"/%73" + door[2:], b"/", b"/a" + door, door.upper(), b"*", b""]
        ),
        st.binary(max_size=60).map(lambda b: b"/" + b),
        st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=60).map(
            lambda t: ("/" + t).encode()
        ),
    )


HEADER_NAMES = ["content-type", "x-forwarded-for", "user-agent", "accept", "x-real-ip", "cookie", "x-junk"]


def headers() -> st.SearchStrategy[dict[str, str]]:
    values = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40)
    return st.dictionaries(st.sampled_from(HEADER_NAMES), values, max_size=4)


METHODS = st.sampled_from(["POST", "POST", "POST", "GET", "PUT", "HEAD", "OPTIONS", "PATCH", "DELETE", "FOO"])


# ------------------------------------------------------------------ the property


async def _call(app: Any, method: str, raw_path: bytes, head: dict[str, str], body: bytes) -> tuple[int, bytes]:
    """One request handed to the ASGI app as a server would (any path bytes, any headers; an
    HTTP client would refuse or normalise some of them), the body in a few chunks."""
    query = b""
    if b"?" in raw_path:
        raw_path, query = raw_path.split(b"?", 1)
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": unquote(raw_path.decode("latin-1")),
        "raw_path": raw_path,
        "query_string": query,
        "root_path": "",
        "headers": [(k.encode("latin-1"), v.encode("latin-1")) for k, v in head.items()]
        + [(b"content-length", str(len(body)).encode())],
        "client": ("192.0.2.1", 1),
        "server": ("hook.example", 80),
    }
    parts = [body[i : i + 4096] for i in range(0, len(body), 4096)] or [b""]
    messages = [{"type": "http.request", "body": part, "more_body": i < len(parts) - 1} for i, part in enumerate(parts)]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    return start["status"], b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")


async def _one(store: Store, method: str, path: bytes, head: dict[str, str], body: bytes, trust: bool) -> int:
    applier = Applier(store, Gateway(), confirm_incoming=True)
    app = create_app(applier, SECRET, trust_proxy=trust, rate_limit=RateLimit(rate=1e9, burst=1e9))
    try:
        status, content = await _call(app, method, path, head, body)
        await applier.drain()
    finally:
        await applier.aclose()
    assert app.state.receiver.counters.errors == 0
    if status in (404, 408, 413, 429):
        assert content == b""
    return status


@settings(max_examples=EXAMPLES, **_COMMON)
@given(method=METHODS, path=paths(), head=headers(), body=bodies(), trust=st.booleans())
def test_whatever_arrives_nothing_breaks(
    tmp_path_factory: Any, method: str, path: bytes, head: dict[str, str], body: bytes, trust: bool
) -> None:
    store = seeded(tmp_path_factory.mktemp("fuzz") / "s.sqlite3")
    try:
        before, sent = snapshot(store), sent_texts(store)
        status = asyncio.run(_one(store, method, path, head, body, trust))
        assert status in ANSWERS, status
        right_door = method == "POST" and path.split(b"?", 1)[0] == f"/{SECRET}".encode()
        if not right_door:
            assert status == 404
            assert snapshot(store) == before  # no write from a wrong path, not even a count
        elif status == 400:
            assert store.webhook_counts()[1] == 1
        assert sent_texts(store) == sent  # nothing a webhook says changes what was sent
        assert store._query("PRAGMA integrity_check") == [("ok",)]
        assert_no_duplicates(store)
        for sms_id, code in KNOWN.items():  # a final status is never overwritten
            if code in (5, 7, 9):
                assert store.message_by_sms_id(sms_id).status == code
    finally:
        store.close()


def test_the_property_sees_valid_webhooks_too(tmp_path: Path) -> None:
    # The property is only as good as its valid cases: the driver takes one of each kind.
    store = seeded(tmp_path / "s.sqlite3")
    door = f"/{SECRET}".encode()
    try:
        status = fz.to_json_bytes({"sms_id": "100", "status_id": 3, "device_id": 1297})
        assert asyncio.run(_one(store, "POST", door, {}, status, False)) == 200
        assert store.message_by_sms_id(100).status == 3
        reply = fz.to_json_bytes({"address": "+4915123456700", "sms_id": 200, "body": "x", "type": "text"})
        assert asyncio.run(_one(store, "POST", door, {}, reply, False)) == 200  # a duplicate: taken
        assert store.webhook_counts() == (2, 0)
    finally:
        store.close()
