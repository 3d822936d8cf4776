"""Fixtures for the UI tests: a logged-in session on the simulator, a frozen-clock app, no blinking.

Every app here runs against the real simulator over loopback (the shared ``sim`` fixture: demo
seed, FakeClock). Times are shown in Europe/Berlin whatever the machine's zone, and the app's
clock is the simulator's FakeClock, so relative times ('just now', '5 h ago') are stable.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from textual.widgets import Input, TextArea
from ui_helpers import FIXED_PORT_URL, login_session

from smstui.core.session import Session, open_session
from smstui.simulator.testing import TestSimulator, running_simulator


@pytest.fixture(autouse=True)
def no_cursor_blink(monkeypatch: pytest.MonkeyPatch) -> None:
    """A blinking cursor changes pixels between frames; snapshots and timing must not see it."""
    monkeypatch.setattr(Input.cursor_blink, "_default", False)
    monkeypatch.setattr(TextArea.cursor_blink, "_default", False)


@pytest.fixture
async def session(sim: TestSimulator) -> AsyncIterator[Session]:
    s = await login_session(sim)
    try:
        yield s
    finally:
        await s.aclose()


# ---------------------------------------------------------------------- snapshot data


def _normalize_ports(db: Path, url_root: str) -> None:
    """Image URLs carry the simulator's random port; pin it so snapshots are stable."""
    import sqlite3

    con = sqlite3.connect(db)
    with con:
        con.execute("UPDATE messages SET body = replace(body, ?, ?)", (url_root, FIXED_PORT_URL))
        con.execute("UPDATE threads SET last_body = replace(last_body, ?, ?)", (url_root, FIXED_PORT_URL))
    con.close()


@pytest.fixture(scope="session")
def snapshot_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A config + data dir, logged in and synced once against the demo simulator (then stopped)."""
    import os

    from smstui.demo import seed_local_contacts

    root = tmp_path_factory.mktemp("snapshot-home")
    saved = {k: os.environ.get(k) for k in ("SMSTUI_CONFIG", "SMSTUI_DATA_DIR")}
    os.environ["SMSTUI_CONFIG"] = str(root / "config.toml")
    os.environ["SMSTUI_DATA_DIR"] = str(root / "data")
    try:
        with running_simulator(data="demo", step_seconds=10) as sim:

            async def prepare() -> None:
                s = await login_session(sim)
                seed_local_contacts(s.store, sim.state)
                await s.aclose()

            asyncio.run(prepare())
            _normalize_ports(root / "data" / "default.sqlite3", sim.root_url)
            # The API URL in the config holds the port too; the screens never show it.
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    yield root


@pytest.fixture
def snapshot_session(snapshot_home: Path, isolated_dirs: Path) -> Iterator[Session]:
    """A session on a private copy of the snapshot data (no network is used: sync stays off)."""
    import os

    config = Path(os.environ["SMSTUI_CONFIG"])
    data = Path(os.environ["SMSTUI_DATA_DIR"])
    config.parent.mkdir(parents=True, exist_ok=True)
    if (snapshot_home / "config.toml").exists():  # a login writes none (smstui.core.state_file)
        shutil.copy(snapshot_home / "config.toml", config)
    shutil.copytree(snapshot_home / "data", data, dirs_exist_ok=True)
    from smstui.simulator.clock import DEFAULT_FAKE_START, FakeClock

    clock = FakeClock(DEFAULT_FAKE_START)
    session = open_session(clock=clock)
    session.test_clock = clock  # type: ignore[attr-defined]
    yield session
    session.store.close()
