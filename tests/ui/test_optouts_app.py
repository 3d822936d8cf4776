"""Pilot: a STOP reply shows in the conversation's header once sync has put the number on the list."""

from __future__ import annotations

from ui_helpers import build_app, settle, threads_shown, wait_for

from smstui.core.session import Session
from smstui.simulator.seed import OFFICE_PHONE
from smstui.simulator.testing import TestSimulator
from smstui.tui.widgets.thread_view import ThreadView

ANNA = "+4915123456781"


async def test_the_thread_header_says_the_number_opted_out(session: Session, sim: TestSimulator) -> None:
    sim.state.add_incoming(OFFICE_PHONE, ANNA, "STOP")
    sim.advance(5)
    await session.syncer.sync()
    optout = session.store.optout(session.store.phone_key(ANNA))
    assert optout is not None and optout.reply == "STOP"
    day = f"{optout.at.astimezone():%d %b}".lstrip("0")
    app = build_app(session, sim)
    async with app.run_test(size=(140, 30)) as pilot:
        await wait_for(pilot, lambda: threads_shown(app), "the conversation list")
        app.screen.show_thread(ANNA)
        view = app.screen.query_one(ThreadView)
        await wait_for(pilot, lambda: view.phone_key == ANNA and view.messages, "the thread")
        header = app.screen.query_one("#thread-header")
        await wait_for(pilot, lambda: "opted out" in str(header.render()), "the opt-out in the header")
        await settle(pilot)
        line = "".join(s.text for s in header.render_line(0)).strip()
        assert f"opted out on {day}, 'STOP'" in line, line
        # Lifted by hand: a refresh of the open conversation drops the note.
        session.store.set_optout(ANNA, False)
        app.screen._refresh_open_thread(ANNA, ())
        await wait_for(pilot, lambda: "opted out" not in str(header.render()), "the note to go")
