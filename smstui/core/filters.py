"""What a list of stored messages is narrowed by: the filter record, status names, past moments.

One reading of ``failed``, ``delivered``, ``7d`` or ``2026-11-01`` for ``smstui messages``,
``search`` and ``export`` and the app's search screen (``status:failed since:7d``). Errors are
:class:`FilterError` with a sentence saying what to type instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo
from typing import Literal

from smstui.core.models import STATUS_GROUPS, STATUS_NAMES

Direction = Literal["in", "out"]


class FilterError(ValueError):
    """A filter value that cannot be used; the message says how to fix it."""


@dataclass(frozen=True, slots=True)
class MessageFilters:
    """Every filter a search, an export or the filtered list may combine (all optional).

    ``phone_key`` is a conversation (the store's key of a number); ``statuses`` any of these
    gateway codes; ``since``/``until`` bound ``created``, both included.
    """

    phone_key: str | None = None
    device_id: int | None = None
    slot: int | None = None
    statuses: tuple[int, ...] = ()
    direction: Direction | None = None
    since: datetime | None = None
    until: datetime | None = None

    @property
    def empty(self) -> bool:
        return self == MessageFilters()


def status_codes(text: str) -> tuple[int, ...]:
    """``7``, ``delivered``, ``failed``... -> the status codes it stands for (sorted).

    A group name (``failed``, ``pending``) stands for several codes (models.STATUS_GROUPS).
    """
    key = text.strip().lower()
    if key.isdigit():
        return (int(key),)
    if key in STATUS_GROUPS:
        return tuple(sorted(STATUS_GROUPS[key]))
    if key in STATUS_NAMES:
        return (STATUS_NAMES[key],)
    names = ", ".join(sorted([*STATUS_NAMES, *STATUS_GROUPS]))
    raise FilterError(f"unknown status {text!r}: use a number or one of {names}")


_RELATIVE = re.compile(r"^-?\s*((?:\d+\s*[dhm]\s*)+)(?:\s*ago)?$")
_RELATIVE_PART = re.compile(r"(\d+)\s*([dhm])")
_ABSOLUTE = re.compile(
    r"^(?P<y>\d{4})-(?P<mo>\d{1,2})-(?P<d>\d{1,2})(?:[ t](?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?)?$"
)
DATE_HELP = "use YYYY-MM-DD, 'YYYY-MM-DD HH:MM', today, yesterday, now, or an age like 30m, 2h, 7d"


def parse_past(text: str, now: datetime, zone: tzinfo) -> datetime:
    """A moment for ``since``/``until``: an absolute time in ``zone`` or an age (``2h`` = 2 hours ago)."""
    key = " ".join(text.strip().lower().split())
    local_now = now.astimezone(zone)
    if key == "now":
        return local_now
    if key in ("today", "yesterday"):
        day = local_now.date() - timedelta(days=1 if key == "yesterday" else 0)
        return datetime.combine(day, time(0, 0), tzinfo=zone)
    relative = _RELATIVE.match(key)
    if relative:
        delta = timedelta()
        for amount, unit in _RELATIVE_PART.findall(relative.group(1)):
            delta += {"d": timedelta(days=1), "h": timedelta(hours=1), "m": timedelta(minutes=1)}[unit] * int(amount)
        try:
            return local_now - delta
        except OverflowError:
            raise FilterError(f"{text!r} reaches back too far; {DATE_HELP}") from None
    absolute = _ABSOLUTE.match(key)
    if absolute:
        try:
            return datetime(
                int(absolute["y"]),
                int(absolute["mo"]),
                int(absolute["d"]),
                int(absolute["h"] or 0),
                int(absolute["mi"] or 0),
                int(absolute["s"] or 0),
                tzinfo=zone,
            )
        except ValueError:
            raise FilterError(f"{text!r} is not a valid date or time; {DATE_HELP}") from None
    raise FilterError(f"cannot read {text!r} as a date; {DATE_HELP}")
