"""A message as a JSON document: the fields of ``smstui messages --json``, one shape everywhere.

The CLI's listings (smstui.cli.output) and the exports (smstui.core.export: JSON Lines, CSV
columns) build their documents here, so an exported line and ``messages --json`` never drift
apart. The field names are a public interface: add fields, never rename or remove one.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

# Characters a terminal may act on or that reorder text: C0/C1 controls (except newline/tab in
# JSON, which json.dumps already escapes), DEL, bidi overrides and line/paragraph separators.
UNSAFE_IN_JSON = re.compile("[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def escape_unsafe(text: str) -> str:
    """JSON text with the characters of :data:`UNSAFE_IN_JSON` written as ``\\uXXXX`` escapes."""
    return UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def message_fields(
    message: Any, *, sms_id: int | None, lid: int | None, title: str, outbox: str | None
) -> dict[str, Any]:
    """The documented fields of ``messages --json``, from a gateway message or a store row."""
    return {
        "id": sms_id,
        "lid": lid,
        "phone": message.phone,
        "body": message.body,
        "direction": "in" if message.incoming else "out",
        "status": message.status,
        "status_title": title,
        "final": message.final,
        "failed": message.failed,
        "device_id": message.device_id,
        "sim": message.slot,
        "created": iso(message.created),
        "sent_at": iso(message.sent_at),
        "scheduled_at": iso(message.scheduled_at),
        "customer_id": message.customer_id,
        "urgent": message.urgent,
        "outbox": outbox,
    }


def stored_message_doc(message: Any) -> dict[str, Any]:
    """A row of the local store (:class:`smstui.core.store.records.StoredMessage`) as a document."""
    doc = message_fields(
        message, sms_id=message.sms_id, lid=message.lid, title=message.display_status, outbox=message.outbox
    )
    # A second copy on the gateway of our row with this lid (a late original after a resend).
    doc["duplicate_of"] = message.duplicate_of
    return doc


#: The fields of a stored message's document, in order (the CSV export's columns).
FIELDS = (
    "id",
    "lid",
    "phone",
    "body",
    "direction",
    "status",
    "status_title",
    "final",
    "failed",
    "device_id",
    "sim",
    "created",
    "sent_at",
    "scheduled_at",
    "customer_id",
    "urgent",
    "outbox",
    "duplicate_of",
)
