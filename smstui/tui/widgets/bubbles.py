"""How one message is drawn in the thread view: a bubble, its meta line, an optional day header.

Pure drawing, apart from the view's state: :class:`ThreadView` keeps the layout, the scroll and
the cache of rendered bubbles, and hands what a bubble's look depends on in a :class:`BubbleLook`.
:func:`wrapped_height` and :func:`meta_plain` measure a bubble without drawing it, with the same
line breaking, so the layout of a long thread never builds styled text.
"""

from collections.abc import Callable, Mapping
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, NamedTuple

from rich.cells import cell_len
from rich.console import Console
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

from smstui.tui.textual_internals import divide_line
from smstui.tui.widgets.format import clean, is_image_url, slot_label, status_parts, to_local

if TYPE_CHECKING:
    from smstui.core.store.records import StoredMessage

MARGIN = 2


class BubbleLook(NamedTuple):
    """What drawing a bubble depends on besides the message (the view's console, styles and clock).

    A NamedTuple, not a frozen dataclass: this module is on the cold start's path, where defining
    a dataclass costs ~0.7 ms."""

    console: Console
    style: Callable[[str], Style]  # a component class name -> its Rich style
    base: Style
    tz: tzinfo | None
    now: datetime
    device_names: Mapping[int, str]


def wrapped_height(text: str, width: int) -> int:
    """How many lines ``Text(text, overflow="fold").wrap(console, width)`` gives, without building them.

    Same algorithm as Rich's ``Text.wrap`` (split on newlines, then ``divide_line`` per paragraph),
    minus the styled ``Text`` objects: the layout of a long thread measures every message.
    """
    lines = 0
    for paragraph in text.split("\n"):
        if len(paragraph) <= width and (paragraph.isascii() or cell_len(paragraph) <= width):
            lines += 1  # fits: no break (every word fits when the whole paragraph does)
        else:
            lines += len(divide_line(paragraph, width, fold=True)) + 1
    return lines


def bubble_width(width: int) -> int:
    """The widest a bubble's text may be in a view ``width`` cells wide."""
    return max(10, min(width - MARGIN - 4, int(width * 0.78) - 2))


def bubble_body(msg: "StoredMessage") -> str:
    body = clean(msg.body)
    if msg.image_path:
        body = (body + "\n" if body else "") + f"[image] {clean(msg.image_path, single_line=True)}"
    elif is_image_url(body):
        body = f"[image] {body.strip()}"
    return body or " "


def time_dependent(msg: "StoredMessage") -> bool:
    # Only the "scheduled <when>" tick reads the clock (format.status_parts); day labels are absolute.
    return not msg.incoming and msg.scheduled_at is not None


def meta_parts(
    msg: "StoredMessage", now: datetime, tz: tzinfo | None, device_names: Mapping[int, str]
) -> tuple[str, str | None, str]:
    """(time · slot · device, status text or None for incoming, status kind)."""
    parts = [to_local(msg.created, tz).strftime("%H:%M")]
    if msg.slot is not None:
        parts.append(slot_label(msg.slot))
    if msg.device_id is not None:
        parts.append(clean(device_names.get(msg.device_id, f"device {msg.device_id}"), single_line=True))
    if msg.urgent:
        parts.append("urgent")
    if msg.incoming:
        return " · ".join(parts), None, "ok"
    symbol, word, kind = status_parts(msg, now, tz)
    return " · ".join(parts), f"{symbol} {word}".strip(), kind


def meta_plain(msg: "StoredMessage", now: datetime, tz: tzinfo | None, device_names: Mapping[int, str]) -> str:
    """The meta line as plain text (what the layout measures)."""
    head, status, _ = meta_parts(msg, now, tz, device_names)
    return head if status is None else f"{head}  {status}"


def meta_text(look: BubbleLook, msg: "StoredMessage") -> Text:
    meta_style = look.style("thread-view--meta")
    head, status, kind = meta_parts(msg, look.now, look.tz, look.device_names)
    text = Text(head, style=meta_style)
    if status is not None:
        text.append("  ")
        text.append(status, style=meta_style + look.style(f"thread-view--{kind}"))
    return text


def _strip(look: BubbleLook, text: Text, width: int) -> Strip:
    segments = list(text.render(look.console))
    return Strip(segments).crop_extend(0, width, look.base).apply_style(look.base)


def notice_strip(look: BubbleLook, label: str, width: int) -> Strip:
    """A centred line of notice text ("start of conversation", "loading older messages…")."""
    text = Text(label, style=look.style("thread-view--notice"))
    text.align("center", width)
    return Strip(list(text.render(look.console)), width).apply_style(look.base)


def render_bubble(
    look: BubbleLook, msg: "StoredMessage", width: int, *, selected: bool, day_header: bool
) -> list[Strip]:
    """The lines of one message: the day header (if it starts a day), the bubble, the meta line
    and a blank gap; as many as the layout measured (:func:`wrapped_height`, :func:`meta_plain`)."""
    console = look.console
    base = look.base
    style = look.style
    lines: list[Strip] = []
    if day_header:
        label = to_local(msg.created, look.tz).strftime(" %A, %d %B %Y ")
        text = Text(label, style=style("thread-view--day"))
        text.align("center", width)
        lines.append(Strip(list(text.render(console)), width).apply_style(base))
    max_inner = bubble_width(width)
    bubble_style = style(
        "thread-view--selected" if selected else ("thread-view--incoming" if msg.incoming else "thread-view--outgoing")
    )
    wrapped = Text(bubble_body(msg), no_wrap=False, overflow="fold").wrap(console, max_inner)
    inner = min(max_inner, max(max((line.cell_len for line in wrapped), default=1), 1))
    meta_lines = meta_text(look, msg).wrap(console, max_inner)
    bubble_w = inner + 2
    pad = MARGIN if msg.incoming else max(MARGIN, width - bubble_w - MARGIN)
    marker = Text("▌" if selected else " ", style=style("thread-view--marker"))
    for line in wrapped:
        row = Text(" ") + line + Text(" " * (inner - line.cell_len + 1))
        row.stylize(bubble_style)
        lines.append(_strip(look, Text(" " * (pad - 1)) + marker + row, width))
    for line in meta_lines:
        if msg.incoming:
            full = Text(" " * pad) + line
        else:
            full = Text(" " * max(0, width - MARGIN - line.cell_len)) + line
        lines.append(_strip(look, full, width))
    lines.append(Strip.blank(width, base))
    return lines
