"""Demo and bulk data of the simulator, the runner, the command line and thread safety."""

from __future__ import annotations

import json
import queue
import socket
import subprocess
import sys
import threading
from collections import Counter
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from smstui.core.gateway_time import read_date
from smstui.simulator import seed
from smstui.simulator.clock import FakeClock
from smstui.simulator.handlers import Call, dispatch
from smstui.simulator.runner import SimulatorError, SimulatorServer, make_state
from smstui.simulator.seed import OFFICE_PHONE, TRAVEL_PHONE
from smstui.simulator.state import FINAL
from smstui.simulator.testing import running_simulator


def all_messages(sim: Any, client: httpx.Client, **filters: Any) -> list[dict[str, Any]]:
    answer = client.post(
        sim.url + "getallsms", data={"token": sim.token(), **{k: str(v) for k, v in filters.items()}}, timeout=60
    ).json()
    assert answer["error"] == 0
    return [] if answer["smss"] == [] else list(answer["smss"].values())


def test_demo_seed_is_lived_in() -> None:
    with running_simulator(data="demo") as sim, httpx.Client() as client:
        rows = all_messages(sim, client)
        assert 200 <= len(rows) <= 600
        phones = {r["sendto"] for r in rows}
        assert 15 <= len(phones) <= 25
        statuses = Counter(r["status"] for r in rows)
        assert statuses[5] > 20 and statuses[7] > 50
        assert any(s in statuses for s in (8, 9, 10, 12, 100))
        assert statuses[1] >= 3  # scheduled, in flight and waiting for the offline phone
        read = lambda value: read_date(value, ZoneInfo("Europe/Berlin"))  # noqa: E731
        scheduled = [
            r for r in rows if r["timetosend"] and r["status"] == 1 and read(r["timetosend"]) > read(r["created"])
        ]
        assert len(scheduled) == 1
        # The vendor's mix of date forms, all in one listing: zone names, offsets, zone-less strings.
        forms = Counter(
            "string" if isinstance(v, str) else v["timezone_type"]
            for r in rows
            for v in (r["created"], r["senttime"], r["timetosend"])
            if v
        )
        assert forms[3] > 100 and forms[1] > 10 and forms["string"] > 10
        assert any(isinstance(r.get("sim"), str) for r in rows)
        assert any(len(r["body"]) > 300 for r in rows)
        assert any(any(ord(ch) > 0x2000 for ch in r["body"]) for r in rows)
        assert any("sim" not in r for r in rows)
        assert {r["sim"] for r in rows if "sim" in r} >= {0, 1, 2, 3}
        assert {json.dumps(r["customerid"]) for r in rows} >= {"null", "0"}
        assert any(isinstance(r["customerid"], int) and r["customerid"] > 0 for r in rows)
        assert {json.dumps(r["urgent"]) for r in rows} >= {"null", "true", "0", "1"}
        assert any(isinstance(r["created"], dict) and r["created"]["timezone_type"] == 1 for r in rows)
        assert any(r["timetosend"] == r["created"] for r in rows)  # the vendor's echo
        images = [r["body"] for r in rows if "/uploads/" in r["body"]]
        assert len(images) == 1 and images[0].startswith(sim.root_url)
        image = client.get(images[0])
        assert image.status_code == 200 and image.content.startswith(b"\x89PNG")
        # Names for many of the numbers come from tags and contacts.
        assert len(sim.state.contacts) >= 10 and len(sim.state.tags) == 3
        named = {c.phone for c in sim.state.contacts.values()}
        assert len(named & phones) >= 10
        # Spread over weeks before the clock.
        dates = sorted(read(r["created"]).astimezone(ZoneInfo("Europe/Berlin")).isoformat() for r in rows)
        assert dates[0] < "2026-04-25" and dates[-1].startswith("2026-05-20")


def test_demo_seed_progresses_with_the_clock() -> None:
    with running_simulator(data="demo", step_seconds=5) as sim, httpx.Client() as client:

        def pending() -> int:
            return sum(r["status"] in (1, 2, 6) for r in all_messages(sim, client))

        incoming = len(all_messages(sim, client, status=5))
        before = pending()
        sim.advance(60)
        assert pending() == before - 1  # the one in flight was delivered
        assert len(all_messages(sim, client, status=5)) == incoming + 1  # ... and answered


def test_demo_seed_is_deterministic() -> None:
    def snapshot() -> str:
        state = make_state(clock=FakeClock(), data="demo")
        token = state.login(seed.DEMO_EMAIL, seed.DEMO_PASSWORD)
        return json.dumps(dispatch("getallsms", Call(state, {"token": token})))

    assert snapshot() == snapshot()
    other = make_state(clock=FakeClock(), data="demo", rng_seed=7)
    assert len(other.messages) != len(make_state(clock=FakeClock(), data="demo").messages)


def test_ambient_traffic() -> None:
    with running_simulator(ambient_seconds=60) as sim, httpx.Client() as client:
        sim.state.ambient_phones = [(OFFICE_PHONE, "+4915100000001"), (TRAVEL_PHONE, "+4930123")]
        assert all_messages(sim, client) == []  # the first look starts the ambient clock
        sim.advance(60 * 3 + 30)
        rows = all_messages(sim, client)
        assert [r["status"] for r in rows] == [5, 5, 5]
        assert [r["created"]["date"][11:19] for r in rows] == ["12:01:00", "12:02:00", "12:03:00"]
        assert {r["deviceid"] for r in rows} == {OFFICE_PHONE, TRAVEL_PHONE}
        assert all(r["body"] for r in rows)


def test_large_seed() -> None:
    state = make_state(clock=FakeClock())
    seed.large(state, n_messages=100_000, n_threads=800)
    assert len(state) == 100_000
    assert all(m.status in FINAL for m in list(state.messages.values())[:1000])
    with SimulatorServer(state) as sim, httpx.Client(timeout=60) as client:
        token = client.post(sim.url + "gettoken", data={"email": sim.email, "pass": sim.password}).json()["token"]
        count = client.post(sim.url + "getallsms", data={"token": token, "onlycount": "1"})
        assert count.json() == {"error": 0, "count": 100_000, "message": "Ok"}
        phone = next(iter(state.messages.values())).phone
        rows = client.post(sim.url + "getallsms", data={"token": token, "phone": phone}).json()
        assert 0 < rows["count"] < 2000
        assert {r["sendto"] for r in rows["smss"].values()} == {phone}
        day = client.post(
            sim.url + "getallsms", data={"token": token, "begindate": "2026-05-01", "enddate": "2026-05-01"}
        ).json()
        assert 0 < day["count"] < 1000
        berlin = ZoneInfo("Europe/Berlin")
        assert all(
            read_date(r["created"], berlin).astimezone(berlin).date().isoformat() == "2026-05-01"
            for r in day["smss"].values()
        )
        # New messages still work on top of the bulk history.
        sent = client.post(
            sim.url + "addsms",
            data={"token": token, "sendto": "+4915100000002", "body": "x", "device_id": str(TRAVEL_PHONE)},
        ).json()
        assert sent["sms_id"] > max(m for m in state.messages if m != sent["sms_id"])


def test_concurrent_requests_are_consistent() -> None:
    with running_simulator() as sim:
        token = sim.token()
        ids: list[int] = []
        lock = threading.Lock()

        def worker(n: int) -> None:
            with httpx.Client() as client:
                for i in range(15):
                    answer = client.post(
                        sim.url + "addsms",
                        data={
                            "token": token,
                            "sendto": f"+49151{n:03d}{i:04d}",
                            "body": "x",
                            "device_id": str(OFFICE_PHONE),
                        },
                    ).json()
                    with lock:
                        ids.append(answer["sms_id"])

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert len(ids) == len(set(ids)) == 120
        with httpx.Client() as client:
            assert len(all_messages(sim, client)) == 120


def test_runner_start_stop_and_context_manager() -> None:
    server = SimulatorServer()
    assert not server.running
    server.start()
    try:
        assert server.running and server.port > 0
        assert server.url == f"http://127.0.0.1:{server.port}/getdata/"
        assert server.credentials == ("demo@smstui.dev", "demo")
        assert server.start() is server  # idempotent
        assert (
            httpx.post(server.url + "gettoken", data={"email": server.email, "pass": server.password}).json()["error"]
            == 0
        )
    finally:
        server.stop()
    assert not server.running
    with pytest.raises(httpx.ConnectError):
        httpx.get(server.url + "gettoken")
    with SimulatorServer() as other:
        assert other.running and other.state.devices
    assert not other.running


def test_runner_reports_a_taken_port() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(SimulatorError, match="cannot listen"):
            SimulatorServer(port=port).start()


def test_secrets_stay_out_of_reprs() -> None:
    state = make_state()
    token = state.login(seed.DEMO_EMAIL, seed.DEMO_PASSWORD)
    account = state.accounts[seed.DEMO_EMAIL]
    assert seed.DEMO_PASSWORD not in repr(account).replace(seed.DEMO_EMAIL, "")
    assert token not in repr(state)


def test_command_line_serves_until_stopped() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "smstui.simulator", "--port", "0", "--seed", "empty", "--step-seconds", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(
        target=lambda: [lines.put(line) for line in proc.stdout],  # type: ignore[union-attr]
        daemon=True,
    )
    reader.start()
    try:
        first = lines.get(timeout=30)
        assert first.startswith("SMSGateway24 simulator at http://127.0.0.1:")
        url = first.split(" at ", 1)[1].strip()
        assert url.endswith("/getdata/")
        assert "demo@smstui.dev" in lines.get(timeout=5)
        answer = httpx.post(url + "gettoken", data={"email": "demo@smstui.dev", "pass": "demo"})
        assert answer.json()["error"] == 0
    finally:
        proc.terminate()
        proc.wait(timeout=30)
