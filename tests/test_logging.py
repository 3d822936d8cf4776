"""The log: a rotating 0600 file in the user log dir, no secrets in it, named wherever we point at it."""

from __future__ import annotations

import logging
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from smstui.core import logs, paths
from smstui.core.service import RefreshService
from smstui.simulator.testing import TestSimulator
from tests.cli_helpers import DELIVERED_NUMBER, OFFICE_PHONE, Cli
from tests.core_helpers import open_sim_session

PASSWORD = "Corr3ct-Horse-Battery!"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def log_text() -> str:
    file = paths.log_dir() / logs.LOG_FILE_NAME
    assert file.exists(), "no log file"
    return file.read_text(encoding="utf-8")


@pytest.mark.parametrize("debug", ["0", "1"])
def test_login_and_send_log_no_password_and_no_token(
    debug: str, sim_empty: TestSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The demo account (it owns the phones) with a password that cannot appear by chance.
    sim_empty.state.accounts[sim_empty.email.lower()].password = PASSWORD
    issued: list[str] = []
    login = sim_empty.state.login

    def recording_login(email: str, secret: str) -> str:
        issued.append(login(email, secret))
        return issued[-1]

    monkeypatch.setattr(sim_empty.state, "login", recording_login)
    cli = Cli(sim_empty.url)
    env = {"SMSTUI_DEBUG": debug}
    run = cli("login", "--remember", input=f"{sim_empty.email}\n{PASSWORD}\n", env=env)
    assert run.exit_code == 0, run.output
    sent = cli("send", "--to", DELIVERED_NUMBER, "--device", str(OFFICE_PHONE), "logged?", env=env)
    assert sent.exit_code == 0, sent.output
    # A token refused once, renewed with the remembered password: the riskiest path for secrets.
    sim_empty.state.expire_tokens()
    assert cli("status", sent.stdout.strip(), env=env).exit_code == 0
    file = paths.log_dir() / logs.LOG_FILE_NAME
    assert mode(file) == 0o600
    text = log_text()
    if debug == "1":
        assert "addsms" in text  # the requests are there...
    assert "token refused" in text  # (INFO)
    assert len(issued) == 2  # the login's token and the renewed one
    for secret in (PASSWORD, *issued):
        assert secret not in text  # ...and no secret


def test_unexpected_cli_error_names_the_log_file_which_holds_the_traceback(
    sim_empty: TestSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    import smstui.cli.output as out

    def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("boom")

    cli = Cli.logged_in(sim_empty.url)
    monkeypatch.setattr(out, "device_doc", broken)
    run = cli("devices")
    assert run.exit_code == 1 and "Traceback" not in run.output
    file = paths.log_dir() / logs.LOG_FILE_NAME
    assert f"see the log: {file}" in run.stderr
    text = log_text()
    assert "Traceback" in text and "RuntimeError: boom" in text


async def test_refresh_failures_name_the_log_file(sim: TestSimulator) -> None:
    logs.set_up_logging()
    session = open_sim_session(sim)
    service = RefreshService(session, interval=10)

    async def broken(**kwargs: object) -> None:
        raise RuntimeError("bug")

    session.syncer.sync = broken  # type: ignore[method-assign]
    try:
        await service.poll_once()
    finally:
        await session.aclose()
    assert service.state.error is not None
    assert f"see the log: {paths.log_dir() / logs.LOG_FILE_NAME}" in service.state.error
    assert "RuntimeError: bug" in log_text()


def test_the_log_rotates_at_1_mb_keeping_3_files_all_0600() -> None:
    file = logs.set_up_logging()
    assert file == paths.log_dir() / "smstui.log"
    line = "x" * 1000
    writer = logging.getLogger("smstui.test")
    for _ in range(4 * 1100):  # a little over 4 MB: the oldest file is dropped
        writer.info(line)
    names = sorted(p.name for p in file.parent.iterdir())
    assert names == ["smstui.log", "smstui.log.1", "smstui.log.2", "smstui.log.3"]
    for path in file.parent.iterdir():
        assert mode(path) == 0o600
        assert path.stat().st_size <= logs.MAX_BYTES + 2000


# The app's path: no logging.handlers before the first frame; what was logged by then reaches the
# file (not the terminal) once the app is done, at the latest.
SCRIPT = """
import logging
import sys
import smstui.tui.app

class FakeApp:
    def __init__(self, session):
        self.return_code = 0

    def run(self):
        print("handlers loaded:", "logging.handlers" in sys.modules)
        logging.getLogger("smstui.fake").warning("held until the file is set up")

smstui.tui.app.make_app = lambda session, **kwargs: FakeApp(session)
sys.argv = ["smstui"]
from smstui.main import main
main()
"""


def test_the_app_opens_the_log_after_its_first_frame(tmp_path: Path) -> None:
    env = {**os.environ, "SMSTUI_CONFIG": str(tmp_path / "config.toml"), "SMSTUI_DATA_DIR": str(tmp_path / "data")}
    env.pop("SMSTUI_PROFILE", None)
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "handlers loaded: False"
    assert "held until" not in result.stderr
    assert "held until the file is set up" in (tmp_path / "data" / "logs" / "smstui.log").read_text()
