"""The two webhook bodies the gateway posts (api.md "Webhooks"), validated into typed records.

Whatever arrives is untrusted: it came from whoever knows the URL. :func:`parse_body` turns the
raw bytes into a :class:`StatusUpdate`, an :class:`IncomingMessage` or a :class:`Rejected` with a
short reason, never an exception. The reasons name a field and what was wrong with it, never its
value, so they may be logged and answered: a body is never echoed anywhere.

Tolerant where the vendor is loose (the same rules as the API's parsers, smstui.core.api.parse):
ids and numbers may be numeric strings, ``null`` may be the string ``"null"``, dates come as PHP
DateTime objects (``timezone_type`` 1 / 3), zone-less strings (the account's wall clock, as in
listings) or epoch seconds, and unknown extra keys are ignored. Strict where it matters: a key
that must be there is, every id is a positive 64-bit number, every text has a length limit, and
a URL is an ``http(s)`` URL without spaces or control characters.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any, Literal, NamedTuple

from smstui.core.api.parse import INT64_MAX, is_null, text
from smstui.core.gateway_time import read_date

# Limits: far above anything the vendor sends, far below what would hurt the store or a screen.
MAX_BODY_CHARS = 20_000  # a long WhatsApp text is a few thousand characters
MAX_ADDRESS_CHARS = 64  # a phone number or an alphanumeric sender name
MAX_NAME_CHARS = 200  # device_name
MAX_STATUS_MESSAGE_CHARS = 500
MAX_URL_CHARS = 2_048
MAX_STATUS_ID = 10_000  # the vendor's codes are 1-101; an unknown one still has to fit
MAX_SLOT = 99  # sim: 0-5 today; a new channel may come
# A date further ahead than this is a forged or broken clock (it would pin its thread on top).
MAX_FUTURE = timedelta(days=2)
# Epoch seconds are read from this on (2001-09-09), so a small number is not taken for a date.
MIN_EPOCH = 1_000_000_000

Kind = Literal["text", "img"]


class StatusUpdate(NamedTuple):
    """A delivery-status webhook: the gateway says message ``sms_id`` now has ``status_id``."""

    sms_id: int
    status_id: int
    status_message: str | None = None
    sendto: str | None = None
    senttime: datetime | None = None
    channel_id: int | None = None
    device_id: int | None = None


class IncomingMessage(NamedTuple):
    """An incoming-message webhook (SMS, WhatsApp, RCS; text or an image's URL)."""

    address: str
    date: datetime | None
    date_sent: datetime | None
    body: str
    internal_id: int | None
    channel_id: int | None
    sms_id: int
    device_id: int | None
    device_name: str | None
    type: Kind
    sim: int | None = None
    img_url: str | None = None


class Rejected(NamedTuple):
    """What was wrong, in a few words naming the field (never its value)."""

    reason: str


Payload = StatusUpdate | IncomingMessage


class _Bad(ValueError):
    """One field is wrong; the message is the reason given back."""


_URL = re.compile(r"https?://[^\s\x00-\x1f\x7f]+", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def parse_body(raw: bytes, account_tz: tzinfo = UTC, *, now: datetime | None = None) -> Payload | Rejected:
    """The webhook in ``raw`` (the request body), or why it is not one."""
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
    except UnicodeDecodeError:
        return Rejected("the body is not UTF-8")
    except (ValueError, RecursionError):  # RecursionError: a body nested thousands deep
        return Rejected("the body is not JSON")
    return parse_payload(data, account_tz, now=now)


def parse_payload(data: Any, account_tz: tzinfo = UTC, *, now: datetime | None = None) -> Payload | Rejected:
    """A decoded JSON value as one of the two shapes, or :class:`Rejected`.

    ``account_tz`` reads dates that carry no zone (as sync does: the account's zone); ``now``
    bounds how far in the future a date may be (default: the system's clock).
    """
    if not isinstance(data, Mapping):
        return Rejected("the body is not a JSON object")
    status, incoming = "status_id" in data, "address" in data
    if status == incoming:
        return Rejected("neither a status nor an incoming-message webhook")
    latest = (now or datetime.now(UTC)) + MAX_FUTURE
    try:
        if status:
            return _status(data, account_tz, latest)
        return _incoming(data, account_tz, latest)
    except _Bad as exc:
        return Rejected(str(exc))


def _status(data: Mapping[str, Any], tz: tzinfo, latest: datetime) -> StatusUpdate:
    return StatusUpdate(
        sms_id=_req_id(data, "sms_id"),
        status_id=_req_int(data, "status_id", 0, MAX_STATUS_ID),
        status_message=_text(data, "status_message", MAX_STATUS_MESSAGE_CHARS),
        sendto=_text(data, "sendto", MAX_ADDRESS_CHARS),
        senttime=_date(data, "senttime", tz, latest),
        channel_id=_int(data, "channel_id", 0, INT64_MAX),
        device_id=_id(data, "device_id"),
    )


def _incoming(data: Mapping[str, Any], tz: tzinfo, latest: datetime) -> IncomingMessage:
    kind = data.get("type", "text")
    if kind not in ("text", "img"):
        raise _Bad("type is neither 'text' nor 'img'")
    address = _text(data, "address", MAX_ADDRESS_CHARS)
    if not address or not address.strip():
        raise _Bad("address is missing")
    if _CONTROL.search(address):
        raise _Bad("address has control characters")
    body = _text(data, "body", MAX_BODY_CHARS)
    url = _text(data, "img_url", MAX_URL_CHARS)
    if kind == "img":
        if not url or not _URL.fullmatch(url):
            raise _Bad("img_url is not an http(s) URL")
    elif body is None:
        raise _Bad("body is missing")
    return IncomingMessage(
        address=address.strip(),
        date=_date(data, "date", tz, latest),
        date_sent=_date(data, "date_sent", tz, latest),
        body=body or "",
        internal_id=_int(data, "internal_id", 0, INT64_MAX),
        channel_id=_int(data, "channel_id", 0, INT64_MAX),
        sms_id=_req_id(data, "sms_id"),
        device_id=_id(data, "device_id"),
        device_name=_text(data, "device_name", MAX_NAME_CHARS),
        type=kind,
        sim=_int(data, "sim", 0, MAX_SLOT),
        img_url=url if kind == "img" else None,
    )


# ------------------------------------------------------------------ fields


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")  # json.loads takes NaN and Infinity by default


def _req_int(data: Mapping[str, Any], key: str, low: int, high: int) -> int:
    number = _int(data, key, low, high)
    if number is None:
        raise _Bad(f"{key} is missing")
    return number


def _int(data: Mapping[str, Any], key: str, low: int, high: int) -> int | None:
    value = data.get(key)
    if is_null(value):
        return None
    number = _whole(value)
    if number is None:
        raise _Bad(f"{key} is not a whole number")
    if not low <= number <= high:
        raise _Bad(f"{key} is out of range")
    return number


def _id(data: Mapping[str, Any], key: str) -> int | None:
    return _int(data, key, 1, INT64_MAX)


def _req_id(data: Mapping[str, Any], key: str) -> int:
    return _req_int(data, key, 1, INT64_MAX)


def _whole(value: Any) -> int | None:
    """An int, a float without fraction or a numeric string (``" 62807347"``, ``"3.0"``)."""
    if isinstance(value, bool):  # True is an int to Python, not a number to anyone else
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if math.isfinite(value) and value.is_integer() else None
    if isinstance(value, str):
        digits = value.strip()
        if len(digits) > 25:  # no 64-bit number is longer; int() of 10,000 digits is slow
            return None
        try:
            return int(digits)
        except ValueError:
            try:
                number = float(digits)
            except ValueError:
                return None
            return int(number) if math.isfinite(number) and number.is_integer() else None
    return None


def _text(data: Mapping[str, Any], key: str, limit: int) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)  # a number where a string was expected: the vendor's habit, harmless
    if not isinstance(value, str):
        raise _Bad(f"{key} is not a string")
    if len(value) > limit:
        raise _Bad(f"{key} is longer than {limit} characters")
    return text(value)  # a lone surrogate becomes U+FFFD (SQLite stores UTF-8 only)


def _date(data: Mapping[str, Any], key: str, tz: tzinfo, latest: datetime) -> datetime | None:
    value = data.get(key)
    if is_null(value):
        return None
    try:
        when = _read(value, tz)
    except (ValueError, TypeError, KeyError, OverflowError, OSError):
        raise _Bad(f"{key} is not a date") from None
    if when is None:
        return None
    if when > latest:
        raise _Bad(f"{key} is in the future")
    return when


def _read(value: Any, tz: tzinfo) -> datetime | None:
    if isinstance(value, Mapping):
        date = value.get("date")
        zone = value.get("timezone")
        if not (date is None or isinstance(date, str)) or not (zone is None or isinstance(zone, str)):
            raise ValueError("a date object's fields are not strings")
        if (isinstance(date, str) and len(date) > 40) or (isinstance(zone, str) and len(zone) > 64):
            raise ValueError("too long for a date")
        return read_date(value, tz)
    if isinstance(value, str):
        if len(value) > 40:
            raise ValueError("too long for a date")
        epoch = _whole(value) if value.strip().isdigit() else None
        if epoch is not None:
            return _epoch(epoch)
        return read_date(value, tz)
    number = _whole(value)
    if number is None:
        raise ValueError("not a date")
    return _epoch(number)


def _epoch(seconds: int) -> datetime:
    if seconds >= 10**12:  # milliseconds, as JavaScript writes them
        seconds //= 1000
    if seconds < MIN_EPOCH:
        raise ValueError("not an epoch time")
    return datetime.fromtimestamp(seconds, UTC)


__all__ = [
    "IncomingMessage",
    "Payload",
    "Rejected",
    "StatusUpdate",
    "parse_body",
    "parse_payload",
]
