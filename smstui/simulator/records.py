"""The gateway's records: accounts, phones, messages, tags, contacts and newsletters, and the
two a request is turned into (:class:`NewSms`, :class:`MessageQuery`).

Plain dataclasses with no behaviour and no lock of their own:
:class:`smstui.simulator.state.SimState` holds them, and whoever changes one does so under its
lock. They live apart from the state machine so that it stays one module of a readable size, and
so the listings (smstui.simulator.render), the webhooks, the seed data and the tests can name a
record without the machine that moves it.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class Account:
    email: str
    password: str = field(repr=False)
    timezone: str = "Europe/Berlin"


@dataclass(slots=True)
class SimDevice:
    id: int
    owner: str
    title: str
    siminfo: list[dict[str, str]]
    imei: str = "null"
    serialnumber: str = "unknown"
    number: str | None = None
    created: int = 0
    online: bool = True
    last_seen: int = 0  # used while offline; online devices were "just seen"
    online_since: int = 0
    appversion: str = "12.1.21"
    isappversionactual: bool = True
    delaybetweeneachsms: int | None = None
    delaybetweenrequest: int | None = 1
    subscription: bool = True
    # An older server build: messages of this device carry dates with timezone_type 1
    # ("+02:00") and ``deviceid`` as a string. Clients must cope with both.
    legacy_format: bool = False


@dataclass(slots=True)
class Msg:
    id: int
    phone: str
    body: str
    device_id: int
    created: int
    status: int
    sim: int | None = 0  # None: the key is absent from the response
    customerid: int | None = None
    urgent: bool | int | None = None
    timetosend: int | None = None
    senttime: int | None = None
    paket_id: int | None = None
    template_id: int | None = None
    outcome: int = 7
    # Seeded quirk: echo ``created`` as ``timetosend`` like the vendor's examples do.
    timetosend_echo: bool = False


@dataclass(slots=True)
class Tag:
    id: int
    owner: str
    title: str


@dataclass(slots=True)
class Contact:
    id: int
    owner: str
    phone: str
    tag_id: int
    name: str


@dataclass(slots=True)
class Paket:
    id: int
    owner: str
    title: str
    body: str
    device_id: int
    tag_ids: tuple[int, ...]
    sim: int
    send_at: int
    message_ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class NewSms:
    """One validated message to queue (one recipient)."""

    phone: str
    body: str
    device_id: int
    sim: int = 0
    timetosend: int | None = None
    customerid: int | None = None
    urgent: bool | int | None = None
    template_id: int | None = None


@dataclass(frozen=True, slots=True)
class MessageQuery:
    device_id: int | None = None
    status: int | None = None
    begin: float | None = None
    end: float | None = None
    sim: int | None = None
    customerid: int | None = None
    phone: str | None = None
    desc: bool = False
