"""A device's title comes from the gateway: it is shown literally everywhere, never as markup
(issue 13, item 4: compose showed the title ``[b]Phone[/b]`` as a bold "Phone")."""

from __future__ import annotations

from textual.widgets import Select, Static
from ui_helpers import build_app, settle, threads_shown, wait_for

from smstui.core.session import Session
from smstui.simulator.testing import TestSimulator
from smstui.tui.dialogs.compose import ComposeScreen
from smstui.tui.screens.bulk import BulkScreen

TITLE = "[b]Phone[/b]"


def shown(select: Select) -> str:
    """What the closed select shows (its current value's prompt), as rendered."""
    return str(select.query_one("SelectCurrent #label", Static).render())


async def test_device_title_is_literal_in_compose_and_bulk(session: Session, sim: TestSimulator) -> None:
    store = session.store
    devices = [d.device for d in store.devices()]
    store.save_devices([d._replace(title=TITLE) if i == 0 else d for i, d in enumerate(devices)])
    marked = devices[0].id
    app = build_app(session, sim)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: threads_shown(app), "the conversation list")
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, ComposeScreen), "the compose modal")
        await settle(pilot)
        select = app.screen.query_one("#compose-device", Select)
        select.value = marked
        await pilot.pause()
        assert TITLE in shown(select)
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, ComposeScreen), "the modal to close")
        await pilot.press("f6")
        await wait_for(pilot, lambda: isinstance(app.screen, BulkScreen), "the bulk screen")
        await settle(pilot)
        select = app.screen.query_one("#bulk-device", Select)
        select.value = marked
        await pilot.pause()
        assert TITLE in shown(select)
