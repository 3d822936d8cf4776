"""A config whose default_profile names a profile nothing knows is reported, never opened
silently as a new empty account (issue 12)."""

from __future__ import annotations

import os
from pathlib import Path

from smstui.core.session import open_session
from smstui.core.state_file import save_state
from tests.cli_helpers import Cli


def _config(text: str) -> None:
    path = Path(os.environ["SMSTUI_CONFIG"])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_default_profile_nothing_knows_is_reported_as_a_config_problem() -> None:
    _config('default_profile = "nope"\n')
    session = open_session()
    try:
        assert session.profile.name == "nope"
        [problem] = [p for p in session.config_problems if p.key == "default_profile"]
        assert "'nope'" in problem.message and "never logged in to" in problem.message
    finally:
        session.store.close()
    run = Cli("http://127.0.0.1:9/")("messages", "--offline")
    assert run.exit_code == 0 and "config: default_profile 'nope'" in run.stderr


def test_default_profile_beside_a_logged_in_one_is_an_error_naming_the_known_ones() -> None:
    save_state("work", make_last=True, email="ops@example.com")
    _config('default_profile = "nope"\n')
    run = Cli("http://127.0.0.1:9/")("messages", "--offline")
    assert run.exit_code == 2, run.output
    assert "default_profile 'nope' names no profile (known profiles: work)" in run.stderr


def test_a_first_run_without_default_profile_says_nothing() -> None:
    session = open_session()
    try:
        assert session.profile.name == "default" and session.config_problems == []
    finally:
        session.store.close()
