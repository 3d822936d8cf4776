"""``--status failed`` means every failure status (models.FAILED_STATUSES), online and offline.

An on-call "what failed in the last hour" once got "No messages match" while three had failed,
because ``failed`` stood for status 9 alone.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from smstui.cli.args import ArgError, parse_status
from smstui.core.models import FAILED_STATUSES, PENDING_STATUSES
from smstui.simulator.testing import TestSimulator
from tests.cli_helpers import Cli, live_simulator


def test_failed_is_every_failure_status() -> None:
    assert parse_status("failed") == tuple(sorted(FAILED_STATUSES)) == (8, 9, 10, 11, 12, 100, 101)
    assert parse_status("pending") == tuple(sorted(PENDING_STATUSES))
    assert parse_status("generic-failure") == (9,)
    assert parse_status(" Delivered ") == (7,)
    assert parse_status("10") == (10,)
    with pytest.raises(ArgError, match="failed") as exc:
        parse_status("broken")
    assert "unknown status 'broken'" in str(exc.value)


def _failed_on_gateway(sim: TestSimulator) -> set[int]:
    with sim.state.lock:
        return {m.id for m in sim.state.messages.values() if m.status in FAILED_STATUSES}


def test_messages_status_failed_lists_every_failure(sim: TestSimulator) -> None:
    cli = Cli.logged_in(sim.url)
    expected = _failed_on_gateway(sim)
    with sim.state.lock:
        kinds = {m.status for m in sim.state.messages.values() if m.id in expected}
    assert len(kinds) > 1, "the demo seed should hold more than one kind of failure"

    run = cli("messages", "--status", "failed", "--limit", "0", "--json")
    assert run.exit_code == 0, run.output
    doc = run.json()
    assert {m["id"] for m in doc["messages"]} == expected
    assert doc["count"] == len(expected)
    assert all(m["failed"] for m in doc["messages"])
    assert cli("messages", "--status", "failed", "--count").stdout.strip() == str(len(expected))

    # One code still means that code only.
    nines = cli("messages", "--status", "generic-failure", "--limit", "0", "--json").json()["messages"]
    assert nines and {m["status"] for m in nines} == {9}

    bad = cli("messages", "--status", "nope")
    assert bad.exit_code == 2 and "unknown status" in bad.output and "Traceback" not in bad.output


@pytest.fixture
def live_demo() -> Iterator[tuple[Cli, TestSimulator]]:
    # Sync reaches back from the real clock, so the seed is placed on the real clock too.
    with live_simulator(data="demo", step_seconds=5) as server:
        yield Cli.logged_in(server.url), server


def test_offline_status_failed_reads_every_failure_from_the_store(live_demo: tuple[Cli, TestSimulator]) -> None:
    cli, _server = live_demo
    assert cli("sync").exit_code == 0
    stored = cli("messages", "--offline", "--limit", "0", "--json").json()["messages"]
    expected = {m["lid"] for m in stored if m["status"] in FAILED_STATUSES}
    assert len({m["status"] for m in stored if m["lid"] in expected}) > 1

    failed = cli("messages", "--offline", "--status", "failed", "--limit", "0", "--json").json()
    assert {m["lid"] for m in failed["messages"]} == expected
    assert cli("messages", "--offline", "--status", "failed", "--count").stdout.strip() == str(len(expected))
