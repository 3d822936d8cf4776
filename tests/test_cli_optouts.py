"""Opt-outs end to end against the simulator: a STOP reply synced, then bulk and newsletters
skip or warn; ``smstui optouts`` lists and edits the list."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from smstui.simulator.runner import SimulatorServer
from smstui.simulator.testing import TestSimulator
from tests.cli_helpers import OFFICE_PHONE, Cli, live_simulator
from tests.core_helpers import write_config


@pytest.fixture
def sim_live() -> Iterator[SimulatorServer]:
    # Bulk batches are found again around the real clock (see test_cli_bulk).
    with live_simulator(step_seconds=5) as server:
        yield server


def test_bulk_skips_a_number_that_replied_stop(sim_live: SimulatorServer, tmp_path: Path) -> None:
    cli = Cli.logged_in(sim_live.url)
    sim_live.state.add_incoming(OFFICE_PHONE, "+4917612345678", "Stopp!")
    sim_live.state.add_incoming(OFFICE_PHONE, "+4915123456781", "Stop the delivery please")
    assert cli("sync").exit_code == 0
    listed = cli("optouts", "--json").json()["optouts"]
    assert [(o["phone"], o["reply"], o["source"]) for o in listed] == [("+4917612345678", "Stopp!", "reply")]
    assert "replied 'Stopp!'" in cli("optouts").stdout

    path = tmp_path / "send.csv"
    path.write_text("phone,body\n+4915123456781,Hallo Anna\n+4917612345678,Hallo Ben\n", encoding="utf-8")
    run = cli("bulk", str(path), "--device", str(OFFICE_PHONE), "--json")
    assert run.exit_code == 0, run.output
    doc = run.json()
    assert doc["submitted"] == 1 and [(o["phone"], o["line"]) for o in doc["opted_out"]] == [("+4917612345678", 3)]
    sent = sorted((m.phone, m.body) for m in sim_live.state.messages.values() if m.status != 5)
    assert sent == [("+4915123456781", "Hallo Anna")]
    human = cli("bulk", str(path), "--device", str(OFFICE_PHONE), "--dry-run")
    assert "1 opted-out number(s) left out (--include-opted-out sends to them too): +4917612345678" in human.stderr

    forced = cli("bulk", str(path), "--device", str(OFFICE_PHONE), "--include-opted-out", "--dry-run", "--json")
    assert forced.json()["messages"] == 2 and forced.json()["include_opted_out"]


def test_optouts_add_and_remove(sim_empty: TestSimulator) -> None:
    write_config('[profiles.default]\nregion = "DE"\n')
    cli = Cli.logged_in(sim_empty.url)
    assert cli("optouts").stderr.strip() == "No number has opted out."
    added = cli("optouts", "add", "0176 1234 5678")
    assert added.exit_code == 0 and "+4917612345678 opted out." in added.stdout
    assert "already" in cli("optouts", "add", "+4917612345678").stdout
    assert [o["source"] for o in cli("optouts", "--json").json()["optouts"]] == ["manual"]
    bad = cli("optouts", "add", "hello")
    assert bad.exit_code == 2 and "not a phone number" in bad.output
    assert cli("optouts", "remove", "+4917612345678").exit_code == 0
    again = cli("optouts", "remove", "+4917612345678")
    assert again.exit_code == 1 and "had not opted out" in again.stderr
    assert cli("optouts", "--json").json() == {"optouts": []}


def test_newsletter_create_warns_with_the_opted_out_count(sim_empty: TestSimulator) -> None:
    write_config('[profiles.default]\naccount_timezone = "Europe/Berlin"\n')
    cli = Cli.logged_in(sim_empty.url)
    tag_id = cli("tag", "add", "News").stdout.strip()
    cli("contact", "add", "--tag", tag_id, "--phone", "+4915123456781")
    cli("contact", "add", "--tag", tag_id, "--phone", "+4917612345678")
    cli("optouts", "add", "+4917612345678")
    run = cli("newsletter", "create", "--title", "Sale", "--device", str(OFFICE_PHONE), "--tags", tag_id, "20% off")
    assert run.exit_code == 0, run.output
    assert "1 contact(s) in these tags opted out (+4917612345678)" in run.stderr
