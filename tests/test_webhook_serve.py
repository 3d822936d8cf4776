"""The receiver on real sockets: ``smstui webhook serve`` as a process (the URL it prints names
the port it got, Ctrl+C stops it with 0, a port in use is exit 5), and the same server in
process (ReceiverThread on port 0) taking both kinds into the store of a session on the
simulator, with the conversations and unread marks the app then shows.

Every wait is on the command's own output or on an HTTP answer (which comes after the store
was written), never on a sleep."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from smstui.core import paths
from smstui.core.gateway_messages import Message
from smstui.core.store.database import Store
from smstui.simulator.records import Msg
from smstui.simulator.runner import SimulatorServer
from smstui.simulator.testing import TestSimulator
from smstui.webhook.serve import ListenError, ReceiverThread, bind, make_receiver, parse_listen
from tests.cli_helpers import OLD_PHONE, Cli, live_simulator, stop_process
from tests.core_helpers import open_sim_session

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")
PHONE = "+4915752982212"


@pytest.fixture
def server() -> Iterator[SimulatorServer]:
    with live_simulator() as running:
        yield running


def _serve(server: SimulatorServer, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "smstui", "--api-url", server.url, "webhook", "serve", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )


def test_serve_prints_the_real_url_takes_both_kinds_and_stops_on_ctrl_c(server: SimulatorServer) -> None:
    cli = Cli.logged_in(server.url)
    sent = cli("send", "--to", PHONE, "--device", str(OLD_PHONE), "--json", "Server down").json()
    sms_id = sent["messages"][0]["sms_id"]  # the old phone is offline: it stays "New" (1)
    reply = server.state.add_incoming(OLD_PHONE, PHONE, "On my way")
    proc = _serve(server, "--listen", "127.0.0.1:0")
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()  # printed once the socket listens
        assert url.startswith("http://127.0.0.1:") and not url.startswith("http://127.0.0.1:0/")
        secret = url.rsplit("/", 1)[1]
        assert len(secret) >= 43
        base = url.rsplit("/", 1)[0]
        with httpx.Client(timeout=30) as http:
            answer = http.post(url, json={"sms_id": sms_id, "status_id": 3, "device_id": OLD_PHONE})
            assert (answer.status_code, answer.json()) == (200, {"ok": True})
            answer = http.post(url, json={"address": PHONE, "body": "On my way", "sms_id": reply.id,
                                          "device_id": OLD_PHONE, "type": "text", "date": None})  # fmt: skip
            assert answer.status_code == 200
            wrong = http.post(base + "/nope", json={"sms_id": sms_id, "status_id": 7})
            assert (wrong.status_code, wrong.content) == (404, b"")
            assert http.post(url, content=b"{broken").status_code == 400
        store = Store(paths.profile_db_path("default"), region="DE")
        try:
            assert store.message_by_sms_id(sms_id).status == 3  # queued on the phone, no poll
            thread = next(t for t in store.threads() if t.phone_key == store.phone_key(PHONE))
            assert (thread.unread, thread.last_body) == (1, "On my way")
            assert store.webhook_counts() == (2, 1)
        finally:
            store.close()
    finally:
        err = stop_process(proc)
    assert proc.returncode == 0, err
    assert "Traceback" not in err and "Stopped." in err
    assert secret not in err  # stdout is the only place it is shown
    logs = "".join(p.read_text(errors="replace") for p in paths.log_dir().glob("smstui.log*"))
    assert secret not in logs
    secret_file = paths.webhook_secret_path("default")
    assert secret_file.read_text().strip() == secret
    assert oct(secret_file.stat().st_mode & 0o777) == "0o600"


def test_rotate_replaces_the_secret_of_a_running_receiver(server: SimulatorServer) -> None:
    cli = Cli.logged_in(server.url)
    proc = _serve(server, "--listen", "127.0.0.1:0")
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        rotated = cli("webhook", "rotate")
        assert rotated.exit_code == 0, rotated.output
        new_path = rotated.stdout.strip()
        assert new_path.startswith("/") and new_path != "/" + url.rsplit("/", 1)[1]
        base = url.rsplit("/", 1)[0]
        body = {"sms_id": 1, "status_id": 7}
        with httpx.Client(timeout=30) as http:
            assert http.post(url, json=body).status_code == 404  # the old URL no longer works
            assert http.post(base + new_path, json=body).status_code == 200
    finally:
        err = stop_process(proc, signal.SIGTERM)  # as systemd stops it
    assert proc.returncode == 0, err
    assert "Stopped." in err and "Traceback" not in err


def test_a_port_in_use_is_exit_5_and_no_login_exit_3(server: SimulatorServer) -> None:
    fresh = Cli(server.url)
    run = fresh("webhook", "serve", "--listen", "127.0.0.1:0")
    assert run.exit_code == 3 and "smstui login" in run.stderr
    Cli.logged_in(server.url)
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen(1)
    try:
        port = taken.getsockname()[1]
        run = fresh("webhook", "serve", "--listen", f"127.0.0.1:{port}")
        assert run.exit_code == 5
        assert f"cannot listen on 127.0.0.1:{port}" in run.stderr and "pick another --listen" in run.stderr
        assert run.stdout == ""  # no URL for a receiver that is not there
    finally:
        taken.close()
    bad = fresh("webhook", "serve", "--listen", "127.0.0.1:99999")
    assert bad.exit_code == 2 and "port must be a number from 0 to 65535" in bad.stderr


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("127.0.0.1:8787", ("127.0.0.1", 8787)),
        ("0.0.0.0:0", ("0.0.0.0", 0)),
        ("[::1]:9000", ("::1", 9000)),
        (":9000", ("127.0.0.1", 9000)),
        ("9000", ("127.0.0.1", 9000)),
        ("localhost:80", ("localhost", 80)),
    ],
)
def test_listen_forms(text: str, expected: tuple[str, int]) -> None:
    assert parse_listen(text) == expected


@pytest.mark.parametrize("text", ["", "host", "::1:80", "[::1]", "h:port", "h:-1", "h:70000", "a b:80"])
def test_bad_listen_forms(text: str) -> None:
    with pytest.raises(ValueError, match="HOST:PORT"):
        parse_listen(text)


def test_bind_says_what_is_wrong() -> None:
    with pytest.raises(ListenError, match="cannot listen on no-such-host.invalid:0"):
        bind("no-such-host.invalid", 0)


async def test_in_process_on_port_0_into_a_session_on_the_simulator(sim_empty: TestSimulator, tmp_path: Path) -> None:
    session = open_sim_session(sim_empty)
    changed: list[frozenset[str]] = []
    app, applier, secret = make_receiver(session, on_change=changed.append)
    receiver = ReceiverThread(app).start()
    try:
        url = receiver.url(secret)
        assert f":{receiver.port}/" in url and receiver.port != 0
        reply = sim_empty.state.add_incoming(11231, PHONE, "[red]hi[/red] \x1b[2J")
        image = sim_empty.state.add_incoming(11231, PHONE, "", sim=3)
        async with httpx.AsyncClient(timeout=30) as http:
            answers = [
                await http.post(url, json={"address": PHONE, "body": reply.body, "sms_id": str(reply.id),
                                           "date": {"date": "2026-05-20 13:59:00.000000", "timezone_type": 3,
                                                    "timezone": "Europe/Berlin"}, "type": "text"}),
                await http.post(url, json={"address": PHONE, "body": "", "sms_id": image.id, "type": "img",
                                           "sim": 3, "internal_id": None,
                                           "img_url": "https://smsgateway24.com/u/1.jpg"}),
            ]  # fmt: skip
        assert [a.status_code for a in answers] == [200, 200]
        thread = session.store.threads()[0]
        assert (thread.unread, thread.total, thread.last_body) == (2, 2, "[image] https://smsgateway24.com/u/1.jpg")
        assert session.store.message_by_sms_id(reply.id).body == "[red]hi[/red] \x1b[2J"  # data, as it came
        assert changed and all(keys == {thread.phone_key} for keys in changed)
    finally:
        receiver.stop()
        await applier.aclose()
        await session.aclose()
    assert not receiver.running and receiver.error is None


def test_serve_help_lists_the_exit_codes() -> None:
    run = Cli("http://unused.invalid/getdata/")("webhook", "serve", "--help")
    assert run.exit_code == 0
    for line in ("0  stopped by Ctrl+C or SIGTERM", "2  usage: bad --listen", "3  not logged in", "5  cannot listen"):
        assert line in run.stdout
    assert "--trust-proxy" in run.stdout and "port 0 picks a free port" in run.stdout


async def test_duplicated_and_out_of_order_statuses_over_the_socket(sim_empty: TestSimulator) -> None:
    session = open_sim_session(sim_empty)
    sim_empty.set_online(11231, False)  # the gateway keeps the message where the test puts it
    sent = sim_empty.state.add_message(
        Msg(
            id=0, phone=PHONE, body="Server down", device_id=11231, created=int(sim_empty.clock().timestamp()), status=6
        )
    )
    session.store.upsert_messages([Message(id=sent.id, phone=PHONE, body="Server down", status=1, device_id=11231)])
    app, applier, secret = make_receiver(session)
    receiver = ReceiverThread(app).start()
    try:
        url = receiver.url(secret)
        async with httpx.AsyncClient(timeout=30) as http:
            for code in (3, 6, 6, 2):  # 6 twice (a duplicate), then 2 after 6 (out of order)
                answer = await http.post(url, json={"sms_id": sent.id, "status_id": code, "device_id": 11231})
                assert answer.status_code == 200
        await asyncio.to_thread(applier.drain_from_thread)
        assert session.store.message_by_sms_id(sent.id).status == 6  # the gateway's answer kept
        assert applier.confirmed == 1  # only the backwards one was asked about
        sim_empty.state.messages[sent.id].status = 7
        async with httpx.AsyncClient(timeout=30) as http:
            await http.post(url, json={"sms_id": sent.id, "status_id": 7, "device_id": 11231})
            await http.post(url, json={"sms_id": sent.id, "status_id": 6, "device_id": 11231})  # late, lost, now
        await asyncio.to_thread(applier.drain_from_thread)
        assert session.store.message_by_sms_id(sent.id).status == 7  # final, kept
        assert session.store.webhook_counts() == (6, 0)
    finally:
        receiver.stop()
        await session.aclose()
