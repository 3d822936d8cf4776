"""A plain ``smstui`` opens the app without click or the command modules; problems still read well."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SCRIPT = """
import sys
import smstui.app

class FakeApp:
    def __init__(self, session):
        self.session = session
        self.return_code = 0

    def run(self):
        loaded = sorted(m for m in ("click", "smstui.cli_commands", "smstui.cli_output", "httpx") if m in sys.modules)
        print("loaded:", ",".join(loaded) or "-", "profile:", self.session.profile.name)

smstui.app.make_app = lambda session, **kwargs: FakeApp(session)
sys.argv = ["smstui"]
from smstui.cli import main
main()
"""


def run_script(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "SMSTUI_CONFIG": str(tmp_path / "config.toml"),
               "SMSTUI_DATA_DIR": str(tmp_path / "data"), **env}
    environ.pop("SMSTUI_PROFILE", None)
    environ.update(env)
    return subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60, env=environ)


def test_plain_smstui_skips_click(tmp_path: Path) -> None:
    result = run_script(tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "loaded: - profile: default"


def test_a_bad_profile_is_reported_like_any_command_error(tmp_path: Path) -> None:
    result = run_script(tmp_path, SMSTUI_PROFILE="no such/profile")
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and "profile" in result.stderr.lower()
