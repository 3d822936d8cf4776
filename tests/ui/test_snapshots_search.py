"""Snapshots of the search screen (a word, highlighted in the results; filters in the field) and
the export dialog. Same data and rules as test_snapshots.py (demo sync, frozen clock, Berlin
time, sync off)."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_snapshots import SIZES, _app, _run_before
from textual.pilot import Pilot

from smstui.core.session import Session


async def _search(pilot: Pilot) -> None:
    from ui_helpers import settle, wait_for

    from smstui.tui.widgets.search_results import SearchResults

    await pilot.press("f7")
    await wait_for(pilot, lambda: pilot.app.screen.query(SearchResults), "the search screen")
    await pilot.press(*"thanks dir:in")
    results = pilot.app.screen.query_one(SearchResults)
    await wait_for(pilot, lambda: results.option_count > 0, "the results")
    await settle(pilot)


async def _empty_search(pilot: Pilot) -> None:
    from ui_helpers import wait_for

    from smstui.tui.widgets.search_results import SearchResults

    await pilot.press("f7")
    await wait_for(pilot, lambda: pilot.app.screen.query(SearchResults), "the search screen")


async def _export(pilot: Pilot) -> None:
    from textual.widgets import Input
    from ui_helpers import wait_for

    from smstui.tui.dialogs.export import ExportDialog

    await pilot.press("ctrl+s")
    dialog = await wait_for(pilot, lambda: isinstance(pilot.app.screen, ExportDialog) and pilot.app.screen, "export")
    # A fixed path: the default names the folder smstui was started in, and the time.
    dialog.query_one("#export-path", Input).value = str(Path("/home/me/smstui-search.csv"))


@pytest.mark.parametrize("size", SIZES)
def test_search(snap_compare, snapshot_session: Session, size) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(_app(snapshot_session), terminal_size=size, run_before=_run_before(_search))


def test_search_before_typing(snap_compare, snapshot_session: Session) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(_app(snapshot_session), terminal_size=(80, 24), run_before=_run_before(_empty_search))


def test_export_dialog(snap_compare, snapshot_session: Session) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(_app(snapshot_session), terminal_size=(80, 24), run_before=_run_before(_search, _export))
