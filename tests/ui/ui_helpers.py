"""Helpers shared by the UI tests (fixtures live in conftest.py)."""

from __future__ import annotations

from typing import Any

from pilot_helpers import BERLIN, wait_for
from textual.pilot import Pilot

from smstui.core.gateway_messages import Message
from smstui.core.session import Session, open_session
from smstui.simulator.seed import OFFICE_PHONE
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


class PaintSpy:
    """What the app paints from now on: cells per frame (a full frame counts the whole screen).

    Wraps the app's ``_display`` (every compositor update goes through it, headless too) and
    reads Textual's update types; tests/ui/test_textual_internals.py checks both still exist.
    Over SSH each painted cell is bytes (issue 19), so "paints nothing" is what idle must be.
    """

    def __init__(self, app: Any, monkeypatch: Any) -> None:
        from textual._compositor import ChopsUpdate, LayoutUpdate

        self.frames: list[tuple[str, int]] = []
        original = app._display

        def display(screen: Any, update: Any) -> None:
            if isinstance(update, LayoutUpdate):
                self.frames.append(("full", update.region.area))
            elif isinstance(update, ChopsUpdate):
                self.frames.append(("partial", sum(x2 - x1 for _, x1, x2 in update.spans)))
            original(screen, update)

        monkeypatch.setattr(app, "_display", display)

    @property
    def cells(self) -> int:
        return sum(cells for _, cells in self.frames)

    @property
    def full(self) -> int:
        return sum(1 for kind, _ in self.frames if kind == "full")

    def reset(self) -> None:
        self.frames.clear()


def long_thread(
    session: Session,
    sim: TestSimulator,
    phone: str,
    *,
    count: int = 600,
    first_id: int,
    bodies: dict[int, str] | None = None,
) -> list[Message]:
    """A conversation to ``phone`` longer than a page, one message a minute from 30 days ago
    (incoming every third), stored as sync would; ``bodies`` replaces the text of some of them."""
    from datetime import timedelta

    start = sim.clock() - timedelta(days=30)
    history = [
        Message(
            id=first_id + i,
            phone=phone,
            body=(bodies or {}).get(i, f"message number {i}"),
            status=7 if i % 3 else 5,
            device_id=OFFICE_PHONE,
            slot=0,
            created=start + timedelta(minutes=i),
        )
        for i in range(count)
    ]
    session.store.upsert_messages(history, mark_unseen=False)
    return history
