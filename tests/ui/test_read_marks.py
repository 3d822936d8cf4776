"""The conversation list and its open thread (issue 13 item 8).

Moving the list's highlight over a conversation previews it in the thread pane; only going into
it (Enter, a click, reply) reads it. A filter that hides the open conversation closes the pane.
A long name in the thread's header gives way to the number.
"""

from __future__ import annotations

from ui_helpers import build_app, settle, threads_shown, wait_for

from smstui.core.session import Session
from smstui.demo import seed_local_contacts
from smstui.simulator.seed import OFFICE_PHONE
from smstui.simulator.testing import TestSimulator
from smstui.tui.widgets.thread_list import ThreadList
from smstui.tui.widgets.thread_view import ThreadView


async def with_unread(session: Session, sim: TestSimulator, count: int = 3) -> list[str]:
    """Replies from ``count`` known conversations, arrived after the first sync (so unread)."""
    phones = [t.phone_key for t in session.store.threads(search="", limit=500) if t.phone_key.startswith("+")]
    chosen = phones[1 : 1 + count]
    sim.advance(60)
    for phone in chosen:
        sim.state.add_incoming(OFFICE_PHONE, phone, "Are you there?")
    sim.advance(1)
    await session.syncer.sync()
    assert all(unread(session, phone) for phone in chosen)
    return chosen


def unread(session: Session, phone_key: str) -> int:
    return next(t.unread for t in session.store.threads(search="", limit=500) if t.phone_key == phone_key)


async def test_the_highlight_passing_over_a_thread_leaves_it_unread(session: Session, sim: TestSimulator) -> None:
    await with_unread(session, sim)
    app = build_app(session, sim)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: threads_shown(app), "the conversation list")
        await settle(pilot)
        screen = app.screen
        thread_list = screen.query_one(ThreadList)
        view = screen.query_one(ThreadView)
        keys = [t.phone_key for t in thread_list.threads if t.unread]
        assert len(keys) >= 2, "the demo has unread conversations"
        # The first conversation, highlighted and previewed at start, is not read by that.
        first = thread_list.threads[0]
        if first.unread:
            assert unread(session, first.phone_key) == first.unread
        target = keys[-1]
        await pilot.press("home")
        while thread_list.highlighted_key != target:
            await pilot.press("down")
        await settle(pilot)
        assert view.phone_key == target and view.messages  # previewed in the pane...
        assert unread(session, target) > 0  # ...but still unread
        assert thread_list.thread(target).unread > 0  # and the list still says so
        await pilot.press("enter")  # going into it reads it
        await settle(pilot)
        assert app.focused is view
        assert unread(session, target) == 0
        await wait_for(pilot, lambda: thread_list.thread(target).unread == 0, "the badge to go")


async def test_reply_reads_the_thread(session: Session, sim: TestSimulator) -> None:
    await with_unread(session, sim)
    app = build_app(session, sim)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: threads_shown(app), "the conversation list")
        await settle(pilot)
        thread_list = app.screen.query_one(ThreadList)
        target = next(t.phone_key for t in thread_list.threads if t.unread)
        while thread_list.highlighted_key != target:
            await pilot.press("down")
        await settle(pilot)
        assert unread(session, target) > 0
        await pilot.press("r")
        await settle(pilot)
        assert unread(session, target) == 0


async def test_a_filter_that_hides_the_open_thread_closes_it(session: Session, sim: TestSimulator) -> None:
    seed_local_contacts(session.store, sim.state)
    app = build_app(session, sim)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: threads_shown(app), "the conversation list")
        await settle(pilot)
        screen = app.screen
        view = screen.query_one(ThreadView)
        thread_list = screen.query_one(ThreadList)
        anna = next(t for t in thread_list.threads if t.name == "Anna Schmidt")
        other = next(t for t in thread_list.threads if t.name and "anna" not in t.name.lower())
        while thread_list.highlighted_key != other.phone_key:
            await pilot.press("down")
        await pilot.press("enter")
        await settle(pilot)
        assert view.phone_key == other.phone_key
        await pilot.press("slash", *"anna")
        await wait_for(pilot, lambda: threads_shown(app) == 1, "the filtered list")
        await settle(pilot)
        assert [t.phone_key for t in thread_list.threads] == [anna.phone_key]
        assert view.phone_key is None and not view.messages
        assert "No conversation open" in str(screen.query_one("#thread-header").render())
        # Enter in the filter opens what it found.
        await pilot.press("enter", "enter")
        await settle(pilot)
        assert view.phone_key == anna.phone_key and view.messages


async def test_a_long_name_gives_way_to_the_number_in_the_thread_header(session: Session, sim: TestSimulator) -> None:
    """Issue 13 item 8: at 80 columns the header cut the number's end after a long name."""
    tag = session.store.add_tag("Friends", None)
    phone = "+4915123456781"
    session.store.add_contact(tag, phone, "Maximiliane Alexandra von Hohenzollern-Sigmaringen", None)
    app = build_app(session, sim)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: threads_shown(app), "the conversation list")
        app.screen.show_thread(phone)
        view = app.screen.query_one(ThreadView)
        await wait_for(pilot, lambda: view.phone_key == phone and view.messages, "the thread")
        await settle(pilot)
        header = app.screen.query_one("#thread-header")
        line = "".join(s.text for s in header.render_line(0)).strip()
        assert "+49 1512 3456781" in line, line
        assert line.startswith("Maximiliane") and "…" in line
