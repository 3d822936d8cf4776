"""The conversation list: one two-line row per thread, newest first.

A Line-API :class:`~textual.scroll_view.ScrollView`: every row is exactly two lines, so nothing is
measured, and only the rows on screen are rendered (from a small cache keyed by the row's data and
style). ``show`` swaps the data in O(rows) and repaints only what changed; an OptionList measured
every one of up to 500 rows on each call, which made every filter key and every sync visible.

The widget speaks OptionList's language so screens need not care: it posts
``OptionList.OptionHighlighted`` / ``OptionList.OptionSelected`` (option ids are phone keys) and
has ``highlighted``, ``option_count`` and the usual cursor bindings.
"""

from collections.abc import Callable, Sequence
from datetime import datetime, tzinfo
from typing import ClassVar, NamedTuple

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Region, Size, clamp
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from smstui.core.models import FAILED_STATUSES
from smstui.core.store.messages import Thread
from smstui.core.store.schema import QUEUED, REJECTED, SENDING, UNKNOWN
from smstui.tui.textual_internals import SteadyScrollbars, paint_now
from smstui.tui.widgets.format import clean, display_number, short_time
from smstui.tui.widgets.row_cursor import CURSOR_BINDINGS, RowCursor

ROW_HEIGHT = 2


class RowStyles(NamedTuple):
    name: Style
    unread_name: Style
    time: Style
    preview: Style
    badge: Style
    failed: Style


Part = tuple[str, "Style | None"]


def _fit(text: str, width: int) -> str:
    """``text`` in exactly ``width`` cells: cut with an ellipsis, or padded (as Rich truncates)."""
    length = cell_len(text)
    if length > width:
        return set_cell_size(text, width - 1) + "…"
    return text + " " * (width - length)


def fit_number(number: str, width: int) -> str:
    """A phone number in exactly ``width`` cells, its end kept: numbers differ in their last
    digits, so ``+49 1575 2982212`` and ``…2213`` must never both read ``+49 1575 29822…``
    (issue 13 item 8). Too wide, it loses its spaces first, then its start (``…5752982212``)."""
    if cell_len(number) > width:
        number = number.replace(" ", "")
    length = cell_len(number)
    if length > width:
        return "…" + number[length - (width - 1) :] if width > 1 else "…"
    return number + " " * (width - length)


def _line(left: Part, right: Sequence[Part], width: int, base: Style, fit: Callable[[str, int], str] = _fit) -> Strip:
    """``left`` fitted into what ``right`` (flush right) leaves (``fit``: cut with an ellipsis),
    exactly ``width`` cells.

    Segments are built directly (no Rich Text and console render): rows are rendered for every
    repaint of a changed list, and for the first frame.
    """
    right_cells = sum(cell_len(text) for text, _ in right)
    room = max(1, width - right_cells - (1 if right_cells else 0))
    text, style = left
    segments = [Segment(fit(text, room), base + style if style else base)]
    if right_cells:
        segments.append(Segment(" ", base))
        segments.extend(Segment(text, base + style if style else base) for text, style in right if text)
    return Strip(segments).crop_extend(0, width, base)


def preview_prefix(thread: Thread) -> str:
    if thread.last_incoming:
        return ""
    if thread.last_outbox in (QUEUED, SENDING):
        return "◷ "
    if thread.last_outbox == UNKNOWN:
        return "? "
    if thread.last_outbox == REJECTED or thread.last_status in FAILED_STATUSES:
        return "✗ "
    return "You: "


def render_row(
    thread: Thread,
    now: datetime,
    tz: tzinfo | None,
    styles: RowStyles,
    base: Style,
    width: int,
) -> tuple[Strip, Strip]:
    """Name and time on the first line, preview and marks (failed, unread badge) on the second."""
    t, s = thread, styles
    label = clean(t.name, single_line=True) if t.name else display_number(t.phone_key or t.phone, t.display)
    name = (label or clean(t.phone, single_line=True), s.unread_name if t.unread else s.name)
    time = (short_time(t.last_created, now, tz), s.time)
    preview = (preview_prefix(t) + clean(t.last_body, single_line=True), s.preview)
    marks: list[Part] = []
    if t.failed:
        marks.append(("✗", s.failed))
    if t.unread:
        if marks:
            marks.append((" ", None))
        marks.append((f" {t.unread} ", s.badge))
    # A name may lose its end; a number keeps it (see fit_number).
    fit = _fit if t.name else fit_number
    return _line(name, [time], width, base, fit), _line(preview, marks, width, base)


class ThreadList(SteadyScrollbars, RowCursor, ScrollView, can_focus=True):
    """Conversations; option ids (in the posted OptionList messages) are phone keys."""

    ALLOW_SELECT = False

    BINDINGS: ClassVar[list[BindingType]] = [
        *CURSOR_BINDINGS,
        Binding("enter", "select", "Select", show=False),
        Binding("pagedown", "page_down", "Page Down", show=False),
        Binding("pageup", "page_up", "Page Up", show=False),
    ]

    # OptionList's look (its DEFAULT_CSS, merged with what this list always overrode).
    DEFAULT_CSS = """
    ThreadList {
        height: 1fr;
        max-height: 100%;
        color: $foreground;
        overflow-x: hidden;
        border: none;
        padding: 0;
        background: $surface;
        scrollbar-size-vertical: 1;
        & > .thread-list--row-highlighted {
            color: $block-cursor-blurred-foreground;
            background: $block-cursor-blurred-background;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus {
            border: none;
            background-tint: $foreground 5%;
            & > .thread-list--row-highlighted {
                color: $block-cursor-foreground;
                background: $block-cursor-background;
                text-style: $block-cursor-text-style;
            }
        }
        & > .thread-list--row-highlighted {
            color: $foreground;
            background: $block-cursor-blurred-background;
        }
        & > .thread-list--row-hover {
            background: $block-hover-background;
        }
    }
    ThreadList > .thread-list--name { color: $foreground; }
    ThreadList > .thread-list--unread { color: $foreground; text-style: bold; }
    ThreadList > .thread-list--time { color: $foreground-muted; }
    ThreadList > .thread-list--preview { color: $foreground-muted; }
    ThreadList > .thread-list--badge { background: $accent; color: $text-accent; text-style: bold; }
    ThreadList > .thread-list--failed { color: $error; text-style: bold; }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "thread-list--row",
        "thread-list--row-highlighted",
        "thread-list--row-hover",
        "thread-list--name",
        "thread-list--unread",
        "thread-list--time",
        "thread-list--preview",
        "thread-list--badge",
        "thread-list--failed",
    }

    highlighted: reactive[int | None] = reactive(None, repaint=False)
    """Index of the highlighted conversation, or ``None``."""

    _hover: reactive[int | None] = reactive(None, repaint=False)

    def __init__(
        self,
        *,
        clock: Callable[[], datetime],
        tz: tzinfo | None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self._clock = clock
        self._tz = tz
        self.threads: list[Thread] = []
        self._index: dict[str, int] = {}
        self._now: datetime | None = None
        self._row_styles: RowStyles | None = None
        # (thread, base style, width) -> its two lines. A thread value is immutable, so a changed
        # conversation misses the cache by itself; clock and theme changes clear it.
        self._cache: LRUCache[tuple[Thread, Style, int], tuple[Strip, Strip]] = LRUCache(512)
        self._announce_after_paint = False
        #: Said in place of rows when there are none (why: a filter matched nothing).
        self._empty = ""

    # ------------------------------------------------------------------ data

    @property
    def empty_text(self) -> str:
        return self._empty

    @empty_text.setter
    def empty_text(self, text: str) -> None:
        if text != self._empty:
            self._empty = text
            if not self.threads:
                self.refresh()

    @property
    def option_count(self) -> int:
        return len(self.threads)

    @property
    def highlighted_key(self) -> str | None:
        index = self.highlighted
        if index is None or index >= len(self.threads):
            return None
        return self.threads[index].phone_key

    def thread(self, phone_key: str) -> Thread | None:
        index = self._index.get(phone_key)
        return self.threads[index] if index is not None else None

    def show(self, threads: Sequence[Thread], *, keep: str | None = None, highlight_first: bool = False) -> None:
        """Show ``threads``; the highlight stays on ``keep`` (default: the current one).

        Without one, the first row is highlighted when the list has focus (or ``highlight_first``).
        """
        keep = keep if keep is not None else self.highlighted_key
        old = self.threads
        new = list(threads)
        if len(old) == len(new) and all(a.phone_key == b.phone_key for a, b in zip(old, new, strict=True)):
            self.threads = new
            for row, (a, b) in enumerate(zip(old, new, strict=True)):
                if a != b:
                    self._refresh_row(row)
            return
        self.threads = new
        self._index = {t.phone_key: i for i, t in enumerate(new)}
        self._update_virtual_size()
        # As OptionList.set_options did: back to the top, then the kept row is highlighted again
        # (and announced, so the screen can compare it with what it has open).
        self.set_reactive(ThreadList.highlighted, None)
        self._hover = None
        self.scroll_to(y=0, animate=False, immediate=True)
        self.refresh()
        # The first fill announces its highlight after the list is painted: whoever opens the
        # highlighted conversation must not hold up the app's first useful frame.
        self._announce_after_paint = not old
        try:
            if keep is not None and keep in self._index:
                self.highlighted = self._index[keep]
            elif new and (self.has_focus or highlight_first):
                self.highlighted = 0
        finally:
            self._announce_after_paint = False

    def redraw(self) -> None:
        """Time moved on: repaint the rows on screen whose text now reads differently.

        Row times are clock times ("13:18", "Tue 22:37"), so this finds something only when a
        day turns; over SSH an unchanged row repainted is bytes for nothing (issue 19).
        """
        old = self._cache
        self._cache = LRUCache(old.maxsize)
        self._now = None
        if not self.is_mounted:
            return
        first = self.scroll_offset.y // ROW_HEIGHT
        last = (self.scroll_offset.y + self.size.height) // ROW_HEIGHT
        for index in range(first, min(last + 1, len(self.threads))):
            key = self._row_key(index)
            if old.get(key) != self._row_strips(index, key):
                self._refresh_row(index)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._row_styles = None
        self._cache.clear()
        self.refresh()

    def _update_virtual_size(self) -> None:
        size = Size(self.scrollable_content_region.width, len(self.threads) * ROW_HEIGHT)
        if size != self.virtual_size:
            # Without a layout pass (which reflows the whole screen): the list's own size does
            # not depend on its rows, and a scrollbar appearing asks for a layout by itself.
            self.set_reactive(ScrollView.virtual_size, size)
            self._scroll_update(size)
            self.refresh()

    def _refresh_row(self, index: int | None) -> None:
        if index is not None and self.is_mounted:
            self.refresh_lines(index * ROW_HEIGHT, ROW_HEIGHT)

    # ------------------------------------------------------------------ rendering

    def _styles(self) -> RowStyles:
        if self._row_styles is None:
            get = self.get_component_rich_style
            self._row_styles = RowStyles(
                name=get("thread-list--name", partial=True),
                unread_name=get("thread-list--unread", partial=True),
                time=get("thread-list--time", partial=True),
                preview=get("thread-list--preview", partial=True),
                badge=get("thread-list--badge"),
                failed=get("thread-list--failed", partial=True),
            )
        return self._row_styles

    def on_resize(self) -> None:
        self._cache.clear()
        self._update_virtual_size()

    def on_mount(self) -> None:
        self._update_virtual_size()

    def on_show(self) -> None:
        self.scroll_to_highlight()

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.threads) * ROW_HEIGHT

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        line = self.scroll_offset.y + y
        index, offset = divmod(line, ROW_HEIGHT)
        if index >= len(self.threads):
            row_style = self.get_visual_style("thread-list--row").rich_style
            if not self.threads and self._empty:
                return self._empty_line(line, width, row_style)
            return Strip.blank(width, row_style)
        return self._row_strips(index, self._row_key(index))[offset]

    def _row_key(self, index: int) -> tuple[Thread, Style, int]:
        if index == self.highlighted:
            base = self.get_visual_style("thread-list--row", "thread-list--row-highlighted").rich_style
        elif index == self._hover:
            base = self.get_visual_style("thread-list--row", "thread-list--row-hover").rich_style
        else:
            base = self.get_visual_style("thread-list--row").rich_style
        return (self.threads[index], base, self.scrollable_content_region.width)

    def _row_strips(self, index: int, key: tuple[Thread, Style, int]) -> tuple[Strip, Strip]:
        strips = self._cache.get(key)
        if strips is None:
            if self._now is None:
                self._now = self._clock()
            thread, base, width = key
            strips = render_row(thread, self._now, self._tz, self._styles(), base, width)
            self._cache[key] = strips
        return strips

    def _empty_line(self, line: int, width: int, base: Style) -> Strip:
        """Line ``line`` of the empty list: its text wrapped below one blank line, muted."""
        import textwrap

        wrapped = textwrap.wrap(self._empty, max(8, width - 2))
        if not 1 <= line <= len(wrapped):
            return Strip.blank(width, base)
        return Strip([Segment(_fit(" " + wrapped[line - 1], width), base + self._styles().preview)])

    # ------------------------------------------------------------------ highlight and selection

    def validate_highlighted(self, highlighted: int | None) -> int | None:
        if highlighted is None or not self.threads:
            return None
        return clamp(highlighted, 0, len(self.threads) - 1)

    def watch_highlighted(self, old: int | None, new: int | None) -> None:
        self._refresh_row(old)
        self._refresh_row(new)
        if new is None:
            return
        self.scroll_to_highlight()
        if not self._announce_after_paint:
            paint_now(self)  # the moved highlight first, before anything it opens
        thread = self.threads[new]
        message = OptionList.OptionHighlighted(self, Option(thread.phone_key, id=thread.phone_key), new)  # type: ignore[arg-type]
        if self._announce_after_paint:
            self.call_after_refresh(self._announce, message, thread.phone_key)
        else:
            self.post_message(message)

    def _announce(self, message: OptionList.OptionHighlighted, phone_key: str) -> None:
        if self.highlighted_key == phone_key:  # not moved on meanwhile (that move announced itself)
            self.post_message(message)

    def watch__hover(self, old: int | None, new: int | None) -> None:
        self._refresh_row(old)
        self._refresh_row(new)

    def scroll_to_highlight(self, top: bool = False) -> None:
        index = self.highlighted
        if index is None or not self.is_mounted:
            return
        self.scroll_to_region(
            Region(0, index * ROW_HEIGHT, self.scrollable_content_region.width, ROW_HEIGHT),
            force=True,
            animate=False,
            top=top,
            immediate=True,
        )

    # RowCursor: the shared cursor actions move ``highlighted``.
    def _row_count(self) -> int:
        return len(self.threads)

    @property
    def cursor(self) -> int | None:
        return self.highlighted

    @cursor.setter
    def cursor(self, index: int | None) -> None:
        self.highlighted = index

    def action_cursor_up(self) -> None:
        self.move_cursor(-1, start=-1)

    def action_cursor_down(self) -> None:
        self.move_cursor(1, start=0)

    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height // ROW_HEIGHT)

    def action_page_up(self) -> None:
        self.move_cursor(-self._page(), start=0)

    def action_page_down(self) -> None:
        self.move_cursor(self._page(), start=-1)

    def action_select(self) -> None:
        index = self.highlighted
        if index is None:
            return
        thread = self.threads[index]
        self.post_message(OptionList.OptionSelected(self, Option(thread.phone_key, id=thread.phone_key), index))  # type: ignore[arg-type]

    # ------------------------------------------------------------------ mouse

    def _row_at(self, event: events.MouseEvent) -> int | None:
        offset = event.get_content_offset(self)
        if offset is None:
            return None
        index = (offset.y + self.scroll_offset.y) // ROW_HEIGHT
        return index if 0 <= index < len(self.threads) else None

    async def _on_click(self, event: events.Click) -> None:
        index = self._row_at(event)
        if index is not None:
            self.highlighted = index
            self.action_select()

    def _on_mouse_move(self, event: events.MouseMove) -> None:
        self._hover = self._row_at(event)

    def _on_leave(self, _: events.Leave) -> None:
        self._hover = None
