"""Input that cannot be used is refused with exit 2 and a reason, before anything is saved
(issue 12): far-future times, out-of-range ids, undecodable text."""

from __future__ import annotations

from pathlib import Path

import pytest

from smstui.simulator.testing import TestSimulator
from tests.cli_helpers import DELIVERED_NUMBER, OFFICE_PHONE, Cli

HUGE = "1" * 23  # beyond SQLite's 64-bit INTEGER


@pytest.fixture
def cli(sim_empty: TestSimulator) -> Cli:
    return Cli.logged_in(sim_empty.url)


def _saved_locally(cli: Cli) -> list:
    run = cli("messages", "--offline", "--json")
    assert run.exit_code == 0, run.output
    return run.json()["messages"]


def _refused(run, *needles: str) -> None:
    assert run.exit_code == 2, run.output
    assert "Traceback" not in run.output and "unexpected error" not in run.output
    for needle in needles:
        assert needle.lower() in run.stderr.lower(), run.stderr


@pytest.mark.parametrize("when", ["9999-12-31 23:59", "9999-12-31 23:59 -12:00", "+3651d"])
def test_send_at_far_future_is_refused_and_nothing_saved(cli: Cli, sim_empty: TestSimulator, when: str) -> None:
    run = cli("send", "--to", DELIVERED_NUMBER, "--device", str(OFFICE_PHONE), "--at", when, "hello")
    _refused(run, "--at", "ten years")
    assert _saved_locally(cli) == [] and not sim_empty.state.messages


def test_newsletter_at_far_future_is_refused(cli: Cli, sim_empty: TestSimulator) -> None:
    run = cli(
        "newsletter",
        "create",
        "--title",
        "t",
        "--device",
        str(OFFICE_PHONE),
        "--tags",
        "1",
        "--at",
        "9999-12-31 23:59",
        "hello",
    )
    _refused(run, "ten years")
    assert not sim_empty.state.pakets


def test_bulk_far_future_time_column_is_an_invalid_line(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "far.csv"
    path.write_text("phone,body,time\n+4915123456781,hi,9999-12-31 23:59\n", encoding="utf-8")
    run = cli("bulk", str(path), "--device", str(OFFICE_PHONE), "--dry-run", "--json")
    [invalid] = run.json()["invalid"]
    assert invalid["line"] == 2 and "ten years" in invalid["reason"]


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["send", "--to", DELIVERED_NUMBER, "--device", HUGE, "x"], "device id"),
        (["send", "--to", DELIVERED_NUMBER, "--device", "0", "x"], "device id"),
        (["send", "--to", DELIVERED_NUMBER, "--device", "-5", "x"], "device id"),
        (["send", "--to", DELIVERED_NUMBER, "--device", str(OFFICE_PHONE), "--customer-id", HUGE, "x"], "customer id"),
        (
            ["send", "--to", DELIVERED_NUMBER, "--device", str(OFFICE_PHONE), "--customer-id", "2147483648", "x"],
            "customer id",
        ),
        (["status", HUGE], "sms id"),
        (["messages", "--offline", "--device", HUGE], "device id"),
        (["messages", "--offline", "--customer-id", HUGE], "customer id"),
        (["bulk", "--device", HUGE, "{csv}"], "device id"),
        (["tag", "name", HUGE, "x"], "tag id"),
        (["contact", "add", "--tag", HUGE, "+4915123456781"], "tag id"),
        (["contact", "list", "--tag", HUGE], "tag id"),
        (["newsletter", "create", "--title", "t", "--device", HUGE, "--tags", "1", "x"], "device id"),
        (["newsletter", "create", "--title", "t", "--device", "1", "--tags", f"1,{HUGE}", "x"], "tag ids"),
        (["newsletter", "create", "--title", "t", "--device", "1", "--tags", "0", "x"], "tag ids"),
    ],
)
def test_ids_out_of_range_exit_2(cli: Cli, tmp_path: Path, args: list[str], needle: str) -> None:
    csv = tmp_path / "one.csv"
    csv.write_text("phone,body\n+4915123456781,hi\n", encoding="utf-8")
    run = cli(*[a.replace("{csv}", str(csv)) for a in args])
    _refused(run, needle)
    assert "OverflowError" not in run.output


def test_invalid_utf8_on_stdin_exits_2_with_the_reason(cli: Cli, sim_empty: TestSimulator) -> None:
    run = cli("send", "--to", DELIVERED_NUMBER, "--device", str(OFFICE_PHONE), "-", input=b"caf\xe9 ok\n")
    _refused(run, "standard input is not UTF-8", "0xe9")
    assert _saved_locally(cli) == [] and not sim_empty.state.messages


def test_undecodable_body_argument_exits_2(cli: Cli) -> None:
    # What Python makes of a non-UTF-8 byte in argv (surrogateescape).
    run = cli("send", "--to", DELIVERED_NUMBER, "--device", str(OFFICE_PHONE), "caf\udce9")
    _refused(run, "not valid UTF-8")
    assert _saved_locally(cli) == []


def test_utf8_stdin_still_works(cli: Cli, sim_empty: TestSimulator) -> None:
    run = cli("send", "--to", DELIVERED_NUMBER, "--device", str(OFFICE_PHONE), "-", input="café ✓\n".encode())
    assert run.exit_code == 0, run.output
    assert [m.body for m in sim_empty.state.messages.values()] == ["café ✓"]


# ------------------------------------------------------------------ bulk for an unknown device


def _jobs_and_rows() -> tuple[list, int]:
    from smstui.core.bulk.jobs import list_jobs
    from smstui.core.session import open_session

    session = open_session()
    try:
        return list_jobs(session.store), session.store.message_count()
    finally:
        session.store.close()


@pytest.mark.parametrize("synced", [False, True])
def test_bulk_for_an_unknown_device_is_refused_before_a_job_exists(
    cli: Cli, tmp_path: Path, sim_empty: TestSimulator, synced: bool
) -> None:
    if synced:
        assert cli("sync").exit_code == 0  # the store knows the devices: no extra request
    csv = tmp_path / "one.csv"
    csv.write_text("phone,body\n+4915123456781,hi\n", encoding="utf-8")
    run = cli("bulk", str(csv), "--device", "999999")
    assert run.exit_code == 1, run.output
    assert "device 999999 is not one of this account's phones" in run.stderr
    assert str(OFFICE_PHONE) in run.stderr and "nothing was saved" in run.stderr
    assert _jobs_and_rows() == ([], 0)
    assert not sim_empty.state.messages


def test_bulk_for_a_device_added_since_the_last_sync_is_sent(
    cli: Cli, tmp_path: Path, sim_empty: TestSimulator
) -> None:
    from smstui.core.session import open_session

    session = open_session()
    session.store.save_devices([])  # a stale list that lacks the phone
    session.store.close()
    csv = tmp_path / "one.csv"
    csv.write_text("phone,body\n+4915123456781,hi\n", encoding="utf-8")
    run = cli("bulk", str(csv), "--device", str(OFFICE_PHONE), "--json")
    assert run.json()["job_id"] is not None and run.json()["error"] is None, run.output
