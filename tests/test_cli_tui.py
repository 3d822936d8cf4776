"""``smstui`` without a command opens the app over the shared session; ``--demo`` the demo."""

from __future__ import annotations

import sqlite3
import sys
import types
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from smstui.cli.commands import cli


class FakeApp:
    def __init__(self, session: Any) -> None:
        self.session = session
        self.ran = False
        self.return_code = 0

    def run(self) -> None:
        self.ran = True


def test_no_command_opens_the_app_with_config_problems_and_prints_nothing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import smstui.tui.app

    made: list[FakeApp] = []

    def make_app(session: Any, **kwargs: Any) -> FakeApp:
        made.append(FakeApp(session))
        return made[-1]

    monkeypatch.setattr(smstui.tui.app, "make_app", make_app)
    config = tmp_path / "broken.toml"
    config.write_text("[ui\nthis is not toml", encoding="utf-8")
    result = CliRunner().invoke(cli, ["--config", str(config), "--api-url", "http://127.0.0.1:9/getdata/"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "" and result.stderr == ""
    [app] = made
    assert app.ran
    assert app.session.config_problems and "not valid TOML" in str(app.session.config_problems[0])
    assert app.session.profile.api_url == "http://127.0.0.1:9/getdata/"
    with pytest.raises(sqlite3.ProgrammingError):  # the session was closed after the app returned
        app.session.store.message_count()


def test_demo_flag_runs_the_demo(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Any] = []
    fake = types.ModuleType("smstui.demo")
    fake.run_demo = lambda *args, **kwargs: calls.append((args, kwargs))  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "smstui.demo", fake)
    result = CliRunner().invoke(cli, ["--demo"])
    assert result.exit_code == 0, result.output
    assert len(calls) == 1


def test_demo_flag_with_a_command_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["--demo", "devices"])
    assert result.exit_code == 2
    assert "--demo" in result.stderr
