"""Snapshots of the tags, newsletters and bulk screens (fixed local data, no network)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from bulkui_helpers import FIXED_NOW, Host, fixed_clock, idle, make_session, seed_store
from textual.pilot import Pilot
from textual.widgets import Select, TextArea

from smstui.core.store.database import Store
from smstui.tui.screens.bulk import BulkScreen
from smstui.tui.screens.newsletters import NewslettersScreen
from smstui.tui.screens.tags import TagsScreen

SIZE = (100, 30)


@pytest.fixture
def seeded(tmp_path: Path) -> Iterator[SimpleNamespace]:
    store = Store(tmp_path / "snap.db", region="DE", clock=lambda: FIXED_NOW)
    seed_store(store)
    yield make_session(store, None)
    store.close()


def app_for(screen: Any, session: SimpleNamespace) -> Host:
    return Host(lambda: screen, clock=fixed_clock, session=session)


async def settle(pilot: Pilot) -> None:
    await idle(pilot)
    pilot.app.clear_notifications()
    await pilot.pause()


def test_tags_screen(snap_compare: Any, seeded: SimpleNamespace) -> None:
    assert snap_compare(app_for(TagsScreen(seeded), seeded), terminal_size=SIZE, run_before=settle)


def test_tags_screen_second_tag(snap_compare: Any, seeded: SimpleNamespace) -> None:
    async def run_before(pilot: Pilot) -> None:
        await idle(pilot)
        await pilot.press("down")
        await idle(pilot)

    assert snap_compare(app_for(TagsScreen(seeded), seeded), terminal_size=SIZE, run_before=run_before)


def test_newsletters_screen(snap_compare: Any, seeded: SimpleNamespace) -> None:
    assert snap_compare(app_for(NewslettersScreen(seeded), seeded), terminal_size=SIZE, run_before=settle)


def test_bulk_screen_message_tab(snap_compare: Any, seeded: SimpleNamespace) -> None:
    async def run_before(pilot: Pilot) -> None:
        await idle(pilot)
        screen = pilot.app.screen
        screen.query_one("#bulk-numbers", TextArea).text = "+49 157 52982212\n+49 176 12345678"
        screen.query_one("#bulk-body", TextArea).text = "Hi {name}, your table is ready."
        screen.query_one("#bulk-device", Select).value = 11231
        await idle(pilot)

    assert snap_compare(app_for(BulkScreen(seeded), seeded), terminal_size=SIZE, run_before=run_before)


def test_bulk_screen_preview_tab(snap_compare: Any, seeded: SimpleNamespace) -> None:
    async def run_before(pilot: Pilot) -> None:
        await idle(pilot)
        screen = pilot.app.screen
        screen.query_one("#bulk-numbers", TextArea).text = "+49 157 52982212\n+49 176 12345678\nnonsense"
        screen.query_one("#bulk-body", TextArea).text = "Hi {name}, your table is ready."
        screen.query_one("#bulk-device", Select).value = 11231
        await idle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)

    assert snap_compare(app_for(BulkScreen(seeded), seeded), terminal_size=SIZE, run_before=run_before)


def test_bulk_screen_jobs_tab(snap_compare: Any, seeded: SimpleNamespace) -> None:
    async def run_before(pilot: Pilot) -> None:
        await idle(pilot)
        pilot.app.screen.query_one("#bulk-tabs").active = "bulk-jobs-pane"
        await idle(pilot)
        pilot.app.screen.query_one("#bulk-jobs").focus()
        await settle(pilot)

    assert snap_compare(app_for(BulkScreen(seeded), seeded), terminal_size=SIZE, run_before=run_before)
