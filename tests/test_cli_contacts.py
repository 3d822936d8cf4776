"""``smstui tag``, ``contact`` and ``newsletter`` against the simulator over HTTP."""

from __future__ import annotations

from pathlib import Path

import pytest

from smstui.simulator.testing import TestSimulator
from tests.cli_helpers import OFFICE_PHONE, Cli


@pytest.fixture
def cli(sim_empty: TestSimulator) -> Cli:
    return Cli.logged_in(sim_empty.url)


def test_tag_add_and_list(cli: Cli, sim_empty: TestSimulator) -> None:
    run = cli("tag", "add", "Customers")
    assert run.exit_code == 0, run.output
    tag_id = int(run.stdout)
    doc = cli("tag", "add", "customers", "--json").json()  # same title: reused, not created twice
    assert doc["tag_id"] == tag_id
    assert [t.title for t in sim_empty.state.tags.values()] == ["Customers"]
    assert doc["gateway_id"] in sim_empty.state.tags

    listed = cli("tag", "list", "--json").json()
    assert listed == {"tags": [{"tag_id": tag_id, "gateway_id": doc["gateway_id"], "title": "Customers", "contacts": 0}]}
    assert "Customers" in cli("tag", "list").stdout


def test_contact_add(cli: Cli, sim_empty: TestSimulator) -> None:
    tag_id = cli("tag", "add", "VIP").stdout.strip()
    run = cli("contact", "add", "--tag", tag_id, "--phone", "+49 151 2345 6781", "--name", "Anna", "--json")
    assert run.exit_code == 0, run.output
    doc = run.json()
    assert (doc["phone"], doc["name"], doc["tag_id"]) == ("+4915123456781", "Anna", int(tag_id))
    [saved] = sim_empty.state.contacts.values()
    assert saved.name == "Anna"
    again = cli("contact", "add", "--tag", tag_id, "--phone", "+4915123456781")
    assert again.exit_code == 0 and int(again.stdout) == doc["contact_id"]
    assert len(sim_empty.state.contacts) == 1


def test_contact_add_bad_input_exits_2(cli: Cli) -> None:
    tag_id = cli("tag", "add", "VIP").stdout.strip()
    assert cli("contact", "add", "--tag", tag_id, "--phone", "call me").exit_code == 2
    run = cli("contact", "add", "--tag", "999", "--phone", "+4915123456781")
    assert run.exit_code == 2 and "999" in run.stderr


def test_contact_import(cli: Cli, sim_empty: TestSimulator, tmp_path: Path) -> None:
    tag_id = cli("tag", "add", "Imported").stdout.strip()
    csv = tmp_path / "people.csv"
    csv.write_text("phone;name\n+4915123456781;Anna\n+4917612345678;Ben\nnot a number;Carl\n", encoding="utf-8")
    dry = cli("contact", "import", str(csv), "--tag", tag_id, "--dry-run", "--json")
    assert dry.exit_code == 1
    assert dry.json()["valid"] == 2 and dry.json()["invalid"][0]["line"] == 4
    assert not sim_empty.state.contacts

    run = cli("contact", "import", str(csv), "--tag", tag_id, "--json")
    assert run.exit_code == 1, run.output  # one invalid row
    doc = run.json()
    assert (doc["saved"], doc["already_there"], doc["stopped"]) == (2, 0, None)
    assert "line 4" in run.stderr
    assert sorted(c.name for c in sim_empty.state.contacts.values()) == ["Anna", "Ben"]

    csv.write_text("phone;name\n+4915123456781;Anna\n+4917612345678;Ben\n", encoding="utf-8")
    again = cli("contact", "import", str(csv), "--tag", tag_id)
    assert again.exit_code == 0, again.output
    assert "2 already there" in again.stdout
    assert len(sim_empty.state.contacts) == 2


def test_contact_import_stopped_by_the_network_exits_4(cli: Cli, sim_empty: TestSimulator, tmp_path: Path) -> None:
    tag_id = cli("tag", "add", "Imported").stdout.strip()
    csv = tmp_path / "people.csv"
    csv.write_text("+4915123456781,Anna\n+4917612345678,Ben\n", encoding="utf-8")
    sim_empty.faults.set("drop", methods={"savecontact"})
    run = cli("contact", "import", str(csv), "--tag", tag_id, "--json")
    assert run.exit_code == 4, run.output
    assert run.json()["stopped"]
    assert "not tried" in run.stderr


def test_newsletter_create(cli: Cli, sim_empty: TestSimulator) -> None:
    tag_id = cli("tag", "add", "News").stdout.strip()
    cli("contact", "add", "--tag", tag_id, "--phone", "+4915123456781")
    run = cli(
        "newsletter", "create", "--title", "Spring sale", "--device", str(OFFICE_PHONE), "--sim", "1",
        "--tags", tag_id, "--at", "+1d", "--json", "20% off today",
    )
    assert run.exit_code == 0, run.output
    doc = run.json()
    assert doc["title"] == "Spring sale" and doc["tags"] == [int(tag_id)] and doc["send_at"]
    [paket] = sim_empty.state.pakets.values()
    assert paket.id == doc["gateway_id"]
    assert "start it there" in run.stderr


def test_newsletter_bad_tags_exit_2(cli: Cli) -> None:
    run = cli("newsletter", "create", "--title", "T", "--device", str(OFFICE_PHONE), "--tags", "a,b", "x")
    assert run.exit_code == 2 and "tag ids" in run.stderr
    run = cli("newsletter", "create", "--title", "T", "--device", str(OFFICE_PHONE), "--tags", "42", "x")
    assert run.exit_code == 2 and "42" in run.stderr
