"""Reading command-line values (statuses, dates, slots, bodies) into typed values.

Every function raises :class:`ArgError` with a message that says what to type instead; the CLI
turns it into exit code 2 (usage).
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta, tzinfo
from typing import Any, TextIO

import click

from smstui.core.models import MAX_CUSTOMER_ID, STATUS_GROUPS, STATUS_NAMES, Slot


class ArgError(ValueError):
    """A command-line value that cannot be used; the message says how to fix it."""


def local_zone() -> tzinfo:
    """The user's zone (config ``[ui] timezone``, else the system's IANA zone, with its DST
    rules): times typed on the command line are wall-clock times there."""
    from smstui.core.gateway_time import local_zone as user_zone

    return user_zone()


def parse_status(text: str) -> tuple[int, ...]:
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
    raise ArgError(f"unknown status {text!r}: use a number or one of {names}")


def parse_slot(sim: int | None, slot: str | None) -> Slot | None:
    """``--sim 0-5`` or ``--slot sms1|...``; both at once is an error; neither gives None."""
    if sim is not None and slot is not None:
        raise ArgError("give either --sim or --slot, not both")
    try:
        if sim is not None:
            return Slot(sim)
        if slot is not None:
            return Slot.parse(slot)
    except ValueError as exc:
        raise ArgError(str(exc)) from None
    return None


_RELATIVE = re.compile(r"^-?\s*((?:\d+\s*[dhm]\s*)+)(?:\s*ago)?$")
_RELATIVE_PART = re.compile(r"(\d+)\s*([dhm])")
_ABSOLUTE = re.compile(
    r"^(?P<y>\d{4})-(?P<mo>\d{1,2})-(?P<d>\d{1,2})(?:[ t](?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?)?$"
)
DATE_HELP = "use YYYY-MM-DD, 'YYYY-MM-DD HH:MM', today, yesterday, now, or an age like 30m, 2h, 7d"


def parse_past(text: str, now: datetime, tz: tzinfo | None = None) -> datetime:
    """A moment for ``--since``/``--until``: an absolute local time or an age (``2h`` = 2 hours ago)."""
    zone = tz or local_zone()
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
        return local_now - delta
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
            raise ArgError(f"{text!r} is not a valid date or time; {DATE_HELP}") from None
    raise ArgError(f"cannot read {text!r} as a date; {DATE_HELP}")


def read_body(body: str, stdin: TextIO) -> str:
    """The message text; ``-`` reads it from standard input (one trailing newline dropped).

    Undecodable bytes are an :class:`ArgError`: in a C locale Python would turn them into lone
    surrogates that fail much later, when the row is saved ("unexpected error").
    """
    if body != "-":
        _check_text(body, "the message text (BODY)")
        return body
    raw = getattr(stdin, "buffer", None)
    if raw is not None:
        data = raw.read()
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ArgError(
                f"standard input is not UTF-8 text (byte 0x{data[exc.start]:02x} at position {exc.start}); "
                "convert it first (e.g. `iconv -f LATIN1 -t UTF-8`) and try again"
            ) from None
    else:
        text = stdin.read()
        _check_text(text, "standard input")
    if text.endswith("\r\n"):
        text = text[:-2]
    elif text.endswith("\n"):
        text = text[:-1]
    return text


def _check_text(text: str, what: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ArgError(
            f"{what} is not valid UTF-8 text (undecodable byte at position {exc.start}); "
            "convert it to UTF-8 and try again"
        ) from None


def parse_id_list(text: str, what: str) -> list[int]:
    """``1,2, 3`` -> ``[1, 2, 3]``; every id a gateway id (1 to :data:`MAX_ID`)."""
    items = [part.strip() for part in text.split(",") if part.strip()]
    if not items:
        raise ArgError(f"no {what} given: use a comma-separated list like 12,13")
    try:
        ids = [int(item) for item in items]
    except ValueError:
        raise ArgError(f"{text!r} is not a list of {what} (numbers separated by commas)") from None
    for item, value in zip(items, ids, strict=True):
        if not 1 <= value <= MAX_ID:
            raise ArgError(f"{item} is not one of the {what}: each id is a positive whole number, at most {MAX_ID}")
    return ids


# The store keeps ids as SQLite INTEGERs (64-bit signed) and the gateway's ids are positive:
# anything outside overflowed deep inside (OverflowError) instead of being a usage error.
MAX_ID = 2**63 - 1


class BoundedInt(click.ParamType):
    """A whole number in ``[low, high]``, refused with a message that says what it is for."""

    name = "integer"

    def __init__(self, what: str, low: int, high: int, hint: str = "") -> None:
        self.what, self.low, self.high, self.hint = what, low, high, hint

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        else:
            try:
                number = int(str(value).strip())
            except ValueError:
                self.fail(f"{value!r} is not a valid integer: {self._range()}", param, ctx)
        if not self.low <= number <= self.high:
            shown = str(value) if len(str(value)) <= 30 else str(value)[:27] + "..."
            self.fail(f"{shown} is out of range: {self._range()}", param, ctx)
        return number

    def _range(self) -> str:
        if self.low == 1:
            return f"{self.what} is a positive whole number, at most {self.high}{self.hint}"
        return f"{self.what} is a whole number from {self.low} to {self.high}{self.hint}"


def gateway_id(what: str, hint: str = "") -> BoundedInt:
    return BoundedInt(what, 1, MAX_ID, hint)


DEVICE_ID = gateway_id("a device id", " (see `smstui devices`)")
SMS_ID = gateway_id("an sms id", " (see `smstui messages`)")
TAG_ID = gateway_id("a tag id", " (see `smstui tag list`)")
CUSTOMER_ID = BoundedInt("a customer id", 0, MAX_CUSTOMER_ID)
