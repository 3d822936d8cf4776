"""The conversation count in the list's title stays through device updates (issue 13 item 8:
"the header count sometimes vanishes": every device refresh redrew the title without it)."""

from __future__ import annotations

from ui_helpers import build_app, settle, threads_shown, wait_for

from smstui.core.session import Session
from smstui.simulator.seed import OFFICE_PHONE
from smstui.simulator.testing import TestSimulator


def title(app) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one("#list-title").render())


async def test_the_count_survives_a_device_refresh(session: Session, sim: TestSimulator) -> None:
    app = build_app(session, sim, sync=True, refresh_interval=3600)
    async with app.run_test(size=(100, 30)) as pilot:
        count = await wait_for(pilot, lambda: threads_shown(app), "the conversation list")
        await settle(pilot)
        assert title(app) == f"All devices · {count}"
        online = {d.device.id: d.online for d in app.devices}
        sim.set_online(OFFICE_PHONE, not online[OFFICE_PHONE])
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: {d.device.id: d.online for d in app.devices} != online, "the device change")
        await settle(pilot)
        assert title(app) == f"All devices · {count}"
