"""The one-line header above the open conversation: its name, number and message counts, and
whether the number opted out ("opted out on 12 Nov, 'STOP'", read with the conversation).

Names and numbers come from the network and the address book: rendered as ``Text``, cleaned of
control characters, never as markup. It re-fits itself to its width when resized.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.cells import cell_len, set_cell_size
from rich.text import Text
from textual.widgets import Static

from smstui.tui.widgets.format import clean, display_number
from smstui.tui.widgets.quiet import update_static

if TYPE_CHECKING:
    from smstui.core.store.database import Store
    from smstui.core.store.messages import Thread


def optout_text(store: Store, phone_key: str) -> str:
    """The header's opt-out note for a conversation ("" when it has none); a store read, for a worker."""
    optout = store.optout(phone_key)
    if optout is None:
        return ""
    from smstui.core.suppression import optout_label

    return optout_label(optout)


class ThreadHeader(Static):
    """Shows :meth:`show`'s conversation (or that none is open)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self._phone_key: str | None = None
        self._thread: Thread | None = None
        self._optout: tuple[str, str] | None = None  # (phone_key, its opt-out note)

    def show(self, phone_key: str | None, thread: Thread | None) -> None:
        self._phone_key = phone_key
        self._thread = thread
        # A sync or device refresh re-tells it what it shows: repainted only when it reads
        # differently (issue 19). One line high (app.tcss): no layout pass.
        update_static(self, self._text(), layout=False)

    def set_optout(self, phone_key: str, note: str) -> None:
        """The opt-out note of ``phone_key`` (from :func:`optout_text`); shown while it is open."""
        self._optout = (phone_key, note)
        if phone_key == self._phone_key:
            update_static(self, self._text(), layout=False)

    def on_resize(self) -> None:
        update_static(self, self._text(), layout=False)  # the name is fitted to the width

    def _text(self) -> Text:
        phone_key, thread = self._phone_key, self._thread
        if phone_key is None:
            return Text("No conversation open", style="italic")
        text = Text(no_wrap=True, overflow="ellipsis")
        if phone_key.startswith("+"):
            number = display_number(phone_key, thread.display if thread else None)
        else:
            number = clean(thread.phone if thread else phone_key, single_line=True)
        counts = ""
        if thread:
            counts = f"  · {thread.total} message{'s' if thread.total != 1 else ''}"
        failed = f" · {thread.failed} failed" if thread and thread.failed else ""
        note = self._optout[1] if self._optout is not None and self._optout[0] == phone_key else ""
        optout = f" · {note}" if note else ""  # kept before the name gives way: sending here is unwanted
        if thread and thread.name:
            # Too long for the line, the name gives way, never the number (whose end tells two
            # numbers apart); the counts, cut at the end, come next (issue 13 item 8).
            width = self.content_region.width
            rest = cell_len(f"  {number}")
            extra = cell_len(counts + failed + optout)
            room = width - rest - extra if width - rest - extra >= 8 else width - rest
            name = clean(thread.name, single_line=True)
            if 0 < width and cell_len(name) > room:
                name = set_cell_size(name, room - 1) + "…" if room > 1 else "…"
            text.append(name, style="bold")
            text.append(f"  {number}")
        else:
            text.append(number, style="bold")
        if counts:
            text.append(counts, style="dim")
        if failed:
            text.append(failed, style="bold red")
        if optout:
            text.append(optout, style="bold yellow")
        return text
