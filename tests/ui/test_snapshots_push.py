"""Snapshots of the status line's push states (smstui.core.push_state) on the conversations
screen at 80x24: pushing, polling with the app's own receiver, and the quiet warning.

The push facts are handed to the app as its store watcher would (``app.push.apply``), on the
snapshot data with sync off and a frozen clock. Update with ``--snapshot-update``.
"""

from __future__ import annotations

import pytest
from textual.pilot import Pilot
from ui_helpers import BERLIN

from smstui.core.push_state import PushInfo
from smstui.core.session import Session
from smstui.tui.app import make_app


def _app(session: Session):  # type: ignore[no-untyped-def]
    return make_app(session, clock=session.test_clock, tz=BERLIN, sync=False)  # type: ignore[attr-defined]


def _with_push(info_of, expected: bool = False):  # type: ignore[no-untyped-def]
    async def run(pilot: Pilot) -> None:
        from ui_helpers import settle, threads_shown, wait_for

        app = pilot.app
        await wait_for(pilot, lambda: threads_shown(app) > 0, "the conversation list")
        await settle(pilot)
        app.push.view = app.push.view._replace(expected=expected)
        app.push.apply(info_of(app.clock().timestamp()))
        await pilot.pause()

    return run


@pytest.mark.parametrize(
    ("state", "info_of", "expected"),
    [
        pytest.param("push", lambda now: PushInfo((now - 12, "status"), 2), False, id="push"),
        pytest.param("poll", lambda now: PushInfo(None, 2), True, id="poll"),
        pytest.param("quiet", lambda now: PushInfo((now - 6 * 60 - 5, "status"), 3), False, id="quiet"),
    ],
)
def test_status_line_push_states(snap_compare, snapshot_session: Session, state, info_of, expected) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(_app(snapshot_session), terminal_size=(80, 24), run_before=_with_push(info_of, expected))
