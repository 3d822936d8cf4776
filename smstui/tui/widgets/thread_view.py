"""One conversation as chat bubbles, drawn line by line (Textual's Line API).

A thread may hold thousands of messages, so nothing is mounted per message: the widget keeps the
loaded page(s) of :class:`~smstui.core.store.records.StoredMessage` and, for layout, only each message's height
(measured with Rich's own line breaking, without building styled segments). Lines are rendered
when they come into view, from a bounded LRU cache of per-message strips. Older pages are asked for
(:class:`ThreadView.NeedOlder`) when the view reaches the top; the owner loads them in a worker and
calls :meth:`ThreadView.prepend`, which measures only the new page and shifts the rest. A view
opened at one message deep in a thread (found by its gateway id) holds a window around it and
asks for newer pages the same way at the bottom (:class:`ThreadView.NeedNewer`, :meth:`append`).

Incoming messages sit on the left, outgoing on the right; each bubble has a meta line with its
time, slot, device and a status tick that changes as the gateway reports progress.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, tzinfo
from itertools import accumulate
from typing import TYPE_CHECKING

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.timer import Timer

from smstui.tui.textual_internals import SteadyScrollbars, paint_now
from smstui.tui.widgets.bubbles import (
    BubbleLook,
    bubble_body,
    bubble_width,
    meta_plain,
    notice_strip,
    render_bubble,
    time_dependent,
    wrapped_height,
)
from smstui.tui.widgets.format import (
    to_local,
)
from smstui.tui.widgets.row_cursor import RowCursor
from smstui.tui.widgets.thread_actions import ThreadActions

if TYPE_CHECKING:
    from smstui.core.store.records import StoredMessage

Clock = Callable[[], datetime]

# Rendered bubbles kept for painting. A 40-line screen shows at most ~14 (every bubble is at least
# three lines), so this covers several screens of scrolling back and forth. Layout never needs them:
# it keeps one int per message. Each cached line is a bare tuple of segments, not a Strip (a Strip
# carries seven caches): long-lived objects make every full garbage collection, i.e. some frame,
# slower.
BLOCK_CACHE_SIZE = 160
# Measured heights, for opening a conversation again (moving up and down the list, coming back from
# another screen) without measuring its page again: a few pages of PAGE (200) messages.
HEIGHT_CACHE_SIZE = 1000
# The footer follows the selection (retry/cancel keys) once it rests this long.
ACTIONS_DELAY = 0.25


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _sort_key(msg: StoredMessage) -> tuple[float, int]:
    return (msg.created.timestamp(), msg.lid)


class ThreadView(SteadyScrollbars, ThreadActions, RowCursor, ScrollView, can_focus=True):
    """The messages of one conversation (see module docstring)."""

    DEFAULT_CSS = """
    ThreadView {
        background: $surface;
        scrollbar-size-vertical: 1;
    }
    ThreadView > .thread-view--incoming { background: $panel; color: $foreground; }
    ThreadView > .thread-view--outgoing { background: $primary-muted; color: $foreground; }
    ThreadView > .thread-view--selected { background: $accent-muted; color: $foreground; text-style: bold; }
    ThreadView > .thread-view--marker { color: $accent; }
    ThreadView > .thread-view--meta { color: $foreground-muted; }
    ThreadView > .thread-view--ok { color: $success; }
    ThreadView > .thread-view--pending { color: $foreground-muted; }
    ThreadView > .thread-view--warn { color: $warning; text-style: bold; }
    ThreadView > .thread-view--bad { color: $error; text-style: bold; }
    ThreadView > .thread-view--day { color: $foreground-muted; text-style: italic; }
    ThreadView > .thread-view--notice { color: $foreground-muted; text-style: italic; }
    """

    COMPONENT_CLASSES = {
        "thread-view--incoming",
        "thread-view--outgoing",
        "thread-view--selected",
        "thread-view--marker",
        "thread-view--meta",
        "thread-view--ok",
        "thread-view--pending",
        "thread-view--warn",
        "thread-view--bad",
        "thread-view--day",
        "thread-view--notice",
    }

    BINDINGS = [
        Binding("up,k", "select(-1)", "Previous", show=False),
        Binding("down,j", "select(1)", "Next", show=False),
        Binding("pageup", "select(-10)", "Page up", show=False),
        Binding("pagedown", "select(10)", "Page down", show=False),
        Binding("home", "first", "Oldest", show=False),
        Binding("end", "last", "Newest", show=False),
        Binding("c", "copy_message", "Copy", id="thread.copy"),
        Binding("y", "copy_number", "Copy number", id="thread.copy_number"),
        Binding("enter,i", "details", "Details", id="thread.details"),
        Binding("R", "retry", "Send again", id="thread.retry"),
        Binding("x", "cancel_send", "Cancel sending", id="thread.cancel"),
        # Tried when the selected message does not allow the key above (check_action): say why.
        Binding("R", "explain_retry", "Why not send again", show=False, id="thread.retry_why"),
        Binding("x", "explain_cancel", "Why not cancel", show=False, id="thread.cancel_why"),
    ]

    # No repaint of its own: watch_selected repaints the two bubbles that changed (or all, when
    # the view scrolled); a whole view for a one-line mark is ~4 KB over SSH (issue 19).
    selected: reactive[int | None] = reactive(None, init=False, repaint=False)

    class NeedOlder(Message):
        """The view reached the top and older messages exist."""

        def __init__(self, view: ThreadView) -> None:
            super().__init__()
            self.view = view

        @property
        def control(self) -> ThreadView:
            return self.view

    class NeedNewer(Message):
        """The view reached the bottom of a window and newer messages exist; ``newest``: the
        user asked for the newest message itself (End), not just the next page."""

        def __init__(self, view: ThreadView, newest: bool = False) -> None:
            super().__init__()
            self.view = view
            self.newest = newest

        @property
        def control(self) -> ThreadView:
            return self.view

    class Copy(Message):
        """The user asked to copy some text (a body or a number)."""

        def __init__(self, text: str, what: str) -> None:
            super().__init__()
            self.text = text
            self.what = what

    class Details(Message):
        """Show every field of this message (the detail dialog)."""

        def __init__(self, message: StoredMessage) -> None:
            super().__init__()
            self.message = message

    class Retry(Message):
        """Send this outgoing message again (it was refused, failed, cancelled or is unclear)."""

        def __init__(self, message: StoredMessage) -> None:
            super().__init__()
            self.message = message

    class CancelSend(Message):
        """Stop this outgoing message (queued, unclear or refused: the gateway does not have it)."""

        def __init__(self, message: StoredMessage) -> None:
            super().__init__()
            self.message = message

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        tz: tzinfo | None = None,
        device_names: dict[int, str] | None = None,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._clock = clock or _utc_now
        self._tz = tz
        self.device_names: dict[int, str] = dict(device_names or {})
        self.phone_key: str | None = None
        self.phone: str | None = None
        self.has_older = False
        self.loading_older = False
        # Newer messages than the loaded ones exist (a window opened at one message); they are
        # loaded page by page at the bottom, and live updates do not add past the window's end.
        self.has_newer = False
        self.loading_newer = False
        self.empty_text = "Pick a conversation on the left, or press n for a new message."
        self._messages: list[StoredMessage] = []
        self._lids: dict[int, int] = {}
        self._days: dict[int, date] = {}  # lid -> local date (day headers compare neighbours)
        # Both caches are keyed by the message itself (a frozen record compared by value), not by
        # its local id: a page read again, or a status that moved, finds exactly what still holds,
        # so they live across conversations and are dropped only when the look changes.
        self._blocks: LRUCache[tuple, list[tuple[Segment, ...]]] = LRUCache(BLOCK_CACHE_SIZE)  # rendered bubbles
        self._measured: LRUCache[tuple, int] = LRUCache(HEIGHT_CACHE_SIZE)  # heights
        self._heights: list[int] = []  # lines of each message (day header + bubble + meta + gap)
        self._offsets: list[int] = []  # first line of each message, after the header
        self._lines = 0
        self._layout_width = -1
        self._now = self._clock()
        self._stick_bottom = True  # follow new messages until the user scrolls up
        self._base_style: Style | None = None  # self.rich_style walks the DOM: once per style change
        self._styles: dict[str, Style] = {}
        self._actions_shown: tuple[bool, bool] = (False, False)  # retry / cancel in the footer
        self._actions_timer: Timer | None = None
        self._keep_extent = False  # show_loading: leave the virtual size until the page arrives

    # ------------------------------------------------------------------ data

    @property
    def messages(self) -> Sequence[StoredMessage]:
        return self._messages

    @property
    def selected_message(self) -> StoredMessage | None:
        if self.selected is None or not (0 <= self.selected < len(self._messages)):
            return None
        return self._messages[self.selected]

    @property
    def cached_blocks(self) -> int:
        """How many rendered bubbles are held (bounded by ``BLOCK_CACHE_SIZE``)."""
        return len(self._blocks)

    def clear(self, empty_text: str | None = None) -> None:
        self.phone_key = None
        self.phone = None
        if empty_text is not None:
            self.empty_text = empty_text
        self.set_messages([], has_older=False)

    def show_loading(self) -> None:
        """Empty the view while another thread is read; :meth:`set_messages` follows.

        The scroll extent stays as it was meanwhile: the scrollbar vanishing and coming back
        would cost two layout passes of the whole screen on every open.
        """
        self.phone_key = None
        self.phone = None
        self.empty_text = ""
        self._heights = []  # before _take: unselecting paints the old selection's region, now none
        self._offsets = []
        self._take([], has_older=False, has_newer=False, loading=True)
        self.refresh()

    def set_messages(
        self,
        messages: Iterable[StoredMessage],
        *,
        has_older: bool,
        phone_key: str | None = None,
        phone: str | None = None,
        select: int | None = None,
        has_newer: bool = False,
    ) -> None:
        """Show a fresh page (opening a thread); the view goes to the newest message, or to the
        message with local id ``select`` (found by its gateway id), selected. ``has_newer``: the
        page is a window that ends before the newest message."""
        if phone_key is not None:
            self.phone_key = phone_key
        if phone is not None:
            self.phone = phone
        self._take(sorted(messages, key=_sort_key), has_older=has_older, has_newer=has_newer, loading=False)
        self._days.clear()
        self._relayout()
        index = self._lids.get(select) if select is not None else None
        if index is None:
            self._scroll_bottom()
        else:
            self.selected = index
            self.call_after_refresh(self._center_selected)
        self.refresh()

    def _take(self, messages: list[StoredMessage], *, has_older: bool, has_newer: bool, loading: bool) -> None:
        """Show ``messages`` (sorted) with nothing selected and no page being read; or, with
        ``loading``, none yet: a thread is being opened, the scroll extent kept till it is."""
        self._messages = messages
        self._reindex()
        self.has_older = has_older
        self.has_newer = has_newer
        self.loading_older = loading
        self.loading_newer = False
        self.selected = None
        self._keep_extent = loading

    def _center_selected(self) -> None:
        """Scroll the selected message to the middle of the view (where the eye looks first)."""
        index = self.selected
        if index is None or not 0 <= index < len(self._offsets):
            return
        height = self.scrollable_content_region.height
        top = self._offsets[index] - max(0, (height - self._heights[index]) // 2)
        self.scroll_to(y=max(0, top), animate=False, force=True, immediate=True)
        self.refresh()

    def _scroll_bottom(self) -> None:
        # force: right after the content grows the scrollbar may not be "shown" yet, which
        # would otherwise veto the scroll; repeat after the refresh when sizes have settled.
        self.scroll_to(y=self.max_scroll_y, animate=False, force=True, immediate=True)
        self.call_after_refresh(lambda: self.scroll_to(y=self.max_scroll_y, animate=False, force=True, immediate=True))

    def prepend(self, older: Iterable[StoredMessage], *, has_older: bool) -> None:
        """Add an older page above, keeping the visible messages where they are.

        Only the new page is measured; the loaded messages keep their heights and move down.
        """
        before_lines = self._lines
        known = self._lids
        new = sorted((m for m in older if m.lid not in known), key=_sort_key)
        self.loading_older = False
        self.has_older = has_older
        if new and self._messages and _sort_key(new[-1]) > _sort_key(self._messages[0]):
            # Not strictly older (a clock jump, a late arrival): fall back to a full merge.
            self._merge(new)
        elif new:
            selected_lid = self.selected_message.lid if self.selected_message else None
            old_heights = self._heights
            self._messages = new + self._messages
            self._reindex()
            if selected_lid is not None:
                self.set_reactive(ThreadView.selected, self._lids[selected_lid])
            width = self._layout_width
            if width > 0 and len(old_heights) == len(self._messages) - len(new):
                # The first old message may lose its day header now that an older one precedes it.
                count = len(new) + (1 if old_heights else 0)
                heights = [self._measure(i, width) for i in range(count)]
                self._set_heights(heights + old_heights[1:], width)
            else:
                self._relayout()
        self.scroll_to(y=self.scroll_y + (self._lines - before_lines), animate=False, force=True, immediate=True)
        self.refresh()

    def _merge(self, new: list[StoredMessage]) -> None:
        selected_lid = self.selected_message.lid if self.selected_message else None
        self._messages = sorted(new + self._messages, key=_sort_key)
        self._reindex()
        if selected_lid is not None:
            self.set_reactive(ThreadView.selected, self._lids[selected_lid])
        self._relayout()

    def append(self, newer: Iterable[StoredMessage], *, has_newer: bool) -> None:
        """Add a newer page below a window (see :class:`NeedNewer`); only the new page is measured
        and the view stays where it is."""
        new = sorted((m for m in newer if m.lid not in self._lids), key=_sort_key)
        self.loading_newer = False
        self.has_newer = has_newer
        width = self._layout_width
        if new and self._messages and _sort_key(new[0]) < _sort_key(self._messages[-1]):
            self._merge(new)  # not strictly newer (a late arrival): a full merge
        elif width > 0 and len(self._heights) == len(self._messages):
            first_new = len(self._messages)
            self._messages.extend(new)
            self._reindex()
            # The first new message's day header depends on the last old one: measured after it.
            self._set_heights(
                self._heights + [self._measure(i, width) for i in range(first_new, len(self._messages))], width
            )
        else:
            self._messages.extend(new)
            self._reindex()
            self._relayout()
        self.refresh()

    def upsert(self, messages: Iterable[StoredMessage]) -> None:
        """Add new or changed messages (a status tick moved, a reply arrived)."""
        at_bottom = self._stick_bottom or self.scroll_y >= self.max_scroll_y - 1
        selected_lid = self.selected_message.lid if self.selected_message else None
        changed: list[int] = []
        added: list[StoredMessage] = []
        last = _sort_key(self._messages[-1]) if self._messages else None
        for msg in messages:
            index = self._lids.get(msg.lid)
            if index is None and self.has_newer and last is not None and _sort_key(msg) > last:
                continue  # past the window's end: it comes with the newer pages
            if index is None:
                if all(m.lid != msg.lid for m in added):
                    added.append(msg)
            else:
                if self._messages[index] == msg:
                    continue
                self._messages[index] = msg
                self._days.pop(msg.lid, None)
                changed.append(index)
        if not changed and not added:
            return
        width = self._layout_width
        incremental = width > 0 and len(self._heights) == len(self._messages)
        if added:
            added.sort(key=_sort_key)
            first_new = len(self._messages)
            if self._messages and _sort_key(added[0]) < _sort_key(self._messages[-1]):
                # Something landed between loaded messages: re-sort; heights come from scratch.
                self._messages = sorted(self._messages + added, key=_sort_key)
                incremental = False
            else:
                self._messages.extend(added)
            self._reindex()
            if selected_lid is not None and selected_lid in self._lids:
                self.set_reactive(ThreadView.selected, self._lids[selected_lid])
        if incremental:
            heights = self._heights
            for index in changed:
                heights[index] = self._measure(index, width)
            if added:
                heights.extend(self._measure(i, width) for i in range(first_new, len(self._messages)))
            self._set_heights(heights, width)
        else:
            self._relayout()
        if added and at_bottom:
            self._scroll_bottom()
        if selected_lid is not None:
            self._update_actions()  # its state may allow retry/cancel now, or no longer
        self.refresh()

    def remove(self, lids: Iterable[int]) -> None:
        gone = set(lids) & set(self._lids)
        if not gone:
            return
        self._messages = [m for m in self._messages if m.lid not in gone]
        self._reindex()
        self.selected = None
        self._relayout()
        self.refresh()

    def tick(self) -> None:
        """Time moved on: "scheduled <when>" marks may read differently now.

        Only the messages whose mark now reads differently are measured and painted again;
        when none does, nothing is (over SSH the whole view is ~4 KB, once a minute: issue 19).
        """
        before, now = self._now, self._clock()
        self._now = now
        width = self._layout_width
        if before is None or width <= 0 or len(self._heights) != len(self._messages):
            self.refresh()
            return
        changed = [
            index
            for index, msg in enumerate(self._messages)
            if time_dependent(msg)
            and meta_plain(msg, before, self._tz, self.device_names)
            != meta_plain(msg, now, self._tz, self.device_names)
        ]
        if not changed:
            return
        heights = self._heights
        moved = False
        for index in changed:
            height = self._measure(index, width)
            if height != heights[index]:
                heights[index] = height
                moved = True
        if moved:
            self._set_heights(heights, width)
            self.refresh()
            return
        for index in changed:
            y = self._offsets[index] - round(self.scroll_y)
            self.refresh(Region(0, y, self.size.width, heights[index]))

    def set_device_names(self, names: dict[int, str]) -> None:
        if names != self.device_names:
            self.device_names = dict(names)
            self._blocks.clear()
            self._measured.clear()
            self._relayout()
            self.refresh()

    def notify_style_update(self) -> None:
        # A theme change (or focus tint): cached strips carry the old colours.
        super().notify_style_update()
        self._base_style = None
        self._styles.clear()
        self._blocks.clear()
        self.refresh()

    def _base(self) -> Style:
        if self._base_style is None:
            self._base_style = self.rich_style
        return self._base_style

    def _style(self, name: str) -> Style:
        style = self._styles.get(name)
        if style is None:
            style = self._styles[name] = self.get_component_rich_style(name)
        return style

    def _reindex(self) -> None:
        self._lids = {m.lid: i for i, m in enumerate(self._messages)}

    # ------------------------------------------------------------------ layout

    def _day(self, msg: StoredMessage) -> date:
        day = self._days.get(msg.lid)
        if day is None:
            day = self._days[msg.lid] = to_local(msg.created, self._tz).date()
        return day

    def _day_header(self, index: int) -> bool:
        return index == 0 or self._day(self._messages[index - 1]) != self._day(self._messages[index])

    def _measure(self, index: int, width: int) -> int:
        """Lines of message ``index`` at ``width``: the same count ``_render_block`` draws."""
        msg = self._messages[index]
        day_header = self._day_header(index)
        key = (msg, width, day_header, self._now if time_dependent(msg) else None)
        height = self._measured.get(key)
        if height is None:
            inner = bubble_width(width)
            height = (
                (1 if day_header else 0)
                + wrapped_height(bubble_body(msg), inner)
                + wrapped_height(self._meta_plain(msg), inner)
                + 1
            )
            self._measured.set(key, height)
        return height

    def _set_heights(self, heights: list[int], width: int) -> None:
        offsets = list(accumulate(heights, initial=self._header_lines()))
        self._lines = offsets.pop() + self._footer_lines()
        self._heights = heights
        self._offsets = offsets
        self._layout_width = width
        size = Size(width, self._lines)
        if size != self.virtual_size:
            # Without a layout pass: that reflows and repaints the whole screen, and this
            # widget's own size never depends on its content (a scrollbar appearing asks for
            # a layout by itself).
            self.set_reactive(ScrollView.virtual_size, size)
            self._scroll_update(size)

    def _block(self, index: int, width: int) -> list[tuple[Segment, ...]]:
        msg = self._messages[index]
        day_header = self._day_header(index)
        selected = index == self.selected
        key = (
            msg,
            width,
            selected,
            day_header,
            self._now if time_dependent(msg) else None,
        )
        strips = self._blocks.get(key)
        if strips is None:
            strips = [tuple(strip) for strip in self._render_block(msg, width, selected, day_header)]
            self._blocks.set(key, strips)
        return strips

    def _look(self) -> BubbleLook:
        return BubbleLook(self.app.console, self._style, self._base(), self._tz, self._now, self.device_names)

    def _render_block(self, msg: StoredMessage, width: int, selected: bool, day_header: bool) -> list[Strip]:
        return render_bubble(self._look(), msg, width, selected=selected, day_header=day_header)

    def _meta_plain(self, msg: StoredMessage) -> str:
        return meta_plain(msg, self._now, self._tz, self.device_names)

    def _header_lines(self) -> int:
        return 1

    def _footer_lines(self) -> int:
        return 1 if self.has_newer else 0

    def _footer_strip(self, width: int) -> Strip:
        label = "loading newer messages…" if self.loading_newer else "↓ newer messages — scroll down to load"
        return notice_strip(self._look(), label, width)

    def _header_strip(self, width: int) -> Strip:
        if self.loading_older:
            label = "loading older messages…"
        elif self.has_older:
            label = "↑ older messages — scroll up to load"
        elif self._messages:
            label = "start of conversation"
        else:
            label = ""
        return notice_strip(self._look(), label, width)

    def _relayout(self) -> None:
        """Measure every loaded message (opening a thread, a new width, new device names)."""
        if self.scrollable_content_region.width <= 0:
            self._layout_width = -1
            return
        # The width depends on whether the scrollbar shows, which depends on the heights: measure
        # for the likelier case (a scrollbar, once there is anything) so a page is measured once.
        full = self.content_region.width
        with_bar = max(1, full - self.styles.scrollbar_size_vertical)
        count = len(self._messages)
        heights = [self._measure(i, with_bar) for i in range(count)] if count else []
        if count and self._header_lines() + sum(heights) + self._footer_lines() > self.content_region.height:
            self._set_heights(heights, with_bar)
        else:
            self._set_heights([self._measure(i, full) for i in range(count)], full)

    def on_resize(self) -> None:
        width = self.scrollable_content_region.width
        if width != self._layout_width:
            # Keep the message at the top of the view there (unless following the newest).
            anchor = self._line_at(round(self.scroll_y))
            self._relayout()
            if not self._stick_bottom and anchor is not None:
                index, offset = anchor
                if index < len(self._offsets):
                    self.scroll_to(y=self._offsets[index] + offset, animate=False, force=True, immediate=True)
        # The compose pane opening shrinks the view: keep the newest message in sight.
        if self._stick_bottom:
            self._scroll_bottom()

    def _line_at(self, line: int) -> tuple[int, int] | None:
        index = bisect_right(self._offsets, line) - 1
        if index < 0 or index >= len(self._offsets):
            return None
        return index, min(line - self._offsets[index], self._heights[index] - 1)

    # ------------------------------------------------------------------ rendering

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if width != self._layout_width and not self._keep_extent:
            self._relayout()
        base = self._base()
        if not self._messages:
            if y == self.size.height // 2 - 1 and not self.loading_older:
                # Every segment styled: Textual's NO_COLOR filter (Monochrome) fails on one without.
                return notice_strip(self._look(), self.empty_text, width)
            return Strip.blank(width, base)
        line = self.scroll_offset.y + y
        if line < self._header_lines():
            return self._header_strip(width)
        if self.has_newer and line == self._lines - 1:
            return self._footer_strip(width)
        index = bisect_right(self._offsets, line) - 1
        if index < 0 or index >= len(self._messages):
            return Strip.blank(width, base)
        lines = self._block(index, width)
        offset = line - self._offsets[index]
        if offset >= len(lines):
            return Strip.blank(width, base)
        return Strip(lines[offset], width)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        at_bottom = round(new_value) >= self.max_scroll_y - 1
        self._stick_bottom = at_bottom and not self.has_newer  # a window's end is not the newest
        if round(new_value) <= 0 and self.has_older and not self.loading_older and self._messages:
            self.loading_older = True
            self.refresh_line(0)
            self.post_message(self.NeedOlder(self))
        if at_bottom and self.has_newer and not self.loading_newer and self._messages:
            self.loading_newer = True
            self.refresh_line(self.size.height - 1)
            self.post_message(self.NeedNewer(self))

    def _update_actions(self) -> None:
        # refresh_bindings rebuilds the whole footer (a recompose and a screen layout, tens of ms):
        # only when the keys change, and only once the selection rests, so moving through
        # messages never waits for it. The keys work at once (check_action looks live).
        if self._actions_timer is not None:
            self._actions_timer.stop()
            self._actions_timer = None
        if self._actions() != self._actions_shown:
            self._actions_timer = self.set_timer(ACTIONS_DELAY, self._show_actions, name="footer-keys")

    def _show_actions(self) -> None:
        self._actions_timer = None
        shown = self._actions()
        if shown != self._actions_shown:
            self._actions_shown = shown
            self.refresh_bindings()

    @property
    def footer_pending(self) -> bool:
        """The footer has yet to show (or hide) retry/cancel for the selection."""
        return self._actions_timer is not None

    def watch_selected(self, old: int | None, new: int | None) -> None:
        self._paint_selection(old, new)
        paint_now(self)

    def _paint_selection(self, old: int | None, new: int | None) -> None:
        self._update_actions()
        before = self.scroll_y
        if new is not None and 0 <= new < len(self._offsets):
            top = self._offsets[new]
            bottom = top + self._heights[new]
            height = self.scrollable_content_region.height
            if top < self.scroll_y:
                self.scroll_to(y=top - (1 if new == 0 else 0), animate=False, force=True, immediate=True)
            elif bottom > self.scroll_y + height:
                self.scroll_to(y=bottom - height, animate=False, force=True, immediate=True)
        # Scrolled: everything moved. A scroll that could not move (the newest message is
        # already as low as it goes) moved nothing: over SSH the whole view is ~4 KB (issue 19).
        if round(self.scroll_y) != round(before):
            self.refresh()
            return
        # Only the two bubbles whose look changed are painted again.
        for index in (old, new):
            if index is not None and 0 <= index < len(self._offsets):
                y = self._offsets[index] - round(self.scroll_y)
                self.refresh(Region(0, y, self.size.width, self._heights[index]))

    # ------------------------------------------------------------------ actions

    def action_select(self, delta: int) -> None:
        if not self._messages:
            return
        if self.selected is not None:
            target = self.selected + delta
            if target < 0 and self.has_older and not self.loading_older:
                self.scroll_to(y=0, animate=False)  # reaching the top loads the older page
            if target >= len(self._messages) and self.has_newer and not self.loading_newer:
                self.scroll_to(y=self.max_scroll_y, animate=False)  # reaching the end loads the next page
        self.move_cursor(delta, start=-1)  # the first move, either way, selects the newest message

    # RowCursor: the shared cursor actions move ``selected``.
    def _row_count(self) -> int:
        return len(self._messages)

    @property
    def cursor(self) -> int | None:
        return self.selected

    @cursor.setter
    def cursor(self, index: int | None) -> None:
        self.selected = index

    def action_last(self) -> None:
        super().action_last()
        if self._messages and self.has_newer:  # the newest message is not loaded: the owner opens it
            self.post_message(self.NeedNewer(self, newest=True))

    def on_blur(self) -> None:
        self.refresh()
