"""``smstui watch`` against the simulator: JSON Lines, the interval, ticks, a change and its alert
as they happen, the network going away and coming back, Ctrl+C and a closed pipe.

The simulator runs on the real clock with quick steps, so statuses move while watch polls. The
long-running cases start the real command as a process and read its output line by line: every
wait is on a line it printed (the command's own signal), never on a sleep.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import IO

import pytest

from smstui.simulator.runner import SimulatorServer
from tests.cli_helpers import FAILING_NUMBER, OFFICE_PHONE, OLD_PHONE, Cli, live_simulator, stop_process


@pytest.fixture
def server() -> Iterator[SimulatorServer]:
    with live_simulator() as running:
        yield running


@pytest.fixture
def cli(server: SimulatorServer) -> Cli:
    return Cli.logged_in(server.url)


class Output:
    """The lines a process prints, read by a thread, waited for one by one."""

    def __init__(self, stream: IO[str]) -> None:
        self.lines: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def wait_for(self, wanted: Callable[[str], bool], what: str, timeout: float = 30.0) -> str:
        while True:
            try:
                line = self._queue.get(timeout=timeout)
            except queue.Empty:
                raise AssertionError(f"no line with {what} within {timeout:g} s; got {self.lines}") from None
            if line is None:
                raise AssertionError(f"the output ended before {what}; got {self.lines}")
            self.lines.append(line)
            if wanted(line):
                return line


def _watch(server: SimulatorServer, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "smstui", "--api-url", server.url, "watch", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )


def test_json_lines_every_interval_with_ticks(cli: Cli) -> None:
    run = cli("watch", "--json", "--interval", "0.3", "--ticks", "--passes", "3")
    assert run.exit_code == 0, run.output
    docs = [json.loads(line) for line in run.stdout.splitlines()]  # one object per line, each whole
    assert docs[0]["type"] == "start" and docs[0]["phones"] == 3 and docs[0]["offline"] == 1
    assert docs[0]["interval"] == 0.3
    (offline,) = [d for d in docs if d["type"] == "alert"]  # said once, not once per pass
    assert offline["kind"] == "device_offline" and offline["state"] == "firing"
    assert offline["device_id"] == OLD_PHONE and offline["device_title"] == "SM-F NIK!"
    assert offline["message"].startswith("Phone SM-F NIK! (#260) is offline: not seen for 5 h 17 min")
    ticks = [d for d in docs if d["type"] == "tick"]
    assert [t["pass"] for t in ticks] == [1, 2, 3] and all(t["state"] == "idle" for t in ticks)
    times = [datetime.fromisoformat(t["at"]) for t in ticks]
    assert all((b - a).total_seconds() >= 0.3 for a, b in zip(times, times[1:], strict=False))
    # Without --ticks, a quiet pass prints nothing.
    quiet = cli("watch", "--json", "--interval", "0.1", "--passes", "2")
    assert [json.loads(line)["type"] for line in quiet.stdout.splitlines()] == ["start", "alert"]


def test_a_failure_shows_as_it_happens_and_ctrl_c_stops_cleanly(cli: Cli, server: SimulatorServer) -> None:
    proc = _watch(server, "--interval", "0.2", "--ticks")
    out = Output(proc.stdout)
    try:
        out.wait_for(lambda line: "TICK     pass 1" in line, "the first pass")
        sent = cli("send", "--to", FAILING_NUMBER, "--device", str(OFFICE_PHONE), "--json", "will fail").json()
        sms_id = sent["messages"][0]["sms_id"]
        failed = out.wait_for(lambda line: line.split()[2:3] == ["FAILED"], "the failure")
        assert f"Not sent: generic failure → {FAILING_NUMBER}  #{sms_id}  Pixel 7 (office) #11231 sms1" in failed
        alert = out.wait_for(lambda line: "ALERT" in line and "Message to" in line, "its alert")
        assert "failed (Not sent: generic failure): the carrier or Android refused it" in alert
    finally:
        err = stop_process(proc)
    assert proc.returncode == 0, err
    assert err.strip() == "Stopped." and "Traceback" not in err
    earlier = [line for line in out.lines if f"#{sms_id}" in line]
    assert earlier and "FAILED" in earlier[-1]  # its earlier states came first, one line each


def test_the_network_going_away_is_said_once_and_watch_carries_on(cli: Cli, server: SimulatorServer) -> None:
    proc = _watch(server, "--interval", "0.2", "--ticks")
    out = Output(proc.stdout)
    try:
        out.wait_for(lambda line: "TICK     pass 1" in line, "the first pass")
        server.faults.set("drop")  # every request: the connection closes before an answer
        out.wait_for(lambda line: "OFFLINE" in line, "the outage")
        out.wait_for(lambda line: "TICK" in line and ": offline," in line, "a failed pass")
        out.wait_for(lambda line: "TICK" in line and ": offline," in line, "another failed pass")
        server.faults.clear()
        back = out.wait_for(lambda line: "BACK" in line, "the gateway back")
        assert "the gateway answers again (after" in back
        out.wait_for(lambda line: "TICK" in line and ": idle," in line, "a good pass")
    finally:
        err = stop_process(proc)
    assert proc.returncode == 0 and "Traceback" not in err
    down = [line for line in out.lines if "OFFLINE" in line]
    assert len(down) == 1 and "retrying in" in down[0]


def test_a_closed_pipe_ends_it_quietly(cli: Cli, server: SimulatorServer) -> None:
    proc = _watch(server, "--interval", "0.1", "--ticks")
    assert proc.stdout is not None
    proc.stdout.readline()  # the start line: it runs
    proc.stdout.close()  # the reader goes away (as `| head -1` does)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise
    err = proc.stderr.read() if proc.stderr else ""
    assert proc.returncode == 0, err
    assert "Traceback" not in err and "BrokenPipe" not in err and "Exception ignored" not in err


def test_bad_interval_and_not_logged_in(server: SimulatorServer) -> None:
    fresh = Cli(server.url)
    run = fresh("watch", "--passes", "1")
    assert run.exit_code == 3 and "not logged in" in run.stderr
    run = fresh("watch", "--interval", "0")
    assert run.exit_code == 2 and "more than 0" in run.stderr
