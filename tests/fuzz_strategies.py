"""Hypothesis strategies for the gateway's answers: every quirk of api.md, and broken ones.

Two families:

* **valid with quirks** (``*_valid``): what the vendor's documents and examples show (ids as ints,
  strings, floats or with spaces; ``"null"`` strings; PHP DateTime objects with timezone_type
  1/2/3 and zone-less strings; listings keyed by id, as lists, ``[]`` or missing; ``sim`` absent;
  ``customerid`` null/0/int; ``urgent`` null/true/0/1; statuses outside the table with their
  ``statustitle``...). Each draws ``(payload, truth)``: the JSON object and what a correct reader
  must make of it (ids, statuses, instants...), so the tests can check the result, not only that
  nothing crashed.
* **broken**: wrong types, missing keys, ints beyond 64 bits, NaN/inf, deep nesting, lone
  surrogates, non-object JSON (``broken_payloads``), and at the byte level HTML pages, truncated
  JSON, invalid UTF-8, empty and ~1 MB bodies (``broken_bodies``).

``answers(method)`` mixes both into HTTP answers ``Answer(status, headers, body, truth)``;
``truth`` is None for everything that need not parse.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

UTC = UTC
INT64_MAX = 2**63 - 1  # SQLite's INTEGER range; the gateway's ids are positive

ZONE_NAMES = (
    "Europe/Paris",
    "Europe/Berlin",
    "UTC",
    "Australia/Sydney",
    "America/New_York",
    "Asia/Kolkata",
    "Pacific/Chatham",
    "America/St_Johns",
)
OFFSETS = ("+02:00", "+01:00", "-05:00", "+05:30", "+00:00", "-09:30", "+13:45", "+0200", "-03")
ABBREVIATIONS = {"UTC": 0, "GMT": 0, "CET": 60, "CEST": 120, "EST": -300, "PDT": -420, "BST": 60}
KNOWN_STATUSES = (1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 100, 101)
NULLS = (None, "null", "NULL", "", " ", "none", "undefined")

# ------------------------------------------------------------------ scalars


def nulls() -> st.SearchStrategy[Any]:
    return st.sampled_from(NULLS)


def gateway_ids() -> st.SearchStrategy[int]:
    """Positive ids that fit SQLite: the vendor's (~8 digits) and the extremes of the range."""
    return st.one_of(st.integers(1, 10**9), st.integers(1, INT64_MAX), st.sampled_from([1, INT64_MAX]))


@st.composite
def int_forms(draw: st.DrawFn, value: int) -> Any:
    """``value`` as the gateway may write it: 7, "7", " 7 ", 7.0, "7.0"."""
    forms: list[Any] = [value, str(value), f" {value}", f"{value} ", f" {value} "]
    if abs(value) < 2**53:  # a float holds it exactly
        forms += [float(value), f"{value}.0"]
    return draw(st.sampled_from(forms))


@st.composite
def quirky_int(draw: st.DrawFn, strategy: st.SearchStrategy[int]) -> tuple[Any, int]:
    value = draw(strategy)
    return draw(int_forms(value)), value


def texts(max_size: int = 40) -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(max_size=max_size),
        st.sampled_from(["Hello! Thank you for Order! ", "Привет", "こんにちは 👋🏽", "a\nb\tc", "<b>x</b>", "\x00"]),
    )


def lone_surrogates() -> st.SearchStrategy[str]:
    """What ``"\\ud800"`` in a JSON string becomes: text SQLite cannot encode as UTF-8."""
    return st.builds(
        lambda a, s, b: a + s + b,
        st.text(max_size=5),
        st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF),
        st.text(max_size=5),
    )


# ------------------------------------------------------------------ dates


@st.composite
def php_dates(draw: st.DrawFn, account_tz: Any = UTC, nullable: bool = True) -> tuple[Any, datetime | None]:
    """A date as the gateway writes it and the instant it stands for (``account_tz`` for zone-less)."""
    if nullable and draw(st.integers(0, 5)) == 0:
        return draw(nulls()), None
    wall = draw(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2035, 12, 31)))
    precision = draw(st.sampled_from(["full", "micro", "seconds", "minutes", "day"]))
    if precision == "full":
        text = wall.strftime("%Y-%m-%d %H:%M:%S.%f")
    elif precision == "micro":
        wall = wall.replace(microsecond=0)
        text = wall.strftime("%Y-%m-%d %H:%M:%S") + ".000000"
    elif precision == "seconds":
        wall = wall.replace(microsecond=0)
        text = wall.strftime("%Y-%m-%d %H:%M:%S")
    elif precision == "minutes":
        wall = wall.replace(second=0, microsecond=0)
        text = wall.strftime("%Y-%m-%d %H:%M")
    else:
        wall = wall.replace(hour=0, minute=0, second=0, microsecond=0)
        text = wall.strftime("%Y-%m-%d")
    kind = draw(st.sampled_from(["type3", "type1", "type2", "zoneless_object", "string"]))
    if kind == "string":
        return text, wall.replace(tzinfo=account_tz).astimezone(UTC)
    if kind == "zoneless_object":
        return {"date": text}, wall.replace(tzinfo=account_tz).astimezone(UTC)
    if kind == "type3":
        name = draw(st.sampled_from(ZONE_NAMES))
        tz: Any = ZoneInfo(name)
        raw = {"date": text, "timezone_type": draw(st.sampled_from([3, "3"])), "timezone": name}
    elif kind == "type1":
        offset = draw(st.sampled_from(OFFSETS))
        sign = -1 if offset.startswith("-") else 1
        digits = offset[1:].replace(":", "")
        tz = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:] or 0)))
        raw = {"date": text, "timezone_type": 1, "timezone": offset}
    else:
        abbr = draw(st.sampled_from(sorted(ABBREVIATIONS)))
        tz = timezone(timedelta(minutes=ABBREVIATIONS[abbr]))
        raw = {"date": text, "timezone_type": 2, "timezone": abbr}
    return raw, wall.replace(tzinfo=tz).astimezone(UTC)


# ------------------------------------------------------------------ getallsms


@dataclass(frozen=True)
class MessageTruth:
    id: int
    status: int
    customer_id: int | None
    urgent: bool
    slot: int | None
    created: datetime | None
    body: str


@st.composite
def message_valid(draw: st.DrawFn, sms_id: int | None = None) -> tuple[dict[str, Any], MessageTruth]:
    sms_id = draw(gateway_ids()) if sms_id is None else sms_id
    raw: dict[str, Any] = {"id": draw(int_forms(sms_id))}
    raw["sendto"] = draw(
        st.one_of(
            st.sampled_from(
                ["+4912312312332", " +1 17642031984", "015752982212", "Vodafone", "22000", "00491701234567"]
            ),
            nulls(),
        )
    )
    body = draw(st.one_of(texts(), st.none()))
    if body is not None or draw(st.booleans()):
        raw["body"] = body
    status = draw(st.one_of(st.sampled_from(KNOWN_STATUSES), st.integers(0, 10**6)))
    raw["status"] = draw(int_forms(status))
    if status not in KNOWN_STATUSES or draw(st.booleans()):
        raw["statustitle"] = draw(st.one_of(texts(20), nulls()))
    device_key = draw(st.sampled_from(["deviceid", "device_id", None]))
    if device_key:
        raw[device_key] = draw(st.one_of(int_forms(draw(st.integers(1, 10**6))), nulls()))
    raw["urgent"], urgent = draw(
        st.sampled_from(
            [
                (None, False),
                (True, True),
                (False, False),
                (0, False),
                (1, True),
                ("0", False),
                ("1", True),
                ("null", False),
                ("true", True),
            ]
        )
    )
    kind = draw(st.sampled_from(["null", "zero", "int"]))
    if kind == "null":
        raw["customerid"], customer = draw(nulls()), None
    elif kind == "zero":
        raw["customerid"], customer = draw(st.sampled_from([0, "0", " 0"])), None
    else:
        customer = draw(st.integers(1, 2**31))
        raw["customerid"] = draw(int_forms(customer))
    slot: int | None = None
    if draw(st.booleans()):  # sim may be absent
        slot = draw(st.integers(0, 5))
        raw["sim"] = draw(st.sampled_from([slot, str(slot)]))
    raw["created"], created = draw(php_dates(nullable=False)) if draw(st.integers(0, 9)) else (None, None)
    for key in ("senttime", "timetosend"):
        raw[key] = draw(php_dates())[0]
    if draw(st.booleans()):
        paket = draw(st.one_of(nulls(), int_forms(draw(st.integers(1, 10**6)))))
        raw.update(
            paketid=paket, pakettitle=draw(st.one_of(nulls(), texts(20))), paketbody=draw(st.one_of(nulls(), texts(20)))
        )
    truth = MessageTruth(sms_id, status, customer, urgent, slot, created, "" if body is None else body)
    return raw, truth


@st.composite
def container(draw: st.DrawFn, entries: list[tuple[int, dict[str, Any]]]) -> tuple[str, Any]:
    """How a list arrives: ``("present", value)`` or ``("missing", None)`` when empty."""
    shape = draw(st.sampled_from(["keyed", "list", "keyed_spaced"]))
    if not entries:
        shape = draw(st.sampled_from(["list", "keyed", "missing", "null"]))
        if shape == "missing":
            return "missing", None
        if shape == "null":
            return "present", draw(nulls())
    if shape == "list":
        return "present", [e for _, e in entries]
    if shape == "keyed_spaced":
        return "present", {f" {i}": e for i, e in entries}
    return "present", {str(i): e for i, e in entries}


@st.composite
def getallsms_valid(draw: st.DrawFn, max_messages: int = 8) -> tuple[dict[str, Any], list[MessageTruth]]:
    drawn = draw(st.lists(message_valid(), max_size=max_messages, unique_by=lambda m: m[1].id))
    if drawn and draw(st.integers(0, 4)) == 0:  # the same message listed twice (a list, not keyed)
        drawn.append(drawn[0])
    truths = [t for _, t in drawn]
    payload: dict[str, Any] = {}
    payload.update(error_flag_ok(draw))
    count = len(drawn)
    if draw(st.booleans()):
        payload["count"] = draw(int_forms(count))
    payload["message"] = draw(st.sampled_from(["Ok", "", "OK"]))
    how, value = draw(container([(t.id, raw) for raw, t in drawn]))
    if how == "present":
        payload[draw(st.sampled_from(["smss", "smss", "sms"]))] = value
    return payload, truths


def error_flag_ok(draw: st.DrawFn) -> dict[str, Any]:
    flag = draw(st.sampled_from([0, "0", False, None, "missing", "false", " 0 "]))
    return {} if flag == "missing" else {"error": flag}


@st.composite
def count_valid(draw: st.DrawFn) -> tuple[dict[str, Any], int]:
    count = draw(st.integers(0, 10**6))
    payload = {**error_flag_ok(draw), "count": draw(int_forms(count)), "message": "Ok"}
    if draw(st.booleans()):
        payload["smss"] = []
    return payload, count


# ------------------------------------------------------------------ devices


@st.composite
def sim_valid(draw: st.DrawFn) -> dict[str, Any]:
    slot = draw(st.integers(0, 1))
    raw: dict[str, Any] = {
        "Slot": draw(st.sampled_from([str(slot), slot, f" {slot}"])),
        "IccId": draw(st.one_of(st.sampled_from(["89014103211118510720"]), nulls())),
        "Number": draw(st.one_of(st.sampled_from([" 15555215554", "+4915752982212", ""]), nulls())),
        "Roaming": draw(st.sampled_from(["0", "1", 0, 1, True, False, None])),
        "CountryIso": draw(st.one_of(st.sampled_from(["us", "de", "DE", ""]), nulls())),
        "CarrierName": draw(st.one_of(st.sampled_from(["Android (T-Mobile)", "Vodafone.de"]), nulls())),
    }
    if draw(st.integers(0, 5)) == 0:  # lower-case keys of another app version
        raw = {k.lower().replace("carriername", "carrier").replace("countryiso", "country"): v for k, v in raw.items()}
    return raw


@st.composite
def device_valid(draw: st.DrawFn, device_id: int | None = None) -> tuple[dict[str, Any], int]:
    device_id = draw(gateway_ids()) if device_id is None else device_id
    sims = draw(st.lists(sim_valid(), max_size=2))
    siminfo_shape = draw(st.sampled_from(["list", "keyed", "empty", "null", "missing"]))
    raw: dict[str, Any] = {
        "id": draw(int_forms(device_id)),
        "title": draw(st.one_of(texts(30), nulls())),
        "number": draw(st.one_of(nulls(), st.just("+4915752982212"))),
        "imei": draw(st.one_of(st.sampled_from(["358240051111110", "null"]), nulls())),
        "created": draw(php_dates())[0],
        "createdhumanformat": "28.03.2020 20:10:29",
        "lastseen": draw(php_dates())[0],
        "serialnumber": draw(st.one_of(st.just("EMULATOR30X0X5X0"), nulls())),
        "appversion": draw(st.one_of(st.just("12.1.21"), nulls())),
        "isappversionactual": draw(st.sampled_from([True, False, 0, 1, "1", None])),
        "delaybetweeneachsms": draw(st.one_of(nulls(), int_forms(draw(st.integers(0, 3600))))),
        "delaybetweenrequest": draw(st.one_of(nulls(), int_forms(draw(st.integers(0, 3600))))),
        "subscription": draw(st.sampled_from([True, False, None, 0, 1])),
    }
    if siminfo_shape == "list":
        raw["siminfo"] = sims
    elif siminfo_shape == "keyed":
        raw["siminfo"] = {str(i): s for i, s in enumerate(sims)}
    elif siminfo_shape == "empty":
        raw["siminfo"] = draw(st.sampled_from([[], {}, ""]))
    elif siminfo_shape == "null":
        raw["siminfo"] = draw(nulls())
    return raw, device_id


@st.composite
def getalldevices_valid(draw: st.DrawFn) -> tuple[dict[str, Any], list[int]]:
    drawn = draw(st.lists(device_valid(), max_size=3, unique_by=lambda d: d[1]))
    payload: dict[str, Any] = {**error_flag_ok(draw), "count": len(drawn)}
    how, value = draw(container([(i, raw) for raw, i in drawn]))
    if how == "present":
        payload[draw(st.sampled_from(["device", "devices"]))] = value
    return payload, [i for _, i in drawn]


@st.composite
def getdevicestatus_valid(draw: st.DrawFn) -> tuple[dict[str, Any], int]:
    device_id = draw(gateway_ids())
    payload = {
        "online": draw(st.sampled_from([False, True, 0, 1, "0", "1", None])),
        **error_flag_ok(draw),
        "message": "OK",
        "device_id": draw(int_forms(device_id)),
        "lastseen": draw(php_dates())[0],
        "diffseconds": draw(st.one_of(nulls(), int_forms(draw(st.integers(0, 10**9))))),
        "title": draw(st.one_of(texts(20), nulls())),
    }
    return payload, device_id


@st.composite
def getsmsstatus_valid(draw: st.DrawFn) -> tuple[dict[str, Any], int]:
    sms_id = draw(gateway_ids())
    status = draw(st.one_of(st.sampled_from(KNOWN_STATUSES), st.integers(0, 10**6)))
    payload = {
        **error_flag_ok(draw),
        "sms_id": draw(int_forms(sms_id)),
        "status": draw(int_forms(status)),
        "status_description": draw(st.one_of(texts(20), nulls())),
        "message": "Ok",
    }
    return payload, sms_id


# addsms, savetag, savecontact, savepaket: one id under one of the names the vendor used.
ID_KEYS = {
    "addsms": ("sms_id", "id"),
    "smstosend": ("sms_id", "id"),
    "savetag": ("tag_id", "id"),
    "savecontact": ("contact_id", "id"),
    "savepaket": ("paket_id", "paket", "id"),
}


@st.composite
def id_answer_valid(draw: st.DrawFn, method: str) -> tuple[dict[str, Any], int]:
    new_id = draw(gateway_ids())
    key = draw(st.sampled_from(ID_KEYS[method]))
    payload = {
        **error_flag_ok(draw),
        key: draw(int_forms(new_id)),
        "message": draw(st.sampled_from(["Sms has been saved successfully", "OK", "ok", ""])),
    }
    return payload, new_id


@st.composite
def addalotofsms_valid(draw: st.DrawFn) -> tuple[dict[str, Any], None]:
    return {**error_flag_ok(draw), "message": "Sms has been saved successfully"}, None


@st.composite
def gettoken_valid(draw: st.DrawFn) -> tuple[dict[str, Any], str]:
    token = draw(st.text(alphabet="abcdef0123456789", min_size=8, max_size=40))
    return {**error_flag_ok(draw), "token": draw(st.sampled_from([token, f" {token} "])), "message": ""}, token


@st.composite
def error_answer(draw: st.DrawFn) -> dict[str, Any]:
    """``error: 1`` with a message (a refusal, even with HTTP 200)."""
    flag = draw(st.sampled_from([1, "1", True, "true", " 1", "yes", 2, -1, "x", 1.5]))
    payload: dict[str, Any] = {"error": flag}
    if draw(st.integers(0, 4)):
        payload["message"] = draw(
            st.one_of(
                st.sampled_from(["Wrong token", "Device not found", "wrong password", "Limit reached", ""]),
                texts(30),
                nulls(),
                st.integers(),
                st.lists(st.integers(), max_size=2),
            )
        )
    return payload


VALID: dict[str, Callable[[], st.SearchStrategy[tuple[dict[str, Any], Any]]]] = {
    "getallsms": getallsms_valid,
    "onlycount": count_valid,
    "getalldevices": getalldevices_valid,
    "getdevicestatus": getdevicestatus_valid,
    "getsmsstatus": getsmsstatus_valid,
    "addsms": lambda: id_answer_valid("addsms"),
    "smstosend": lambda: id_answer_valid("smstosend"),
    "savetag": lambda: id_answer_valid("savetag"),
    "savecontact": lambda: id_answer_valid("savecontact"),
    "savepaket": lambda: id_answer_valid("savepaket"),
    "addalotofsms": addalotofsms_valid,
    "gettoken": gettoken_valid,
}

# ------------------------------------------------------------------ broken values and payloads

HUGE_INTS = st.one_of(
    st.integers(2**63, 2**200),
    st.integers(-(2**200), -(2**63) - 1),
    st.sampled_from([2**63, 2**64, -(2**63) - 1, 10**30, 10**4000]),
)
BAD_FLOATS = st.sampled_from(
    [float("nan"), float("inf"), float("-inf"), 1e308, -1e308, 1e19, 9.3e18, 0.5, -0.0, 1e-300]
)


def junk_scalars() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        HUGE_INTS,
        BAD_FLOATS,
        st.floats(allow_nan=True),
        texts(),
        lone_surrogates(),
        nulls(),
        st.sampled_from(
            [
                "1e308",
                "1e400",
                "nan",
                "inf",
                "-1",
                "0",
                "9223372036854775808",
                "99999999999999999999",
                "0x10",
                "1_000",
                "１２３",
                "½",
                "NaN",
                "--1",
                "+5",
                " ",
                "9999-12-31 23:59:59",
                "0001-01-01 00:00:00",
            ]
        ),
    )


def junk() -> st.SearchStrategy[Any]:
    return st.recursive(
        junk_scalars(),
        lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)),
        max_leaves=8,
    )


def deep(depth: int, leaf: Any = 1, kind: str = "list") -> Any:
    """Nesting as json.loads could have made it (built iteratively: no recursion here)."""
    value = leaf
    for _ in range(depth):
        value = [value] if kind == "list" else {"date": value}  # a tree, as JSON makes: never share a node
    return value


def junk_dates() -> st.SearchStrategy[Any]:
    """Dates that are not dates, or beyond what datetime holds once moved to UTC."""
    return st.one_of(
        junk(),
        st.fixed_dictionaries(
            {
                "date": st.sampled_from(
                    [
                        "9999-12-31 23:59:59.000000",
                        "0001-01-01 00:00:00",
                        "2023-13-45 99:99:99",
                        "yesterday",
                        "",
                        "2023-11-02T22:44:43Z",
                    ]
                ),
                "timezone_type": st.sampled_from([1, 2, 3, "3", None, 99]),
                "timezone": st.one_of(
                    st.sampled_from(
                        [
                            "-12:00",
                            "+14:00",
                            "+23:59",
                            "-23:59",
                            "+99:00",
                            "Mars/Olympus",
                            "../../etc/passwd",
                            "Europe",
                            "",
                            "\x00",
                            "a" * 300,
                            "+02:60",
                            "posixrules",
                        ]
                    ),
                    junk(),
                ),
            }
        ),
        st.sampled_from(["9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00", "9999-12-31 23:59:59"]),
    )


@st.composite
def mutated(draw: st.DrawFn, valid: st.SearchStrategy[tuple[dict[str, Any], Any]]) -> Any:
    """A valid answer with a few values replaced by junk, or keys removed, anywhere inside."""
    payload = copy.deepcopy(draw(valid)[0])
    for _ in range(draw(st.integers(1, 3))):
        slots: list[tuple[Any, Any]] = []
        stack: list[Any] = [payload]
        while stack:
            node = stack.pop()
            pairs = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
            for key, value in pairs:
                slots.append((node, key))
                if isinstance(value, (dict, list)):
                    stack.append(value)
        if not slots:
            break
        node, key = slots[draw(st.integers(0, len(slots) - 1))]
        op = draw(st.sampled_from(["junk", "junk", "date", "huge", "delete", "deep", "surrogate"]))
        if op == "delete" and isinstance(node, dict):
            del node[key]
        elif op == "date":
            node[key] = draw(junk_dates())
        elif op == "huge":
            node[key] = draw(st.one_of(HUGE_INTS, BAD_FLOATS, st.sampled_from(["9223372036854775808", "1e308"])))
        elif op == "surrogate":  # a text field with "\ud800" in it (json.loads keeps it)
            node[key] = draw(lone_surrogates())
        elif op == "deep":
            node[key] = deep(draw(st.integers(2, 400)), kind=draw(st.sampled_from(["list", "dict"])))
        else:
            node[key] = draw(junk())
    return payload


def broken_payloads(method: str) -> st.SearchStrategy[Any]:
    """JSON values (as json.loads returns them) that a reader of ``method`` may not accept."""
    return st.one_of(
        mutated(VALID[method]()),
        mutated(VALID[method]()),
        junk(),  # non-object JSON: lists, strings, numbers, null
        st.dictionaries(
            st.sampled_from(
                [
                    "error",
                    "message",
                    "smss",
                    "sms",
                    "device",
                    "count",
                    "id",
                    "sms_id",
                    "tag_id",
                    "contact_id",
                    "paket_id",
                    "paket",
                    "status",
                    "device_id",
                    "token",
                ]
            ),
            junk(),
            max_size=5,
        ),
        st.builds(
            lambda d, k: {"error": 0, k: deep(d)},
            st.integers(10, 500),
            st.sampled_from(["smss", "device", "sms_id", "count", "status", "token"]),
        ),
    )


# ------------------------------------------------------------------ bodies on the wire


@dataclass(frozen=True)
class Answer:
    """One HTTP answer of the fake gateway; ``truth`` is set when it must be read successfully."""

    status: int
    body: bytes
    content_type: str = "application/json"
    location: str | None = None
    truth: Any = None
    valid: bool = False

    def __repr__(self) -> str:  # failing examples print readably, even ~1 MB ones
        body = self.body if len(self.body) <= 300 else self.body[:200] + b"...<%d bytes>" % len(self.body)
        return f"Answer(status={self.status}, body={body!r}, content_type={self.content_type!r}, location={self.location!r})"


def to_json_bytes(value: Any, ensure_ascii: bool = True) -> bytes:
    # NaN/Infinity literals are what a PHP or JS server may emit; Python's json reads them.
    text = json.dumps(value, ensure_ascii=ensure_ascii, allow_nan=True)
    # ensure_ascii=False with a lone surrogate cannot be encoded: write it as PHP would (escaped)
    return text.encode("utf-8", "surrogatepass") if not ensure_ascii else text.encode("ascii")


HTML_PAGES = (
    b"<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center>"
    b"<hr><center>nginx</center></body></html>",
    b"<!DOCTYPE html><html><body>Cloudflare: checking your browser...</body></html>",
    b"  <?xml version='1.0'?><error>maintenance</error>",
    b'<br />\n<b>Fatal error</b>:  Uncaught PDOException in /var/www/api.php:12<br />{"error":0}',
)


@st.composite
def broken_bodies(draw: st.DrawFn, method: str) -> bytes:
    """Bytes that are not a readable JSON answer (or barely are)."""
    valid_body = to_json_bytes(draw(VALID[method]())[0])
    kind = draw(
        st.sampled_from(
            [
                "truncated",
                "utf8",
                "html",
                "empty",
                "deep_text",
                "huge",
                "garbage",
                "bom",
                "trailing",
                "json_junk",
                "huge_number",
            ]
        )
    )
    if kind == "truncated":
        return valid_body[: draw(st.integers(0, max(0, len(valid_body) - 1)))]
    if kind == "utf8":
        at = draw(st.integers(0, len(valid_body)))
        bad = draw(
            st.sampled_from(
                [b"\xff", b"\xfe\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\x80", b"\xc0\xaf"]
            )
        )
        return valid_body[:at] + bad + valid_body[at:]
    if kind == "html":
        return draw(st.sampled_from(HTML_PAGES))
    if kind == "empty":
        return draw(st.sampled_from([b"", b" ", b"\n", b"\r\n\r\n", b"\x00"]))
    if kind == "deep_text":
        depth = draw(st.sampled_from([100, 900, 1_000, 5_000, 100_000]))
        opener, closer = draw(st.sampled_from([(b"[", b"]"), (b'{"a":', b"}"), (b'{"smss":[', b"]}")]))
        inner = opener * depth + b"1" + closer * depth
        return draw(st.sampled_from([inner, b'{"error":0,"smss":' + inner + b',"sms_id":' + inner + b"}"]))
    if kind == "huge":
        size = draw(st.sampled_from([1 << 20, (1 << 20) + 7]))
        return draw(
            st.sampled_from(
                [
                    b'{"error":0,"message":"' + b"x" * size + b'"}',
                    b'{"error":0,"smss":{"1":{"id":1,"status":1,"sendto":"+1","body":"' + b"y" * size + b'"}}}',
                    b"[" + b"0," * (size // 2) + b"0]",
                    b" " * size + valid_body,
                    b"A" * size,
                ]
            )
        )
    if kind == "garbage":
        return draw(st.binary(max_size=200))
    if kind == "bom":
        return b"\xef\xbb\xbf" + valid_body
    if kind == "trailing":
        return valid_body + draw(st.sampled_from([b"}", b"<br>", b"\x00", b' {"error":1}']))
    if kind == "huge_number":
        return b'{"error":0,"count":' + b"9" * draw(st.sampled_from([19, 20, 400, 5000])) + b',"sms_id":1e999}'
    return to_json_bytes(draw(broken_payloads(method)), ensure_ascii=draw(st.booleans()))


STATUS_CODES = st.sampled_from(
    [200, 200, 200, 201, 204, 301, 302, 307, 308, 400, 401, 403, 404, 418, 429, 500, 502, 503, 504]
)


@st.composite
def valid_answer(draw: st.DrawFn, method: str) -> Answer:
    payload, truth = draw(VALID[method]())
    return Answer(200, to_json_bytes(payload, ensure_ascii=draw(st.booleans())), truth=truth, valid=True)


@st.composite
def broken_answer(draw: st.DrawFn, method: str) -> Answer:
    kind = draw(st.sampled_from(["body", "body", "payload", "error", "status"]))
    content_type = draw(st.sampled_from(["application/json", "text/html; charset=utf-8", "text/plain", ""]))
    if kind == "error":
        return Answer(200, to_json_bytes(draw(error_answer())), content_type)
    if kind == "payload":
        return Answer(200, to_json_bytes(draw(broken_payloads(method))), content_type)
    if kind == "status":
        status = draw(STATUS_CODES)
        body = draw(
            st.one_of(
                st.sampled_from(HTML_PAGES + (b"",)), st.builds(to_json_bytes, VALID[method]().map(lambda p: p[0]))
            )
        )
        location = draw(st.sampled_from([None, "/elsewhere/", "https://smsgateway24.example/getdata/x", "::bad"]))
        return Answer(status, body, content_type, location=location)
    return Answer(200, draw(broken_bodies(method)), content_type)


def answers(method: str) -> st.SearchStrategy[Answer]:
    """What the gateway may answer ``method``: valid with quirks, refusals and broken answers."""
    return st.one_of(valid_answer(method), broken_answer(method))


__all__ = [
    "Answer",
    "INT64_MAX",
    "VALID",
    "answers",
    "broken_answer",
    "broken_bodies",
    "broken_payloads",
    "deep",
    "error_answer",
    "getallsms_valid",
    "getalldevices_valid",
    "getdevicestatus_valid",
    "getsmsstatus_valid",
    "id_answer_valid",
    "junk",
    "message_valid",
    "mutated",
    "php_dates",
    "valid_answer",
]
