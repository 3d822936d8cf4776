"""Turning stored data into short, safe display text (shared by the widgets and screens).

Everything that came from the network (bodies, names, device titles, carriers) passes through
:func:`clean` before it reaches the screen: it is data, so it is rendered as plain ``rich.text.Text``
(never markup), and its control characters and terminal escape sequences, which could move the
cursor, change colours or set the window title, are made visible (``␛[31m``, see smstui.core.visible).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING

from rich.text import Text

from smstui.core.models import FAILED_STATUSES, STATUS_HINTS, Slot
from smstui.core.store.schema import CANCELLED, QUEUED, REJECTED, SENDING, UNKNOWN
from smstui.core.timeparse import humanize_ago
from smstui.core.visible import is_control, visible_control

if TYPE_CHECKING:
    from smstui.core.store.records import StoredMessage

_IMAGE_URL = re.compile(r"^https?://\S+\.(?:png|jpe?g|gif|webp)(?:\?\S*)?$", re.IGNORECASE)


def clean(text: str | None, *, single_line: bool = False) -> str:
    """Text from the network made safe to show: escapes and control characters made visible
    (``␛[31m``, ``␇``, ``<U+202E>`` for a bidi override, which could disguise numbers), never sent.

    Tabs become spaces, CRLF becomes LF.
    ``single_line`` folds newlines into spaces, for previews and table cells.
    """
    if not text:
        return ""
    # Made visible, not dropped (issue 13, item 8): ``red \x1b[31m`` reads ``red ␛[31m``, as in the CLI.
    value = text.replace("\r\n", "\n").replace("\t", "    ").replace("\r", "\n")
    if not value.replace("\n", "").isprintable():  # the common case skips the per-character pass
        value = "".join(visible_control(ch) if ch != "\n" and is_control(ch) else ch for ch in value)
    if single_line:
        value = " ".join(value.split())
    return value


def display_number(phone_key: str, stored: str | None = None) -> str:
    """A number as shown (``+49 170 9827054``): the form the store keeps when it has one (so the
    first frame needs no phonenumbers, ~35 ms to load), else formatted now."""
    if stored:
        return stored
    from smstui.core.phone import format_display

    return format_display(phone_key)


def plain(text: str | None, style: str = "", *, single_line: bool = False) -> Text:
    """A rich Text of cleaned data: the only way network text reaches a renderable."""
    return Text(clean(text, single_line=single_line), style=style)


def slot_label(slot: int | None) -> str:
    if slot is None:
        return "?"
    try:
        return Slot(slot).label
    except ValueError:
        return f"slot {slot}"


def is_image_url(body: str) -> bool:
    return bool(_IMAGE_URL.match(body.strip()))


def to_local(dt: datetime, tz: tzinfo | None) -> datetime:
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(tz) if tz is not None else dt.astimezone()


def short_time(dt: datetime, now: datetime, tz: tzinfo | None) -> str:
    """``14:05`` today, ``Mon 14:05`` this week, ``12 Mar`` this year, else ``2024-03-12``."""
    local, local_now = to_local(dt, tz), to_local(now, tz)
    days = (local_now.date() - local.date()).days
    if days == 0:
        return local.strftime("%H:%M")
    if 0 < days < 7:
        return local.strftime("%a %H:%M")
    if local.year == local_now.year:
        return local.strftime("%d %b")
    return local.strftime("%Y-%m-%d")


def when_time(dt: datetime, now: datetime, tz: tzinfo | None) -> str:
    """A time that matters to the minute, past or future: ``14:05``, ``tomorrow 09:00``,
    ``Fri 09:00``, ``03 Dec 09:00``, ``2027-01-05 09:00`` (a schedule needs its time)."""
    local, local_now = to_local(dt, tz), to_local(now, tz)
    days = (local.date() - local_now.date()).days
    clock = local.strftime("%H:%M")
    if days == 0:
        return clock
    if days == 1:
        return f"tomorrow {clock}"
    if days == -1:
        return f"yesterday {clock}"
    if -7 < days < 7:
        return local.strftime("%a %H:%M")
    if local.year == local_now.year:
        return local.strftime("%d %b %H:%M")
    return local.strftime("%Y-%m-%d %H:%M")


def absolute(dt: datetime | None, tz: tzinfo | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if dt is None:
        return "never"
    return to_local(dt, tz).strftime(fmt)


def ago(dt: datetime | None, now: datetime) -> str:
    if dt is None:
        return "never"
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return humanize_ago(dt, now)


# The status tick: (symbol, word, kind) where kind picks the colour (ok / pending / bad / warn).
def status_parts(msg: StoredMessage, now: datetime, tz: tzinfo | None) -> tuple[str, str, str]:
    if msg.incoming:
        return ("", "", "ok")
    if msg.duplicate_of is not None:
        # A late original that arrived after smstui re-sent it: the recipient may get it twice.
        return ("⧉", f"second copy on the gateway ({(msg.display_status or '').lower()})", "warn")
    if msg.outbox in (QUEUED, SENDING):
        if msg.scheduled_at is not None and msg.scheduled_at > now:
            return ("⏲", f"scheduled {when_time(msg.scheduled_at, now, tz)}", "pending")
        if msg.outbox_error:
            return ("◷", f"queued (retrying: {clean(msg.outbox_error, single_line=True)})", "warn")
        return ("◷", "queued", "pending")
    if msg.outbox == UNKNOWN:
        return ("?", "unknown — check", "warn")
    if msg.outbox == REJECTED:
        reason = clean(msg.outbox_error, single_line=True) or "refused by the gateway"
        return ("✗", f"refused: {reason}", "bad")
    if msg.outbox == CANCELLED:
        return ("–", "cancelled", "warn")
    status = msg.status
    if status is None:
        return ("◷", "queued", "pending")
    if status in FAILED_STATUSES:
        title = msg.display_status
        hint = STATUS_HINTS.get(status)
        return ("✗", f"{title}" + (f" — {hint}" if hint else ""), "bad")
    if status == 1 and msg.scheduled_at is not None and msg.scheduled_at > now:
        return ("⏲", f"scheduled {when_time(msg.scheduled_at, now, tz)}", "pending")
    symbol = {1: "·", 2: "→", 3: "→", 6: "✓", 7: "✓✓"}.get(status, "?")
    kind = "ok" if status in (6, 7) else "pending"
    return (symbol, msg.display_status.lower() if status in (1, 6, 7) else msg.display_status, kind)
