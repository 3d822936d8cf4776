"""``smstui bulk`` against the simulator over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from smstui.simulator.runner import SimulatorServer
from tests.cli_helpers import OFFICE_PHONE, Cli, live_simulator


@pytest.fixture
def sim_live() -> Iterator[SimulatorServer]:
    # A bulk batch is found again by its marker within a window around the real clock, so the
    # simulator must run on the real clock too (a FakeClock in May would be outside the window).
    with live_simulator(step_seconds=5) as server:
        yield server


@pytest.fixture
def cli(sim_live: SimulatorServer) -> Cli:
    return Cli.logged_in(sim_live.url)


@pytest.fixture
def csv_file(tmp_path: Path) -> Path:
    path = tmp_path / "send.csv"
    path.write_text(
        "phone,name,body\n"
        "+4915123456781,Anna,Hello Anna\n"
        "+4917612345678,Ben,Hello Ben\n"
        "+4915123450000,Carl,Hello Carl\n"
        "not-a-number,Dora,Hello Dora\n",
        encoding="utf-8",
    )
    return path


def test_bulk_dry_run_sends_nothing(cli: Cli, csv_file: Path, sim_live: SimulatorServer) -> None:
    run = cli("bulk", str(csv_file), "--device", str(OFFICE_PHONE), "--sim", "0", "--dry-run", "--json")
    assert run.exit_code == 1  # one invalid row
    doc = run.json()
    assert (doc["dry_run"], doc["messages"], doc["batches"], doc["job_id"]) == (True, 3, 1, None)
    assert [i["line"] for i in doc["invalid"]] == [5]
    assert not sim_live.state.messages
    human = cli("bulk", str(csv_file), "--device", str(OFFICE_PHONE), "--dry-run")
    assert "3 message(s) in 1 request(s)" in human.stdout and "dry run" in human.stdout
    assert "line 5" in human.stderr


def test_bulk_sends_and_tracks_every_message(cli: Cli, csv_file: Path, sim_live: SimulatorServer) -> None:
    run = cli("bulk", str(csv_file), "--device", str(OFFICE_PHONE), "--sim", "1", "--batch-size", "2", "--json")
    assert run.exit_code == 1, run.output  # the invalid row is reported
    doc = run.json()
    assert (doc["state"], doc["submitted"], doc["remaining"], doc["unknown"], doc["batches"]) == ("done", 3, 0, 0, 2)
    bodies = sorted(m.body for m in sim_live.state.messages.values())
    assert bodies == ["Hello Anna", "Hello Ben", "Hello Carl"]
    assert {m.sim for m in sim_live.state.messages.values()} == {1}
    # Every message got its gateway id in the local store.
    local = cli("messages", "--offline", "--json").json()["messages"]
    assert sorted(m["id"] for m in local) == sorted(sim_live.state.messages)
    # No progress bar when piped.
    assert "Sending" not in run.stderr


def test_bulk_with_template_and_clean_file_exits_0(cli: Cli, tmp_path: Path, sim_live: SimulatorServer) -> None:
    path = tmp_path / "people.csv"
    path.write_text("phone;name\n+4915123456781;Anna\n+4917612345678;Ben\n", encoding="utf-8")
    run = cli("bulk", str(path), "--device", str(OFFICE_PHONE), "--template", "Hi {name}!")
    assert run.exit_code == 0, run.output
    assert "2 of 2 accepted" in run.stdout
    assert sorted(m.body for m in sim_live.state.messages.values()) == ["Hi Anna!", "Hi Ben!"]


def test_bulk_usage_errors(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("phone;name\n+4915123456781;Anna\n", encoding="utf-8")
    assert cli("bulk", str(path), "--device", "1", "--template", "Hi {surname}").exit_code == 2
    assert cli("bulk", str(path), "--device", "1", "--body", "a", "--template", "b").exit_code == 2
    assert cli("bulk", str(tmp_path / "missing.csv"), "--device", "1").exit_code == 2
    no_phone = tmp_path / "nophone.csv"
    no_phone.write_text("name,body\nAnna,hi\n", encoding="utf-8")
    run = cli("bulk", str(no_phone), "--device", "1")
    assert run.exit_code == 2 and "phone column" in run.stderr


def _killed_job(sim: SimulatorServer, n: int = 30):  # type: ignore[no-untyped-def]
    """A job of ``n`` rows in batches of 10 whose process dies right after the gateway took
    its first batch: 10 accepted, their rows left "sending", 20 still queued."""
    import asyncio

    from smstui.core.api.client import GatewayClient
    from smstui.core.bulk.jobs import unfinished_jobs
    from smstui.core.bulk.plan import BulkRow
    from smstui.core.bulk.runner import BulkJob
    from smstui.core.session import open_session
    from tests.core_helpers import Kill, KillingTransport

    session = open_session(api_url=sim.url)
    client = GatewayClient(
        sim.url, email=sim.email, password=sim.password, transport=KillingTransport("addalotofsms", "after")
    )
    rows = [BulkRow(f"+4915123{400000 + i:06d}", f"Hello {i}") for i in range(n)]
    job = BulkJob.create(session.store, client, rows, device_id=OFFICE_PHONE, batch_size=10)
    with pytest.raises(Kill):
        asyncio.run(job.run())
    assert len(sim.state.messages) == 10 and [j.id for j in unfinished_jobs(session.store)] == [job.id]
    return session, job.id


def _assert_all_once(session, sim: SimulatorServer, n: int = 30) -> None:  # type: ignore[no-untyped-def]
    from collections import Counter

    assert len(sim.state.messages) == n
    assert max(Counter((m.phone, m.body) for m in sim.state.messages.values()).values()) == 1
    # Every row is attached, none stuck "sending", and no gateway message stored twice.
    assert session.store._query("SELECT COUNT(*) FROM messages")[0][0] == n
    assert (
        session.store._query("SELECT COUNT(*) FROM messages WHERE outbox != 'submitted' OR sms_id IS NULL")[0][0] == 0
    )


def test_sync_resumes_a_bulk_job_killed_mid_request(cli: Cli, sim_live: SimulatorServer) -> None:
    session, job_id = _killed_job(sim_live)
    run = cli("sync", "--json")
    assert run.exit_code == 0, run.output
    [job] = run.json()["bulk_jobs"]
    assert job["job_id"] == job_id and job["state"] == "done" and "30 of 30 accepted" in job["summary"]
    _assert_all_once(session, sim_live)


def test_bulk_jobs_lists_and_resume_finishes_a_killed_job(cli: Cli, sim_live: SimulatorServer) -> None:
    session, job_id = _killed_job(sim_live)
    listed = cli("bulk", "--jobs", "--json").json()["jobs"]
    assert [(j["job_id"], j["state"], j["remaining"]) for j in listed] == [(job_id, "running", 30)]
    assert job_id in cli("bulk", "--jobs").stdout
    run = cli("bulk", "--resume", "--json")
    assert run.exit_code == 0, run.output
    assert run.json()["state"] == "done" and run.json()["submitted"] == 30
    _assert_all_once(session, sim_live)
    again = cli("bulk", "--resume")
    assert again.exit_code == 2 and "no unfinished bulk job" in again.stderr
    assert cli("bulk", "--resume", "nope").exit_code == 2


def test_bulk_warns_with_the_numbers_before_passing_a_sims_limit(
    cli: Cli, csv_file: Path, sim_live: SimulatorServer
) -> None:
    import os

    config = Path(os.environ["SMSTUI_CONFIG"])
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f'[limits]\ndaily = 0\n"{OFFICE_PHONE}:0" = {{ daily = 2 }}\n')
    run = cli("bulk", str(csv_file), "--device", str(OFFICE_PHONE), "--sim", "0", "--dry-run", "--json")
    warning = "0 sent today + 3 = 3, past its daily limit of 2"
    assert [w.endswith(warning) for w in run.json()["limit_warnings"]] == [True]
    human = cli("bulk", str(csv_file), "--device", str(OFFICE_PHONE), "--sim", "0", "--dry-run")
    assert "warning: SMS 1 of " in human.stderr and f"(#{OFFICE_PHONE}): {warning}" in human.stderr
    # Another SIM has no limit: nothing to say.
    other = cli("bulk", str(csv_file), "--device", str(OFFICE_PHONE), "--sim", "1", "--dry-run", "--json")
    assert other.json()["limit_warnings"] == []
