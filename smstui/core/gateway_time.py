"""Time on the wire: the one module that knows in which zone the gateway reads and writes dates.

The gateway's documents never say in which zone ``begindate``, ``enddate``, ``timetosend`` and
``time_to_send`` are read, and its answers mix forms (api.md "Dates and zones"): PHP DateTime
objects with ``timezone_type`` 3 (a zone name), 1 (one date's offset, ``+02:00``) or 2 (an
abbreviation), and plain strings with no zone at all. smstui follows five rules, all here:

1. **Date filters name their zone.** ``begindate``/``enddate`` are written on the clock of a
   zone that the request names with ``timezone`` (:func:`filter_fields`): the account's zone when
   known, else UTC. A gateway that honours the parameter (as documented) reads one instant
   whatever smstui believes about the account; one that ignored it would read the account's
   clock, which is the same instant as long as the learnt zone is right. Consecutive windows are
   written in one zone, so no belief about the account can open a hole between them.
2. **Every date is read by its own zone field** (:func:`read_date`): type 1 as that offset, type 2
   as that abbreviation, type 3 as that zone; a zone-less string in the account's zone (the
   vendor's zone-less ``senttime``/``timetosend`` are the account's wall clock).
3. **The account's zone is a zone name, learnt only from zone names.** :class:`AccountZone`
   takes it from the type-3 ``created`` of message listings that named no zone (a listing that
   names one is rendered in that one) and revises it whenever a listing says otherwise (the user
   can change it in the vendor's settings). An offset seen on one date is never taken as the
   account's zone: ``+02:00`` is Paris in summer and wrong all winter. A profile's
   ``account_timezone`` overrides what is learnt.
4. **Send times are written in the account's zone with its DST rules** (:func:`format_timetosend`,
   :func:`format_paket_time`; zoneinfo, never a fixed offset), since those fields take no zone.
   While the zone is unknown (a new account with no messages yet) the machine's zone stands in,
   unless a gateway date contradicts it (:meth:`AccountZone.stand_in_problem`): then no send
   time is written and the caller is told to set ``account_timezone``.
5. **The user's zone is the system's IANA zone** (:func:`local_zone`: tzlocal, which reads ``TZ``
   and /etc/localtime), overridable by the config's ``[ui] timezone``. Wall times the user types
   are read in it, with its DST rules (see :mod:`smstui.core.timeparse` for the gap and the fold).

This module does no I/O except reading the system's zone; the client asks it how to write and
read, and the session persists what :class:`AccountZone` learns.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

UTC = UTC
FILTER_ZONE = "UTC"  # the zone every date filter is written in and named with
GATEWAY_FORMAT = "%Y-%m-%d %H:%M:%S"  # begindate, enddate, timetosend
PAKET_FORMAT = "%d.%m.%Y %H:%M:%S"  # savepaket's time_to_send

_OFFSET = re.compile(r"^(?:UTC|GMT)?([+-])(\d{1,2}):?(\d{2})?$", re.IGNORECASE)
_NULLS = {"", "null", "none", "nil", "undefined"}
# PHP's timezone_type 2 uses abbreviations; these are the ones a European/US account shows.
_ABBREVIATIONS = {
    "UTC": 0,
    "GMT": 0,
    "Z": 0,
    "WET": 0,
    "WEST": 60,
    "BST": 60,
    "CET": 60,
    "CEST": 120,
    "EET": 120,
    "EEST": 180,
    "MSK": 180,
    "EST": -300,
    "EDT": -240,
    "CST": -360,
    "CDT": -300,
    "MST": -420,
    "MDT": -360,
    "PST": -480,
    "PDT": -420,
}
_ISO_NAIVE = re.compile(r"\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)?")
_DATE_FORMATS = ("%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d")


class ZoneError(ValueError):
    """A zone name that is not a zone; the message says what to write instead."""


class AccountZoneUnknown(ZoneError):
    """The account's zone is unknown and the machine's cannot stand in for it."""


# ------------------------------------------------------------------ zones by name


def zone_by_name(name: str) -> ZoneInfo:
    """An IANA zone (``Europe/Berlin``), or :class:`ZoneError` with a sentence for the user."""
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ZoneError(f"unknown time zone {name!r}; use an IANA name like 'Europe/Berlin' or 'UTC'") from None


def zone_key(tz: tzinfo | None) -> str | None:
    """The IANA name of a zone (None for fixed offsets, which are not a zone)."""
    key = getattr(tz, "key", None)
    if isinstance(key, str) and key:
        return key
    return "UTC" if tz is UTC else None


@lru_cache(maxsize=64)
def php_zone(name: str) -> tzinfo:
    """A tzinfo for a PHP ``timezone`` field: an offset (type 1), abbreviation (2) or name (3)."""
    text = name.strip()
    match = _OFFSET.match(text)
    if match:
        sign, hours, minutes = match.groups()
        if int(minutes or 0) > 59:
            raise ValueError(f"unknown time zone {name!r}")
        delta = timedelta(hours=int(hours), minutes=int(minutes or 0))
        return timezone(-delta if sign == "-" else delta)
    if text.upper() in _ABBREVIATIONS:
        return timezone(timedelta(minutes=_ABBREVIATIONS[text.upper()]))
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}") from None


_local_cache: dict[str | None, ZoneInfo] = {}
_configured_user_zone: str | None = None


def configure_user_zone(name: str | None) -> None:
    """The config's ``[ui] timezone`` (checked when the config was read); None: the system's."""
    global _configured_user_zone
    _configured_user_zone = name or None
    _local_cache.clear()


def local_zone(override: str | None = None) -> ZoneInfo:
    """The user's zone: ``override``, else the configured one (:func:`configure_user_zone`),
    else the system's IANA zone (``TZ``, /etc/localtime).

    Never a fixed offset: "09:00 on 1 April" typed in Berlin in winter is 07:00 UTC, not 08:00.
    A system without a zone database entry (a bare container) is UTC.
    """
    override = override or _configured_user_zone
    zone = _local_cache.get(override)
    if zone is None:
        if override:
            zone = zone_by_name(override)
        else:
            zone = _system_zone()
        _local_cache[override] = zone
    return zone


def _system_zone() -> ZoneInfo:
    import tzlocal  # ~10 ms; only when a wall time is read or written

    try:
        found = tzlocal.get_localzone()
    except Exception:  # tzlocal raises its own errors for broken setups: fall back, never crash
        return ZoneInfo("UTC")
    key = zone_key(found)
    if key:
        try:
            return ZoneInfo(key)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return ZoneInfo("UTC")


def forget_local_zone() -> None:
    """Read the system's zone again on next use (tests change ``TZ``; so can a long session)."""
    _local_cache.clear()
    import sys

    if "tzlocal" in sys.modules:
        sys.modules["tzlocal"].reload_localzone()  # tzlocal keeps its own cache


# ------------------------------------------------------------------ reading


def _is_null(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip().lower() in _NULLS)


def _parse_naive(text: str) -> datetime:
    text = text.strip().replace("T", " ")
    # fromisoformat is ~20x faster than strptime and a sync reads thousands of dates; the
    # pattern keeps it to exactly the forms of _DATE_FORMATS (it accepts more, e.g. offsets).
    if _ISO_NAIVE.fullmatch(text):
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            pass  # e.g. month 13: strptime says so below
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    raise ValueError(f"not a date: {text!r}")


def _php_date(raw: str) -> datetime | None:
    """PHP's own form of a date object's ``date`` ("2024-05-01 12:00:00.000000"), read as
    :func:`_parse_naive` reads it but without its detours (a sync reads ~1.5 dates a message);
    None for anything else, which goes the long way."""
    # The separators at 4, 7, 10, 13, 16 and 19: not, e.g., an ISO week date, which fromisoformat
    # reads and the long way refuses.
    if len(raw) != 26 or raw[4:20:3] != "-- ::.":
        return None
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is None else None


def read_date(value: Any, account_tz: tzinfo = UTC) -> datetime | None:
    """A PHP DateTime object or a date string as an aware datetime; None for null.

    The object's own ``timezone`` field decides (rule 2); ``account_tz`` only serves dates that
    carry no zone at all.
    """
    if value is None:
        return None
    # dict first: isinstance against the Mapping ABC costs more than the rest of a cheap date.
    if type(value) is dict or isinstance(value, Mapping):
        raw = value.get("date")
        naive = _php_date(raw) if type(raw) is str else None
        if naive is None:
            if _is_null(raw):
                return None
            naive = _parse_naive(str(raw))
        name = value.get("timezone")
        tz = account_tz if _is_null(name) else php_zone(str(name))
        return _aware(naive, tz)
    if _is_null(value):
        return None
    if isinstance(value, str):
        text = value.strip()
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            parsed = _parse_naive(text)
        return _to_utc(parsed) if parsed.tzinfo else _aware(parsed, account_tz)
    raise ValueError(f"not a date: {value!r}")


# A day's UTC offset per (zone, date), when the zone keeps one offset all that day (None when
# it changes that day: those dates are converted one by one). A sync reads ~1.5 dates per
# message, and zoneinfo's own lookup was most of the cost of each (bench/first_sync.py).
_day_offsets: dict[tuple[tzinfo, int], timedelta | None] = {}
_NOT_YET = timedelta(days=2)  # no zone is that far off: "not looked up yet"


def _aware(naive: datetime, tz: tzinfo) -> datetime:
    # A wall time in a DST fold is read as its first occurrence (fold=0), as PHP does. The
    # result is the instant in UTC: two datetimes sharing one ZoneInfo subtract and compare by
    # wall clock in Python, which is an hour wrong across a DST change.
    key = (tz, naive.toordinal())
    offset = _day_offsets.get(key, _NOT_YET)
    if offset is _NOT_YET:
        offset = _day_offset(naive, tz)
        if len(_day_offsets) > 20_000:
            _day_offsets.clear()
        _day_offsets[key] = offset
    if offset is None:
        return _to_utc(naive.replace(tzinfo=tz))
    try:
        return (naive - offset).replace(tzinfo=UTC)
    except OverflowError:
        raise ValueError(f"date out of range: {naive.isoformat()}") from None


def _day_offset(naive: datetime, tz: tzinfo) -> timedelta | None:
    """The offset ``tz`` has all day on ``naive``'s date, or None if it changes during it
    (read at its start, noon and end: zones change at most once a day)."""
    day = naive.replace(hour=0, minute=0, second=0, microsecond=0, fold=0, tzinfo=tz)
    offsets = {
        when.utcoffset()
        for when in (day, day.replace(hour=12), day.replace(hour=23, minute=59, second=59, microsecond=999_999))
    }
    return offsets.pop() if len(offsets) == 1 else None


def _to_utc(when: datetime) -> datetime:
    try:
        return when.astimezone(UTC)
    except OverflowError:
        # "9999-12-31 23:59:59" at -12:00 is after datetime.max in UTC (and 0001-01-01 at +14:00
        # before datetime.min): no instant Python can hold, so a bad date like any other.
        raise ValueError(f"date out of range: {when.isoformat()}") from None


def zone_name_of(value: Any) -> str | None:
    """The zone name of a PHP DateTime object of ``timezone_type`` 3, else None (offsets and
    abbreviations say nothing about the account's zone)."""
    # Read for every message of every listing, on the sync's loop: the usual int 3 and dict
    # first, and each name's answer kept (a listing has one or two).
    if not (type(value) is dict or isinstance(value, Mapping)):
        return None
    kind = value.get("timezone_type", "")
    if not (kind == 3 if type(kind) is int else str(kind).strip() == "3"):
        return None
    name = value.get("timezone")
    if not isinstance(name, str):
        return None
    known = _zone_names.get(name, "")  # one lookup: another thread may clear it in between
    if known != "":  # "" is never kept: a blank name is kept as None
        return known
    stripped = name.strip()
    known = stripped if stripped and not _OFFSET.match(stripped) else None
    if len(_zone_names) > 256:
        _zone_names.clear()
    _zone_names[name] = known
    return known


_zone_names: dict[str, str | None] = {}


# ------------------------------------------------------------------ writing


def filter_fields(begin: datetime | None, end: datetime | None, zone: tzinfo | None = None) -> dict[str, str]:
    """``begindate``/``enddate`` on ``zone``'s clock (UTC when None) and ``timezone`` naming it
    (rule 1); {} for no dates."""
    name = zone_key(zone) or FILTER_ZONE
    tz = zone if name != FILTER_ZONE and zone is not None else UTC
    fields: dict[str, str] = {}
    if begin is not None:
        fields["begindate"] = _in_zone(begin, tz).strftime(GATEWAY_FORMAT)
    if end is not None:
        fields["enddate"] = _in_zone(end, tz).strftime(GATEWAY_FORMAT)
    if fields:
        fields["timezone"] = name
    return fields


def _in_zone(when: datetime, zone: tzinfo) -> datetime:
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError("times sent to the gateway must be timezone-aware")
    return when.astimezone(zone)


def format_timetosend(when: datetime, zone: tzinfo) -> str:
    """``YYYY-MM-DD HH:MM:SS`` on the account's wall clock (addsms's ``timetosend``)."""
    return _in_zone(when, zone).strftime(GATEWAY_FORMAT)


def format_paket_time(when: datetime, zone: tzinfo) -> str:
    """``DD.MM.YYYY HH:MM:SS`` on the account's wall clock (savepaket's ``time_to_send``)."""
    return _in_zone(when, zone).strftime(PAKET_FORMAT)


def offset_text(delta: timedelta | None) -> str:
    """``+02:00`` / ``-05:30`` for a UTC offset (None: ``+00:00``)."""
    minutes = int((delta or timedelta(0)) / timedelta(minutes=1))
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


# ------------------------------------------------------------------ the account's zone

SOURCE_CONFIG = "config"
SOURCE_GATEWAY = "gateway"  # learnt from zone names in the gateway's listings

ZoneListener = Callable[[str], None]


class AccountZone:
    """The gateway account's zone as far as smstui knows it (rule 3).

    ``configured`` (the profile's ``account_timezone``) always wins. Otherwise the zone is what
    the latest listing without a ``timezone`` parameter showed in its type-3 ``created`` names
    (the most common one, so a single odd date cannot flip it); ``on_learn`` is told about every
    change so the session can keep it for the next run.
    """

    def __init__(
        self,
        configured: str | None = None,
        learnt: str | None = None,
        *,
        on_learn: ZoneListener | None = None,
        local: Callable[[], ZoneInfo] = local_zone,
    ) -> None:
        self._configured = zone_by_name(configured) if configured else None
        self._learnt: ZoneInfo | None = None
        if learnt:
            try:
                self._learnt = zone_by_name(learnt)
            except ZoneError:
                self._learnt = None  # e.g. an offset an older smstui stored: never a zone
        self.on_learn = on_learn
        self._local = local
        # A gateway date with a fixed offset (device status, type 1): not a zone, but a fact a
        # stand-in zone must agree with.
        self._evidence: datetime | None = None

    def __repr__(self) -> str:
        return f"AccountZone({zone_key(self.zone)!r}, source={self.source!r})"

    @property
    def zone(self) -> ZoneInfo | None:
        return self._configured or self._learnt

    @property
    def known(self) -> bool:
        return self.zone is not None

    @property
    def source(self) -> str | None:
        if self._configured is not None:
            return SOURCE_CONFIG
        return SOURCE_GATEWAY if self._learnt is not None else None

    def observe_offset(self, value: Any) -> None:
        """Keep a raw gateway date of ``timezone_type`` 1 (an offset): evidence, never the zone."""
        if not isinstance(value, Mapping) or str(value.get("timezone_type", "")).strip() != "1":
            return
        try:
            naive = _parse_naive(str(value["date"]))
            evidence = naive.replace(tzinfo=php_zone(str(value["timezone"])))
            _to_utc(evidence)  # stand_in_problem converts it: a date past datetime.max is no evidence
        except (KeyError, ValueError, TypeError):
            return
        self._evidence = evidence

    def stand_in_problem(self) -> str | None:
        """Why the machine's zone cannot stand in for the unknown account zone, or None."""
        if self.zone is not None or self._evidence is None:
            return None
        local = self._local()
        seen = self._evidence.utcoffset()
        mine = self._evidence.astimezone(local).utcoffset()
        if seen == mine:
            return None
        return (
            "smstui does not know the time zone of your gateway account yet (it has no messages "
            f"that name it), and the gateway's dates show UTC{offset_text(seen)} on "
            f"{self._evidence.strftime('%Y-%m-%d')} where this computer's zone ({local.key}) had "
            f"UTC{offset_text(mine)}. Set account_timezone in the profile to the zone of your "
            'SMSGateway24 account (an IANA name, e.g. account_timezone = "Australia/Sydney"), so '
            "that send times are right."
        )

    def for_writing(self) -> ZoneInfo:
        """The zone to write ``timetosend``/``time_to_send`` in: the account's, else the
        machine's when no gateway date contradicts it, else :class:`AccountZoneUnknown`."""
        if self.zone is not None:
            return self.zone
        problem = self.stand_in_problem()
        if problem:
            raise AccountZoneUnknown(problem)
        return self._local()

    def for_reading(self) -> tzinfo:
        """The zone of dates that carry none (the machine's while unknown: the usual setting)."""
        return self.zone or self._local()

    def set_learnt(self, name: str | None) -> bool:
        """Take ``name`` as the learnt zone; True when it changed (``on_learn`` is told)."""
        if not name:
            return False
        try:
            zone = zone_by_name(name)
        except ZoneError:
            return False
        if self._learnt is not None and self._learnt.key == zone.key:
            return False
        self._learnt = zone
        if self.on_learn is not None:
            self.on_learn(zone.key)
        return True

    def observe(self, raw_messages: Iterable[Mapping[str, Any]], named_zone: str | None) -> bool:
        """Learn from a listing's raw messages; ``named_zone`` is the ``timezone`` it was asked in.

        Dates of a listing asked in zone Z are rendered in Z, so they say nothing about the
        account unless they name another zone than Z.
        """
        raw_messages = list(raw_messages)
        if named_zone is None and self.zone is None:
            for raw in raw_messages[:50]:
                self.observe_offset(raw.get("created"))
        names = Counter(
            name
            for raw in raw_messages
            if (name := zone_name_of(raw.get("created"))) is not None and name != named_zone
        )
        if not names:
            return False
        return self.set_learnt(names.most_common(1)[0][0])


__all__ = [
    "AccountZone",
    "AccountZoneUnknown",
    "FILTER_ZONE",
    "GATEWAY_FORMAT",
    "PAKET_FORMAT",
    "ZoneError",
    "configure_user_zone",
    "filter_fields",
    "forget_local_zone",
    "format_paket_time",
    "format_timetosend",
    "local_zone",
    "offset_text",
    "php_zone",
    "read_date",
    "zone_by_name",
    "zone_key",
    "zone_name_of",
]
