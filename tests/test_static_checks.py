"""The static checks run with the suite: ruff (lint and format) over the whole tree, and mypy
over the package (smstui.core strictly).

Their settings live in pyproject.toml ([tool.ruff], [tool.mypy]), so an editor and this test agree.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, check=False)


def test_ruff_lint_is_clean() -> None:
    result = _run("ruff", "check", "--no-cache", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_kept() -> None:
    result = _run("ruff", "format", "--check", "--no-cache", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_tui_worker_goes_through_the_worker_policy() -> None:
    # smstui.tui.workers sets exit_on_error=False and a description on every worker, so a failure
    # becomes a notification that names what failed; a bare @work would skip that.
    bare = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "smstui" / "tui").rglob("*.py"))
        if path.name != "workers.py"
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if line.lstrip().startswith("@work")
    ]
    assert bare == []


def test_mypy_is_clean() -> None:
    # No cache: a stale one from another checkout or mypy version could hide an error.
    result = _run("mypy", "--no-incremental", "--cache-dir", "/dev/null")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success: no issues found" in result.stdout, result.stdout
