"""The devices table at 80 and 100 columns (issue 13 item 8): nothing cut off at the right
(carrier and roaming were: the table folds its columns instead), and every row's last seen is
relative (the highlighted row's turned absolute)."""

from __future__ import annotations

import re

import pytest
from ui_helpers import build_app, settle, threads_shown, wait_for

from smstui.core.session import Session
from smstui.simulator.testing import TestSimulator
from smstui.tui.screens.devices import DevicesScreen
from smstui.tui.widgets.device_table import DeviceTable


def table_text(table: DeviceTable) -> str:
    return "\n".join(table.render_line(y).text for y in range(table.size.height))


@pytest.mark.parametrize("size", [(80, 24), (100, 30), (160, 40)])
async def test_every_sim_detail_is_in_sight_and_last_seen_is_relative(
    session: Session, sim: TestSimulator, size: tuple[int, int]
) -> None:
    app = build_app(session, sim)
    async with app.run_test(size=size) as pilot:
        await wait_for(pilot, lambda: threads_shown(app), "the conversation list")
        await pilot.press("f3")
        await wait_for(pilot, lambda: isinstance(app.screen, DevicesScreen), "the devices screen")
        await settle(pilot)
        table = app.screen.query_one(DeviceTable)
        assert table.max_scroll_x == 0, f"{table.layout_name} is wider than the screen"
        text = table_text(table)
        carriers = [sim_.carrier for d in app.devices for sim_ in d.device.sims if sim_.carrier]
        assert carriers and all(carrier in text for carrier in carriers), text
        if any(s.roaming for d in app.devices for s in d.device.sims):
            assert "roaming" in text
        for stored in app.devices:  # app version and plan are there too
            assert (stored.device.app_version or "?") in text
        # Moving the highlight changes no row's last seen into a date.
        for _ in range(len(app.devices)):
            assert not re.search(r"\d{4}-\d\d-\d\d", table_text(table)), table_text(table)
            await pilot.press("down")
            await pilot.pause()
        assert table.layout_name == ("wide" if size[0] >= 160 else table.layout_name)


async def test_the_layout_follows_the_width(session: Session, sim: TestSimulator) -> None:
    app = build_app(session, sim)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_for(pilot, lambda: threads_shown(app), "the conversation list")
        await pilot.press("f3")
        await wait_for(pilot, lambda: isinstance(app.screen, DevicesScreen), "the devices screen")
        await settle(pilot)
        table = app.screen.query_one(DeviceTable)
        assert table.layout_name == "wide"
        await pilot.resize_terminal(80, 24)
        await wait_for(pilot, lambda: table.layout_name == "folded", "the folded layout")
        await settle(pilot)
        assert table.max_scroll_x == 0
