"""Running the ``smstui`` command in tests: in-process through click's runner, over real HTTP."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from click.testing import CliRunner

from smstui.cli.commands import cli
from smstui.simulator.runner import SimulatorServer, make_state

DEMO_EMAIL = "demo@smstui.dev"
DEMO_PASSWORD = "demo"

# Phones of the demo seed (smstui.simulator.seed).
OFFICE_PHONE = 11231  # online, dual SIM
OLD_PHONE = 260  # offline: its messages stay "New"

DELIVERED_NUMBER = "+4915123456782"  # the simulator delivers it (does not end in 1/3: no reply)
FAILING_NUMBER = "+4915123450000"  # ends in 0000: generic failure (9)


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str
    exception: BaseException | None

    def json(self) -> Any:
        return json.loads(self.stdout)

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


class Cli:
    """Invokes the CLI against one API URL, and keeps everything it printed (for secret checks)."""

    def __init__(self, api_url: str) -> None:
        self.api_url = api_url
        self.runs: list[Run] = []

    def __call__(
        self, *args: str, input: str | None = None, env: dict[str, str] | None = None, api_url: str | None = None
    ) -> Run:
        argv: list[str] = ["--api-url", api_url or self.api_url, *args]
        result = CliRunner().invoke(cli, argv, input=input, env=env, catch_exceptions=True)
        run = Run(result.exit_code, result.stdout, result.stderr, result.exception)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise AssertionError(f"smstui {' '.join(args)} raised {result.exception!r}") from result.exception
        self.runs.append(run)
        return run

    def login(self) -> Run:
        run = self("login", env={"SMSTUI_EMAIL": DEMO_EMAIL, "SMSTUI_PASSWORD": DEMO_PASSWORD})
        assert run.exit_code == 0, run.output
        return run

    @classmethod
    def logged_in(cls, api_url: str) -> Cli:
        runner = cls(api_url)
        runner.login()
        return runner

    def everything_printed(self) -> str:
        return "\n".join(r.output for r in self.runs)


@contextmanager
def live_simulator(step_seconds: float = 0.05, data: str = "empty") -> Iterator[SimulatorServer]:
    """A simulator on the real clock with quick steps: statuses move while a command polls."""
    with SimulatorServer(make_state(step_seconds=step_seconds, data=data)) as server:
        yield server


def closed_port_url() -> str:
    """A loopback URL nothing listens on (the port was just free)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/getdata/"


def assert_no_secrets(text: str, secrets: Sequence[str]) -> None:
    for secret in secrets:
        assert secret and secret not in text, "a secret was printed"


def stop_process(proc: subprocess.Popen[str], sig: int = signal.SIGINT) -> str:
    """Signal a command run as a process (Ctrl+C by default) and return its stderr once it ends."""
    proc.send_signal(sig)
    try:
        _, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise
    return err
