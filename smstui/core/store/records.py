"""The store's records other than the first frame's (``Thread``, ``StoredDevice``): message rows,
tags, contacts, newsletters and what an upsert changed.

Apart from the rest of the store because the first frame needs none of them (each frozen
dataclass costs ~0.7 ms to create): the store imports this module when it first builds one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from smstui.core.models import FAILED_STATUSES, FINAL_STATUSES, status_title
from smstui.core.store.schema import (
    CANCELLED,
    QUEUED,
    REJECTED,
    SENDING,
    UNKNOWN,
    from_ts,
)


@dataclass(frozen=True, slots=True)
class StoredMessage:
    """A message row: the gateway's fields plus what only we know (outbox state, local id)."""

    lid: int
    sms_id: int | None
    phone: str
    phone_key: str
    body: str
    status: int | None
    status_title: str | None
    device_id: int | None
    slot: int | None
    created: datetime
    sent_at: datetime | None
    scheduled_at: datetime | None
    customer_id: int | None
    urgent: bool
    paket_id: int | None
    incoming: bool
    outbox: str | None
    outbox_error: str | None
    attempts: int
    image_path: str | None
    batch: str | None
    #: When the last submit request went out (local clock); None before the first attempt.
    attempted_at: datetime | None = None
    #: Queued: when the next attempt is due. Unknown: when the next gateway lookup is due
    #: (None: no automatic lookup, the user must decide).
    next_attempt: datetime | None = None
    #: Lookups after the settle time that found nothing (the outbox re-sends after two).
    recon_misses: int = 0
    #: Sent again after its absence was proven; a copy of it that arrives later is a duplicate.
    resent: bool = False
    #: A gateway message that is a second copy of our row with this lid (a late original).
    duplicate_of: int | None = None

    @property
    def failed(self) -> bool:
        return self.outbox == REJECTED or (self.status in FAILED_STATUSES)

    @property
    def final(self) -> bool:
        return self.status in FINAL_STATUSES or self.outbox in (REJECTED, CANCELLED)

    @property
    def display_status(self) -> str:
        """One short word or phrase for the status tick."""
        if self.outbox in (QUEUED, SENDING):
            return "queued"
        if self.outbox == UNKNOWN:
            return "unknown — check"
        if self.outbox == REJECTED:
            return "refused"
        if self.outbox == CANCELLED:
            return "cancelled"
        if self.status is None:
            return "queued"
        return status_title(self.status, self.status_title)


@dataclass(frozen=True, slots=True)
class Tag:
    """A tag: ``gateway_id`` is the id users see; ``id`` is local and stays inside smstui."""

    id: int
    gateway_id: int | None  # None: created here, the gateway has not confirmed it yet ("pending")
    title: str  # "" for a tag recorded from its gateway id alone, until the user names it
    created: datetime
    contact_count: int = 0

    @property
    def pending(self) -> bool:
        return self.gateway_id is None


@dataclass(frozen=True, slots=True)
class Contact:
    """A contact of one tag: ``tag_id`` is the tag's local id, ``tag_gateway_id`` its gateway id."""

    id: int
    gateway_id: int | None
    tag_id: int
    phone: str
    phone_key: str
    name: str
    created: datetime
    tag_gateway_id: int | None = None


@dataclass(frozen=True, slots=True)
class Newsletter:
    id: int
    gateway_id: int | None
    title: str
    device_id: int
    slot: int
    body: str
    tag_ids: tuple[int, ...]  # the gateway's tag ids, as savepaket was given them
    send_at: datetime | None
    created: datetime


@dataclass(frozen=True, slots=True)
class MessageExtras:
    """What the message detail view shows beyond a :class:`StoredMessage` (smstui.core.store.lookup)."""

    paket_title: str | None
    submitted_at: datetime | None  # when the gateway accepted it (our clock)
    updated: datetime | None  # the row's last change in the store
    duplicate_of_sms_id: int | None  # gateway id of the message this one is a second copy of
    copies: tuple[tuple[int, int | None], ...] = ()  # (lid, sms_id) of gateway messages copying this one


@dataclass(slots=True)
class UpsertResult:
    """What a batch of gateway messages changed: new rows, changed rows, the threads touched."""

    inserted: list[int] = field(default_factory=list)
    changed: list[int] = field(default_factory=list)
    phone_keys: set[str] = field(default_factory=set)

    @property
    def any(self) -> bool:
        return bool(self.inserted or self.changed)


def row_to_message(row: Sequence[Any]) -> StoredMessage:
    # Positional, in MESSAGE_COLUMNS' order (= the fields' order; a test checks the two agree):
    # the thread view builds these by the thousand, and slices beat 26 keyword arguments.
    # (mypy cannot count a slice's items, hence the ignore; test_store checks the order.)
    return StoredMessage(  # type: ignore[call-arg]
        *row[0:9],
        from_ts(row[9]),
        from_ts(row[10]),
        from_ts(row[11]),
        row[12],
        bool(row[13]),
        row[14],
        bool(row[15]),
        *row[16:21],
        from_ts(row[21]),
        from_ts(row[22]),
        row[23],
        bool(row[24]),
        row[25],
    )


def row_to_contact(r: Sequence[Any]) -> Contact:
    return Contact(r[0], r[1], r[2], r[3], r[4], r[5], from_ts(r[6]), r[7] if len(r) > 7 else None)
