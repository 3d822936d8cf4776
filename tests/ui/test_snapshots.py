"""Snapshots of every screen at 80x24 and 120x40 (frozen clock, fixed zone, isolated dirs).

The data comes from one sync against the demo simulator (see ``snapshot_home`` in conftest);
the app runs with sync off, so nothing but the store feeds the screens. Update with
``pytest tests/ui/test_snapshots.py --snapshot-update`` after a deliberate change.
"""

from __future__ import annotations

import pytest
from textual.pilot import Pilot
from ui_helpers import BERLIN

from smstui.core.session import Session, open_session
from smstui.tui.app import make_app

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
ANNA = "+4915123456781"


def _app(session: Session):  # type: ignore[no-untyped-def]
    return make_app(session, clock=session.test_clock, tz=BERLIN, sync=False)  # type: ignore[attr-defined]


async def _ready(pilot: Pilot) -> None:
    """Wait for the conversations (and the first thread) to load, and let workers finish."""
    from ui_helpers import settle, threads_shown, wait_for

    await wait_for(pilot, lambda: threads_shown(pilot.app) > 0, "the conversation list")
    await settle(pilot)


def _run_before(*steps):  # type: ignore[no-untyped-def]
    async def run(pilot: Pilot) -> None:
        from ui_helpers import settle, wait_for

        await _ready(pilot)
        for step in steps:
            await step(pilot)
            await settle(pilot)
        await wait_for(pilot, lambda: True, "a frame")

    return run


async def _open_anna(pilot: Pilot) -> None:
    from ui_helpers import wait_for

    from smstui.tui.widgets.thread_view import ThreadView

    pilot.app.screen.show_thread(ANNA)
    view = pilot.app.screen.query_one(ThreadView)
    await wait_for(pilot, lambda: view.phone_key == ANNA and view.messages, "Anna's thread")


async def _reply(pilot: Pilot) -> None:
    await pilot.press("r", *"Thanks Anna, see you Thursday! 5 EUR for the coffee")


async def _devices(pilot: Pilot) -> None:
    await pilot.press("f3")
    await pilot.pause()


async def _new_message(pilot: Pilot) -> None:
    from ui_helpers import wait_for

    from smstui.tui.dialogs.compose import ComposeScreen

    await pilot.press("n")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ComposeScreen), "the compose modal")
    await pilot.press(*"+4915123456781, 12345", "tab", *"Привет! Meeting at 10?")


async def _help(pilot: Pilot) -> None:
    await pilot.press("f1")
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
def test_conversations(snap_compare, snapshot_session: Session, size) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(_app(snapshot_session), terminal_size=size, run_before=_run_before(_open_anna))


@pytest.mark.parametrize("size", SIZES)
def test_thread_with_compose_pane(snap_compare, snapshot_session: Session, size) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(_app(snapshot_session), terminal_size=size, run_before=_run_before(_open_anna, _reply))


@pytest.mark.parametrize("size", SIZES)
def test_devices(snap_compare, snapshot_session: Session, size) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(_app(snapshot_session), terminal_size=size, run_before=_run_before(_devices))


@pytest.mark.parametrize("size", SIZES)
def test_new_message(snap_compare, snapshot_session: Session, size) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(_app(snapshot_session), terminal_size=size, run_before=_run_before(_new_message))


@pytest.mark.parametrize("size", SIZES)
def test_help(snap_compare, snapshot_session: Session, size) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(_app(snapshot_session), terminal_size=size, run_before=_run_before(_help))


async def _region_question(pilot: Pilot) -> None:
    from smstui.tui.dialogs.region import RegionDialog

    sims = {"DE": ["Pixel 7 (office) SIM 1", "Pixel 7 (office) SIM 2"], "US": ["Galaxy A12 (travel) SIM 1"]}
    await pilot.app.push_screen(RegionDialog(("DE", "US"), sims))
    await pilot.press("down")  # the first region highlighted (nothing is until a key is pressed)


@pytest.mark.parametrize("size", SIZES)
def test_region_dialog(snap_compare, snapshot_session: Session, size) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(_app(snapshot_session), terminal_size=size, run_before=_run_before(_region_question))


@pytest.mark.parametrize("size", SIZES)
def test_login(snap_compare, size) -> None:  # type: ignore[no-untyped-def]
    from smstui.simulator.clock import DEFAULT_FAKE_START, FakeClock

    session = open_session()  # a first start: no config, no token
    app = make_app(session, clock=FakeClock(DEFAULT_FAKE_START), tz=BERLIN, sync=False)

    async def fill(pilot: Pilot) -> None:
        from ui_helpers import wait_for

        from smstui.tui.screens.login import LoginScreen

        await wait_for(pilot, lambda: isinstance(pilot.app.screen, LoginScreen), "the login screen")
        await pilot.press(*"me@example.com", "enter", *"hunter2")

    try:
        assert snap_compare(app, terminal_size=size, run_before=fill)
    finally:
        session.store.close()


async def _scheduled(pilot: Pilot) -> None:
    from ui_helpers import wait_for

    from smstui.tui.screens.scheduled import ScheduledScreen

    await pilot.press("S")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ScheduledScreen) and pilot.app.screen.loads, "the list")


@pytest.mark.parametrize("size", SIZES)
def test_scheduled(snap_compare, snapshot_session: Session, size) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(_app(snapshot_session), terminal_size=size, run_before=_run_before(_scheduled))
