"""The conversation list: one two-line row per thread, newest first.

An :class:`~textual.widgets.OptionList` (a virtual ScrollView) fed from ``Store.threads``; a refresh
replaces only the rows whose summary changed when the order is unchanged, and otherwise swaps the
options while keeping the highlighted conversation highlighted.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from rich.console import Console, ConsoleOptions, RenderResult
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from smstui.models import FAILED_STATUSES
from smstui.phone import format_display
from smstui.store import QUEUED, REJECTED, SENDING, UNKNOWN, Thread
from smstui.widgets.format import clean, short_time


@dataclass(frozen=True)
class RowStyles:
    name: Style
    unread_name: Style
    time: Style
    preview: Style
    badge: Style
    failed: Style


class ThreadRow:
    """A Rich renderable: name and time on the first line, preview and marks on the second."""

    def __init__(self, thread: Thread, now: datetime, tz: tzinfo | None, styles: RowStyles) -> None:
        self.thread = thread
        self.now = now
        self.tz = tz
        self.styles = styles

    def _line(self, left: Text, right: Text, width: int, console: Console) -> list[Segment]:
        room = max(1, width - right.cell_len - (1 if right.cell_len else 0))
        left.truncate(room, overflow="ellipsis", pad=True)
        line = left + (Text(" ") if right.cell_len else Text()) + right
        line.truncate(width, pad=True)
        return list(line.render(console))

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        t, s = self.thread, self.styles
        width = options.max_width
        label = clean(t.name, single_line=True) if t.name else format_display(t.phone_key or t.phone)
        name = Text(label or clean(t.phone, single_line=True), style=s.unread_name if t.unread else s.name)
        time = Text(short_time(t.last_created, self.now, self.tz), style=s.time)
        yield from self._line(name, time, width, console)
        yield Segment.line()
        prefix = ""
        if not t.last_incoming:
            if t.last_outbox in (QUEUED, SENDING):
                prefix = "◷ "
            elif t.last_outbox == UNKNOWN:
                prefix = "? "
            elif t.last_outbox == REJECTED or t.last_status in FAILED_STATUSES:
                prefix = "✗ "
            else:
                prefix = "You: "
        preview = Text(prefix + clean(t.last_body, single_line=True), style=s.preview)
        marks = Text()
        if t.failed:
            marks.append("✗", style=s.failed)
        if t.unread:
            if marks:
                marks.append(" ")
            marks.append(f" {t.unread} ", style=s.badge)
        yield from self._line(preview, marks, width, console)
        yield Segment.line()  # Textual measures a Rich renderable's height by its newlines


class ThreadList(OptionList):
    """Conversations; option ids are phone keys."""

    DEFAULT_CSS = """
    ThreadList, ThreadList:focus { height: 1fr; border: none; padding: 0; scrollbar-size-vertical: 1; }
    ThreadList > .thread-list--name { color: $foreground; }
    ThreadList > .thread-list--unread { color: $foreground; text-style: bold; }
    ThreadList > .thread-list--time { color: $foreground-muted; }
    ThreadList > .thread-list--preview { color: $foreground-muted; }
    ThreadList > .thread-list--badge { background: $accent; color: $text-accent; text-style: bold; }
    ThreadList > .thread-list--failed { color: $error; text-style: bold; }
    """

    COMPONENT_CLASSES = OptionList.COMPONENT_CLASSES | {
        "thread-list--name",
        "thread-list--unread",
        "thread-list--time",
        "thread-list--preview",
        "thread-list--badge",
        "thread-list--failed",
    }

    def __init__(
        self, *, clock: Callable[[], datetime], tz: tzinfo | None, id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self._clock = clock
        self._tz = tz
        self.threads: list[Thread] = []

    def _styles(self) -> RowStyles:
        get = self.get_component_rich_style
        badge = get("thread-list--badge")
        return RowStyles(
            name=get("thread-list--name", partial=True),
            unread_name=get("thread-list--unread", partial=True),
            time=get("thread-list--time", partial=True),
            preview=get("thread-list--preview", partial=True),
            badge=badge,
            failed=get("thread-list--failed", partial=True),
        )

    def _option(self, thread: Thread, now: datetime, styles: RowStyles) -> Option:
        return Option(ThreadRow(thread, now, self._tz, styles), id=thread.phone_key)

    @property
    def highlighted_key(self) -> str | None:
        option = self.highlighted_option
        return option.id if option is not None else None

    def show(self, threads: Sequence[Thread], *, keep: str | None = None) -> None:
        """Show ``threads``; the highlight stays on ``keep`` (default: the current one)."""
        keep = keep if keep is not None else self.highlighted_key
        now = self._clock()
        styles = self._styles()
        old_ids = [t.phone_key for t in self.threads]
        new_ids = [t.phone_key for t in threads]
        if old_ids == new_ids and self.option_count == len(threads):
            for old, new in zip(self.threads, threads):
                if old != new:
                    self.replace_option_prompt(new.phone_key, ThreadRow(new, now, self._tz, styles))
            self.threads = list(threads)
            return
        self.threads = list(threads)
        self.set_options(self._option(t, now, styles) for t in threads)
        if keep is not None and keep in new_ids:
            self.highlighted = new_ids.index(keep)
        elif threads and self.highlighted is None and self.has_focus:
            self.highlighted = 0

    def redraw(self) -> None:
        """Rebuild every row (relative times moved on, or the theme changed)."""
        keep = self.highlighted_key
        threads, self.threads = self.threads, []
        self.show(threads, keep=keep)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        if self.threads and self.is_mounted:
            self.call_later(self.redraw)

    def thread(self, phone_key: str) -> Thread | None:
        return next((t for t in self.threads if t.phone_key == phone_key), None)
