"""Snapshots of the main screens as a 16-colour terminal shows them (issue 19 item 4).

``TERM=xterm`` without ``COLORTERM``: Rich detects 16 colours, so the app starts in the
``ansi-dark`` theme, drawn in the terminal's own palette (smstui.tui.terminal); the SVG renders
those ANSI colours with Textual's default palette. Same data and clock as test_snapshots.py.
Update with ``pytest tests/ui/test_snapshots_16_colours.py --snapshot-update``.
"""

from __future__ import annotations

import pytest
from test_snapshots import SIZES, _app, _devices, _open_anna, _run_before

from smstui.core.session import Session


@pytest.fixture
def sixteen_colours(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.delenv("COLORTERM", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("TEXTUAL_COLOR_SYSTEM", raising=False)


@pytest.mark.parametrize("size", SIZES)
def test_conversations_16_colours(snap_compare, snapshot_session: Session, sixteen_colours, size) -> None:  # type: ignore[no-untyped-def]
    app = _app(snapshot_session)
    assert snap_compare(app, terminal_size=size, run_before=_run_before(_open_anna))
    assert app.theme == "ansi-dark"


@pytest.mark.parametrize("size", SIZES)
def test_devices_16_colours(snap_compare, snapshot_session: Session, sixteen_colours, size) -> None:  # type: ignore[no-untyped-def]
    app = _app(snapshot_session)
    assert snap_compare(app, terminal_size=size, run_before=_run_before(_devices))
    assert app.theme == "ansi-dark"
