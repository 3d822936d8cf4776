"""What the command line prints: stable JSON documents and plain-text tables.

No Textual and no Rich here, so ``smstui send`` starts fast. Everything that came from the
network (bodies, device titles, numbers) is data: tables show it with control characters made
visible, and JSON escapes characters that a terminal could act on.

The JSON field names below are a public interface for scripts: add fields, never rename or
remove one. They are listed in ``smstui --help`` (see :data:`JSON_FIELDS_HELP`).
"""

from __future__ import annotations

import json
import shutil
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from smstui.core.gateway_messages import Message, SmsStatus
from smstui.core.message_docs import escape_unsafe, iso, message_fields, stored_message_doc as core_stored_doc
from smstui.core.models import STATUS_HINTS, Device, Slot, is_failed, is_final, status_title
from smstui.core.visible import is_control, visible_control

# Exit codes: part of the interface for scripts (documented in --help and the README).
EXIT_OK = 0
EXIT_REFUSED = 1  # the gateway refused the request (or another error)
EXIT_USAGE = 2  # bad arguments, bad numbers/times/files, unknown profile
EXIT_AUTH = 3  # not logged in, wrong email/password, token refused
EXIT_NETWORK = 4  # gateway unreachable, timeout, unreadable answer, outcome unknown
EXIT_FAILED = 5  # status --wait: the message reached a failed final status
# smstui health: one code per kind of trouble (several kinds: the lowest code, the most urgent).
EXIT_OFFLINE = 10  # a phone not seen for longer than --max-offline
EXIT_FAILED_RATE = 11  # more of the window's messages failed than --max-failed-rate
EXIT_QUEUE = 12  # more messages wait than --max-queue, or the oldest longer than --max-queue-age
EXIT_OUTDATED = 13  # a phone's app is outdated

EXIT_CODES_HELP = """\b
Exit codes:
  0  ok
  1  the gateway refused the request (its reason is printed), or another error
  2  usage: bad option, number, time or file; unknown profile
  3  authentication: not logged in, wrong email/password, session refused
  4  network: gateway unreachable, timeout, unreadable answer; or a send
     whose outcome is unknown (it is saved and will be checked, never resent blindly)
  5  status --wait: the message failed (not delivered / not sent)
  10-13  health: see HEALTH below"""

HEALTH_EXIT_CODES_HELP = """\b
HEALTH exit codes (`smstui health`): 0 healthy; else the lowest code found:
  1  the gateway refused the sync (the store is still checked)
  3  not logged in, or the session refused (the store is still checked)
  4  the gateway unreachable (the store is checked as last synced)
  10 a phone offline: not seen for longer than --max-offline
  11 too many failures: the window's failed share above --max-failed-rate
  12 the queue: more waiting than --max-queue, or the oldest waiting
     longer than --max-queue-age
  13 a phone's app is outdated"""

JSON_FIELDS_HELP = """\b
JSON output (--json): one document on stdout, nothing else; errors go to stderr.
Times are ISO 8601 with offset, or null. Field names are stable.
  devices    {"devices": [{"id", "title", "online", "last_seen",
              "seconds_since_seen", "app_version", "app_version_current",
              "sims": [{"slot", "number", "carrier", "country", "roaming"}],
              "slots": ["sms1", ...]}]}
  send       {"ok", "messages": [{"lid", "phone", "sms_id", "state", "error"}]}
              state: submitted | rejected | unknown | not_sent | queued
              (queued only with --keep-queued)
  status     {"sms_id", "status", "status_title", "final", "failed", "hint",
              "timed_out"}
  messages   {"count", "source": "gateway"|"local", "messages": [{"id", "lid",
              "phone", "body", "direction": "in"|"out", "status", "status_title",
              "final", "failed", "device_id", "sim", "created", "sent_at",
              "scheduled_at", "customer_id", "urgent", "outbox"}]}
  messages --count  {"count"}
  search     {"count", "source": "local", "query", "messages": [... the fields of
              messages, and "name": the contact's name or null]}
  export --format jsonl   one message per line, the fields of messages
              (CSV: the same fields as columns)
  sync       {"new_messages", "changed_messages", "new_incoming", "changed_threads",
              "devices_changed", "region": {"region", "source": "config"|"sims"|
              "chosen"|null, "seen"}, "verified", "bulk_jobs"}
  bulk       {"dry_run", "job_id", "state", "messages", "batches", "sms_parts",
              "submitted", "unknown", "rejected", "remaining", "error",
              "invalid": [{"line", "reason"}]}
  tag add, tag name  {"tag_id", "gateway_id", "title", "contacts", "pending"}
  tag list   {"tags": [{"tag_id", "gateway_id", "title", "contacts", "pending"}]}
  contact add        {"contact_id", "gateway_id", "tag_id", "phone", "name"}
  contact list       {"contacts": [{"contact_id", "gateway_id", "tag_id", "phone",
              "name"}]}
  contact import     {"total", "saved", "already_there", "failed": [{"line",
              "phone", "reason"}], "invalid": [{"line", "reason"}], "not_tried":
              [{"line", "phone"}], "tags_created", "stopped", "contacts":
              [{"line", "phone", "contact_id", "tag_id"}]}
  newsletter create  {"newsletter_id", "gateway_id", "title", "tags", "send_at"}
  newsletter list    {"newsletters": [{"newsletter_id", "gateway_id", "title",
              "tags", "send_at", "state"}]}
  health     {"healthy", "exit_code", "at", "synced", "last_synced", "window":
              {"name", "seconds"}, "totals": COUNTS, "queue": {"size",
              "oldest_age_seconds", "oldest_lid"}, "devices": [{"id", "title",
              "online", "last_seen", "seconds_since_seen", "offline", "app_version",
              "app_outdated", "counts": COUNTS, "slots": [{"sim", "slot", "counts"}]}],
              "thresholds": {"max_offline_seconds", "max_queue",
              "max_queue_age_seconds", "max_failed_rate"}, "problems": [{"kind",
              "code", "message", "device_id", "device_title", "value", "threshold"}]}
              COUNTS: {"delivered", "sent", "failed", "unknown", "queued",
              "finished", "failed_rate", "delivered_rate"}
Every id of a tag, contact or newsletter is the gateway's, as its dashboard
shows it ("gateway_id" repeats it); null while the gateway has not confirmed
it (a "pending" tag, an unconfirmed newsletter). A tag's "title" is null for a
tag known only by its id (name it with `smstui tag name ID TITLE`)."""


def dumps(document: Any) -> str:
    """Stable JSON: sorted keys are not used, so field order follows the documented order."""
    return escape_unsafe(json.dumps(document, ensure_ascii=False, indent=2, default=_default))


def dumps_line(document: Any) -> str:
    """One JSON object on one line (``smstui watch --json``: JSON Lines), made as safe as :func:`dumps`."""
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"), default=_default)
    return escape_unsafe(text)


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def safe_text(text: str | None, *, one_line: bool = True) -> str:
    """Text from the network made harmless for a terminal: controls become visible."""
    if not text:
        return ""
    out: list[str] = []
    for ch in text.replace("\r\n", "\n"):
        if ch in "\n\r" and one_line:
            out.append(" ")
        elif ch == "\t":
            out.append(" ")
        elif ch == "\n":
            out.append(ch)
        elif is_control(ch):
            out.append(visible_control(ch))
        else:
            out.append(ch)
    return "".join(out)


def local_time(value: datetime | None) -> str:
    if value is None:
        return "-"
    return value.astimezone().strftime("%Y-%m-%d %H:%M")


def doc_time(value: str | None) -> str:
    """A document's ISO time as :func:`local_time` shows it ("-" when there is none)."""
    return local_time(datetime.fromisoformat(value)) if value else "-"


def doc_ref(doc: dict[str, Any]) -> str | int:
    """A message document's column ID: the gateway's id, or ``(lid)`` while it has none."""
    return doc["id"] if doc["id"] is not None else f"({doc['lid']})"


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _clip(text: str, width: int) -> str:
    if _display_width(text) <= width:
        return text
    out, used = [], 0
    for ch in text:
        w = 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]], *, wide: int | None = None) -> str:
    """A plain aligned table; the column ``wide`` (index) is clipped to fit the terminal."""
    cells = [[safe_text(str(c)) if c is not None else "-" for c in row] for row in rows]
    if not cells:
        return ""
    widths = [_display_width(h) for h in headers]
    for row in cells:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], _display_width(cell))
    if wide is not None:
        term = shutil.get_terminal_size((120, 24)).columns
        others = sum(w for i, w in enumerate(widths) if i != wide) + 2 * (len(widths) - 1)
        widths[wide] = max(min(widths[wide], term - others), 12)
    lines = []
    for row in [list(headers), *cells]:
        parts = []
        for i, cell in enumerate(row):
            text = _clip(cell, widths[i])
            pad = widths[i] - _display_width(text)
            parts.append(text + " " * pad if i < len(row) - 1 else text)
        lines.append("  ".join(parts).rstrip())
    return "\n".join(lines)


# ------------------------------------------------------------------ documents


def device_doc(device: Device, online: bool | None, seconds_since_seen: int | None) -> dict[str, Any]:
    return {
        "id": device.id,
        "title": device.title,
        "online": online,
        "last_seen": iso(device.last_seen),
        "seconds_since_seen": seconds_since_seen,
        "app_version": device.app_version,
        "app_version_current": device.app_version_current,
        "sims": [
            {
                "slot": sim.slot,
                "number": sim.number,
                "carrier": sim.carrier,
                "country": sim.country,
                "roaming": sim.roaming,
            }
            for sim in device.sims
        ],
        "slots": [slot.short for slot in device.slots],
    }


def status_doc(status: SmsStatus, *, timed_out: bool = False) -> dict[str, Any]:
    return {
        "sms_id": status.sms_id,
        "status": status.status,
        "status_title": status.title,
        "final": status.final,
        "failed": is_failed(status.status),
        "hint": STATUS_HINTS.get(status.status),
        "timed_out": timed_out,
    }


def message_doc(message: Message, duplicate_of: int | None = None) -> dict[str, Any]:
    """A gateway message; ``duplicate_of`` from the local store when it knows it is a copy."""
    doc = message_fields(message, sms_id=message.id, lid=None, title=message.title, outbox=None)
    doc["duplicate_of"] = duplicate_of
    return doc


def stored_message_doc(message: Any) -> dict[str, Any]:
    """A row of the local store in the same shape (smstui.core.message_docs, shared with exports)."""
    return core_stored_doc(message)


def slot_name(slot: int | None) -> str:
    if slot is None:
        return "-"
    try:
        return Slot(slot).short
    except ValueError:
        return str(slot)


def status_line(status: SmsStatus) -> str:
    """``62807347  Delivered (7)`` plus the failure hint when there is one."""
    line = f"{status.sms_id}  {safe_text(status_title(status.status, status.description))} ({status.status})"
    hint = STATUS_HINTS.get(status.status)
    if hint and is_failed(status.status):
        line += f": {hint}"
    elif not is_final(status.status):
        line += " - not final yet"
    return line
