"""Conversation list, thread view, filtering, device selection, copy, help, palette, keymap."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from textual.widgets import Input
from ui_helpers import build_app, settle, threads_shown, wait_for

from smstui.core.gateway_messages import Message
from smstui.core.session import Session
from smstui.simulator.seed import OFFICE_PHONE
from smstui.simulator.testing import TestSimulator
from smstui.tui.dialogs.help import HelpScreen
from smstui.tui.modes import OTHER_MODES, screen_class
from smstui.tui.screens.conversations import PAGE, ConversationsScreen
from smstui.tui.screens.devices import DevicesScreen
from smstui.tui.widgets.compose_form import ComposeForm
from smstui.tui.widgets.thread_list import ThreadList
from smstui.tui.widgets.thread_view import ThreadView

ANNA = "+4915123456781"


async def _open(pilot, phone_key: str) -> ThreadView:  # type: ignore[no-untyped-def]
    app = pilot.app
    await wait_for(pilot, lambda: threads_shown(app) > 0, "the conversation list")
    app.screen.show_thread(phone_key)
    view = app.screen.query_one(ThreadView)
    await wait_for(pilot, lambda: view.phone_key == phone_key and view.messages, "the thread to load")
    return view


async def test_list_is_newest_first_and_opening_a_thread_shows_it(session: Session, sim: TestSimulator) -> None:
    app = build_app(session, sim)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: threads_shown(app) > 10, "the conversation list")
        threads = app.screen.query_one(ThreadList).threads
        assert [t.last_created for t in threads] == sorted((t.last_created for t in threads), reverse=True)
        # Keyboard: the list has focus; moving down opens the next conversation.
        await pilot.press("down")
        await pilot.press("enter")
        view = app.screen.query_one(ThreadView)
        expected = app.screen.query_one(ThreadList).highlighted_key
        await wait_for(pilot, lambda: view.phone_key == expected and view.messages, "the thread")
        assert app.focused is view
        assert {m.phone_key for m in view.messages} == {expected}
        created = [(m.created, m.lid) for m in view.messages]
        assert created == sorted(created)
        assert view.scroll_y == view.max_scroll_y  # opens on the newest message


async def test_filter_by_name_and_by_digits(session: Session, sim: TestSimulator) -> None:
    from smstui.demo import seed_local_contacts

    seed_local_contacts(session.store, sim.state)
    app = build_app(session, sim)
    async with app.run_test(size=(80, 24)) as pilot:
        total = await wait_for(pilot, lambda: threads_shown(app), "the conversation list")
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        await pilot.press(*"anna")
        await wait_for(pilot, lambda: threads_shown(app) == 1, "the filtered list")
        assert app.screen.query_one(ThreadList).threads[0].name == "Anna Schmidt"
        filter_input = app.screen.query_one("#filter", Input)
        filter_input.value = ""
        await wait_for(pilot, lambda: threads_shown(app) == total, "the full list again")
        await pilot.press(*"98765431")
        await wait_for(pilot, lambda: threads_shown(app) == 1, "the number match")
        assert app.screen.query_one(ThreadList).threads[0].phone_key == "+4916098765431"


async def test_selecting_a_device_filters_conversations_and_compose(session: Session, sim: TestSimulator) -> None:
    app = build_app(session, sim)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: threads_shown(app), "the conversation list")
        await pilot.press("f3")
        await wait_for(pilot, lambda: isinstance(app.screen, DevicesScreen), "the devices screen")
        table = app.screen.query_one("#device-table")
        await wait_for(pilot, lambda: table.row_count == 3, "three devices")
        # Sorted by title: Galaxy (travel), Pixel 7 (office), SM-F (offline).
        await pilot.press("down")
        assert table.highlighted_device.device.id == OFFICE_PHONE
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationsScreen), "the conversations")
        assert app.device_filter == OFFICE_PHONE
        threads = app.screen.query_one(ThreadList).threads
        await wait_for(
            pilot,
            lambda: (
                app.screen.query_one(ThreadList).threads
                and all(OFFICE_PHONE in t.device_ids for t in app.screen.query_one(ThreadList).threads)
            ),
            "only the office phone's threads",
        )
        threads = app.screen.query_one(ThreadList).threads
        assert len(threads) < len(session.store.threads())
        await _open(pilot, threads[0].phone_key)
        await settle(pilot)
        assert app.screen.query_one(ComposeForm).device_id == OFFICE_PHONE
        assert "Pixel 7" in str(app.screen.query_one("#list-title").render())


async def test_offline_and_stale_devices_stand_out(session: Session, sim: TestSimulator) -> None:
    from smstui.tui.widgets.device_table import device_health

    await session.syncer.refresh_devices(force=True)
    app = build_app(session, sim)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: threads_shown(app), "the conversation list")
        await pilot.press("f3")
        await wait_for(pilot, lambda: isinstance(app.screen, DevicesScreen), "the devices screen")
        table = app.screen.query_one("#device-table")
        await wait_for(pilot, lambda: table.row_count == 3, "three devices")
        health = {d.device.id: device_health(d, sim.clock()) for d in table.devices}
        assert health[260] == "offline"
        assert health[OFFICE_PHONE] == "online"
        status_cell = table.get_cell("260", "status")
        assert "offline" in status_cell.plain and "red" in str(status_cell.style)
        # Every row's 'last seen' is relative, the highlighted one's too (issue 13 item 8); the
        # detail pane under the table gives its exact time.
        table.move_cursor(row=[d.device.id for d in table.devices].index(260))
        await pilot.pause()
        assert table.get_cell("260", "seen").plain == "5 h ago"
        assert not table.get_cell(str(OFFICE_PHONE), "seen").plain.startswith("20")
        detail = str(app.screen.query_one("#device-detail").render())
        assert "OFFLINE" in detail and "last seen 20" in detail and "(5 h ago)" in detail


async def test_long_thread_is_paged_not_mounted(session: Session, sim: TestSimulator) -> None:
    phone = "+4915550000001"
    start = sim.clock() - timedelta(days=30)
    history = [
        Message(
            id=10_000_000 + i,
            phone=phone,
            body=f"message number {i}",
            status=7 if i % 3 else 5,
            device_id=OFFICE_PHONE,
            slot=0,
            created=start + timedelta(minutes=i),
        )
        for i in range(3000)
    ]
    session.store.upsert_messages(history, mark_unseen=False)
    app = build_app(session, sim)
    async with app.run_test(size=(80, 24)) as pilot:
        view = await _open(pilot, session.store.phone_key(phone))
        assert len(view.messages) == PAGE
        assert view.messages[-1].body == "message number 2999"
        assert view.has_older
        # Nothing is mounted per message: the view is one widget that draws lines.
        assert not view.children
        assert len(list(app.screen.query("*"))) < 80
        view.focus()
        view.scroll_to(y=0, animate=False, force=True, immediate=True)
        await wait_for(pilot, lambda: len(view.messages) == 2 * PAGE, "an older page")
        # The view stays on the message it showed, not on the new top.
        assert view.scroll_y > 0
        assert view.messages[0].body == f"message number {3000 - 2 * PAGE}"


async def test_copy_message_and_number(session: Session, sim: TestSimulator, system_clipboard, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    app = build_app(session, sim)
    async with app.run_test(size=(80, 24)) as pilot:
        view = await _open(pilot, ANNA)
        view.focus()
        await pilot.press("up")  # selects the newest message
        assert view.selected == len(view.messages) - 1
        await pilot.press("c")
        assert app.clipboard == view.messages[-1].body  # OSC 52
        await pilot.press("y")
        assert app.clipboard.replace(" ", "").endswith("15123456781")
        assert any("Copied" in n.message for n in app._notifications)
        # On the user's own machine the system clipboard gets it too (terminals ignoring OSC 52)...
        await settle(pilot)
        assert system_clipboard == [view.messages[-1].body, app.clipboard]
        # ... but not over SSH, where it would be the server's clipboard.
        monkeypatch.setenv("SSH_CONNECTION", "203.0.113.5 52000 10.0.0.2 22")
        await pilot.press("c")
        await settle(pilot)
        assert len(system_clipboard) == 2 and app.clipboard == view.messages[-1].body


async def test_help_lists_keys_with_ids(session: Session, sim: TestSimulator) -> None:
    app = build_app(session, sim)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: threads_shown(app), "the conversation list")
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), "the help screen")
        ids = [row[2] for row in app.screen._rows]
        assert "app.refresh" in ids and "app.compose" in ids and "conversations.filter" in ids
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationsScreen), "back")
        # '?' opens help too, but types into a focused input.
        await pilot.press("slash", "question_mark")
        assert app.screen.query_one("#filter", Input).value == "?"


async def test_keymap_from_config_remaps_bindings(session: Session, sim: TestSimulator) -> None:
    session.config = replace(session.config, keymap={"app.devices": "f9"})
    app = build_app(session, sim)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: threads_shown(app), "the conversation list")
        await pilot.press("f3")  # no longer bound
        await pilot.pause()
        assert isinstance(app.screen, ConversationsScreen)
        await pilot.press("f9")
        await wait_for(pilot, lambda: isinstance(app.screen, DevicesScreen), "the devices screen")


async def test_palette_goes_to_a_thread(session: Session, sim: TestSimulator) -> None:
    from textual.command import CommandPalette

    from smstui.demo import seed_local_contacts

    seed_local_contacts(session.store, sim.state)
    app = build_app(session, sim)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: threads_shown(app), "the conversation list")
        await pilot.press("f3")
        await wait_for(pilot, lambda: isinstance(app.screen, DevicesScreen), "the devices screen")
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette), "the palette")
        await pilot.press(*"thread: zoe")
        palette = app.screen
        await wait_for(pilot, lambda: palette.query_one("CommandList").option_count > 0, "a match")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationsScreen), "the conversations")
        view = app.screen.query_one(ThreadView)
        await wait_for(pilot, lambda: view.phone_key == "+4916098765431" and view.messages, "Zoë's thread")


async def test_network_text_is_shown_as_plain_text(session: Session, sim: TestSimulator) -> None:
    phone = "+4915550000002"
    evil = "[bold red]fake[/] \x1b[2J\x1b]0;pwned\x07 hi\x07 \u202etxt"
    session.store.upsert_messages(
        [Message(id=20_000_001, phone=phone, body=evil, status=5, device_id=OFFICE_PHONE, slot=0, created=sim.clock())],
        mark_unseen=False,
    )
    app = build_app(session, sim)
    async with app.run_test(size=(80, 24)) as pilot:
        view = await _open(pilot, phone)
        await pilot.pause()
        lines = [view.render_line(y).text for y in range(view.size.height)]
        joined = "\n".join(lines)
        assert "[bold red]fake[/]" in joined
        assert "\x1b" not in joined and "\x07" not in joined and "\u202e" not in joined
        row = app.screen.query_one(ThreadList).thread(phone)
        assert row is not None


async def test_theme_toggle_and_sixteen_colour_theme(session: Session, sim: TestSimulator) -> None:
    app = build_app(session, sim)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: threads_shown(app), "the conversation list")
        dark = app.theme
        await pilot.press("ctrl+t")
        assert not app.current_theme.dark
        await pilot.press("ctrl+t")
        assert app.theme == dark
        app.theme = "ansi-dark"  # 16 colours: every style comes from theme variables
        await _open(pilot, ANNA)
        await pilot.pause()
        view = app.screen.query_one(ThreadView)
        assert view.render_line(0).cell_length == view.scrollable_content_region.width


async def test_a_failing_worker_becomes_a_notification(session: Session, sim: TestSimulator, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from smstui.core.store.connection import StoreError

    app = build_app(session, sim)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: threads_shown(app), "the conversation list")

        def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
            raise StoreError("Cannot read the local store: disk I/O error. Free some space.")

        monkeypatch.setattr(session.store, "threads", broken)
        await pilot.press("slash", "x")
        await wait_for(
            pilot, lambda: any(n.title == "Something went wrong" for n in app._notifications), "the error notification"
        )
        note = next(n for n in app._notifications if n.title == "Something went wrong")
        assert "disk I/O error" in note.message
        assert "see the log: " in note.message and "smstui.log" in note.message  # names the file
        assert app.is_running


async def test_other_modes_open_from_their_keys(session: Session, sim: TestSimulator) -> None:
    """Tags, newsletters, bulk and the dashboard open from F4/F5/F6/F10 (the failures screen has no
    key of its own: it opens from the dashboard, see test_dashboard.py)."""
    app = build_app(session, sim)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: threads_shown(app), "the conversation list")
        for mode in (m for m in OTHER_MODES if m.key):
            key, screen_type = mode.key, screen_class(mode.name)
            await pilot.press(key)
            await wait_for(pilot, lambda: isinstance(app.screen, screen_type), f"the {mode} screen")
            await settle(pilot)
        await pilot.press("f2")
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationsScreen), "the conversations")
        assert not any(n.title == "Something went wrong" for n in app._notifications)


async def test_racing_through_the_list_opens_only_where_the_highlight_stops(
    session: Session, sim: TestSimulator
) -> None:
    app = build_app(session, sim)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: threads_shown(app) > 6, "the conversation list")
        screen = app.screen
        await wait_for(pilot, lambda: not screen.open_pending, "any opening to finish")
        thread_list = screen.query_one(ThreadList)
        keys = [t.phone_key for t in thread_list.threads]
        opened: list[str] = []
        loads: list[str] = []
        real_open = screen.open_thread

        def open_thread(phone_key: str, **kwargs) -> None:  # type: ignore[no-untyped-def]
            opened.append(phone_key)
            real_open(phone_key, **kwargs)

        screen.open_thread = open_thread
        # Reading a thread never finishes here, so a load is always "in flight".
        screen._load_thread = lambda phone_key, focus, select=None: loads.append(phone_key)
        screen._move_clock = lambda: 1000.0  # every move counts as quick
        thread_list.focus()
        thread_list.highlighted = 0
        await pilot.pause()
        await wait_for(pilot, lambda: screen._open_timer is None, "the first conversation")
        opened.clear()
        loads.clear()
        # The first move (nothing being read) opens at once.
        screen._opening = None
        await pilot.press("down")
        assert opened == [keys[1]]
        # More moves while that one is read: nothing opens until the highlight rests.
        await pilot.press("down", "down", "down")
        assert opened == [keys[1]]
        assert screen.open_pending
        await wait_for(pilot, lambda: len(opened) == 2, "the resting highlight to open")
        assert opened[-1] == keys[4] == screen.phone_key
        # Enter opens at once, with no wait.
        await pilot.press("down")
        assert len(opened) == 2
        await pilot.press("enter")
        assert opened[-1] == keys[5]
        assert screen._open_timer is None
        assert loads == opened
