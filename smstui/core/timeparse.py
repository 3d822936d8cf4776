"""Times the user types ("+2h", "tomorrow 9:00"), and how long ago a time was.

Every function takes ``now`` explicitly (no hidden clock) so tests can freeze time, and a zone
``tz`` in which the user's wall-clock input is read. The gateway's time strings are written by
:mod:`smstui.core.gateway_time` alone (``format_timetosend``, ``format_paket_time``).

Accepted by :func:`parse_when` (case-insensitive, extra spaces ignored)::

    now                      this instant
    +30m  +2h  +1d  +1h30m   relative to now ("in 2h" also works)
    HH:MM                    today at that time; an error if already past
    today 18:00              same as "18:00"
    tomorrow 9:00            tomorrow at that time ("tomorrow" alone = tomorrow 00:00)
    YYYY-MM-DD HH:MM[:SS]    that local time ("T" between date and time also works)
    YYYY-MM-DD HH:MM +01:00  that time at that UTC offset (also "Z" or "UTC"): how to say which
                             of the two 02:30s is meant on the night the clocks go back
    YYYY-MM-DD               00:00 on that day (so today's date alone is already past)

Anything in the past is rejected with a message saying so; so is a wall time that does not
exist because the clocks jump forward that night, and one that happens twice because they go
back, unless an offset says which. ``tz`` should be a zone with DST rules (zoneinfo), which
:func:`smstui.core.gateway_time.local_zone` gives; with a fixed offset neither check can fire.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo

_HELP = "use YYYY-MM-DD HH:MM, HH:MM, +30m, +2h, +1d, 'tomorrow 9:00' or 'now'"

# Patterns as text, compiled by re's own cache on first use: the first frame parses no times.
_RELATIVE = r"^(?:\+|in\s+)\s*((?:\d+\s*[dhm]\s*)+)$"
_RELATIVE_PART = r"(\d+)\s*([dhm])"
_CLOCK = r"(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2}))?"
_DATE = r"(?P<y>\d{4})-(?P<mo>\d{1,2})-(?P<d>\d{1,2})"
_OFFSET = r"(?:\s*(?P<off>z|utc|[+-]\d{1,2}(?::?\d{2})?))?"
_ABSOLUTE = rf"^{_DATE}(?:(?:\s+|t){_CLOCK}{_OFFSET})?$"
_DAY_WORD = rf"^(?:(?P<word>today|tomorrow)(?:\s+(?:at\s+)?|$))?(?:{_CLOCK})?$"
# The furthest ahead a schedule may be, relative or absolute: far enough for any real plan,
# and well inside what the gateway's string formats, datetime arithmetic and SQLite can hold
# (9999-12-31 was accepted, saved, then overflowed while building the request).
_MAX_AHEAD = timedelta(days=3650)
_TOO_FAR = "is more than ten years ahead; give a time within the next ten years"


class WhenError(ValueError):
    """Input that is not a usable future time; the message says what to type instead."""


def _zone(tz: tzinfo | str) -> tzinfo:
    if isinstance(tz, tzinfo):
        return tz
    from zoneinfo import (  # ~2 ms, and the first frame needs no zone names
        ZoneInfo,
        ZoneInfoNotFoundError,
    )

    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise WhenError(f"unknown time zone {tz!r}; use a name like 'Europe/Berlin'") from None


def _require_aware(dt: datetime, name: str) -> None:
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")


def parse_when(text: str, now: datetime, tz: tzinfo | str) -> datetime:
    """The aware datetime meant by ``text`` (see module docstring), or :class:`WhenError`."""
    _require_aware(now, "now")
    zone = _zone(tz)
    local_now = now.astimezone(zone)
    key = " ".join((text or "").lower().split())
    if not key:
        raise WhenError(f"no time given; {_HELP}")
    if key == "now":
        return local_now

    relative = re.match(_RELATIVE, key)
    if relative:
        minutes = 0
        for amount, unit in re.findall(_RELATIVE_PART, relative.group(1)):
            minutes += int(amount) * {"d": 1440, "h": 60, "m": 1}[unit]
        if minutes > _MAX_AHEAD.total_seconds() // 60:
            raise WhenError(f"{text.strip()!r} {_TOO_FAR}")
        delta = timedelta(minutes=minutes)
        if delta <= timedelta(0):
            raise WhenError(f"{text.strip()!r} is not in the future; give a duration above zero")
        return (now + delta).astimezone(zone)

    absolute = re.match(_ABSOLUTE, key)
    if absolute:
        day = _date(absolute, text)
        if day > local_now.date() + _MAX_AHEAD + timedelta(days=1):
            # Before any zone arithmetic, which overflows near year 9999.
            raise WhenError(f"{text.strip()!r} {_TOO_FAR}")
        return _future(_combine(day, absolute, zone, text), local_now)

    words = re.match(_DAY_WORD, key)
    if words and (words.group("word") or words.group("h")):
        day = local_now.date()
        if words.group("word") == "tomorrow":
            day += timedelta(days=1)
        return _future(_combine(day, words, zone, text), local_now)

    raise WhenError(f"cannot read {text.strip()!r} as a time; {_HELP}")


def parse_schedule(text: str, now: datetime, tz: tzinfo | str) -> datetime | None:
    """Like :func:`parse_when`, but empty input and "now" mean "send now" (``None``)."""
    if not (text or "").strip() or text.strip().lower() == "now":
        return None
    return parse_when(text, now, tz)


def _date(match: re.Match[str], text: str) -> date:
    try:
        return date(int(match.group("y")), int(match.group("mo")), int(match.group("d")))
    except ValueError:
        raise WhenError(f"{text.strip()!r} is not a valid date; use YYYY-MM-DD") from None


def _combine(day: date, match: re.Match[str], zone: tzinfo, text: str) -> datetime:
    if match.group("h") is None:
        clock = time(0, 0)
    else:
        try:
            clock = time(int(match.group("h")), int(match.group("m")), int(match.group("s") or 0))
        except ValueError:
            raise WhenError(f"{text.strip()!r} has an impossible time of day; use HH:MM") from None
    offset = match.groupdict().get("off")
    if offset:
        try:
            # Kept at its offset: a fold=1 datetime in the zone compares unequal to every other
            # zone's (PEP 495), so the instant is safest as it was written.
            return datetime.combine(day, clock, tzinfo=_fixed(offset))
        except (OverflowError, ValueError):
            raise WhenError(f"{text.strip()!r} is out of range; give a time within the next ten years") from None
    result = datetime.combine(day, clock, tzinfo=zone)
    try:
        roundtrip = result.astimezone(UTC).astimezone(zone)
        later = result.replace(fold=1)
        twice = later.utcoffset() != result.utcoffset()
    except OverflowError:
        raise WhenError(f"{text.strip()!r} is out of range; give a time within the next ten years") from None
    # A wall time skipped by a DST jump does not survive a round trip through UTC.
    if roundtrip.replace(tzinfo=None) != result.replace(tzinfo=None):
        raise WhenError(f"{_show(result)} does not exist in {zone} (the clocks jump forward); pick another time")
    if twice:
        first, second = _offset_text(result), _offset_text(later)
        raise WhenError(
            f"{_show(result)} happens twice in {zone} (the clocks go back): add the offset to say "
            f"which, '{_show(result)} {first}' for the first or '{_show(result)} {second}' for the second"
        )
    return result


def _fixed(text: str) -> tzinfo:
    from smstui.core.gateway_time import (
        php_zone,  # the one reader of "+01:00", "Z", "UTC"
    )

    zone = php_zone(text)
    if abs(zone.utcoffset(None) or timedelta(0)) > timedelta(hours=14):
        raise ValueError(text)
    return zone


def _offset_text(dt: datetime) -> str:
    from smstui.core.gateway_time import offset_text

    return offset_text(dt.utcoffset())


def _future(when: datetime, local_now: datetime) -> datetime:
    if when <= local_now:
        raise WhenError(f"{_show(when)} is in the past; give a future time or leave empty to send now")
    if when - local_now > _MAX_AHEAD:
        raise WhenError(f"{_show(when)} {_TOO_FAR}")
    return when


def _show(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%d %H:%M" if dt.second == 0 else "%Y-%m-%d %H:%M:%S")


def humanize_ago(dt: datetime, now: datetime) -> str:
    """``just now``, ``3 min ago``, ``2 h ago``, ``5 days ago``, ``in 2 h`` ..."""
    _require_aware(dt, "dt")
    _require_aware(now, "now")
    seconds = (now - dt).total_seconds()
    future = seconds < 0
    seconds = abs(seconds)
    if seconds < 45:
        return "just now"
    minutes = int(seconds // 60)
    if seconds < 3600:
        amount = f"{max(minutes, 1)} min"
    elif seconds < 86400:
        amount = f"{int(seconds // 3600)} h"
    else:
        days = int(seconds // 86400)
        if days < 60:
            amount = _plural(days, "day")
        elif days < 730:
            amount = _plural(days // 30, "month")
        else:
            amount = _plural(days // 365, "year")
    return f"in {amount}" if future else f"{amount} ago"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
