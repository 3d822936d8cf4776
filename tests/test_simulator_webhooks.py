"""The simulator pushes the vendor's webhooks (api.md "Webhooks") over real loopback HTTP.

A plain http.server collects what the simulated phones POST; the phones move on a FakeClock,
and ``sender.flush()`` waits until everything heard was posted (no sleeps).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from smstui.simulator.seed import OFFICE_PHONE, OLD_PHONE
from smstui.simulator.testing import TestSimulator, running_simulator
from smstui.webhook.payloads import IncomingMessage, StatusUpdate, parse_payload

STEP = 10.0
STATUS_KEYS = ["sms_id", "status_id", "status_message", "sendto", "senttime", "channel_id", "device_id"]
INCOMING_KEYS = [
    "address",
    "date",
    "date_sent",
    "body",
    "internal_id",
    "channel_id",
    "sms_id",
    "device_id",
    "device_name",
    "type",
]


class Collector:
    """An HTTP server on loopback that keeps every JSON body POSTed to it, in arrival order."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.paths: list[str] = []
        collector = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length") or 0)
                collector.bodies.append(json.loads(self.rfile.read(length)))
                collector.paths.append(self.path)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook-secret"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def statuses(self, sms_id: int) -> list[int]:
        return [int(b["status_id"]) for b in self.bodies if "status_id" in b and int(b["sms_id"]) == sms_id]


@pytest.fixture
def collector() -> Iterator[Collector]:
    c = Collector()
    try:
        yield c
    finally:
        c.close()


@pytest.fixture
def sim() -> Iterator[TestSimulator]:
    with running_simulator(step_seconds=STEP) as server:
        yield server


def send(sim: TestSimulator, sendto: str, *, sim_slot: int = 0, device_id: int = OFFICE_PHONE) -> int:
    token = sim.token()
    answer = sim.call("addsms", token=token, sendto=sendto, body="hello", device_id=device_id, sim=sim_slot)
    assert answer["error"] == 0, answer
    return int(answer["sms_id"])


def test_status_webhooks_follow_the_vendors_order_with_3(sim: TestSimulator, collector: Collector) -> None:
    sender = sim.push_webhooks(collector.url)
    sms_id = send(sim, "+4915112340002")
    for _ in range(4):
        sim.advance(STEP)
    assert sender.flush()
    assert collector.statuses(sms_id) == [3, 2, 6, 7]
    assert collector.paths == ["/hook-secret"] * len(collector.bodies)
    for body in collector.bodies:
        assert list(body) == STATUS_KEYS
        assert body["status_message"]
        parsed = parse_payload(body, UTC, now=sim.clock())
        assert isinstance(parsed, StatusUpdate), parsed
        assert parsed.sms_id == sms_id and parsed.device_id == OFFICE_PHONE and parsed.channel_id == 0
    sent = [b for b in collector.bodies if int(b["status_id"]) in (6, 7)]
    assert all(b["senttime"] is not None for b in sent)


def test_a_clock_jump_tells_every_step(sim: TestSimulator, collector: Collector) -> None:
    sender = sim.push_webhooks(collector.url)
    failing = send(sim, "+4915112340000")  # ends in 0000: New -> Taken -> 9
    sim.advance(10 * STEP)
    assert sender.flush()
    assert collector.statuses(failing) == [3, 2, 9]


def test_incoming_reply_and_whatsapp_image(sim: TestSimulator, collector: Collector) -> None:
    sender = sim.push_webhooks(collector.url)
    sms_id = send(sim, "+4915112340001")  # ends in 1: replies after delivery
    for _ in range(5):
        sim.advance(STEP)
    image = sim.state.add_incoming(OFFICE_PHONE, "+4915112349991", "", sim=2, image=True)
    assert sender.flush()
    incoming = [b for b in collector.bodies if "address" in b]
    assert len(incoming) == 2
    text, img = incoming
    assert list(text) == INCOMING_KEYS and text["type"] == "text" and text["body"]
    assert text["device_name"] == "Pixel 7 (office)" and isinstance(text["internal_id"], int)
    parsed = parse_payload(text, UTC, now=sim.clock())
    assert isinstance(parsed, IncomingMessage) and parsed.sms_id != sms_id
    assert img["type"] == "img" and img["body"] == "" and img["internal_id"] is None and img["sim"] == 2
    assert int(img["sms_id"]) == image.id
    got = httpx.get(img["img_url"], timeout=10)
    assert got.status_code == 200 and got.content.startswith(b"\x89PNG")
    parsed_img = parse_payload(img, UTC, now=sim.clock())
    assert isinstance(parsed_img, IncomingMessage) and parsed_img.img_url == img["img_url"]
    # The listing shows the same image by its URL, as the vendor's listing would.
    listed = sim.call("getsmsstatus", token=sim.token(), sms_id=image.id)
    assert listed["status"] == 5


def test_legacy_phone_sends_ids_as_strings_and_offsets(sim: TestSimulator, collector: Collector) -> None:
    sender = sim.push_webhooks(collector.url)
    sim.set_online(OLD_PHONE)
    sms_id = send(sim, "+4915112340002", device_id=OLD_PHONE)
    for _ in range(4):
        sim.advance(STEP)
    assert sender.flush()
    bodies = [b for b in collector.bodies if int(b["sms_id"]) == sms_id]
    assert bodies and all(b["device_id"] == str(OLD_PHONE) for b in bodies)
    dated = [b["senttime"] for b in bodies if b["senttime"] is not None]
    assert dated and all(isinstance(d, str) or d["timezone_type"] == 1 for d in dated)


def test_forced_faults_lost_duplicate_reorder(sim: TestSimulator, collector: Collector) -> None:
    sender = sim.push_webhooks(collector.url)
    sms_id = send(sim, "+4915112340002")
    sender.faults.force("lost")  # 3 is lost
    sender.faults.force("duplicate")  # 2 twice
    sender.faults.force("reorder")  # 6 held back, sent after 7
    for _ in range(4):
        sim.advance(STEP)
    assert sender.flush()
    assert collector.statuses(sms_id) == [2, 2, 7, 6]
    assert (sender.lost, sender.duplicated, sender.reordered) == (1, 1, 1)
    assert sender.heard == 4 and sender.posted == 4 and sender.answered == 4


def test_seeded_faults_repeat(collector: Collector) -> None:
    def run() -> list[int]:
        with running_simulator(step_seconds=STEP) as server:
            sender = server.push_webhooks(collector.url, seed=3, lost=0.2, duplicate=0.2, reorder=0.2)
            for i in range(5):
                send(server, f"+49151123400{i}2")
            for _ in range(4):
                server.advance(STEP)
            assert sender.flush()
            return [sender.lost, sender.duplicated, sender.reordered, sender.posted]

    first = run()
    assert first == run()
    assert first[0] > 0 and first[1] > 0


def test_a_dead_url_is_counted_not_raised(sim: TestSimulator) -> None:
    sender = sim.push_webhooks("http://127.0.0.1:9/nothing-listens")
    send(sim, "+4915112340002")
    sim.advance(STEP)
    assert sender.flush()
    assert sender.failed == sender.posted > 0
    assert "nothing-listens" not in repr(sender)


def test_command_line_option(collector: Collector) -> None:
    from smstui.simulator.__main__ import main

    with pytest.raises(SystemExit):
        main(["--help"])
    assert main(["--webhook-lost", "2", "--port", "0"]) == 2


def test_whatsapp_replies_are_sometimes_images(sim: TestSimulator, collector: Collector) -> None:
    sim.state.reply_images = True
    sender = sim.push_webhooks(collector.url)
    for i in range(3):
        send(sim, f"+49151123450{i}1", sim_slot=3)
    for _ in range(6):
        sim.advance(STEP)
    assert sender.flush()
    kinds = [b["type"] for b in collector.bodies if "address" in b]
    assert len(kinds) == 3 and kinds.count("img") == 1
