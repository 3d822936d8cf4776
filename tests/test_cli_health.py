"""``smstui health``: each exit code from a real condition of the simulated gateway.

The simulator runs on the real clock (the check measures ages against now): its demo phones are
the office phone (online, current app), the travel phone (online, outdated app) and the old phone
(offline for 5 h 17 min, outdated app). Each test sets up one kind of trouble and reads the code,
the line naming it and the JSON document.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from smstui.simulator.runner import SimulatorServer
from tests.cli_helpers import FAILING_NUMBER, OFFICE_PHONE, OLD_PHONE, Cli, closed_port_url, live_simulator

TRAVEL_PHONE = 1297


@pytest.fixture
def server() -> Iterator[SimulatorServer]:
    with live_simulator() as running:
        yield running


@pytest.fixture
def cli(server: SimulatorServer) -> Cli:
    return Cli.logged_in(server.url)


def _all_current(server: SimulatorServer) -> None:
    for device in server.state.devices.values():
        device.isappversionactual = True


def _healthy(server: SimulatorServer) -> None:
    _all_current(server)
    server.state.set_device_online(OLD_PHONE, True)


def test_healthy_exits_0_with_one_ok_line(cli: Cli, server: SimulatorServer) -> None:
    _healthy(server)
    run = cli("health")
    assert run.exit_code == 0, run.output
    assert run.stdout.startswith("OK · last hour: 0 delivered") and run.stdout.count("\n") == 1
    assert "3 phones, 0 offline · synced now" in run.stdout
    doc = cli("health", "--json").json()
    assert doc["healthy"] is True and doc["exit_code"] == 0 and doc["problems"] == [] and doc["synced"] is True
    assert {d["id"] for d in doc["devices"]} == {OFFICE_PHONE, TRAVEL_PHONE, OLD_PHONE}


def test_an_offline_phone_exits_10_naming_it(cli: Cli, server: SimulatorServer) -> None:
    _all_current(server)
    run = cli("health")
    assert run.exit_code == 10, run.output
    (line,) = [line for line in run.stdout.splitlines() if line.startswith("OFFLINE")]
    assert "SM-F NIK! (#260)" in line and "not seen for 5 h 17 min" in line and "allowed: 15 min" in line
    # A longer allowance: not a problem any more.
    assert cli("health", "--max-offline", "6h").exit_code == 0
    doc = cli("health", "--json", "--max-offline", "90").json()
    (problem,) = doc["problems"]
    assert problem["kind"] == "offline" and problem["code"] == 10 and problem["device_id"] == OLD_PHONE
    assert problem["device_title"] == "SM-F NIK!" and problem["threshold"] == 5400
    assert 5 * 3600 < problem["value"] < 6 * 3600
    (old,) = [d for d in doc["devices"] if d["id"] == OLD_PHONE]
    assert old["offline"] is True and old["online"] is False


def test_too_many_failures_exit_11(cli: Cli, server: SimulatorServer) -> None:
    _healthy(server)
    sent = cli("send", "--to", FAILING_NUMBER, "--device", str(OFFICE_PHONE), "--json", "this will fail").json()
    sms_id = sent["messages"][0]["sms_id"]
    assert cli("status", str(sms_id), "--wait", "--timeout", "30").exit_code == 5  # it failed
    run = cli("health")
    assert run.exit_code == 11, run.output
    assert "FAILED   1 of 1 messages of the last hour failed (100%; allowed: 20%)" in run.stdout
    assert "1 failed (100%)" in run.stdout
    assert cli("health", "--max-failed-rate", "100%").exit_code == 0
    doc = cli("health", "--json").json()
    assert doc["totals"]["failed"] == 1 and doc["totals"]["failed_rate"] == 1.0
    (office,) = [d for d in doc["devices"] if d["id"] == OFFICE_PHONE]
    assert office["slots"] == [{"sim": 0, "slot": "sms1", "counts": office["counts"]}]


def test_a_long_or_old_queue_exits_12(cli: Cli, server: SimulatorServer) -> None:
    _all_current(server)  # the old phone stays offline: what it is given waits
    for n in range(3):
        assert cli("send", "--to", f"+491512345678{n}", "--device", str(OLD_PHONE), f"queued {n}").exit_code == 0
    # Offline for 5 h is allowed here, so the queue is the trouble.
    run = cli("health", "--max-offline", "1d", "--max-queue", "2")
    assert run.exit_code == 12, run.output
    assert "QUEUE    3 messages wait to leave (allowed: 2)" in run.stdout
    run = cli("health", "--max-offline", "1d", "--max-queue-age", "0")
    assert run.exit_code == 12, run.output
    assert "the oldest waiting message has waited" in run.stdout and "(allowed: 0 s)" in run.stdout
    assert cli("health", "--max-offline", "1d").exit_code == 0
    doc = cli("health", "--json", "--max-offline", "1d", "--max-queue", "1").json()
    assert doc["queue"]["size"] == 3 and [p["kind"] for p in doc["problems"]] == ["queue_size"]


def test_an_outdated_app_exits_13(cli: Cli, server: SimulatorServer) -> None:
    server.state.set_device_online(OLD_PHONE, True)
    run = cli("health")
    assert run.exit_code == 13, run.output
    lines = [line for line in run.stdout.splitlines() if line.startswith("OUTDATED")]
    assert lines == [
        "OUTDATED phone Galaxy A12 (travel) (#1297) runs an outdated app 12.1.21: update it",
        "OUTDATED phone SM-F NIK! (#260) runs an outdated app 11.0.3: update it",
    ]


def test_several_kinds_exit_with_the_most_urgent_code(cli: Cli) -> None:
    run = cli("health", "--max-queue-age", "0")
    assert run.exit_code == 10  # offline (10) before the queue (12) and the apps (13)
    assert [line.split()[0] for line in run.stdout.splitlines()[:-1]] == ["OFFLINE", "OUTDATED", "OUTDATED"]


def test_the_gateway_unreachable_exits_4_and_still_checks_the_store(cli: Cli, server: SimulatorServer) -> None:
    _all_current(server)
    assert cli("sync").exit_code == 0
    run = cli("health", api_url=closed_port_url())
    assert run.exit_code == 4, run.output
    first, second = run.stdout.splitlines()[:2]
    assert first.startswith("NETWORK  the gateway cannot be reached") and "from the local store" in first
    assert second.startswith("OFFLINE") and "SM-F NIK!" in second
    assert "as of the last sync" in run.stdout
    # --offline never asks the gateway: only what the store knows.
    offline = cli("health", "--offline", "--json", api_url=closed_port_url())
    assert offline.exit_code == 10 and offline.json()["synced"] is False


def test_not_logged_in_exits_3(server: SimulatorServer) -> None:
    run = Cli(server.url)("health")
    assert run.exit_code == 3, run.output
    assert run.stdout.startswith("LOGIN    not logged in")


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--max-offline", "soon"), "--max-offline 'soon' is not a duration"),
        (("--max-failed-rate", "150%"), "must be between 0 and 1"),
        (("--window", "2h"), "--window: unknown window '2h': use one of 1h, 24h, 7d"),
        (("--max-queue", "-1"), "--max-queue"),
    ],
)
def test_bad_thresholds_are_usage_errors(cli: Cli, args: tuple[str, ...], words: str) -> None:
    run = cli("health", *args)
    assert run.exit_code == 2 and words in run.stderr and "Traceback" not in run.output
