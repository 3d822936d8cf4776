"""The help lists a key by what it does where the user is, not by what the selection allows at
that moment (issue 13 item 8: R and x appeared only once a message that allowed them was
selected; before that the help showed their hidden stand-ins, "Why not send again")."""

from __future__ import annotations

from ui_helpers import build_app, settle, threads_shown, wait_for

from smstui.core.session import Session
from smstui.simulator.testing import TestSimulator
from smstui.tui.dialogs.help import HelpScreen
from smstui.tui.screens.login import LoginScreen
from smstui.tui.widgets.thread_view import ThreadView


async def help_rows(pilot) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    app = pilot.app
    await pilot.press("f1")
    await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), "the help screen")
    rows = list(app.screen._rows)
    await pilot.press("escape")
    await wait_for(pilot, lambda: not isinstance(app.screen, HelpScreen), "the help to close")
    return rows


async def test_thread_keys_are_listed_before_any_message_is_selected(session: Session, sim: TestSimulator) -> None:
    app = build_app(session, sim)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: threads_shown(app), "the conversation list")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        view = app.screen.query_one(ThreadView)
        assert app.focused is view and view.selected is None
        rows = await help_rows(pilot)
        assert ("R", "Send again", "thread.retry") in rows
        assert ("x", "Cancel sending", "thread.cancel") in rows
        assert not [r for r in rows if r[2].endswith("_why")]
        # A delivered message selected: the same keys, still what they do.
        await pilot.press("up")
        await settle(pilot)
        assert view.selected is not None
        assert (await help_rows(pilot)) == rows
        # The keys themselves still say why they do nothing here.
        await pilot.press("R")
        await pilot.pause()
        assert any(n.title == "Nothing to send again" for n in app._notifications)


async def test_the_profile_switchers_help_says_esc_goes_back(session: Session, sim: TestSimulator) -> None:
    app = build_app(session, sim)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: threads_shown(app), "the conversation list")
        await pilot.press("ctrl+l")
        await wait_for(pilot, lambda: isinstance(app.screen, LoginScreen), "the login screen")
        await pilot.pause()
        app.screen.set_focus(None)  # '?' would type into a field; F1 works from anywhere
        rows = await help_rows(pilot)
        assert ("esc", "Back", "login.cancel") in rows
        assert ("esc", "Quit", "login.cancel") not in rows
