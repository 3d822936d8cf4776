"""Fault switches of the simulator, as a real HTTP client sees them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from smstui.simulator.faults import Faults
from smstui.simulator.seed import OFFICE_PHONE
from smstui.simulator.testing import TestSimulator, running_simulator


@pytest.fixture
def sim() -> Iterator[TestSimulator]:
    with running_simulator(step_seconds=10) as server:
        yield server


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as c:
        yield c


@pytest.fixture
def token(sim: TestSimulator) -> str:
    return sim.token()


def post(client: httpx.Client, sim: TestSimulator, method: str, **fields: Any) -> httpx.Response:
    return client.post(sim.url + method, data={k: str(v) for k, v in fields.items()})


def send(client: httpx.Client, sim: TestSimulator, token: str) -> httpx.Response:
    return post(client, sim, "addsms", token=token, sendto="+4915100000002", body="hi", device_id=OFFICE_PHONE)


def stored(sim: TestSimulator) -> int:
    return len(sim.state.messages)


def test_http500(sim: TestSimulator, client: httpx.Client, token: str) -> None:
    sim.faults.set("http500")
    response = send(client, sim, token)
    assert response.status_code == 500
    assert stored(sim) == 0
    sim.faults.clear()
    assert send(client, sim, token).json()["error"] == 0


def test_html_error_page(sim: TestSimulator, client: httpx.Client, token: str) -> None:
    sim.faults.set("html502", methods=["getallsms"])
    response = post(client, sim, "getallsms", token=token)
    assert response.status_code == 502
    assert response.headers["content-type"].startswith("text/html")
    assert "<html>" in response.text
    with pytest.raises(json.JSONDecodeError):
        response.json()
    # Other methods are untouched.
    assert post(client, sim, "getalldevices", token=token).json()["count"] == 3


def test_malformed_json(sim: TestSimulator, client: httpx.Client, token: str) -> None:
    sim.faults.set("malformed_json", count=1)
    response = post(client, sim, "getallsms", token=token)
    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        response.json()
    assert post(client, sim, "getallsms", token=token).json()["error"] == 0


def test_empty_body(sim: TestSimulator, client: httpx.Client, token: str) -> None:
    sim.faults.set("empty_body", count=1)
    response = post(client, sim, "getalldevices", token=token)
    assert response.status_code == 200 and response.content == b""


def test_latency_triggers_client_timeout(sim: TestSimulator, token: str) -> None:
    sim.faults.set("latency", seconds=2.0, methods={"getallsms"}, count=1)
    with httpx.Client(timeout=0.2) as impatient:
        with pytest.raises(httpx.ReadTimeout):
            post(impatient, sim, "getallsms", token=token)
        # The count was consumed: the next call is quick again.
        assert post(impatient, sim, "getallsms", token=token).json()["error"] == 0


def test_dropped_connection_changes_nothing(sim: TestSimulator, client: httpx.Client, token: str) -> None:
    sim.faults.set("drop", methods=["addsms"], count=1)
    with pytest.raises(httpx.TransportError):
        send(client, sim, token)
    assert stored(sim) == 0
    assert send(client, sim, token).json()["error"] == 0
    assert stored(sim) == 1


def test_response_lost_after_processing(sim: TestSimulator, client: httpx.Client, token: str) -> None:
    sim.faults.set("response_lost", methods=["addsms"], count=1)
    with pytest.raises(httpx.TransportError):
        send(client, sim, token)
    # The gateway saved the message even though the client never heard back.
    rows = post(client, sim, "getallsms", token=token).json()["smss"]
    assert [r["sendto"] for r in rows.values()] == ["+4915100000002"]
    assert send(client, sim, token).json()["error"] == 0
    assert stored(sim) == 2


def test_expired_tokens(sim: TestSimulator, client: httpx.Client, token: str) -> None:
    sim.faults.set("expire_tokens")
    assert post(client, sim, "getallsms", token=token).json() == {"error": 1, "message": "Wrong token"}
    fresh = sim.token()
    assert fresh != token
    assert post(client, sim, "getallsms", token=fresh).json()["error"] == 0
    assert post(client, sim, "getallsms", token=token).json()["message"] == "Wrong token"


def test_count_and_methods_limit_faults(sim: TestSimulator, client: httpx.Client, token: str) -> None:
    sim.faults.set("http500", methods=["addsms"], count=2)
    assert post(client, sim, "getallsms", token=token).status_code == 200
    assert send(client, sim, token).status_code == 500
    assert sim.faults.active()[0]["count"] == 1
    assert send(client, sim, token).status_code == 500
    assert send(client, sim, token).status_code == 200
    assert sim.faults.active() == []


def test_aliases_share_fault_scope(sim: TestSimulator, client: httpx.Client, token: str) -> None:
    sim.faults.set("http500", methods=["getsmslist"], count=1)
    assert post(client, sim, "getallsms", token=token).status_code == 500


def test_admin_endpoint(sim: TestSimulator, client: httpx.Client, token: str) -> None:
    admin = sim.root_url + "/_admin/faults"
    answer = client.post(admin, json={"kind": "response_lost", "methods": ["addsms"], "count": 1}).json()
    assert answer["faults"] == [{"kind": "response_lost", "methods": ["addsms"], "count": 1, "seconds": 0.0}]
    with pytest.raises(httpx.TransportError):
        send(client, sim, token)
    assert stored(sim) == 1
    client.post(admin, json=[{"kind": "http500"}, {"kind": "expire_tokens"}])
    assert {f["kind"] for f in client.get(admin).json()["faults"]} == {"http500", "expire_tokens"}
    client.post(admin, json={"clear": "http500"})
    assert [f["kind"] for f in client.get(admin).json()["faults"]] == ["expire_tokens"]
    client.delete(admin)
    assert sim.faults.active() == []
    bad = client.post(admin, json={"kind": "meteor"})
    assert bad.status_code == 400 and "unknown fault" in bad.json()["message"]


def test_faults_validate_arguments() -> None:
    faults = Faults()
    with pytest.raises(ValueError):
        faults.set("latency")
    with pytest.raises(ValueError):
        faults.set("http500", count=0)
    with pytest.raises(ValueError):
        faults.set("nope")
    assert not faults


def test_stats_count_faulted_requests(sim: TestSimulator, client: httpx.Client, token: str) -> None:
    sim.stats.reset()
    sim.faults.set("html502", count=1)
    post(client, sim, "getallsms", token=token)
    assert sim.stats.requests["getallsms"] == 1
    assert sim.stats.response_bytes["getallsms"] > 50
