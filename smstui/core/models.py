"""Typed models shared by the API client, the store, sync, the outbox and the UI.

Immutable records (NamedTuples and frozen dataclasses): cheap to build by the hundred
thousand, hashable, and free of any framework. Parsing of the gateway's loosely-typed JSON
lives in ``smstui.core.api.parse``; these types are what everything else may rely on
(timezone-aware datetimes, ints for ids, enums for slots).
"""

from datetime import datetime
from enum import IntEnum
from typing import NamedTuple

# The gateway's customerid is an int: stay within what a 32-bit column holds (CSV and CLI).
MAX_CUSTOMER_ID = 2_147_483_647


class Slot(IntEnum):
    """The gateway's ``sim`` field: which channel of the phone sends the message."""

    SMS1 = 0
    SMS2 = 1
    WHATSAPP_BUSINESS = 2
    WHATSAPP = 3
    RCS1 = 4
    RCS2 = 5

    @property
    def label(self) -> str:
        return SLOT_LABELS[self]

    @property
    def short(self) -> str:
        """The CLI name (``--slot sms1``)."""
        return SLOT_SHORT[self]

    @property
    def is_sms(self) -> bool:
        return self in (Slot.SMS1, Slot.SMS2)

    @property
    def is_whatsapp(self) -> bool:
        return self in (Slot.WHATSAPP, Slot.WHATSAPP_BUSINESS)

    @property
    def is_rcs(self) -> bool:
        return self in (Slot.RCS1, Slot.RCS2)

    @classmethod
    def parse(cls, text: str | int) -> "Slot":
        """Accept ``0``-``5`` or a short name (``sms1``, ``wa``, ``wa-business``, ``rcs2``)."""
        if isinstance(text, int):
            return cls(text)
        key = text.strip().lower()
        if key.isdigit():
            return cls(int(key))
        for slot, short in SLOT_SHORT.items():
            if key == short:
                return slot
        raise ValueError(f"unknown slot {text!r}: use 0-5 or one of {', '.join(SLOT_SHORT.values())}")


SLOT_LABELS = {
    Slot.SMS1: "SMS 1",
    Slot.SMS2: "SMS 2",
    Slot.WHATSAPP_BUSINESS: "WhatsApp Business",
    Slot.WHATSAPP: "WhatsApp",
    Slot.RCS1: "RCS 1",
    Slot.RCS2: "RCS 2",
}
SLOT_SHORT = {
    Slot.SMS1: "sms1",
    Slot.SMS2: "sms2",
    Slot.WHATSAPP_BUSINESS: "wa-business",
    Slot.WHATSAPP: "wa",
    Slot.RCS1: "rcs1",
    Slot.RCS2: "rcs2",
}


class Status(IntEnum):
    """Message status codes of the gateway (api.md). Unknown codes stay plain ints."""

    NEW = 1
    TAKEN = 2
    QUEUED_ON_PHONE = 3
    INCOMING = 5
    SENT = 6
    DELIVERED = 7
    NOT_DELIVERED = 8
    GENERIC_FAILURE = 9
    NO_SERVICE = 10
    NULL_PDU = 11
    RADIO_OFF = 12
    NOT_ALLOWED = 100
    NOT_ALLOWED_AT_ALL = 101


STATUS_TITLES: dict[int, str] = {
    1: "New",
    2: "Taken by phone",
    3: "Queued on phone",
    5: "Incoming",
    6: "Sent",
    7: "Delivered",
    8: "Not delivered",
    9: "Not sent: generic failure",
    10: "Not sent: no service",
    11: "Not sent: null PDU",
    12: "Not sent: radio off",
    100: "Not sent: not allowed",
    101: "Not sent: not allowed at all",
}

# What a failure most likely means, for the user deciding what to do next (api.md).
STATUS_HINTS: dict[int, str] = {
    9: "the carrier or Android refused it (no credit, blocked number or Android's send limit)",
    10: "the phone had no mobile service",
    11: "the phone could not encode the message",
    12: "the phone's radio was off (airplane mode?)",
    100: "the phone's app lacks the permission to send SMS",
    101: "the phone's app lacks the permission to send SMS",
}

FINAL_STATUSES = frozenset({5, 7, 8, 9, 10, 11, 12, 100, 101})
FAILED_STATUSES = frozenset({8, 9, 10, 11, 12, 100, 101})
PENDING_STATUSES = frozenset({1, 2, 3, 6})
# Not yet sent by the phone: on the gateway or queued on the phone (Sent, 6, has left it).
QUEUED_STATUSES = frozenset({1, 2, 3})
# New or Taken: what the gateway holds for a phone that has not sent it (stuck when it stays so).
STUCK_STATUSES = frozenset({1, 2})

# Short names accepted on the command line for ``--status``: one code each, or a group
# (STATUS_GROUPS) that stands for several.
STATUS_NAMES: dict[str, int] = {
    "new": 1,
    "taken": 2,
    "queued": 3,
    "incoming": 5,
    "income": 5,
    "sent": 6,
    "delivered": 7,
    "not-delivered": 8,
    "generic-failure": 9,
    "no-service": 10,
    "null-pdu": 11,
    "radio-off": 12,
    "not-allowed": 100,
    "not-allowed-at-all": 101,
}
# "failed" is every failure (not only 9): "what failed in the last hour" must list them all.
STATUS_GROUPS: dict[str, frozenset[int]] = {
    "failed": FAILED_STATUSES,
    "pending": PENDING_STATUSES,
}


def is_final(status: int) -> bool:
    """True when the gateway will not change this status any more.

    Unknown codes count as not final so that sync keeps asking about them; the gateway knows
    what they mean even when we do not.
    """
    return status in FINAL_STATUSES


def is_failed(status: int) -> bool:
    return status in FAILED_STATUSES


def status_title(status: int, server_title: str | None = None) -> str:
    """A display title for any status code, falling back to the server's own ``statustitle``."""
    if status in STATUS_TITLES:
        return STATUS_TITLES[status]
    if server_title:
        return server_title
    return f"Status {status}"


# Devices and SIM cards are NamedTuples (immutable and hashable, like the frozen dataclasses
# below), because the app's first frame reads them and a NamedTuple is ~10x cheaper to define.
class SimCard(NamedTuple):
    slot: int
    number: str | None = None
    carrier: str | None = None
    country: str | None = None
    roaming: bool = False
    iccid: str | None = None


class Device(NamedTuple):
    id: int
    title: str
    sims: tuple[SimCard, ...] = ()
    imei: str | None = None
    serial: str | None = None
    number: str | None = None
    created: datetime | None = None
    last_seen: datetime | None = None
    app_version: str | None = None
    app_version_current: bool | None = None
    delay_between_sms: int | None = None
    delay_between_requests: int | None = None
    subscription: bool | None = None

    @property
    def slots(self) -> tuple[Slot, ...]:
        """Slots this device can send from: its SIM slots, then WhatsApp and RCS.

        The API does not say which messaging apps a phone has, so WhatsApp and RCS are always
        offered; the SIM slots come from ``siminfo``.
        """
        sim_slots = [Slot(s.slot) for s in self.sims if s.slot in (0, 1)]
        if not sim_slots:
            sim_slots = [Slot.SMS1]
        rcs = [Slot.RCS1] + ([Slot.RCS2] if Slot.SMS2 in sim_slots else [])
        return (*sorted(set(sim_slots)), Slot.WHATSAPP, Slot.WHATSAPP_BUSINESS, *rcs)


class DeviceStatus(NamedTuple):
    device_id: int
    online: bool
    last_seen: datetime | None = None
    seconds_since_seen: int | None = None
    title: str | None = None
