"""The layers hold: the core imports no Textual, no click and no UI; the contracts in pyproject.toml pass.

Two checks of one rule. import-linter reads the source (every import, also those inside
functions); the run-time check imports every module of ``smstui.core`` in a fresh interpreter
and looks at what got loaded, which also catches an import made by a library on our behalf.
"""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import smstui.core
import smstui.webhook

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = ("textual", "rich", "click", "smstui.tui", "smstui.main", "smstui.main")


def core_modules() -> list[str]:
    # The webhook receiver is core-like (no UI, no click): its modules are walked with the core's.
    core = [m.name for m in pkgutil.walk_packages(smstui.core.__path__, "smstui.core.")]
    hooks = ["smstui.webhook", *(m.name for m in pkgutil.walk_packages(smstui.webhook.__path__, "smstui.webhook."))]
    return sorted(core + hooks)


def test_the_walk_finds_the_whole_core() -> None:
    names = core_modules()
    assert len(names) >= 40, names
    assert {"smstui.core.store.database", "smstui.core.api.client", "smstui.core.bulk.runner"} <= set(names)


def test_no_core_module_loads_textual_click_or_the_ui() -> None:
    # One fresh interpreter imports the modules one at a time and records what each newly
    # loaded, so a stray import is reported at the first module that makes it.
    code = f"""
import importlib, json, sys
forbidden = {FORBIDDEN!r}
found = {{}}
for name in {core_modules()!r}:
    importlib.import_module(name)
    bad = sorted(m for m in sys.modules if any(m == f or m.startswith(f + '.') for f in forbidden))
    if bad:
        found[name] = bad
        break
print(json.dumps(found))
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {}


def test_import_linter_contracts_are_kept() -> None:
    # The contracts themselves live in pyproject.toml ([tool.importlinter]).
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from importlinter.cli import lint_imports; "
            "sys.exit(lint_imports(config_filename='pyproject.toml', no_cache=True, no_logo=True))",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout
