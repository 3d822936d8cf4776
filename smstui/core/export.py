"""Exports: stored messages to CSV, JSON Lines or plain text, written row by row as they are read.

The rows come from :meth:`smstui.core.store.database.Store.iter_messages` (a thread, a search
result or a filtered list; a page at a time), so memory stays flat whatever the count: a million
messages export in under 100 MB (bench/search.py). A file is written next to its destination
under a temporary name and renamed at the end, so a failed or cancelled export leaves no half
file behind, and like the store it is created readable by its owner only (it is the message
history).

* **JSON Lines**: one document per line, the shape of ``smstui messages --json``'s messages
  (smstui.core.message_docs), with the same escapes for characters a terminal could act on.
* **CSV**: those fields as columns. A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
  carriage return is prefixed with ``'``, so a spreadsheet shows it as text instead of running it
  as a formula (``+49...`` numbers too: ``'+4915...``).
* **Text**: for reading: a header line per message (time in your zone, direction, number and
  contact name, status, gateway id), then its body indented, control characters made visible.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from collections.abc import Callable, Iterable
from datetime import tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TextIO

from smstui.core.message_docs import FIELDS, escape_unsafe, stored_message_doc
from smstui.core.visible import is_control, visible_control

if TYPE_CHECKING:
    from smstui.core.search import SearchQuery
    from smstui.core.store.database import Store
    from smstui.core.store.records import StoredMessage

Format = Literal["csv", "jsonl", "txt"]
FORMATS: tuple[Format, ...] = ("csv", "jsonl", "txt")
SUFFIXES: dict[Format, str] = {"csv": ".csv", "jsonl": ".jsonl", "txt": ".txt"}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PROGRESS_EVERY = 1000  # rows between progress calls


class ExportError(Exception):
    """The export could not be written; the message says where and what to do."""


class ExportCancelled(Exception):
    """The user stopped the export; nothing was left behind."""


def csv_cell(value: object) -> str:
    """One CSV cell: empty for None, ``true``/``false`` as in the JSON, formulas made text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    if text.startswith(FORMULA_START):
        return "'" + text
    return text


def json_line(message: StoredMessage) -> str:
    return escape_unsafe(json.dumps(stored_message_doc(message), ensure_ascii=False)) + "\n"


def visible(text: str) -> str:
    """Text for reading in a terminal: control and format characters shown, lines kept."""
    value = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    if value.replace("\n", "").isprintable():
        return value
    return "".join(visible_control(c) if c != "\n" and is_control(c) else c for c in value)


def text_block(message: StoredMessage, name: str | None, zone: tzinfo | None) -> str:
    when = message.created.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    who = visible(message.phone) + (f" ({visible(name)})" if name else "")
    ident = f"  #{message.sms_id}" if message.sms_id is not None else ""
    head = f"{when}  {'in ' if message.incoming else 'out'}  {who}  {visible(message.display_status)}{ident}"
    body = "\n".join("    " + line for line in visible(message.body).split("\n"))
    return f"{head}\n{body}\n\n"


def write_messages(
    rows: Iterable[StoredMessage],
    out: TextIO,
    fmt: Format,
    *,
    names: Callable[[str], str | None] | None = None,
    zone: tzinfo | None = None,
    progress: Callable[[int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> int:
    """Write ``rows`` to ``out`` in ``fmt`` as they come; returns how many were written.

    ``names`` gives a number's contact name (text only); ``progress(done)`` is called every
    :data:`PROGRESS_EVERY` rows and at the end; ``cancelled()`` is asked first and as often, and
    a True raises :class:`ExportCancelled`.
    """
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r}: use one of {', '.join(FORMATS)}")
    if cancelled is not None and cancelled():
        raise ExportCancelled()
    count = 0
    writer = csv.writer(out, lineterminator="\r\n") if fmt == "csv" else None
    if writer is not None:
        writer.writerow(FIELDS)
    for message in rows:
        if writer is not None:
            doc = stored_message_doc(message)
            writer.writerow([csv_cell(doc[f]) for f in FIELDS])
        elif fmt == "jsonl":
            out.write(json_line(message))
        else:
            out.write(text_block(message, names(message.phone_key) if names else None, zone))
        count += 1
        if count % PROGRESS_EVERY == 0:
            if cancelled is not None and cancelled():
                raise ExportCancelled()
            if progress is not None:
                progress(count)
    if progress is not None:
        progress(count)
    return count


class NameCache:
    """Contact names for the text export, read per number once (a thread repeats its number)."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._names: dict[str, str | None] = {}

    def __call__(self, phone_key: str) -> str | None:
        if phone_key not in self._names:
            if len(self._names) > 10_000:
                self._names.clear()
            self._names[phone_key] = self._store.contact_names([phone_key]).get(phone_key)
        return self._names[phone_key]


def export_to_path(
    store: Store,
    query: SearchQuery,
    fmt: Format,
    path: Path,
    *,
    zone: tzinfo | None = None,
    progress: Callable[[int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> int:
    """Export every message ``query`` matches to ``path`` (replaced only once complete)."""
    path = path.expanduser()
    folder = path.parent
    if not folder.is_dir():
        raise ExportError(f"cannot write {path}: the folder {folder} does not exist; create it or pick another")
    if path.is_dir():
        raise ExportError(f"cannot write {path}: it is a folder; give a file name")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    except OSError as exc:
        raise ExportError(f"cannot write in {folder}: {exc.strerror or exc}; pick another folder") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            count = write_messages(
                store.iter_messages(query),
                out,
                fmt,
                names=NameCache(store),
                zone=zone,
                progress=progress,
                cancelled=cancelled,
            )
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from None
        raise
    return count


def default_name(what: str, fmt: Format, when: str) -> str:
    """``smstui-<what>-<when>.<suffix>`` with ``what`` reduced to safe file-name characters."""
    safe = "".join(c if c.isalnum() or c in "+-_" else "-" for c in what).strip("-") or "messages"
    return f"smstui-{safe[:40]}-{when}{SUFFIXES[fmt]}"
