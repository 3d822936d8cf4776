"""The ``smstui`` subcommands against the simulator over HTTP: output, JSON and the local store."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from smstui.simulator.testing import TestSimulator
from tests.cli_helpers import (
    DELIVERED_NUMBER,
    FAILING_NUMBER,
    OFFICE_PHONE,
    OLD_PHONE,
    Cli,
    live_simulator,
)
from tests.core_helpers import write_config


@pytest.fixture
def cli(sim_empty: TestSimulator) -> Cli:
    return Cli.logged_in(sim_empty.url)


@pytest.fixture
def live() -> Iterator[Cli]:
    with live_simulator() as server:
        yield Cli.logged_in(server.url)


# ------------------------------------------------------------------ help


def test_help_lists_commands_exit_codes_and_json_fields() -> None:
    run = Cli("http://unused.invalid/getdata/")("--help")
    assert run.exit_code == 0
    for word in ("send", "status", "messages", "devices", "login", "logout", "sync", "Exit codes", "5  status --wait"):
        assert word in run.stdout
    assert '"sms_id"' in run.stdout


@pytest.mark.parametrize("argv", [["-m", "smstui", "--help"], ["-m", "smstui", "send", "--help"]])
def test_python_dash_m_help(argv: list[str]) -> None:
    result = subprocess.run([sys.executable, *argv], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "Usage: smstui" in result.stdout


def test_help_does_not_import_textual_or_httpx() -> None:
    code = (
        "import sys; from click.testing import CliRunner; from smstui.cli.commands import cli; "
        "r = CliRunner().invoke(cli, ['send', '--help']); assert r.exit_code == 0, r.output; "
        "print(sorted(m for m in ('textual', 'httpx') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


# ------------------------------------------------------------------ login


def test_login_prompts_for_email_and_password(sim_empty: TestSimulator) -> None:
    cli = Cli(sim_empty.url)
    run = cli("login", input=f"{sim_empty.email}\n{sim_empty.password}\n")
    assert run.exit_code == 0, run.output
    assert "Logged in as demo@smstui.dev" in run.stdout
    assert cli("devices", "--json").exit_code == 0


def test_logout_forgets_the_session(cli: Cli) -> None:
    assert cli("logout").exit_code == 0
    run = cli("devices")
    assert run.exit_code == 3
    assert "smstui login" in run.stderr


# ------------------------------------------------------------------ devices


def test_devices_json(cli: Cli) -> None:
    run = cli("devices", "--json")
    assert run.exit_code == 0, run.output
    docs = {d["id"]: d for d in run.json()["devices"]}
    assert set(docs) == {OFFICE_PHONE, 1297, OLD_PHONE}
    office = docs[OFFICE_PHONE]
    assert office["online"] is True
    assert [s["slot"] for s in office["sims"]] == [0, 1]
    assert office["sims"][0]["carrier"] == "Telekom.de"
    assert "sms2" in office["slots"] and "wa" in office["slots"]
    assert docs[OLD_PHONE]["online"] is False
    assert docs[OLD_PHONE]["last_seen"] is not None
    assert set(office) == {
        "id",
        "title",
        "online",
        "last_seen",
        "seconds_since_seen",
        "app_version",
        "app_version_current",
        "sims",
        "slots",
    }


def test_devices_table(cli: Cli) -> None:
    run = cli("devices")
    assert run.exit_code == 0
    lines = run.stdout.splitlines()
    assert lines[0].split()[:3] == ["ID", "TITLE", "STATE"]
    assert any("Pixel 7 (office)" in line and "online" in line for line in lines)
    assert any("SM-F NIK!" in line and "offline" in line for line in lines)


# ------------------------------------------------------------------ send / status / messages


def test_send_prints_the_sms_id_and_status_finds_it(cli: Cli, sim_empty: TestSimulator) -> None:
    run = cli("send", "--to", DELIVERED_NUMBER, "--device", str(OFFICE_PHONE), "hello from the CLI")
    assert run.exit_code == 0, run.output
    sms_id = int(run.stdout.strip())
    assert sim_empty.state.messages[sms_id].body == "hello from the CLI"

    status = cli("status", str(sms_id), "--json")
    assert status.exit_code == 0
    assert status.json() == {
        "sms_id": sms_id,
        "status": 1,
        "status_title": "New",
        "final": False,
        "failed": False,
        "hint": None,
        "timed_out": False,
    }
    sim_empty.advance(60)
    assert cli("status", str(sms_id), "--json").json()["status"] == 7
    assert "Delivered (7)" in cli("status", str(sms_id)).stdout


def test_send_json_to_several_numbers_with_slot_and_options(cli: Cli, sim_empty: TestSimulator) -> None:
    # No messages to learn the account's zone from: the profile names it.
    write_config('[profiles.default]\naccount_timezone = "Europe/Berlin"\n')
    run = cli(
        "send",
        "--to",
        f"{DELIVERED_NUMBER}, +4917612345678",
        "--device",
        str(OFFICE_PHONE),
        "--slot",
        "sms2",
        "--urgent",
        "--customer-id",
        "77",
        "--at",
        "+2h",
        "--json",
        "later",
    )
    assert run.exit_code == 0, run.output
    doc = run.json()
    assert doc["ok"] is True
    assert [m["phone"] for m in doc["messages"]] == [DELIVERED_NUMBER, "+4917612345678"]
    for m in doc["messages"]:
        assert m["state"] == "submitted" and m["error"] is None
        assert set(m) == {"lid", "phone", "sms_id", "state", "error"}
        stored = sim_empty.state.messages[m["sms_id"]]
        assert (stored.sim, stored.customerid, bool(stored.urgent)) == (1, 77, True)
        assert stored.timetosend is not None


def test_send_reads_the_body_from_stdin(cli: Cli, sim_empty: TestSimulator) -> None:
    body = "line one\nline two ünïcode ✓"
    run = cli("send", "--to", DELIVERED_NUMBER, "--device", str(OFFICE_PHONE), "-", input=body + "\n")
    assert run.exit_code == 0, run.output
    assert sim_empty.state.messages[int(run.stdout)].body == body


def test_sent_message_is_in_the_local_store_and_the_gateway_list(cli: Cli) -> None:
    sms_id = int(cli("send", "--to", DELIVERED_NUMBER, "--device", str(OFFICE_PHONE), "stored?").stdout)
    offline = cli("messages", "--offline", "--phone", DELIVERED_NUMBER, "--json")
    assert offline.exit_code == 0, offline.output
    doc = offline.json()
    assert doc["source"] == "local"
    assert [(m["id"], m["body"], m["outbox"]) for m in doc["messages"]] == [(sms_id, "stored?", "submitted")]

    online = cli("messages", "--phone", DELIVERED_NUMBER, "--json").json()
    assert online["source"] == "gateway"
    assert [m["id"] for m in online["messages"]] == [sms_id]
    m = online["messages"][0]
    assert (m["direction"], m["device_id"], m["sim"], m["status"]) == ("out", OFFICE_PHONE, 0, 1)


def test_status_wait_until_delivered(live: Cli) -> None:
    sms_id = live("send", "--to", DELIVERED_NUMBER, "--device", str(OFFICE_PHONE), "wait for me").stdout.strip()
    run = live("status", sms_id, "--wait", "--interval", "0.05", "--timeout", "30", "--json")
    assert run.exit_code == 0, run.output
    assert run.json()["status"] == 7 and run.json()["final"] is True


# ------------------------------------------------------------------ messages


@pytest.fixture
def demo_cli(sim: TestSimulator) -> Cli:
    return Cli.logged_in(sim.url)


def test_messages_filters_and_count(demo_cli: Cli, sim: TestSimulator) -> None:
    everything = demo_cli("messages", "--limit", "0", "--json").json()
    assert everything["count"] == len(everything["messages"]) > 10
    created = [m["created"] for m in everything["messages"]]
    assert created == sorted(created, reverse=True)

    count = demo_cli("messages", "--count", "--json")
    assert count.json() == {"count": everything["count"]}
    assert demo_cli("messages", "--count").stdout.strip() == str(everything["count"])

    incoming = demo_cli("messages", "--status", "incoming", "--limit", "0", "--json").json()["messages"]
    assert incoming and all(m["direction"] == "in" and m["status"] == 5 for m in incoming)

    limited = demo_cli("messages", "--limit", "3", "--json").json()
    assert len(limited["messages"]) == 3

    # The seed is placed relative to the simulator's fake clock, not the real one.
    day_ago = (sim.clock() - timedelta(days=1)).astimezone().strftime("%Y-%m-%d %H:%M")
    recent = demo_cli("messages", "--since", day_ago, "--limit", "0", "--json").json()["messages"]
    assert 0 < len(recent) < len(everything["messages"])
    cutoff = sim.clock() - timedelta(days=1, minutes=1)
    assert all(datetime.fromisoformat(m["created"]) >= cutoff for m in recent)


def test_messages_table_shows_network_text_as_data(demo_cli: Cli, sim: TestSimulator) -> None:
    sim.state.add_incoming(OFFICE_PHONE, "+4915123456781", "evil \x1b[31mred\x1b[0m text")
    # A wide terminal, so the body column is not clipped before the escape.
    run = demo_cli("messages", "--phone", "+4915123456781", "--limit", "5", env={"COLUMNS": "200"})
    assert run.exit_code == 0
    assert "\x1b" not in run.stdout
    assert "evil ␛[31mred␛[0m text" in run.stdout  # visible, as in the app (issue 13, item 8)
    data = demo_cli("messages", "--phone", "+4915123456781", "--json").json()
    assert any(m["body"] == "evil \x1b[31mred\x1b[0m text" for m in data["messages"])


@pytest.fixture
def live_demo() -> Iterator[Cli]:
    # Sync reaches back from the real clock, so the seed must be placed on the real clock too.
    with live_simulator(data="demo", step_seconds=5) as server:
        yield Cli.logged_in(server.url)


def test_sync_then_offline_messages(live_demo: Cli) -> None:
    demo_cli = live_demo
    run = demo_cli("sync", "--json")
    assert run.exit_code == 0, run.output
    report = run.json()
    assert report["new_messages"] > 0
    assert set(report) == {
        "new_messages",
        "changed_messages",
        "new_incoming",
        "changed_threads",
        "devices_changed",
        "region",
        "verified",
        "bulk_jobs",
    }
    assert report["region"] == {"region": "DE", "source": "sims", "seen": ["DE"]}  # learnt at login
    assert report["bulk_jobs"] == []
    # The first sync says what it verified against the gateway's own count.
    assert report["verified"]["complete"] is True and report["verified"]["differs"] == []
    assert 0 < report["verified"]["messages"] <= report["new_messages"]
    local = demo_cli("messages", "--offline", "--limit", "0", "--json").json()
    assert local["count"] == report["new_messages"]
    again = demo_cli("sync", "--json").json()
    assert again["new_messages"] == 0
    text = demo_cli("sync").stdout
    assert "Synced:" in text and "Verified" in text and "complete" in text


def test_failed_message_fails_status_wait(live: Cli) -> None:
    sms_id = live("send", "--to", FAILING_NUMBER, "--device", str(OFFICE_PHONE), "doomed").stdout.strip()
    run = live("status", sms_id, "--wait", "--interval", "0.05", "--timeout", "30")
    assert run.exit_code == 5, run.output
    assert "generic failure" in run.stdout.lower()


def test_real_process_send_with_stdin_and_env_credentials(sim_empty: TestSimulator, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "SMSTUI_EMAIL": sim_empty.email,
        "SMSTUI_PASSWORD": sim_empty.password,
        "SMSTUI_API_URL": sim_empty.url,
    }
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "smstui",
            "send",
            "--to",
            DELIVERED_NUMBER,
            "--device",
            str(OFFICE_PHONE),
            "--json",
            "-",
        ],
        input="from a pipe\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    [doc] = json.loads(result.stdout)["messages"]
    assert sim_empty.state.messages[doc["sms_id"]].body == "from a pipe"
    bad = subprocess.run(
        [sys.executable, "-m", "smstui", "status", "nope"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert bad.returncode == 2 and bad.stdout == ""
