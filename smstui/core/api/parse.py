"""Tolerant readers for the gateway's JSON.

The service is loose about types (api.md "Quirks"): ids arrive as ints or strings, numbers with
leading spaces, ``"null"`` as a string, booleans as 0/1/true/null, lists as objects keyed by id
(or ``[]`` when empty), dates as PHP ``DateTime`` objects with an offset or a zone name. These
functions accept all of that and return the strict types of :mod:`smstui.core.models`; what cannot be
read at all raises :class:`ValueError`, which the client turns into a ``ResponseFormatError``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, tzinfo
from typing import Any

from smstui.core.gateway_messages import Message, MessageList, SmsStatus
from smstui.core.gateway_time import php_zone, read_date
from smstui.core.models import Device, DeviceStatus, SimCard

_NULLS = {"", "null", "none", "nil", "undefined"}
_LONGEST_NULL = max(map(len, _NULLS))


def is_null(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip().lower() in _NULLS)


_SURROGATE = re.compile("[\ud800-\udfff]")


def text(value: Any) -> str:
    """``str(value)`` that SQLite can store: json.loads lets a lone surrogate (``"\\ud800"``)
    through, which is no UTF-8 and made the store raise UnicodeEncodeError; it becomes U+FFFD."""
    result = str(value)
    if result.isascii():
        return result
    try:
        result.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", result)
    return result


def opt_str(value: Any) -> str | None:
    """A string, or None for null/"null"/empty; surrounding space removed."""
    if type(value) is str:  # the usual case, read ~5 times per listed message: no detours
        stripped = value.strip()
        if not stripped or (len(stripped) <= _LONGEST_NULL and stripped.lower() in _NULLS):
            return None
        return stripped if stripped.isascii() else text(stripped)
    if is_null(value):
        return None
    return text(value).strip()


# SQLite's INTEGER is signed 64-bit: a bigger int would reach the store as an OverflowError.
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def opt_int(value: Any) -> int | None:
    """A whole number that SQLite can hold, or None for null; ValueError for anything else."""
    if value is None:
        return None
    number = value if type(value) is int else _opt_int(value)
    if number is not None and not INT64_MIN <= number <= INT64_MAX:
        # No repr of the value: an int of thousands of digits cannot even be printed.
        raise ValueError("a number beyond the 64-bit range")
    return number


def _opt_int(value: Any) -> int | None:
    if is_null(value) or isinstance(value, bool):
        return None if is_null(value) else int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                raise ValueError(f"not a number: {value!r}") from None
            if number.is_integer():
                return int(number)
    raise ValueError(f"not a whole number: {value!r}")


def req_int(value: Any, what: str) -> int:
    number = opt_int(value)
    if number is None:
        raise ValueError(f"{what} is missing")
    return number


def req_id(value: Any, what: str) -> int:
    """A gateway id: a positive whole number (0 or -1 would be a key that names nothing)."""
    number = req_int(value, what)
    if number < 1:
        raise ValueError(f"{what} is not a positive id: {number}")
    return number


def to_bool(value: Any) -> bool | None:
    """0/1, "0"/"1", true/false, "true"/"false", "yes"/"no"; None for null."""
    if value is None:
        return None
    if type(value) is int:
        return value != 0
    if is_null(value):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value != 0
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "on", "y"}:
        return True
    if text in {"0", "false", "no", "off", "n"}:
        return False
    raise ValueError(f"not a boolean: {value!r}")


# Dates and zones are read by the one module that owns time on the wire.
zone = php_zone
parse_datetime = read_date


def items(container: Any, what: str) -> Sequence[Mapping[str, Any]]:
    """The entries of a list that the gateway sends as an object keyed by id, a list, or []."""
    if is_null(container):
        return ()
    if isinstance(container, Mapping):
        values: Iterable[Any] = container.values()
    elif isinstance(container, list):
        values = container
    else:
        raise ValueError(f"{what} is neither a list nor an object")
    return [v for v in values if isinstance(v, Mapping)]


def parse_sim(raw: Mapping[str, Any]) -> SimCard:
    return SimCard(
        slot=opt_int(raw.get("Slot", raw.get("slot"))) or 0,
        number=opt_str(raw.get("Number", raw.get("number"))),
        carrier=opt_str(raw.get("CarrierName", raw.get("carrier"))),
        country=(opt_str(raw.get("CountryIso", raw.get("country"))) or "").upper() or None,
        roaming=bool(to_bool(raw.get("Roaming", raw.get("roaming")))),
        iccid=opt_str(raw.get("IccId", raw.get("iccid"))),
    )


def parse_device(raw: Mapping[str, Any], default_tz: tzinfo = UTC) -> Device:
    sims = raw.get("siminfo")
    sim_list = tuple(parse_sim(s) for s in items(sims, "siminfo")) if sims else ()
    return Device(
        id=req_id(raw.get("id"), "device id"),
        title=opt_str(raw.get("title")) or f"Device {raw.get('id')}",
        sims=sim_list,
        imei=opt_str(raw.get("imei")),
        serial=opt_str(raw.get("serialnumber")),
        number=opt_str(raw.get("number")),
        created=parse_datetime(raw.get("created"), default_tz),
        last_seen=parse_datetime(raw.get("lastseen"), default_tz),
        app_version=opt_str(raw.get("appversion")),
        app_version_current=to_bool(raw.get("isappversionactual")),
        delay_between_sms=opt_int(raw.get("delaybetweeneachsms")),
        delay_between_requests=opt_int(raw.get("delaybetweenrequest")),
        subscription=to_bool(raw.get("subscription")),
    )


def parse_devices(payload: Mapping[str, Any], default_tz: tzinfo = UTC) -> list[Device]:
    container = payload.get("device", payload.get("devices"))
    return [parse_device(d, default_tz) for d in items(container, "device")]


def parse_device_status(payload: Mapping[str, Any], default_tz: tzinfo = UTC) -> DeviceStatus:
    return DeviceStatus(
        device_id=req_id(payload.get("device_id"), "device_id"),
        online=bool(to_bool(payload.get("online"))),
        last_seen=parse_datetime(payload.get("lastseen"), default_tz),
        seconds_since_seen=opt_int(payload.get("diffseconds")),
        title=opt_str(payload.get("title")),
    )


def parse_message(raw: Mapping[str, Any], default_tz: tzinfo = UTC) -> Message:
    body = raw.get("body")
    return Message(
        id=req_id(raw.get("id"), "message id"),
        phone=opt_str(raw.get("sendto")) or "",
        body="" if body is None else text(body),
        status=req_int(raw.get("status"), "status"),
        status_title=opt_str(raw.get("statustitle")),
        device_id=opt_int(raw.get("deviceid", raw.get("device_id"))),
        slot=opt_int(raw.get("sim")),
        created=parse_datetime(raw.get("created"), default_tz),
        sent_at=parse_datetime(raw.get("senttime"), default_tz),
        scheduled_at=parse_datetime(raw.get("timetosend"), default_tz),
        customer_id=opt_int(raw.get("customerid")) or None,
        urgent=bool(to_bool(raw.get("urgent"))),
        paket_id=opt_int(raw.get("paketid")),
        paket_title=opt_str(raw.get("pakettitle")),
    )


def parse_message_list(payload: Mapping[str, Any], default_tz: tzinfo = UTC) -> MessageList:
    container = payload.get("smss", payload.get("sms"))
    messages = tuple(parse_message(m, default_tz) for m in items(container, "smss"))
    count = opt_int(payload.get("count"))
    return MessageList(messages=messages, count=len(messages) if count is None else count)


def parse_sms_status(payload: Mapping[str, Any]) -> SmsStatus:
    return SmsStatus(
        sms_id=req_id(payload.get("sms_id"), "sms_id"),
        status=req_int(payload.get("status"), "status"),
        description=opt_str(payload.get("status_description")),
    )


def first_int(payload: Mapping[str, Any], *keys: str) -> int:
    """The first of ``keys`` present as an id (the vendor renamed some keys over time)."""
    for key in keys:
        if not is_null(payload.get(key)):
            return req_id(payload[key], key)
    raise ValueError(f"{' or '.join(keys)} is missing")


def to_bool_safe(value: Any) -> bool:
    """``to_bool`` for the ``error`` flag: anything unreadable counts as an error."""
    try:
        return bool(to_bool(value))
    except ValueError:
        return True
