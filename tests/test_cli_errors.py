"""Every documented exit code, each produced by a real condition; no traceback, no secret printed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from smstui.simulator import seed
from smstui.simulator.runner import SimulatorServer
from smstui.simulator.state import SimState
from smstui.simulator.testing import TestSimulator
from tests.cli_helpers import (
    DELIVERED_NUMBER,
    OFFICE_PHONE,
    OLD_PHONE,
    Cli,
    assert_no_secrets,
    closed_port_url,
    live_simulator,
)


@pytest.fixture
def cli(sim_empty: TestSimulator) -> Cli:
    return Cli.logged_in(sim_empty.url)


def _one_line_error(run_stderr: str) -> None:
    assert "Traceback" not in run_stderr
    assert run_stderr.strip().startswith("Error:")


# ------------------------------------------------------------------ 3: authentication


def test_wrong_password_exits_3(sim_empty: TestSimulator) -> None:
    cli = Cli(sim_empty.url)
    run = cli("login", env={"SMSTUI_EMAIL": sim_empty.email, "SMSTUI_PASSWORD": "not-the-password"})
    assert run.exit_code == 3
    _one_line_error(run.stderr)
    assert "Wrong email or password" in run.stderr
    assert run.stdout == ""
    assert_no_secrets(run.output, ["not-the-password"])


def test_command_without_login_exits_3(sim_empty: TestSimulator) -> None:
    run = Cli(sim_empty.url)("send", "--to", DELIVERED_NUMBER, "--device", str(OFFICE_PHONE), "hi")
    assert run.exit_code == 3
    assert "smstui login" in run.stderr
    assert not sim_empty.state.messages


def test_expired_token_is_renewed_with_env_credentials(cli: Cli, sim_empty: TestSimulator) -> None:
    sim_empty.state.expire_tokens()
    assert cli("devices", "--json").exit_code == 3
    env = {"SMSTUI_EMAIL": sim_empty.email, "SMSTUI_PASSWORD": sim_empty.password}
    assert cli("devices", "--json", env=env).exit_code == 0


# ------------------------------------------------------------------ 4: network


def test_unreachable_gateway_exits_4(sim_empty: TestSimulator) -> None:
    cli = Cli(closed_port_url())
    run = cli("login", env={"SMSTUI_EMAIL": sim_empty.email, "SMSTUI_PASSWORD": sim_empty.password})
    assert run.exit_code == 4
    _one_line_error(run.stderr)
    assert "Cannot reach the gateway" in run.stderr


def test_send_to_unreachable_gateway_is_not_queued_for_later(cli: Cli, sim_empty: TestSimulator) -> None:
    url = closed_port_url()
    run = cli("send", "--to", DELIVERED_NUMBER, "--device", str(OFFICE_PHONE), "--json", "lost?", api_url=url)
    assert run.exit_code == 4, run.output
    [doc] = run.json()["messages"]
    assert doc["state"] == "not_sent" and doc["sms_id"] is None
    assert "safe to run the command again" in run.stderr
    # Nothing left to be sent behind the script's back when the gateway comes back.
    retry = cli("send", "--to", DELIVERED_NUMBER, "--device", str(OFFICE_PHONE), "lost?")
    assert retry.exit_code == 0
    cli("sync")
    assert len(sim_empty.state.messages) == 1


def test_status_wait_times_out_with_4(cli: Cli) -> None:
    # The old phone is offline: its message stays "New".
    sms_id = cli("send", "--to", DELIVERED_NUMBER, "--device", str(OLD_PHONE), "stuck").stdout.strip()
    run = cli("status", sms_id, "--wait", "--timeout", "0.3", "--interval", "0.05", "--json")
    assert run.exit_code == 4
    doc = run.json()
    assert doc["timed_out"] is True and doc["status"] == 1
    assert "still not final" in run.stderr


def test_html_error_page_exits_4(cli: Cli, sim_empty: TestSimulator) -> None:
    sim_empty.faults.set("html502", methods={"getalldevices"}, count=1)
    run = cli("devices", "--json")
    assert run.exit_code == 4
    assert run.stdout == ""
    assert "HTTP 502" in run.stderr


# ------------------------------------------------------------------ 1: gateway refused


def test_unknown_device_is_refused_with_1(cli: Cli) -> None:
    run = cli("send", "--to", DELIVERED_NUMBER, "--device", "999", "--json", "nowhere")
    assert run.exit_code == 1, run.output
    [doc] = run.json()["messages"]
    assert doc["state"] == "rejected"
    assert "Device not found" in doc["error"]
    assert "Device not found" in run.stderr


def test_unknown_sms_id_is_refused_with_1(cli: Cli) -> None:
    run = cli("status", "12345")
    assert run.exit_code == 1
    assert "Sms not found" in run.stderr
    _one_line_error(run.stderr)


# ------------------------------------------------------------------ 2: usage


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["send", "--to", "hello", "--device", "1", "x"], "not a phone number"),
        # (A national number is read in the region the login learnt from the SIMs: test_cli_region.)
        (["send", "--to", "+999 52982212", "--device", "1", "x"], "unknown country code"),
        (["send", "--to", DELIVERED_NUMBER, "x"], "--device"),
        (["send", "--to", DELIVERED_NUMBER, "--device", "1", "--sim", "0", "--slot", "wa", "x"], "not both"),
        (["send", "--to", DELIVERED_NUMBER, "--device", "1", "--sim", "9", "x"], "9"),
        (["send", "--to", DELIVERED_NUMBER, "--device", "1", "--at", "2001-01-01 10:00", "x"], "past"),
        (["send", "--to", DELIVERED_NUMBER, "--device", "1", "--at", "someday", "x"], "cannot read"),
        (["send", "--to", DELIVERED_NUMBER, "--device", "1", ""], "empty"),
        (["send", "--device", "1", "x"], "--to"),
        (["status", "abc"], "not a valid integer"),
        (["messages", "--status", "lost-in-space"], "unknown status"),
        (["messages", "--since", "last tuesday"], "cannot read"),
        (["messages", "--phone", "nope"], "not a phone number"),
        (["--profile", "nosuch", "devices"], "unknown profile"),
        (["--profile", "../etc", "devices"], "invalid profile name"),
        (["frobnicate"], "No such command"),
    ],
)
def test_bad_arguments_exit_2(cli: Cli, args: list[str], message: str, sim_empty: TestSimulator) -> None:
    run = cli(*args)
    assert run.exit_code == 2, run.output
    assert message.lower() in run.stderr.lower()
    assert "Traceback" not in run.output
    assert run.stdout == ""
    assert not sim_empty.state.messages


def test_image_checks_exit_2(cli: Cli, tmp_path: Path) -> None:
    text = tmp_path / "note.txt"
    text.write_text("not an image")
    run = cli("send", "--to", DELIVERED_NUMBER, "--device", "1", "--slot", "wa", "--image", str(text), "x")
    assert run.exit_code == 2 and "not a JPEG" in run.stderr
    png = tmp_path / "dot.png"
    png.write_bytes(seed.TINY_PNG)
    run = cli("send", "--to", DELIVERED_NUMBER, "--device", "1", "--image", str(png), "x")
    assert run.exit_code == 2 and "WhatsApp" in run.stderr


def test_image_to_whatsapp_is_sent(cli: Cli, tmp_path: Path, sim_empty: TestSimulator) -> None:
    png = tmp_path / "dot.png"
    png.write_bytes(seed.TINY_PNG)
    run = cli("send", "--to", DELIVERED_NUMBER, "--device", str(OFFICE_PHONE), "--slot", "wa", "--image", str(png), "")
    assert run.exit_code == 0, run.output
    assert sim_empty.state.messages[int(run.stdout)].sim == 3


# ------------------------------------------------------------------ 1: unexpected errors


def test_unexpected_error_is_one_line_with_a_hint(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    import smstui.cli.output as out

    def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("boom")

    monkeypatch.setattr(out, "device_doc", broken)
    run = cli("devices")
    assert run.exit_code == 1
    assert "unexpected error (RuntimeError): boom" in run.stderr
    assert "SMSTUI_DEBUG=1" in run.stderr
    assert "Traceback" not in run.output


# ------------------------------------------------------------------ secrets


def test_no_password_or_token_is_ever_printed(tmp_path: Path) -> None:
    password = "Corr3ct-Horse-Battery!"
    state = SimState(step_seconds=0.01)
    seed.base(state, email="ops@example.com", password=password)
    issued: list[str] = []
    login = state.login

    def recording_login(email: str, secret: str) -> str:
        token = login(email, secret)
        issued.append(token)
        return token

    state.login = recording_login  # type: ignore[method-assign]
    with SimulatorServer(state) as server:
        cli = Cli(server.url)
        env = {"SMSTUI_EMAIL": "ops@example.com", "SMSTUI_PASSWORD": password}
        cli("login", env=env)
        cli("login", input=f"ops@example.com\n{password}\n")
        cli("login", "--remember", env=env)
        sms_id = cli("send", "--to", DELIVERED_NUMBER, "--device", str(OFFICE_PHONE), "--json", "hi").json()[
            "messages"
        ][0]["sms_id"]
        cli("status", str(sms_id), "--wait", "--interval", "0.02", "--timeout", "10", "--json")
        cli("devices")
        cli("devices", "--json")
        cli("messages", "--json")
        cli("messages", "--offline")
        cli("sync", "--json")
        cli("status", "1")
        state.expire_tokens()
        cli("devices", "--json", env=env)
        cli("login", env={"SMSTUI_EMAIL": "ops@example.com", "SMSTUI_PASSWORD": password + "x"})
        cli("logout")
        assert len(issued) >= 4
        printed = cli.everything_printed()
        assert "Logged in as ops@example.com" in printed
        assert_no_secrets(printed, [password, *issued])


# ------------------------------------------------------------------ lost answers: never resent blindly


@pytest.fixture
def live_cli() -> Iterator[tuple[Cli, SimulatorServer]]:
    # The outbox looks a lost send up in a window around the real clock: run the simulator on it.
    with live_simulator(step_seconds=5) as server:
        yield Cli.logged_in(server.url), server


def test_lost_answer_is_looked_up_not_resent(live_cli: tuple[Cli, SimulatorServer]) -> None:
    cli, server = live_cli
    server.faults.set("response_lost", methods={"addsms"}, count=1)
    run = cli("send", "--to", DELIVERED_NUMBER, "--device", str(OFFICE_PHONE), "--json", "exactly once")
    assert run.exit_code == 0, run.output
    [doc] = run.json()["messages"]
    assert doc["state"] == "submitted"
    assert list(server.state.messages) == [doc["sms_id"]]


def test_unknown_outcome_exits_4_and_is_reconciled_by_sync(live_cli: tuple[Cli, SimulatorServer]) -> None:
    cli, server = live_cli
    server.faults.set("response_lost", methods={"addsms"}, count=1)
    server.faults.set("http500", methods={"getallsms"}, count=1)
    run = cli("send", "--to", DELIVERED_NUMBER, "--device", str(OFFICE_PHONE), "--json", "maybe")
    assert run.exit_code == 4, run.output
    [doc] = run.json()["messages"]
    assert doc["state"] == "unknown" and doc["sms_id"] is None
    assert "Do not send it again" in run.stderr
    local = cli("messages", "--offline", "--json").json()["messages"]
    assert [(m["lid"], m["outbox"]) for m in local] == [(doc["lid"], "unknown")]

    assert cli("sync").exit_code == 0
    local = cli("messages", "--offline", "--json").json()["messages"]
    [sms_id] = list(server.state.messages)
    assert [(m["lid"], m["id"], m["outbox"]) for m in local] == [(doc["lid"], sms_id, "submitted")]
