"""``smstui tag``, ``contact`` and ``newsletter`` against the simulator over HTTP."""

from __future__ import annotations

from pathlib import Path

import pytest

from smstui.simulator.testing import TestSimulator
from tests.cli_helpers import DEMO_EMAIL, OFFICE_PHONE, Cli
from tests.core_helpers import write_config


@pytest.fixture
def cli(sim_empty: TestSimulator) -> Cli:
    return Cli.logged_in(sim_empty.url)


def test_tag_add_and_list(cli: Cli, sim_empty: TestSimulator) -> None:
    run = cli("tag", "add", "Customers")
    assert run.exit_code == 0, run.output
    tag_id = int(run.stdout)
    [(gateway_id, made)] = sim_empty.state.tags.items()
    assert tag_id == gateway_id and made.title == "Customers"  # the gateway's id, not a local one
    doc = cli("tag", "add", "customers", "--json").json()  # same title: reused, not created twice
    assert doc["tag_id"] == doc["gateway_id"] == tag_id
    assert len(sim_empty.state.tags) == 1

    listed = cli("tag", "list", "--json").json()
    assert listed == {
        "tags": [{"tag_id": tag_id, "gateway_id": tag_id, "title": "Customers", "contacts": 0, "pending": False}]
    }
    text = cli("tag", "list").stdout
    assert "Customers" in text and str(tag_id) in text


def test_contact_add(cli: Cli, sim_empty: TestSimulator) -> None:
    tag_id = cli("tag", "add", "VIP").stdout.strip()
    run = cli("contact", "add", "--tag", tag_id, "--phone", "+49 151 2345 6781", "--name", "Anna", "--json")
    assert run.exit_code == 0, run.output
    doc = run.json()
    [saved] = sim_empty.state.contacts.values()
    assert (doc["phone"], doc["name"], doc["tag_id"]) == ("+4915123456781", "Anna", int(tag_id))
    assert doc["contact_id"] == doc["gateway_id"] == saved.id and saved.tag_id == int(tag_id)
    assert saved.name == "Anna"
    again = cli("contact", "add", "--tag", tag_id, "--phone", "+4915123456781")
    assert again.exit_code == 0 and int(again.stdout) == saved.id
    assert len(sim_empty.state.contacts) == 1
    listed = cli("contact", "list", "--tag", tag_id, "--json").json()
    assert listed == {
        "contacts": [
            {
                "contact_id": saved.id,
                "gateway_id": saved.id,
                "tag_id": int(tag_id),
                "phone": "+4915123456781",
                "name": "Anna",
            }
        ]
    }
    assert str(saved.id) in cli("contact", "list").stdout


def test_a_dashboard_tag_is_used_by_its_id_and_can_be_named(cli: Cli, sim_empty: TestSimulator) -> None:

    account = sim_empty.state.accounts[DEMO_EMAIL]
    dashboard = sim_empty.state.save_tag(account, "Made on the dashboard")  # smstui never saw it
    run = cli("contact", "add", "--tag", str(dashboard), "--phone", "+4915123456781", "--name", "Ann")
    assert run.exit_code == 0, run.output
    [saved] = sim_empty.state.contacts.values()
    assert int(run.stdout) == saved.id and saved.tag_id == dashboard
    listed = cli("tag", "list").stdout
    assert f"tag {dashboard} (no title; name it with `smstui tag name {dashboard} TITLE`)" in listed
    assert cli("tag", "list", "--json").json()["tags"] == [
        {"tag_id": dashboard, "gateway_id": dashboard, "title": None, "contacts": 1, "pending": False}
    ]

    named = cli("tag", "name", str(dashboard), "Dashboard VIPs")
    assert named.exit_code == 0, named.output
    assert cli("tag", "list", "--json").json()["tags"][0]["title"] == "Dashboard VIPs"
    # The title now finds it: no second tag on the gateway.
    assert cli("tag", "add", "dashboard vips").stdout.strip() == str(dashboard)
    assert len(sim_empty.state.tags) == 1
    # Naming an id never seen records it; an empty title or one taken is refused clearly.
    assert cli("tag", "name", "777", "  ").exit_code == 2
    taken = cli("tag", "name", "777", "Dashboard VIPs")
    assert taken.exit_code == 2 and "already called" in taken.stderr
    assert [t["tag_id"] for t in cli("tag", "list", "--json").json()["tags"]] == [dashboard]


def test_contact_add_bad_input(cli: Cli, sim_empty: TestSimulator) -> None:
    tag_id = cli("tag", "add", "VIP").stdout.strip()
    assert cli("contact", "add", "--tag", tag_id, "--phone", "call me").exit_code == 2
    # An id the gateway does not know: its refusal, and no phantom tag left behind.
    run = cli("contact", "add", "--tag", "999", "--phone", "+4915123456781")
    assert run.exit_code == 1 and "999" in run.stderr and "Traceback" not in run.output
    assert [t["tag_id"] for t in cli("tag", "list", "--json").json()["tags"]] == [int(tag_id)]
    zero = cli("contact", "add", "--tag", "0", "--phone", "+4915123456781")
    assert zero.exit_code == 2 and "positive" in zero.stderr
    assert cli("contact", "add", "--tag", "VIP", "--phone", "+4915123456781").exit_code == 2
    assert not sim_empty.state.contacts


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
    gateway = {c.phone: c.id for c in sim_empty.state.contacts.values()}
    assert doc["contacts"] == [
        {"line": 2, "phone": "+4915123456781", "contact_id": gateway["+4915123456781"], "tag_id": int(tag_id)},
        {"line": 3, "phone": "+4917612345678", "contact_id": gateway["+4917612345678"], "tag_id": int(tag_id)},
    ]

    csv.write_text("phone;name\n+4915123456781;Anna\n+4917612345678;Ben\n", encoding="utf-8")
    again = cli("contact", "import", str(csv), "--tag", tag_id)
    assert again.exit_code == 0, again.output
    assert "2 already there" in again.stdout
    assert str(gateway["+4917612345678"]) in again.stdout  # the gateway's contact ids are printed
    assert len(sim_empty.state.contacts) == 2


def test_contact_import_to_dashboard_tags(cli: Cli, sim_empty: TestSimulator, tmp_path: Path) -> None:
    account = sim_empty.state.accounts[DEMO_EMAIL]
    first = sim_empty.state.save_tag(account, "Dashboard A")
    second = sim_empty.state.save_tag(account, "Dashboard B")
    csv = tmp_path / "people.csv"
    csv.write_text(f"phone;name;tag\n+4915123456781;Anna;\n+4917612345678;Ben;#{second}\n", encoding="utf-8")
    run = cli("contact", "import", str(csv), "--tag", str(first), "--json")
    assert run.exit_code == 0, run.output
    assert [(c["phone"], c["tag_id"]) for c in run.json()["contacts"]] == [
        ("+4915123456781", first),
        ("+4917612345678", second),
    ]
    assert sorted((c.phone, c.tag_id) for c in sim_empty.state.contacts.values()) == [
        ("+4915123456781", first),
        ("+4917612345678", second),
    ]
    assert {t["tag_id"]: t["contacts"] for t in cli("tag", "list", "--json").json()["tags"]} == {first: 1, second: 1}


def test_contact_import_stopped_by_the_network_exits_4(cli: Cli, sim_empty: TestSimulator, tmp_path: Path) -> None:
    tag_id = cli("tag", "add", "Imported").stdout.strip()
    csv = tmp_path / "people.csv"
    csv.write_text("+4915123456781,Anna\n+4917612345678,Ben\n", encoding="utf-8")
    sim_empty.faults.set("drop", methods={"savecontact"})
    run = cli("contact", "import", str(csv), "--tag", tag_id, "--json")
    assert run.exit_code == 4, run.output
    assert run.json()["stopped"]
    assert "not tried" in run.stderr


def test_newsletter_create_and_list(cli: Cli, sim_empty: TestSimulator) -> None:
    # No messages to learn the account's zone from (time_to_send needs it): the profile names it.
    write_config('[profiles.default]\naccount_timezone = "Europe/Berlin"\n')
    tag_id = cli("tag", "add", "News").stdout.strip()
    account = sim_empty.state.accounts[DEMO_EMAIL]
    dashboard = sim_empty.state.save_tag(account, "From the dashboard")
    cli("contact", "add", "--tag", tag_id, "--phone", "+4915123456781")
    run = cli(
        "newsletter",
        "create",
        "--title",
        "Spring sale",
        "--device",
        str(OFFICE_PHONE),
        "--sim",
        "1",
        "--tags",
        f"{tag_id},{dashboard}",
        "--at",
        "+1d",
        "--json",
        "20% off today",
    )
    assert run.exit_code == 0, run.output
    doc = run.json()
    [paket] = sim_empty.state.pakets.values()
    assert doc["title"] == "Spring sale" and doc["tags"] == [int(tag_id), dashboard] and doc["send_at"]
    assert doc["newsletter_id"] == doc["gateway_id"] == paket.id
    assert paket.tag_ids == (int(tag_id), dashboard)
    assert "start it there" in run.stderr
    listed = cli("newsletter", "list", "--json").json()["newsletters"]
    assert [(n["newsletter_id"], n["tags"], n["state"].split(" ")[0]) for n in listed] == [
        (paket.id, [int(tag_id), dashboard], "scheduled")
    ]
    assert str(paket.id) in cli("newsletter", "list").stdout


def test_newsletter_bad_tags(cli: Cli, sim_empty: TestSimulator) -> None:
    run = cli("newsletter", "create", "--title", "T", "--device", str(OFFICE_PHONE), "--tags", "a,b", "x")
    assert run.exit_code == 2 and "tag ids" in run.stderr
    run = cli("newsletter", "create", "--title", "T", "--device", str(OFFICE_PHONE), "--tags", "42", "x")
    assert run.exit_code == 1 and "42" in run.stderr  # the gateway's refusal
    assert cli("tag", "list", "--json").json() == {"tags": []}  # no phantom tag 42
    assert sim_empty.state.pakets == {}


def test_newsletter_refuses_placeholders(cli: Cli, sim_empty: TestSimulator) -> None:
    """The gateway sends a newsletter's text unchanged: {name} would reach everyone literally (issue 13, 5)."""
    tag_id = cli("tag", "add", "News").stdout.strip()
    run = cli(
        "newsletter",
        "create",
        "--title",
        "T",
        "--device",
        str(OFFICE_PHONE),
        "--tags",
        tag_id,
        "Hi {name}, 20% off today",
    )
    assert run.exit_code == 2, run.output
    assert "{name}" in run.stderr and "smstui bulk --template" in run.stderr
    assert sim_empty.state.pakets == {}
    assert "not filled in" in cli("newsletter", "create", "--help").stdout
