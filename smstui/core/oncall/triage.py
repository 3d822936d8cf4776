"""Failure triage: why a message did not go out, in plain words, and the reasons to filter by.

The triage list (:mod:`smstui.core.store.triage`) holds every outgoing message that failed, was
refused by the gateway, whose send is unclear, or that is stuck (the gateway has had it as New or
Taken for longer than the on-call queue age allows). Each has one :class:`Reason` (its kind, a short
title for the list and the filter) and an explanation (:func:`explain`) that says what most
likely went wrong and, where it helps, what to do. No UI here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from smstui.core.models import STATUS_HINTS, STUCK_STATUSES
from smstui.core.store.schema import REJECTED, UNKNOWN

if TYPE_CHECKING:
    from smstui.core.store.records import StoredMessage


class Reason(NamedTuple):
    key: str
    title: str
    statuses: tuple[int, ...]  # the gateway's statuses it stands for
    outbox: tuple[str, ...]  # or the outbox states


REASONS: tuple[Reason, ...] = (
    Reason("not-delivered", "Not delivered", (8,), ()),
    Reason("generic-failure", "Generic failure", (9,), ()),
    Reason("no-service", "No service", (10,), ()),
    Reason("null-pdu", "Null PDU", (11,), ()),
    Reason("radio-off", "Radio off", (12,), ()),
    Reason("not-allowed", "Not allowed", (100, 101), ()),
    Reason("refused", "Refused by the gateway", (), (REJECTED,)),
    Reason("unknown", "Unknown — check", (), (UNKNOWN,)),
    # The gateway has it (New, Taken) long after its time: listed only past the screen's wait.
    Reason("stuck", "Stuck", tuple(sorted(STUCK_STATUSES)), ()),
)
BY_KEY = {reason.key: reason for reason in REASONS}
OTHER = Reason("other", "Failed", (), ())

# Explanations beyond the models' hints (which say what a "not sent" status most likely means).
_NOT_DELIVERED = (
    "the phone sent it, but the carrier reported it not delivered: the number may be wrong, "
    "switched off or out of reach for too long"
)
_STUCK = (
    "the gateway has had it for a long while and the phone has not sent it: the phone may be "
    "offline or its app stopped; sent again from another phone it may still go out from this one "
    "later, so it can arrive twice"
)
_UNKNOWN = (
    "the gateway's answer to the send was lost and smstui has not found the message there: "
    "check on the phone or the vendor's site before sending it again, or it may arrive twice"
)


def reason_of(message: StoredMessage) -> Reason:
    if message.outbox == UNKNOWN:
        return BY_KEY["unknown"]
    if message.outbox == REJECTED:
        return BY_KEY["refused"]
    for reason in REASONS:
        if message.status in reason.statuses:
            return reason
    return OTHER


def explain(message: StoredMessage) -> str:
    """What most likely went wrong, as one clause (no full stop): for the list's detail line."""
    reason = reason_of(message)
    if reason.key == "unknown":
        return _UNKNOWN
    if reason.key == "stuck":
        return _STUCK
    if reason.key == "refused":
        said = (message.outbox_error or "").strip().rstrip(".")
        return f"the gateway refused it: {said}" if said else "the gateway refused it"
    if message.status == 8:
        return _NOT_DELIVERED
    hint = STATUS_HINTS.get(message.status or 0)
    return hint or "the gateway reported it failed"


__all__ = ["BY_KEY", "REASONS", "Reason", "explain", "reason_of"]
