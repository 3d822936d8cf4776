"""One function per gateway method: string fields in, a JSON-ready dict out.

No HTTP here: the server hands over the merged query/form fields (all strings, as on the wire)
and an optional uploaded file. Bad input raises :class:`SimError`, which the server turns into the
gateway's ``{"error":1,"message":...}`` with HTTP 200.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from smstui.simulator import render
from smstui.simulator.records import Account, MessageQuery, NewSms
from smstui.simulator.state import MAX_UPLOAD_BYTES, SimError, SimState, zone

Fields = dict[str, str]


@dataclass(frozen=True, slots=True)
class Upload:
    data: bytes
    filename: str


@dataclass(frozen=True, slots=True)
class Call:
    state: SimState
    fields: Fields
    upload: Upload | None = None
    base_url: str = "http://127.0.0.1/"  # the server's own address, for upload URLs


# Method aliases seen in the vendor's documents.
ALIASES = {"getsmslist": "getallsms", "getdevicelist": "getalldevices"}


def canonical(method: str) -> str:
    method = method.strip().lower()
    return ALIASES.get(method, method)


# ---- field parsing ----------------------------------------------------------------------------
def required(fields: Fields, *names: str) -> str:
    for name in names:
        value = fields.get(name)
        if value is not None and value.strip() != "":
            return value
    raise SimError(f"Missing required field: {names[0]}")


def optional(fields: Fields, name: str) -> str | None:
    value = fields.get(name)
    if value is None or value.strip() == "":
        return None
    return value.strip()


def as_int(value: Any, name: str) -> int:
    try:
        if isinstance(value, bool):
            raise ValueError
        if isinstance(value, float) and value.is_integer():
            return int(value)
        return int(str(value).strip())
    except (TypeError, ValueError) as exc:
        raise SimError(f"Wrong value for {name}: expected a whole number") from exc


def optional_int(fields: Fields, name: str) -> int | None:
    value = optional(fields, name)
    return None if value is None else as_int(value, name)


def given(value: Any) -> bool:
    """A field that is there and not blank; an item of ``addalotofsms`` may hold JSON numbers."""
    return value is not None and str(value).strip() != ""


def item_int(fields: dict[str, Any], name: str) -> int | None:
    """:func:`optional_int` for a field of a form or of a JSON item."""
    value = fields.get(name)
    return as_int(value, name) if given(value) else None


def parse_sim(value: Any) -> int:
    sim = as_int(value, "sim")
    if sim not in range(6):
        raise SimError("Wrong sim: use 0 or 1 (SIM slots), 2 or 3 (WhatsApp), 4 or 5 (RCS)")
    return sim


_DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d")


def parse_date(text: str, zone_name: str, name: str, *, end_of_day: bool = False) -> int:
    """``YYYY-MM-DD[ HH:MM[:SS]]`` in ``zone_name``; a bare date as an end bound is inclusive."""
    text = text.strip()
    for fmt in _DATE_FORMATS:
        try:
            dt = datetime.strptime(text, fmt)
        except ValueError:
            continue
        if fmt == "%Y-%m-%d" and end_of_day:
            dt = dt.replace(hour=23, minute=59, second=59)
        return int(dt.replace(tzinfo=zone(zone_name)).timestamp())
    raise SimError(f"Wrong date format for {name}: use YYYY-MM-DD or YYYY-MM-DD HH:MM:SS")


def parse_urgent(value: Any) -> bool | int | None:
    if value is None or str(value).strip() == "":
        return None
    v = str(value).strip().lower()
    if v in ("1", "true"):
        return True  # the service echoes it as JSON true
    if v in ("0", "false"):
        return 0
    raise SimError("Wrong value for urgent: use 0 or 1")


def split_numbers(sendto: str) -> list[str]:
    numbers = [n.strip() for n in sendto.split(",") if n.strip()]
    if not numbers:
        raise SimError("Missing required field: sendto")
    for n in numbers:
        if not re.search(r"\d", n):
            raise SimError(f"Wrong phone number: {n}")
    return numbers


def parse_device(value: Any) -> int:
    text = str(value).strip()
    if not text.isdigit():
        # Sender ID names exist on some accounts; the simulator's accounts have none.
        raise SimError(f"Device not found: {text}")
    return int(text)


# ---- image upload -----------------------------------------------------------------------------
def sniff_image(data: bytes) -> tuple[str, str] | None:
    """(extension, content type) from the magic bytes, or None for anything else."""
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg", "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png", "image/png"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif", "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp", "image/webp"
    return None


def store_upload(call: Call, sim: int) -> str:
    assert call.upload is not None
    if sim not in (2, 3):
        raise SimError("Files can only be sent with WhatsApp (sim 2 or 3)")
    data = call.upload.data
    if not data:
        raise SimError("The uploaded file is empty")
    if len(data) > MAX_UPLOAD_BYTES:
        raise SimError("The uploaded file is too large (max 5 MB)")
    kind = sniff_image(data)
    if kind is None:
        raise SimError("Wrong file type: only jpeg, png, webp and gif images are allowed")
    ext, content_type = kind
    name = f"{hashlib.sha256(data).hexdigest()}.{ext}"
    call.state.add_upload(name, data, content_type)
    return f"{call.base_url.rstrip('/')}/uploads/{name}"


# ---- shared pieces ----------------------------------------------------------------------------
def authed(call: Call) -> Account:
    return call.state.account_for_token(required(call.fields, "token"))


def new_sms_items(call: Call, account: Account, fields: dict[str, Any], *, allow_file: bool) -> list[NewSms]:
    sendto = fields.get("sendto")
    if not given(sendto):
        raise SimError("Missing required field: sendto")
    numbers = split_numbers(str(sendto))
    device_raw = fields.get("device_id")
    if not given(device_raw):
        raise SimError("Missing required field: device_id")
    device_id = parse_device(device_raw)
    sim_raw = fields.get("sim")
    sim = parse_sim(sim_raw) if given(sim_raw) else 0
    body = "" if fields.get("body") is None else str(fields["body"])
    if allow_file and call.upload is not None:
        call.state.device_for(account, device_id)  # refuse before storing the file
        body = store_upload(call, sim)
    if body.strip() == "":
        raise SimError("Missing required field: body")
    tts_raw = fields.get("timetosend")
    timetosend = None
    if tts_raw is not None and str(tts_raw).strip() not in ("", "0"):
        timetosend = parse_date(str(tts_raw), account.timezone, "timetosend")
    customerid = item_int(fields, "customerid")
    template_id = item_int(fields, "template_id")
    urgent = parse_urgent(fields.get("urgent"))
    return [
        NewSms(
            phone=n,
            body=body,
            device_id=device_id,
            sim=sim,
            timetosend=timetosend,
            customerid=customerid,
            urgent=urgent,
            template_id=template_id,
        )
        for n in numbers
    ]


SAVED = "Sms has been saved successfully"


# ---- methods ----------------------------------------------------------------------------------
def gettoken(call: Call) -> dict[str, Any]:
    email = required(call.fields, "email", "login")
    password = required(call.fields, "pass", "password")
    return {"error": 0, "token": call.state.login(email, password), "message": ""}


def addsms(call: Call) -> dict[str, Any]:
    account = authed(call)
    items = new_sms_items(call, account, dict(call.fields), allow_file=True)
    ids = call.state.queue(account, items)
    return {"error": 0, "sms_id": ids[0], "message": SAVED}


def smstosend(call: Call) -> dict[str, Any]:
    account = call.state.account_for_credentials(
        required(call.fields, "email", "login"), required(call.fields, "pass", "password")
    )
    items = new_sms_items(call, account, dict(call.fields), allow_file=False)
    ids = call.state.queue(account, items)
    return {"error": 0, "sms_id": ids[0], "message": SAVED}


def addalotofsms(call: Call) -> dict[str, Any]:
    raw = required(call.fields, "datajson")
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise SimError("Wrong datajson: not valid JSON") from exc
    if not isinstance(data, dict):
        raise SimError("Wrong datajson: expected an object with token and smsdata")
    token = data.get("token") or call.fields.get("token")
    if not token:
        raise SimError("Missing required field: token")
    account = call.state.account_for_token(str(token))
    smsdata = data.get("smsdata")
    if not isinstance(smsdata, list) or not smsdata:
        raise SimError("Wrong datajson: smsdata must be a non-empty list")
    items: list[NewSms] = []
    for index, entry in enumerate(smsdata):
        if not isinstance(entry, dict):
            raise SimError(f"Wrong smsdata item {index}: expected an object")
        try:
            more = new_sms_items(call, account, entry, allow_file=False)
            call.state.device_for(account, more[0].device_id)
            items.extend(more)
        except SimError as exc:
            raise SimError(f"Wrong smsdata item {index}: {exc}") from exc
    call.state.queue(account, items)
    return {"error": 0, "message": SAVED}


def getallsms(call: Call) -> dict[str, Any]:
    account = authed(call)
    f = call.fields
    # The vendor documents the parameter; ``timezone_param = False`` models a service that
    # ignores it (bounds read and dates shown on the account's clock): a client must survive both.
    zone_name = (optional(f, "timezone") if call.state.timezone_param else None) or account.timezone
    zone(zone_name)
    begin = optional(f, "begindate")
    end = optional(f, "enddate")
    q = MessageQuery(
        device_id=None if optional(f, "device_id") is None else parse_device(f["device_id"]),
        status=optional_int(f, "status"),
        begin=None if begin is None else parse_date(begin, zone_name, "begindate"),
        end=None if end is None else parse_date(end, zone_name, "enddate", end_of_day=True),
        sim=optional_int(f, "sim"),
        customerid=optional_int(f, "customerid"),
        phone=optional(f, "phone"),
        desc=optional(f, "orderbydesc") in ("1", "true"),
    )
    state = call.state
    with state.lock:
        msgs = state.query(account, q)
        if optional(f, "onlycount") in ("1", "true"):
            return {"error": 0, "count": len(msgs), "message": "Ok"}
        smss: dict[str, Any] | list[Any] = (
            {str(m.id): render.message(state, m, zone_name, account.timezone) for m in msgs} if msgs else []
        )
    return {"error": 0, "smss": smss, "count": len(msgs), "message": "Ok"}


def getsmsstatus(call: Call) -> dict[str, Any]:
    account = authed(call)
    sms_id = as_int(required(call.fields, "sms_id", "id"), "sms_id")
    m = call.state.get_message(account, sms_id)
    return {
        "error": 0,
        "sms_id": m.id,
        "status": m.status,
        "status_description": render.status_title(m.status),
        "message": "Ok",
    }


def getalldevices(call: Call) -> dict[str, Any]:
    account = authed(call)
    state = call.state
    with state.lock:
        devices = state.owned_devices(account)
        listing: dict[str, Any] | list[Any] = {str(d.id): render.device(state, d) for d in devices} if devices else []
    return {"count": len(devices), "device": listing}


def getdevicestatus(call: Call) -> dict[str, Any]:
    account = authed(call)
    device_id = parse_device(required(call.fields, "device_id"))
    state = call.state
    with state.lock:
        dev = state.device_for(account, device_id)
        return render.device_status(state, dev, account.timezone)


def savetag(call: Call) -> dict[str, Any]:
    account = authed(call)
    title = required(call.fields, "title").strip()
    return {"error": 0, "tag_id": call.state.save_tag(account, title), "message": "OK"}


def savecontact(call: Call) -> dict[str, Any]:
    account = authed(call)
    phone = required(call.fields, "phone").strip()
    split_numbers(phone)
    tag_id = as_int(required(call.fields, "ctag_id", "tag_id"), "ctag_id")
    name = (optional(call.fields, "name") or optional(call.fields, "fullname") or "").strip()
    contact_id = call.state.save_contact(account, phone, tag_id, name)
    return {"error": 0, "contact_id": contact_id, "message": "ok"}


def parse_paket_time(text: str, zone_name: str) -> int | None:
    """``DD.MM.YYYY H:i:s`` (PHP format) in the account's zone, or ``0`` for now."""
    text = text.strip()
    if text in ("", "0"):
        return None
    for fmt in ("%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y"):
        try:
            dt = datetime.strptime(text, fmt)
        except ValueError:
            continue
        return int(dt.replace(tzinfo=zone(zone_name)).timestamp())
    raise SimError("Wrong date format for time_to_send: use DD.MM.YYYY HH:MM:SS or 0 for now")


def savepaket(call: Call) -> dict[str, Any]:
    account = authed(call)
    f = call.fields
    title = required(f, "title").strip()
    body = required(f, "body")
    device_id = parse_device(required(f, "device_id"))
    tags_raw = required(f, "tags")
    tag_ids = tuple(as_int(t, "tags") for t in tags_raw.split(",") if t.strip())
    if not tag_ids:
        raise SimError("Missing required field: tags")
    sim = 0 if optional(f, "sim") is None else parse_sim(f["sim"])
    send_at = parse_paket_time(f.get("time_to_send", "0"), account.timezone)
    paket_id = call.state.save_paket(
        account, title=title, body=body, device_id=device_id, tag_ids=tag_ids, sim=sim, send_at=send_at
    )
    return {"error": 0, "paket_id": paket_id, "message": "OK"}


METHODS: dict[str, Callable[[Call], dict[str, Any]]] = {
    "gettoken": gettoken,
    "addsms": addsms,
    "smstosend": smstosend,
    "addalotofsms": addalotofsms,
    "getallsms": getallsms,
    "getsmsstatus": getsmsstatus,
    "getalldevices": getalldevices,
    "getdevicestatus": getdevicestatus,
    "savetag": savetag,
    "savecontact": savecontact,
    "savepaket": savepaket,
}


def dispatch(method: str, call: Call) -> dict[str, Any]:
    handler = METHODS.get(canonical(method))
    if handler is None:
        raise SimError(f"Unknown method: {method}")
    return handler(call)
