"""Bulk planning: the rows of a job (from a CSV preview or a list of numbers) and how they are cut into
batches of ``addalotofsms`` (by count and by estimated request size).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from smstui.core.phone import parse_recipients
from smstui.core.sheets.csv_import import CsvPreview, InvalidRow
from smstui.core.smstext import analyze
from smstui.core.templates import TemplateError, check, render

DEFAULT_BATCH_SIZE = 100
# The gateway documents no limit for addalotofsms. What bounds a request in practice is its size
# (PHP's default post_max_size is 8 MB) and how long the gateway takes over it; 2000 short
# messages are well under 2 MB on the wire. Batches are also cut by estimated size
# (MAX_BATCH_BYTES), so long or non-Latin texts get smaller batches whatever the count. A
# request that does fail ambiguously is looked up, never resent blindly, so a too-large batch
# costs time, not messages.
MAX_BATCH_SIZE = 2000
MAX_BATCH_BYTES = 4_000_000  # estimated form-encoded request size, half of PHP's default limit
_ITEM_BYTES = 450  # sendto, sim, device_id, customerid, urgent, timetosend and JSON punctuation, form-encoded


class BulkError(ValueError):
    """A bulk job that cannot be planned or run as asked; the message says what to change."""


# --------------------------------------------------------------------------- planning


@dataclass(frozen=True, slots=True)
class BulkRow:
    """One message of a bulk send, before it is queued."""

    phone: str  # E.164
    body: str
    scheduled_at: datetime | None = None
    slot: int | None = None  # None: the job's slot
    customer_id: int | None = None
    line: int | None = None  # CSV line, for reports


def rows_from_preview(
    preview: CsvPreview,
    *,
    body: str | None = None,
    template: str | None = None,
    names: Callable[[str], str | None] | None = None,
) -> tuple[list[BulkRow], list[InvalidRow]]:
    """Bulk rows from a bulk CSV: each row's own body, or one ``body``/``template`` for all.

    A template may use ``{phone}``, ``{name}`` and any column; ``names(e164)`` supplies a name
    (e.g. the contact's) when the file has none. Raises :class:`TemplateError` when the template
    uses a placeholder the file cannot fill, so one fix covers every row.
    """
    invalid = list(preview.invalid_rows)
    if template is not None:
        available = [*preview.columns, "phone", "name"]
        unknown = check(template, available)
        if unknown:
            names_text = ", ".join("{" + u + "}" for u in unknown)
            raise TemplateError(
                f"The template uses {names_text}, which the file does not have; "
                f"available: {', '.join('{' + c + '}' for c in dict.fromkeys(available))}.",
                unknown,
            )
    rows: list[BulkRow] = []
    for row in preview.valid_rows:
        if template is not None:
            values = row.template_values()
            if not values.get("name") and names is not None:
                values["name"] = names(row.phone) or ""
            values.setdefault("name", "")
            text = render(template, values)
        elif body is not None:
            text = body
        else:
            text = row.body
        if not text.strip():
            invalid.append(InvalidRow(row.line, tuple(row.values.values()), "the message is empty"))
            continue
        rows.append(BulkRow(row.phone, text, row.scheduled_at, row.slot, row.customer_id, row.line))
    invalid.sort(key=lambda r: r.line)
    return rows, invalid


def rows_for_numbers(
    numbers: str | Sequence[str],
    body: str,
    *,
    region: str | None = None,
    template: str | None = None,
    names: Callable[[str], str | None] | None = None,
) -> tuple[list[BulkRow], list[tuple[str, str]]]:
    """One body (or template with ``{phone}``/``{name}``) to many numbers.

    Returns the rows and the (input, reason) of numbers that cannot be used. Duplicates are
    sent once.
    """
    text = numbers if isinstance(numbers, str) else "\n".join(numbers)
    rows: list[BulkRow] = []
    bad: list[tuple[str, str]] = []
    seen: set[str] = set()
    if template is not None:
        unknown = check(template, ["phone", "name"])
        if unknown:
            raise TemplateError(
                f"The template uses {', '.join('{' + u + '}' for u in unknown)}; "
                "with a list of numbers only {phone} and {name} are known.",
                unknown,
            )
    for checked in parse_recipients(text, region):
        if checked.e164 is None:
            bad.append((checked.raw, checked.error or "not a phone number"))
            continue
        if checked.e164 in seen:
            continue
        seen.add(checked.e164)
        message = body
        if template is not None:
            name = (names(checked.e164) if names else None) or ""
            message = render(template, {"phone": checked.e164, "name": name})
        if not message.strip():
            raise BulkError("The message is empty.")
        rows.append(BulkRow(checked.e164, message))
    return rows, bad


@dataclass(frozen=True, slots=True)
class BulkEstimate:
    messages: int
    batches: int
    sms_parts: int  # SMS parts in all (what a carrier charges for SMS slots)
    recipients: int


def _request_bytes(row: BulkRow) -> int:
    """A generous estimate of a message's share of the form-encoded request (3 bytes per byte
    of text: every non-ASCII byte is percent-encoded)."""
    return 3 * len(row.body.encode("utf-8")) + _ITEM_BYTES


def plan_batches(rows: Sequence[BulkRow], batch_size: int) -> list[list[BulkRow]]:
    """Rows cut into batches of at most ``batch_size`` messages and MAX_BATCH_BYTES each."""
    batches: list[list[BulkRow]] = []
    chunk: list[BulkRow] = []
    size = 0
    for row in rows:
        share = _request_bytes(row)
        if chunk and (len(chunk) >= batch_size or size + share > MAX_BATCH_BYTES):
            batches.append(chunk)
            chunk, size = [], 0
        chunk.append(row)
        size += share
    if chunk:
        batches.append(chunk)
    return batches


def estimate(rows: Sequence[BulkRow], batch_size: int = DEFAULT_BATCH_SIZE) -> BulkEstimate:
    own = [r for r in rows if r.customer_id is not None]
    marked = [r for r in rows if r.customer_id is None]
    batches = len(plan_batches(marked, batch_size)) + len(plan_batches(own, batch_size))
    parts: dict[str, int] = {}
    total = 0
    for row in rows:
        if row.body not in parts:
            parts[row.body] = analyze(row.body).parts
        total += parts[row.body]
    return BulkEstimate(len(rows), batches, total, len({r.phone for r in rows}))
