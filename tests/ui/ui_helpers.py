"""Helpers shared by the UI tests (fixtures live in conftest.py)."""

from __future__ import annotations

from typing import Any

from pilot_helpers import BERLIN, wait_for
from textual.pilot import Pilot

from smstui.core.session import Session, open_session
from smstui.simulator.testing import TestSimulator
from smstui.tui.app import SmsTuiApp, make_app

FIXED_PORT_URL = "http://127.0.0.1:8080"


async def login_session(sim: TestSimulator, *, sync: bool = True, **kwargs: Any) -> Session:
    """A session logged in to ``sim`` (token saved), optionally after one full sync."""
    session = open_session(api_url=sim.url, clock=sim.clock, **kwargs)
    await session.login(sim.email, sim.password)
    if sync:
        await session.syncer.sync()
    return session


def build_app(session: Session, sim: TestSimulator | None = None, **kwargs: Any) -> SmsTuiApp:
    kwargs.setdefault("tz", BERLIN)
    if sim is not None:
        kwargs.setdefault("clock", sim.clock)
    kwargs.setdefault("sync", False)
    return make_app(session, **kwargs)


async def settle(pilot: Pilot) -> None:
    """Wait until no worker is running (or all left are the endless refresh loop)."""
    app = pilot.app

    def idle() -> bool:
        return all(w.is_finished or w.group == "sync" for w in app.workers)

    await wait_for(pilot, idle, "workers to finish")
    await pilot.pause()


def threads_shown(app: SmsTuiApp) -> int:
    """How many conversations the list shows (0 while the screen is still composing)."""
    from smstui.tui.widgets.thread_list import ThreadList

    found = app.screen.query(ThreadList)
    return found.first().option_count if found else 0
