"""Snapshots of the on-call views: the message detail dialog (a failed message, with its reason),
the failed-conversations filter, the find-by-gateway-id dialog, the dashboard and the failure
triage (the demo's week: failures, an offline phone, outdated apps). Same data and rules as
test_snapshots.py (demo sync, frozen clock, Berlin time, sync off)."""

from __future__ import annotations

import pytest
from test_snapshots import SIZES, _app, _run_before
from textual.pilot import Pilot

from smstui.core.session import Session

BEN = "+4917012345673"  # the demo's Ben Okafor: some of his messages failed


async def _failed_message_details(pilot: Pilot) -> None:
    from ui_helpers import settle, wait_for

    from smstui.tui.dialogs.message_detail import MessageDetailScreen
    from smstui.tui.widgets.thread_view import ThreadView

    pilot.app.screen.show_thread(BEN)
    view = pilot.app.screen.query_one(ThreadView)
    await wait_for(pilot, lambda: view.phone_key == BEN and view.messages, "Ben's thread")
    view.selected = max(i for i, m in enumerate(view.messages) if m.failed)
    await pilot.press("i")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, MessageDetailScreen), "the detail dialog")
    await settle(pilot)


async def _failed_filter(pilot: Pilot) -> None:
    from ui_helpers import wait_for

    await pilot.press("f")
    await wait_for(pilot, lambda: "failed" in str(pilot.app.screen.query_one("#list-title").render()), "the filter")


async def _find_dialog(pilot: Pilot) -> None:
    from ui_helpers import wait_for

    from smstui.tui.dialogs.find_message import FindMessageDialog

    await pilot.press("slash", *"#62800001", "enter")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, FindMessageDialog), "the find dialog")


@pytest.mark.parametrize("size", SIZES)
def test_message_detail(snap_compare, snapshot_session: Session, size) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(_app(snapshot_session), terminal_size=size, run_before=_run_before(_failed_message_details))


@pytest.mark.parametrize("size", SIZES)
def test_failed_filter(snap_compare, snapshot_session: Session, size) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(_app(snapshot_session), terminal_size=size, run_before=_run_before(_failed_filter))


def test_find_message_dialog(snap_compare, snapshot_session: Session) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(_app(snapshot_session), terminal_size=(80, 24), run_before=_run_before(_find_dialog))


async def _dashboard(pilot: Pilot) -> None:
    from ui_helpers import wait_for

    from smstui.tui.screens.dashboard import DashboardScreen

    await pilot.press("f10")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, DashboardScreen), "the dashboard")
    screen = pilot.app.screen
    await pilot.press("3")  # the week: the demo's failures, an offline phone, outdated apps
    await wait_for(pilot, lambda: screen.report is not None and screen.report.window_name == "7d", "the week")


async def _failures(pilot: Pilot) -> None:
    from ui_helpers import wait_for

    from smstui.tui.screens.triage import TriageScreen

    await _dashboard(pilot)
    await pilot.press("f")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, TriageScreen), "the failures")
    screen = pilot.app.screen
    await wait_for(pilot, lambda: screen._loaded > 0 and screen.filters.window == "7d", "the week's failures")


@pytest.mark.parametrize("size", SIZES)
def test_dashboard(snap_compare, snapshot_session: Session, size) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(_app(snapshot_session), terminal_size=size, run_before=_run_before(_dashboard))


@pytest.mark.parametrize("size", SIZES)
def test_failures(snap_compare, snapshot_session: Session, size) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(_app(snapshot_session), terminal_size=size, run_before=_run_before(_failures))
