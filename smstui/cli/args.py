"""Reading command-line values (statuses, dates, slots, bodies) into typed values.

Every function raises :class:`ArgError` with a message that says what to type instead; the CLI
turns it into exit code 2 (usage).
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any, TextIO

import click

from smstui.core.models import MAX_CUSTOMER_ID, Slot


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
    from smstui.core.filters import FilterError, status_codes

    try:
        return status_codes(text)
    except FilterError as exc:
        raise ArgError(str(exc)) from None


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


def parse_past(text: str, now: datetime, tz: tzinfo | None = None) -> datetime:
    """A moment for ``--since``/``--until``: an absolute local time or an age (``2h`` = 2 hours ago)."""
    from smstui.core.filters import FilterError, parse_past as past

    try:
        return past(text, now, tz or local_zone())
    except FilterError as exc:
        raise ArgError(str(exc)) from None


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


def _mapping(ctx: click.Context, param: click.Parameter, value: str | None) -> dict[str, str] | None:
    if not value:
        return None
    from smstui.core.sheets.column_map import MappingError, parse_mapping

    try:
        return parse_mapping(value)
    except MappingError as exc:
        raise click.BadParameter(str(exc), ctx, param) from None


def sheet_options(command: Any) -> Any:
    """``--encoding``, ``--sheet`` and ``--map`` for commands that read a contact or bulk file."""
    for option in reversed(
        [
            click.option(
                "--encoding",
                metavar="NAME",
                help="The CSV file's encoding (utf-8, utf-16, cp1252, latin-1, …) when the detected one is wrong.",
            ),
            click.option("--sheet", metavar="NAME", help="The sheet of an .xlsx/.ods file (default: the first)."),
            click.option(
                "--map",
                "mapping",
                metavar="FIELD=COL,…",
                callback=_mapping,
                help="Which column is which, by header, number or letter: phone=Mobil,name=B,body=3.",
            ),
        ]
    ):
        command = option(command)
    return command
