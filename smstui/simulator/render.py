"""Turn simulator state into the gateway's JSON shapes (see /shared/fixtures and api.md).

Key order and quirks follow the vendor's examples: PHP DateTime objects for dates, objects keyed
by id, ``sim`` sometimes absent, ``deviceid`` as a string and ``timezone_type`` 1 for devices on an
older server build.

One listing mixes the date forms the vendor's documents show (api.md "Dates and zones";
/shared/fixtures/getallsms.mixed_zones.json), picked by message id so answers are repeatable:
type 3 (a zone name: the zone the request named, else the account's), type 1 (that zone's
offset on that date, never the account's zone), and plain strings with no zone, which are the
account's wall clock whatever the request named. ``sim`` comes as a number, a string or not at all.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from smstui.simulator.records import Msg, SimDevice
from smstui.simulator.state import STATUS_TITLES, UPLOAD_MARK, SimState, zone

UTC = UTC


def php_date(ts: float, zone_name: str, *, offset: bool = False) -> dict[str, Any]:
    """A PHP DateTime as json_encode writes it; ``offset`` gives timezone_type 1 ("+02:00")."""
    ts = int(ts)
    shift = _utc_offset(zone_name, ts)
    local = ts + shift
    day, secs = divmod(local, 86_400)
    prefix = _day_prefix(day)
    date = f"{prefix}{secs // 3600:02d}:{secs // 60 % 60:02d}:{secs % 60:02d}.000000"
    if offset:
        return {"date": date, "timezone_type": 1, "timezone": _offset_text(shift)}
    return {"date": date, "timezone_type": 3, "timezone": zone_name}


# Rendering 100k dates through zoneinfo is the hot spot of a big getallsms; zone offsets only
# change at whole quarter hours, so cache them per 15 minutes and the date part per day.
_offsets: dict[tuple[str, int], int] = {}
_days: dict[int, str] = {}


def _utc_offset(zone_name: str, ts: int) -> int:
    key = (zone_name, ts // 900)
    shift = _offsets.get(key)
    if shift is None:
        if len(_offsets) > 200_000:
            _offsets.clear()
        tz = UTC if zone_name == "UTC" else zone(zone_name)
        start = _offset_at(key[1] * 900, tz)
        if start != _offset_at(key[1] * 900 + 899, tz):
            return _offset_at(ts, tz)  # a transition off the quarter hour: no caching
        shift = _offsets[key] = start
    return shift


def _offset_at(ts: int, tz: Any) -> int:
    delta = datetime.fromtimestamp(ts, tz).utcoffset()
    return int(delta.total_seconds()) if delta else 0


def _day_prefix(day: int) -> str:
    prefix = _days.get(day)
    if prefix is None:
        prefix = _days[day] = datetime.fromtimestamp(day * 86_400, UTC).strftime("%Y-%m-%d ")
    return prefix


def _offset_text(shift: int) -> str:
    sign = "-" if shift < 0 else "+"
    shift = abs(shift)
    return f"{sign}{shift // 3600:02d}:{shift // 60 % 60:02d}"


def human(ts: float) -> str:
    return datetime.fromtimestamp(int(ts), UTC).strftime("%d.%m.%Y %H:%M:%S")


def status_title(status: int) -> str:
    return STATUS_TITLES.get(status, f"Status {status}")


def zoneless(ts: float, account_zone: str) -> str:
    """A date as a plain string on the account's wall clock (the vendor's zone-less form)."""
    return php_date(ts, account_zone)["date"][:19]


def message(state: SimState, m: Msg, zone_name: str, account_zone: str | None = None) -> dict[str, Any]:
    dev = state.devices.get(m.device_id)
    legacy = dev is not None and dev.legacy_format
    account_zone = account_zone or zone_name
    created: dict[str, Any] | str = (
        zoneless(m.created, account_zone)
        if m.id % 13 == 5
        else php_date(m.created, zone_name, offset=legacy or m.id % 7 == 3)
    )
    timetosend: dict[str, Any] | str | None
    if m.timetosend is not None:
        if m.id % 3 == 1:
            timetosend = zoneless(m.timetosend, account_zone)
        else:
            timetosend = php_date(m.timetosend, zone_name, offset=legacy)
    elif m.timetosend_echo:
        timetosend = created
    else:
        timetosend = None
    paket = state.pakets.get(m.paket_id) if m.paket_id is not None else None
    out: dict[str, Any] = {
        "id": m.id,
        "sendto": m.phone,
        "body": (state.upload_url(m.body[len(UPLOAD_MARK) :]) if m.body.startswith(UPLOAD_MARK) else m.body),
        "customerid": m.customerid,
        "status": m.status,
        "statustitle": status_title(m.status),
        "deviceid": str(m.device_id) if legacy else m.device_id,
        "urgent": m.urgent,
        "created": created,
        "senttime": None
        if m.senttime is None
        else (zoneless(m.senttime, account_zone) if m.id % 5 == 2 else php_date(m.senttime, zone_name, offset=legacy)),
        "timetosend": timetosend,
    }
    if m.sim is not None:
        out["sim"] = str(m.sim) if m.id % 11 == 4 else m.sim
    out["paketid"] = m.paket_id
    out["pakettitle"] = paket.title if paket else None
    out["paketbody"] = paket.body if paket else None
    return out


def device(state: SimState, d: SimDevice) -> dict[str, Any]:
    seen = state.last_seen(d)
    return {
        "id": d.id,
        "title": d.title,
        "number": d.number,
        "imei": d.imei,
        "created": php_date(d.created, "UTC"),
        "createdhumanformat": human(d.created),
        "lastseen": php_date(seen, "UTC"),
        "lastseenhumanformat": human(seen),
        "serialnumber": d.serialnumber,
        "siminfo": [dict(s) for s in d.siminfo],
        "appversion": d.appversion,
        "isappversionactual": d.isappversionactual,
        "delaybetweeneachsms": d.delaybetweeneachsms,
        "delaybetweenrequest": d.delaybetweenrequest,
        "subscription": d.subscription,
    }


def device_status(state: SimState, d: SimDevice, zone_name: str) -> dict[str, Any]:
    seen = state.last_seen(d)
    return {
        "online": d.online,
        "error": 0,
        "message": "OK",
        "device_id": d.id,
        "lastseen": php_date(seen, zone_name, offset=True),
        "diffseconds": max(0, int(state.now()) - seen),
        "title": d.title,
    }
