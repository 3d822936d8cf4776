"""``smstui sync`` shows a first sync's progress on stderr: a live bar on a terminal, plain
lines when piped (a cron job's log), nothing with --json or on an incremental pass."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from cli_helpers import Cli, live_simulator

import smstui.cli.sync as cli_sync


@pytest.fixture
def demo() -> Iterator[Cli]:
    with live_simulator(data="demo", step_seconds=5) as server:
        yield Cli.logged_in(server.url)


def test_piped_output_gets_plain_lines_and_the_last_says_all(demo: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli_sync, "PLAIN_EVERY", 0.0)  # a line for every window, not every 10 s
    run = demo("sync")
    assert run.exit_code == 0, run.output
    lines = [line for line in run.stderr.splitlines() if line.startswith("Syncing history")]
    assert lines, run.stderr
    assert "\r" not in run.stderr and "\x1b" not in run.stderr  # no terminal controls in a log
    counts = [
        tuple(int(n.replace(",", "")) for n in re.findall(r"([\d,]+)/([\d,]+) messages", line)[0]) for line in lines
    ]
    total = counts[-1][1]
    assert total > 0 and counts[-1] == (total, total)
    assert [done for done, _ in counts] == sorted(done for done, _ in counts)
    assert "Synced:" in run.stdout
    assert "Syncing history" not in demo("sync").stderr  # an incremental pass: no progress


def test_a_terminal_gets_one_live_bar(demo: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli_sync, "_stderr_is_terminal", lambda: True)
    run = demo("sync")
    assert run.exit_code == 0, run.output
    frames = [f for f in run.stderr.split("\r") if f.startswith("Syncing history")]
    assert frames, run.stderr
    last = frames[-1].split("\x1b[K")[0]
    assert re.search(r"█+ +(\d[\d,]*)/\1 messages", last), last  # the bar full, every message
    assert run.stderr.endswith("\n")  # the line is ended before the report


def test_json_prints_no_progress(demo: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli_sync, "_stderr_is_terminal", lambda: True)
    run = demo("sync", "--json")
    assert run.exit_code == 0 and run.stderr == "", run.stderr
    assert run.json()["new_messages"] > 0
