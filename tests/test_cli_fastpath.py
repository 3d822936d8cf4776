"""A plain ``smstui`` opens the app without click or the command modules; problems still read well."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

# Nothing the first frame does not need: click and the commands, HTTP, phonenumbers, the sync's
# events and the records only other screens use; and no collector until it is up.
SCRIPT = """
import gc
import sys
import smstui.tui.app

class FakeApp:
    def __init__(self, session):
        self.session = session
        self.return_code = 0

    def run(self):
        heavy = ("click", "smstui.cli.commands", "smstui.cli.output", "httpx", "phonenumbers", "smstui.core.events",
                 "smstui.core.gateway_messages", "smstui.core.store.records", "zoneinfo")
        loaded = sorted(m for m in heavy if m in sys.modules)
        print("loaded:", ",".join(loaded) or "-", "profile:", self.session.profile.name,
              "collector:", "on" if gc.isenabled() else "off")

smstui.tui.app.make_app = lambda session, **kwargs: FakeApp(session)
sys.argv = ["smstui"]
from smstui.main import main
main()
print("after:", "on" if gc.isenabled() else "off")
"""


def run_script(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {
        **os.environ,
        "SMSTUI_CONFIG": str(tmp_path / "config.toml"),
        "SMSTUI_DATA_DIR": str(tmp_path / "data"),
        **env,
    }
    environ.pop("SMSTUI_PROFILE", None)
    environ.update(env)
    return subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60, env=environ)


def test_plain_smstui_skips_click(tmp_path: Path) -> None:
    result = run_script(tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:2] == ["loaded: - profile: default collector: off", "after: on"]


def test_a_bad_profile_is_reported_like_any_command_error(tmp_path: Path) -> None:
    result = run_script(tmp_path, SMSTUI_PROFILE="no such/profile")
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and "profile" in result.stderr.lower()
