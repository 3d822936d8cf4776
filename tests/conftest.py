"""Shared fixtures: isolated directories for every test, and the simulator on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from smstui.simulator.testing import TestSimulator, running_simulator


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test reads or writes the real user's config, data or keyring."""
    home = tmp_path / "home"
    for var, sub in (
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_DATA_HOME", "data"),
        ("XDG_STATE_HOME", "state"),
        ("XDG_CACHE_HOME", "cache"),
    ):
        (home / sub).mkdir(parents=True, exist_ok=True)
        monkeypatch.setenv(var, str(home / sub))
    monkeypatch.setenv("SMSTUI_CONFIG", str(home / "config" / "smstui" / "config.toml"))
    monkeypatch.setenv("SMSTUI_DATA_DIR", str(home / "data" / "smstui"))
    for var in ("SMSTUI_API_URL", "SMSTUI_EMAIL", "SMSTUI_PASSWORD", "SMSTUI_KEYRING", "SMSTUI_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    return home


@pytest.fixture(autouse=True)
def system_clipboard(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What the app put on the system clipboard; no test touches the real one."""
    copied: list[str] = []

    def copy(text: str) -> bool:
        copied.append(text)
        return True

    monkeypatch.setattr("smstui.tui.clipboard.copy_to_system", copy)
    for var in ("SSH_CONNECTION", "SSH_CLIENT", "SSH_TTY"):
        monkeypatch.delenv(var, raising=False)
    return copied


@pytest.fixture
def sim() -> Iterator[TestSimulator]:
    """The simulator with the demo seed on a FakeClock (advance it with ``sim.advance(s)``)."""
    with running_simulator(data="demo", step_seconds=10) as server:
        yield server


@pytest.fixture
def live_sim() -> Iterator[TestSimulator]:
    """The demo simulator with its clock at the real now, as a worker process sees time."""
    with running_simulator(data="demo", step_seconds=10, start=datetime.now(UTC)) as server:
        yield server


@pytest.fixture
def sim_empty() -> Iterator[TestSimulator]:
    """The simulator with the demo account and phones but no messages."""
    with running_simulator(data="empty", step_seconds=10) as server:
        yield server


@pytest.fixture(autouse=True)
def truecolour_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every app sees the same terminal: 24-bit colour, so it starts in its default theme
    whatever the machine's TERM (with 16 colours it would pick ansi-dark: smstui.tui.terminal).
    The 16-colour tests set TERM=xterm themselves."""
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("COLORTERM", "truecolor")
    for var in ("NO_COLOR", "TEXTUAL_COLOR_SYSTEM"):
        monkeypatch.delenv(var, raising=False)
