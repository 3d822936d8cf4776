"""Snapshot of the status line in the middle of a first sync: a bar drawn as text, messages done
of all and the time left (from the rate so far, on the app's frozen clock moved by the test)."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot
from ui_helpers import BERLIN

from smstui.core.session import Session
from smstui.tui.app import make_app
from smstui.tui.widgets.status_line import StatusLine

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


def _mid_sync(session: Session):  # type: ignore[no-untyped-def]
    async def run(pilot: Pilot) -> None:
        from ui_helpers import settle, threads_shown, wait_for

        await wait_for(pilot, lambda: threads_shown(pilot.app) > 0, "the conversation list")
        await settle(pilot)
        line = pilot.app.screen.query_one(StatusLine)
        clock = session.test_clock  # type: ignore[attr-defined]
        line.update_state("syncing", None, None, (12_000, 100_000))
        clock.advance(30)  # 24,000 more in 30 s: 64,000 to go at 800 a second
        line.update_state("syncing", None, None, (36_000, 100_000))
        await settle(pilot)
        assert "36,000/100,000 messages  ~1 min left" in str(line.render())

    return run


@pytest.mark.parametrize("size", SIZES)
def test_first_sync_progress(snap_compare, snapshot_session: Session, size) -> None:  # type: ignore[no-untyped-def]
    app = make_app(snapshot_session, clock=snapshot_session.test_clock, tz=BERLIN, sync=False)  # type: ignore[attr-defined]
    assert snap_compare(app, terminal_size=size, run_before=_mid_sync(snapshot_session))
