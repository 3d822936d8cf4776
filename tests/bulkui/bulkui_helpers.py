"""Helpers for the Pilot tests of the tags, newsletters and bulk screens."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

from textual.app import App
from textual.pilot import Pilot
from textual.screen import Screen

BERLIN = ZoneInfo("Europe/Berlin")


class Host(App[None]):
    """A bare app that shows one screen: the screens under test stand alone, as in the real app."""

    def __init__(self, make_screen: Callable[[], Screen[Any]], *, clock: Callable[[], Any], session: Any) -> None:
        super().__init__()
        self._make_screen = make_screen
        self.clock = clock
        self.tz = BERLIN
        self.session = session

    def on_mount(self) -> None:
        self.push_screen(self._make_screen())


def make_session(store: Any, client: Any, *, region: str | None = "DE", batch_size: int = 100) -> SimpleNamespace:
    config = SimpleNamespace(bulk=SimpleNamespace(batch_size=batch_size))
    return SimpleNamespace(store=store, client=client, region=region, config=config, profile=None)


async def wait_for(pilot: Pilot, predicate: Callable[[], Any], what: str, timeout: float = 15.0) -> Any:
    """Let the app run until ``predicate()`` is truthy (checked between frames), or fail."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await pilot.pause(0.02)


async def idle(pilot: Pilot) -> None:
    """Wait until every worker has finished."""
    await wait_for(pilot, lambda: all(w.is_finished for w in pilot.app.workers), "workers to finish")
    await pilot.pause()


def table_rows(app: App[Any], selector: str) -> list[list[str]]:
    from textual.widgets import DataTable

    table = app.screen.query_one(selector, DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
