"""Pilot: the new-message modal shows what a send to several numbers costs, beside the SIM's count."""

from __future__ import annotations

from ui_helpers import build_app, threads_shown, wait_for

from smstui.core.session import Session
from smstui.simulator.testing import TestSimulator
from smstui.tui.dialogs.compose import ComposeScreen

TEXT = "Liebe Kundin, unser Sommerschlussverkauf beginnt morgen um neun Uhr mit bis zu fuenfzig Prozent ab"


async def test_compose_to_three_numbers_shows_the_cost_and_the_character_that_doubles_it(
    session: Session, sim: TestSimulator
) -> None:
    app = build_app(session, sim)
    async with app.run_test(size=(160, 30)) as pilot:
        await wait_for(pilot, lambda: threads_shown(app), "the conversation list")
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, ComposeScreen), "the compose modal")
        await pilot.press(*"+4915123456781, +4917012345673, +4915752982212")
        await pilot.press("tab", *TEXT.replace(" ", "_"))
        info = app.screen.query_one("#compose-info")
        await wait_for(pilot, lambda: "3 recipient(s)" in str(info.render()), "the cost")
        assert "3 recipient(s) × 1 SMS = 3 SMS" in str(info.render())
        await pilot.press("left", "left", "left", "left", "left", "left", "left", "left", "left", "left", "left")
        await pilot.press("backspace", "ő")  # one character outside GSM-7
        await wait_for(pilot, lambda: "= 6 SMS" in str(info.render()), "the doubled cost")
        text = str(info.render())
        assert "3 recipient(s) × 2 SMS = 6 SMS" in text and "'ő' makes it UCS-2: 2 SMS instead of 1" in text
        device = str(app.screen.query_one("#compose-device-info").render())
        assert "today" in device and "this send +6 SMS" in device
