"""The core must not import Textual: scripts, the CLI and the simulator stay light and testable."""

import json
import subprocess
import sys

import pytest

CORE_MODULES = [
    "smstui.models",
    "smstui.api",
    "smstui.api.client",
    "smstui.api.parse",
    "smstui.store",
    "smstui.store_lookup",
    "smstui.lookup",
    "smstui.simulator",
    "smstui.config",
    "smstui.paths",
    "smstui.secrets",
    "smstui.phone",
    "smstui.smstext",
    "smstui.timeparse",
    "smstui.gateway_time",
    "smstui.history_check",
    "smstui.sync",
    "smstui.outbox",
    "smstui.service",
    "smstui.session",
    "smstui.events",
    "smstui.bulk",
    "smstui.csv_import",
    "smstui.contacts",
    "smstui.templates",
    "smstui.state",
    "smstui.logs",
]


@pytest.mark.parametrize("module", CORE_MODULES)
def test_core_module_imports_no_textual(module: str) -> None:
    # A fresh interpreter, so what other tests imported cannot hide a stray import.
    code = (
        "import importlib, json, sys; importlib.import_module(%r); "
        "print(json.dumps(sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))))"
    ) % module
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [], f"{module} pulls in Textual"
