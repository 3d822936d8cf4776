"""The conversation list on its own: virtual rendering, highlight keeping, messages, mouse."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from textual.app import App, ComposeResult
from textual.widgets import OptionList

import smstui.tui.widgets.thread_list as thread_list_module
from smstui.core.store.messages import Thread
from smstui.tui.widgets.thread_list import ThreadList

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def make_thread(i: int, *, body: str = "hello", unread: int = 0) -> Thread:
    return Thread(
        phone_key=f"+4915100{i:05d}",
        phone=f"+4915100{i:05d}",
        name=None if i % 2 else f"Person {i}",
        last_lid=i,
        last_created=NOW - timedelta(minutes=i),
        last_body=body,
        last_status=None,
        last_incoming=bool(i % 3),
        last_outbox=None,
        total=3,
        unread=unread,
        failed=0,
    )


class ListApp(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.events: list[tuple[str, str | None, int]] = []

    def compose(self) -> ComposeResult:
        yield ThreadList(clock=lambda: NOW, tz=UTC, id="threads")

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self.events.append(("highlighted", event.option.id, event.option_index))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.events.append(("selected", event.option.id, event.option_index))


def count_renders(monkeypatch) -> list[str]:  # type: ignore[no-untyped-def]
    rendered: list[str] = []
    original = thread_list_module.render_row

    def spy(thread, *args, **kwargs):  # type: ignore[no-untyped-def]
        rendered.append(thread.phone_key)
        return original(thread, *args, **kwargs)

    monkeypatch.setattr(thread_list_module, "render_row", spy)
    return rendered


async def test_only_visible_rows_are_rendered(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    rendered = count_renders(monkeypatch)
    app = ListApp()
    async with app.run_test(size=(60, 20)) as pilot:
        threads = [make_thread(i) for i in range(500)]
        app.query_one(ThreadList).show(threads)
        await pilot.pause()
        assert app.query_one(ThreadList).option_count == 500
        assert 0 < len(set(rendered)) <= 10  # 20 lines, two per row
        rendered.clear()
        # A refresh where one row changed re-renders that row only.
        changed = list(threads)
        changed[3] = make_thread(3, body="new text", unread=1)
        app.query_one(ThreadList).show(changed)
        await pilot.pause()
        assert rendered == [changed[3].phone_key]


async def test_highlight_follows_its_conversation_and_is_announced() -> None:
    app = ListApp()
    async with app.run_test(size=(60, 20)) as pilot:
        tl = app.query_one(ThreadList)
        threads = [make_thread(i) for i in range(50)]
        tl.show(threads)
        tl.focus()
        tl.highlighted = 5
        await pilot.pause()
        assert tl.highlighted_key == threads[5].phone_key
        assert app.events[-1] == ("highlighted", threads[5].phone_key, 5)
        # The conversation moves to the top (a new message): the highlight goes with it.
        tl.show([threads[5], *threads[:5], *threads[6:]])
        await pilot.pause()
        assert tl.highlighted == 0 and tl.highlighted_key == threads[5].phone_key
        # Filtered away while the list has focus: the first row is highlighted instead.
        tl.show(threads[10:20])
        await pilot.pause()
        assert tl.highlighted_key == threads[10].phone_key
        await pilot.press("down", "down", "enter")
        assert app.events[-1] == ("selected", threads[12].phone_key, 2)
        await pilot.press("end")
        assert tl.highlighted == 9
        assert tl.thread(threads[19].phone_key) == threads[19]
        assert tl.thread("+999") is None


async def test_unfocused_list_loses_a_filtered_away_highlight() -> None:
    app = ListApp()
    async with app.run_test(size=(60, 20)) as pilot:
        tl = app.query_one(ThreadList)
        threads = [make_thread(i) for i in range(10)]
        tl.show(threads)
        tl.highlighted = 4
        tl.blur()
        await pilot.pause()
        tl.show(threads[5:])
        await pilot.pause()
        assert tl.highlighted is None and tl.highlighted_key is None


async def test_click_selects_the_row_under_the_pointer() -> None:
    app = ListApp()
    async with app.run_test(size=(60, 20)) as pilot:
        tl = app.query_one(ThreadList)
        threads = [make_thread(i) for i in range(30)]
        tl.show(threads)
        await pilot.pause()
        assert await pilot.click(ThreadList, offset=(3, 5))  # line 5 = row 2
        assert tl.highlighted == 2
        assert app.events[-1] == ("selected", threads[2].phone_key, 2)


def _first_line(thread: Thread, width: int) -> str:
    from rich.style import Style

    from smstui.tui.widgets.thread_list import RowStyles, render_row

    plain = Style()
    styles = RowStyles(plain, plain, plain, plain, plain, plain)
    return render_row(thread, NOW, UTC, styles, plain, width)[0].text


def test_numbers_keep_their_distinguishing_end_when_cut() -> None:
    """Issue 13 item 8: at 80 columns two numbers both read ``+49 1575 29822…``."""
    one = make_thread(1)._replace(
        phone_key="+4915752982212",
        phone="+4915752982212",
        name=None,
        display="+49 1575 2982212",
        last_created=NOW - timedelta(days=2),
    )
    two = one._replace(phone_key="+4915752982213", phone="+4915752982213", display="+49 1575 2982213")
    for width in range(14, 40):
        a, b = _first_line(one, width), _first_line(two, width)
        assert len(a) == len(b) == width
        assert a != b, (width, a)
        assert "12" in a and "13" in b  # the last digits are always there
    # Room enough: shown as formatted; a little short: without spaces; shorter: its start goes.
    assert _first_line(one, 40).startswith("+49 1575 2982212 ")
    assert _first_line(one, 25).startswith("+4915752982212 ")
    assert _first_line(one, 18).startswith("…2982212 ")


def test_names_are_cut_at_their_end() -> None:
    thread = make_thread(2)._replace(name="Bartholomew Longname-Smythe")
    assert _first_line(thread, 24).startswith("Bartholomew Lo")
    assert "…" in _first_line(thread, 24)
