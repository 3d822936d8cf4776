"""The core must not import Textual: scripts, the CLI and the simulator stay light and testable."""

import json
import subprocess
import sys

import pytest

CORE_MODULES = [
    "smstui.core.models",
    "smstui.core.api",
    "smstui.core.api.client",
    "smstui.core.api.parse",
    "smstui.core.store.database",
    "smstui.simulator",
    "smstui.core.config",
    "smstui.core.paths",
    "smstui.core.secrets",
    "smstui.core.phone",
    "smstui.core.smstext",
    "smstui.core.timeparse",
    "smstui.core.gateway_time",
    "smstui.core.history_check",
    "smstui.core.sync",
    "smstui.core.outbox",
    "smstui.core.service",
    "smstui.core.session",
    "smstui.core.events",
    "smstui.core.bulk.runner",
    "smstui.core.csv_import",
    "smstui.core.contacts",
    "smstui.core.templates",
    "smstui.core.state_file",
    "smstui.core.logs",
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
