"""The screens inside the real app: the app instantiates them from MODES with no arguments."""

from __future__ import annotations

import pytest
from bulkui_helpers import BERLIN, idle, wait_for

from smstui.simulator.testing import TestSimulator

app_module = pytest.importorskip("smstui.tui.app")


async def test_modes_open_the_bulk_screens(sim_empty: TestSimulator) -> None:
    from smstui.core.session import open_session
    from smstui.tui.screens.bulk import BulkScreen
    from smstui.tui.screens.newsletters import NewslettersScreen
    from smstui.tui.screens.tags import TagsScreen

    session = open_session(api_url=sim_empty.url, clock=sim_empty.clock)
    await session.login(sim_empty.email, sim_empty.password)
    app = app_module.make_app(session, clock=sim_empty.clock, tz=BERLIN, sync=False)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_for(pilot, lambda: app.session_ready, "the session to open")
            await idle(pilot)
            for key, screen_type in (("f4", TagsScreen), ("f5", NewslettersScreen), ("f6", BulkScreen)):
                await pilot.press(key)
                await wait_for(
                    pilot, lambda: isinstance(app.screen, screen_type), f"{key} to show {screen_type.__name__}"
                )
                await idle(pilot)
            # A tag created from inside the app reaches the gateway through the session's client.
            await app.run_action("show_mode('tags')")
            await pilot.pause(0.1)
            await pilot.press("n", *"VIP", "enter")
            await idle(pilot)
            assert [t.title for t in sim_empty.state.tags.values()] == ["VIP"]
    finally:
        await session.aclose()
