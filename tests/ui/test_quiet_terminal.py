"""Over SSH, nothing is written when nothing changes, and a key repaints what it changed (issue 19).

Each test counts the cells the app paints (ui_helpers.PaintSpy: every compositor update, full
frames counted as the whole screen); bench/terminal_bytes.py measures the bytes themselves on a
real pseudo-terminal. The terminal-facing choices (16 colours, SSH) are tested at the end.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from test_thread_list import ListApp, make_thread
from test_thread_view import ViewApp, _msg
from textual.app import App, ComposeResult
from textual.screen import Screen
from textual.widgets import Input, Static, TextArea
from ui_helpers import PaintSpy, build_app, settle, threads_shown, wait_for

from smstui.core.session import Session
from smstui.simulator.testing import TestSimulator
from smstui.tui import app_messages as msgs, terminal
from smstui.tui.widgets.quiet_footer import QuietFooter
from smstui.tui.widgets.status_line import SYNCING_AFTER, StatusLine
from smstui.tui.widgets.thread_list import ThreadList
from smstui.tui.widgets.thread_view import ThreadView

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


class LineApp(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.now = NOW

    def compose(self) -> ComposeResult:
        yield StatusLine(clock=lambda: self.now, tz=UTC)


async def test_a_quick_poll_that_finds_nothing_paints_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    app = LineApp()
    async with app.run_test(size=(60, 3)) as pilot:
        line = app.query_one(StatusLine)
        line.update_state("idle", NOW - timedelta(seconds=15), None)
        await pilot.pause()
        assert "synced just now" in str(line.render())
        spy = PaintSpy(app, monkeypatch)
        # A routine poll: syncing, then synced again well within SYNCING_AFTER; still "just now".
        line.update_state("syncing", NOW - timedelta(seconds=15), None)
        app.now = NOW + timedelta(seconds=1)
        line.update_state("idle", NOW + timedelta(seconds=1), None)
        await pilot.pause()
        assert spy.cells == 0
        # The minute's check finds the same words: nothing either.
        line._repaint_if_changed()
        await pilot.pause()
        assert spy.cells == 0


async def test_a_slow_poll_or_a_first_sync_shows_syncing() -> None:
    app = LineApp()
    async with app.run_test(size=(60, 3)) as pilot:
        line = app.query_one(StatusLine)
        line.update_state("idle", NOW, None)
        line.update_state("syncing", NOW, None)
        await pilot.pause()
        assert "syncing" not in str(line.render())
        await wait_for(pilot, lambda: "syncing" in str(line.render()), "syncing after a while", SYNCING_AFTER + 5)
        line.update_state("idle", NOW, None)
        line.update_state("syncing", None, None, (3, 90))  # a first sync says how far it got at once
        assert "syncing" in str(line.render()) and "3/90 messages" in str(line.render())
        line.update_state("offline", NOW, "connection refused")
        await pilot.pause()
        assert "offline" in str(line.render())


async def _refresh_and_wait(pilot) -> None:  # type: ignore[no-untyped-def]
    app = pilot.app
    await wait_for(pilot, lambda: app._service is not None, "the refresh service")
    before = app._service.polls
    app._service.wake()  # as the timer's poll: no "Refreshing…" note
    await wait_for(pilot, lambda: app._service.polls > before and not app._service.busy, "a refresh")
    await settle(pilot)


async def test_an_idle_refresh_paints_nothing(session: Session, sim: TestSimulator, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    app = build_app(session, sim, sync=True, refresh_interval=3600)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: threads_shown(app), "the conversation list")
        view = app.screen.query_one(ThreadView)
        await wait_for(pilot, lambda: view.messages, "the first conversation")
        await _refresh_and_wait(pilot)
        spy = PaintSpy(app, monkeypatch)
        await _refresh_and_wait(pilot)  # the gateway's clock stands still: nothing is new
        assert spy.frames == []


async def test_a_device_refresh_that_changes_nothing_shown_paints_nothing(
    session: Session, sim: TestSimulator, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from smstui.core.events import DevicesChanged

    app = build_app(session, sim)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: threads_shown(app), "the conversation list")
        await wait_for(pilot, lambda: app.screen.compose_form is not None, "the compose pane")
        await settle(pilot)
        spy = PaintSpy(app, monkeypatch)
        # What a phone's new last-seen time makes the refresh say: the devices changed.
        app.post_message(msgs.to_message(DevicesChanged()))
        await settle(pilot)
        assert spy.frames == []


async def test_moving_the_focus_repaints_what_changes_not_the_screen(
    session: Session, sim: TestSimulator, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    app = build_app(session, sim)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: threads_shown(app), "the conversation list")
        view = app.screen.query_one(ThreadView)
        await wait_for(pilot, lambda: view.messages, "the first conversation")
        await settle(pilot)
        spy = PaintSpy(app, monkeypatch)
        view.focus()
        await settle(pilot)
        assert spy.full == 0  # Screen.focused would repaint all 3,000 cells
        assert 0 < spy.cells


async def test_a_layout_pass_elsewhere_leaves_the_lists_scrollbar_alone(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    app = ListApp()
    async with app.run_test(size=(40, 10)) as pilot:
        thread_list = app.query_one(ThreadList)
        thread_list.show([make_thread(i) for i in range(30)])
        await pilot.pause()
        assert thread_list.show_vertical_scrollbar
        spy = PaintSpy(app, monkeypatch)
        app.screen.refresh(layout=True, repaint=False)  # as a pane shown or a select refilled elsewhere does
        await pilot.pause()
        assert spy.cells == 0


async def test_the_lists_clock_tick_repaints_only_rows_that_read_differently(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    now = [NOW]

    class Clocked(ListApp):
        def compose(self) -> ComposeResult:
            yield ThreadList(clock=lambda: now[0], tz=UTC, id="threads")

    app = Clocked()
    async with app.run_test(size=(40, 10)) as pilot:
        thread_list = app.query_one(ThreadList)
        thread_list.show([make_thread(i) for i in range(30)])
        await pilot.pause()
        spy = PaintSpy(app, monkeypatch)
        now[0] = NOW + timedelta(minutes=1)  # "11:59" stays "11:59"
        thread_list.redraw()
        await pilot.pause()
        assert spy.cells == 0
        now[0] = NOW + timedelta(days=1)  # yesterday's times now read "Tue 11:59"
        thread_list.redraw()
        await pilot.pause()
        assert spy.cells >= 40 * 10 // 2  # the first line of every row on screen


async def test_moving_the_selection_paints_two_bubbles_not_the_view(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    app = ViewApp()
    async with app.run_test(size=(70, 30)) as pilot:
        view = app.query_one(ThreadView)
        view.set_messages([_msg(i) for i in range(100)], has_older=False)
        view.focus()
        await pilot.pause()
        view.selected = 98
        await pilot.pause()
        spy = PaintSpy(app, monkeypatch)
        await pilot.press("up")
        await pilot.pause()
        assert view.selected == 97
        height = view._heights[97] + view._heights[98]
        assert 0 < spy.cells <= height * 70
        assert spy.full == 0
        spy.reset()
        view.selected = 99  # the newest: the view is already as low as it goes
        await pilot.pause()
        assert spy.cells <= (view._heights[97] + view._heights[99]) * 70


class FooterScreen(Screen[None]):
    def compose(self) -> ComposeResult:
        yield Input(id="one")
        yield Input(id="two")
        yield QuietFooter()


async def test_the_footer_is_rebuilt_only_when_its_keys_change() -> None:
    from textual.widgets._footer import FooterKey

    app = App[None]()
    async with app.run_test(size=(80, 10)) as pilot:
        await app.push_screen(FooterScreen())
        await pilot.pause()
        screen = app.screen
        screen.query_one("#one", Input).focus()
        await pilot.pause()
        before = list(screen.query(FooterKey))
        assert before
        screen.query_one("#two", Input).focus()  # the same keys either way
        await pilot.pause()
        assert list(screen.query(FooterKey)) == before


async def test_the_device_table_rebuilds_only_when_a_row_reads_differently(
    session: Session, sim: TestSimulator, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from smstui.tui.widgets.device_table import DeviceTable

    app = build_app(session, sim)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: threads_shown(app), "the conversation list")
        await pilot.press("f3")
        await wait_for(pilot, lambda: app.screen.query(DeviceTable), "the devices screen")
        await settle(pilot)
        table = app.screen.query_one(DeviceTable)
        spy = PaintSpy(app, monkeypatch)
        table.redraw()  # the clock's tick: every "last seen" still reads the same
        await settle(pilot)
        assert spy.frames == []


# ---------------------------------------------------------------------- the terminal


def test_few_colours_start_in_the_ansi_theme_unless_another_is_configured() -> None:
    assert terminal.start_theme("textual-dark", "standard") == "ansi-dark"
    assert terminal.start_theme("textual-dark", None) == "ansi-dark"
    assert terminal.start_theme("textual-dark", "256") == "textual-dark"
    assert terminal.start_theme("textual-dark", "truecolor") == "textual-dark"
    assert terminal.start_theme("nord", "standard") == "nord"
    assert terminal.start_theme("textual-dark", "standard", no_color=True) == "textual-dark"


def test_over_ssh() -> None:
    assert terminal.over_ssh({"SSH_CONNECTION": "10.0.0.2 51234 10.0.0.1 22"})
    assert terminal.over_ssh({"SSH_TTY": "/dev/pts/3"})
    assert not terminal.over_ssh({"TERM": "xterm"})


async def test_in_16_colours_the_open_conversation_stays_marked(
    session: Session, sim: TestSimulator, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.delenv("COLORTERM")
    app = build_app(session, sim)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: threads_shown(app), "the conversation list")
        assert app.theme == "ansi-dark"
        screen = app.screen
        thread_list = screen.query_one(ThreadList)
        screen.query_one(ThreadView).focus()  # the list's cursor is the blurred one now
        await settle(pilot)
        plain = thread_list.get_visual_style("thread-list--row").rich_style
        highlighted = thread_list.get_visual_style("thread-list--row", "thread-list--row-highlighted").rich_style
        assert highlighted.bgcolor is not None and highlighted.bgcolor != plain.bgcolor


async def test_over_ssh_the_cursor_does_not_blink(session: Session, sim: TestSimulator, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(Input.cursor_blink, "_default", True)
    monkeypatch.setattr(TextArea.cursor_blink, "_default", True)
    monkeypatch.setenv("SSH_CONNECTION", "10.0.0.2 51234 10.0.0.1 22")
    app = build_app(session, sim)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: threads_shown(app), "the conversation list")
        assert app.screen.query_one("#filter", Input).cursor_blink is False or Input().cursor_blink is False
        assert Input().cursor_blink is False and TextArea().cursor_blink is False


def test_static_helper_skips_equal_content() -> None:
    from rich.text import Text

    from smstui.tui.widgets.quiet import update_static

    static = Static(Text("a"))
    assert update_static(static, Text("a")) is False


async def test_the_threads_clock_tick_paints_only_marks_that_read_differently(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    app = ViewApp()
    async with app.run_test(size=(70, 30)) as pilot:
        view = app.query_one(ThreadView)
        scheduled = _msg(99, incoming=False, status=1, scheduled_at=NOW + timedelta(days=1, hours=2))
        view.set_messages([_msg(i) for i in range(99)] + [scheduled], has_older=False)
        await pilot.pause()
        spy = PaintSpy(app, monkeypatch)
        app.now = NOW + timedelta(minutes=1)  # "scheduled tomorrow 14:00" still reads so
        view.tick()
        await pilot.pause()
        assert spy.cells == 0
        app.now = NOW + timedelta(hours=13)  # past midnight: now it is "scheduled 14:00"
        view.tick()
        await pilot.pause()
        assert spy.cells > 0


async def test_no_color_draws_in_greys_and_the_empty_thread_does_not_fail(
    session: Session, sim: TestSimulator, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    # Textual's NO_COLOR filter (Monochrome) failed on the empty thread's unstyled notice line.
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("TERM", "xterm")  # 16 colours too: the default theme stays, in greys
    monkeypatch.delenv("COLORTERM")
    app = build_app(session, sim)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: threads_shown(app), "the conversation list")
        assert app.theme == "textual-dark"
        app.screen.close_thread()
        await settle(pilot)
        assert app.is_running and app.return_code is None
        strips = app.screen._compositor.render_strips()
        assert any("No conversation open" in strip.text for strip in strips)
