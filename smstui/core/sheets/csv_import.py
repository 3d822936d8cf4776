"""Reading contact lists and bulk-send lists from CSV files, with a preview of what is wrong.

People export these files from spreadsheets, shops and CRMs, so the reader is forgiving about
the form (UTF-8 with or without a BOM, comma/semicolon/tab/pipe delimiters, a header row in one
of several languages or none at all, quoted fields with commas and line breaks, blank lines) and
strict about the content: every row either becomes a :class:`CsvRow` with a normalised E.164
number, or an :class:`InvalidRow` that says which line and why. Nothing here talks to the
network; the screens show the preview and the caller decides what to import or send.

    preview = read_csv(path, kind="contacts", region="DE")
    preview.valid_rows[0].phone, preview.valid_rows[0].name, preview.invalid_rows[0].reason
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Literal

from smstui.core.models import MAX_CUSTOMER_ID, Slot
from smstui.core.phone import InvalidNumber, normalize
from smstui.core.sheets.column_map import MappingError, apply_mapping, mapping_names_a_header
from smstui.core.sheets.number_repair import repair_number
from smstui.core.sheets.sheet_files import SheetError, decode_bytes, is_spreadsheet, read_spreadsheet
from smstui.core.timeparse import WhenError, parse_when

Kind = Literal["contacts", "bulk"]

#: Canonical column names the rest of the app relies on.
PHONE, NAME, TAG, BODY, TIME, SLOT, CUSTOMER_ID = "phone", "name", "tag", "body", "time", "slot", "customer_id"

# Header spellings seen in exports, compared after :func:`column_key`-style folding (case and
# punctuation removed), so "Phone Number", "phone_number" and "PHONE-NUMBER" are one entry.
ALIASES: dict[str, tuple[str, ...]] = {
    PHONE: (
        "phone",
        "phonenumber",
        "phoneno",
        "number",
        "nr",
        "tel",
        "telephone",
        "telno",
        "mobile",
        "mobilenumber",
        "mobilephone",
        "cell",
        "cellphone",
        "msisdn",
        "sendto",
        "recipient",
        "to",
        "telefon",
        "telefonnummer",
        "handy",
        "handynummer",
        "nummer",
        "rufnummer",
        "mobil",
        "mobilnummer",
        "telefono",
        "numero",
        "numerodetelefono",
        "movil",
        "celular",
        "telefone",
        "portable",
        "telephoneportable",
        "телефон",
        "номер",
        "мобильный",
        "whatsapp",
    ),
    NAME: (
        "name",
        "fullname",
        "contactname",
        "contact",
        "displayname",
        "customername",
        "firstname",
        "nom",
        "nombre",
        "nome",
        "vorname",
        "kontakt",
        "kunde",
        "имя",
        "фио",
    ),
    TAG: (
        "tag",
        "tags",
        "group",
        "groupname",
        "list",
        "label",
        "segment",
        "gruppe",
        "grupo",
        "groupe",
        "gruppo",
        "тег",
        "группа",
    ),
    BODY: (
        "body",
        "message",
        "text",
        "sms",
        "msg",
        "content",
        "messagetext",
        "smstext",
        "nachricht",
        "mensaje",
        "mensagem",
        "messaggio",
        "texte",
        "texto",
        "сообщение",
        "текст",
    ),
    TIME: (
        "time",
        "timetosend",
        "sendtime",
        "sendat",
        "at",
        "when",
        "schedule",
        "scheduled",
        "scheduledat",
        "datetime",
        "date",
        "zeit",
        "sendezeit",
        "hora",
        "fecha",
        "время",
    ),
    SLOT: ("slot", "sim", "simslot", "channel", "kanal"),
    CUSTOMER_ID: ("customerid", "customer", "clientid", "externalid", "customerno", "kundennummer", "kundenid"),
}
_ALIAS_TO_COLUMN = {alias: column for column, aliases in ALIASES.items() for alias in aliases}

# Without a header, columns are read in this order.
POSITIONAL: dict[str, tuple[str, ...]] = {
    "contacts": (PHONE, NAME, TAG),
    "bulk": (PHONE, BODY, TIME, SLOT, CUSTOMER_ID),
}
DELIMITERS = ",;\t|"
SNIFF_BYTES = 64 * 1024
MAX_FIELD = 10 * 1024 * 1024

csv.field_size_limit(MAX_FIELD)


class CsvError(ValueError):
    """The file as a whole cannot be read (missing, not text, no phone column)."""


def column_key(header: str) -> str:
    """A placeholder-friendly key for any header: ``"First Name"`` -> ``"first_name"``."""
    key = re.sub(r"[^\w]+", "_", header.strip().casefold(), flags=re.UNICODE).strip("_")
    return key


def _fold(header: str) -> str:
    return "".join(ch for ch in header.casefold() if ch.isalnum())


def canonical_column(header: str) -> str | None:
    """The canonical column a header names, or None when it is not one we know."""
    return _ALIAS_TO_COLUMN.get(_fold(header))


class _Column:
    """A known column of a :class:`CsvRow` read as an attribute ("" when the file has none)."""

    def __init__(self, key: str) -> None:
        self.key = key

    def __get__(self, row: CsvRow, owner: type | None = None) -> str:
        return row.values.get(self.key, "")


@dataclass(frozen=True, slots=True)
class CsvRow:
    """One usable row. ``values`` has every column by key (canonical names for known ones)."""

    line: int
    phone: str  # E.164
    values: dict[str, str]
    scheduled_at: datetime | None = None
    slot: int | None = None
    customer_id: int | None = None
    #: The header's own key of a known column ("telefon" -> "phone"), so templates may use either.
    aliases: dict[str, str] = field(default_factory=dict, repr=False, compare=False)
    #: What was repaired in the number ("its leading + was missing"), "" when nothing was.
    note: str = ""

    raw_phone = _Column(PHONE)  # as the file wrote it
    name = _Column(NAME)
    tag = _Column(TAG)
    body = _Column(BODY)

    def template_values(self) -> dict[str, str]:
        """Values for a template: every column (also by its header's own name), with ``phone``
        the normalised number."""
        values = {alias: self.values.get(column, "") for alias, column in self.aliases.items()}
        values.update(self.values)
        for alias, column in self.aliases.items():
            if column == PHONE:
                values[alias] = self.phone
        values[PHONE] = self.phone
        return values


@dataclass(frozen=True, slots=True)
class InvalidRow:
    line: int
    cells: tuple[str, ...]
    reason: str

    @property
    def text(self) -> str:
        """The row as the user wrote it, for the preview table."""
        return ", ".join(self.cells)


@dataclass(slots=True)
class CsvPreview:
    """What a file would give: the rows that will be used and the rows that will not."""

    columns: list[str]  # key of each column, in file order
    aliases: dict[str, str] = field(default_factory=dict)  # header key -> known column
    valid_rows: list[CsvRow] = field(default_factory=list)
    invalid_rows: list[InvalidRow] = field(default_factory=list)
    delimiter: str = ","
    has_header: bool = False
    source: str = ""
    #: "UTF-8", "Windows-1252", … for text; "sheet Kunden" for a spreadsheet.
    encoding: str = ""

    @property
    def repaired(self) -> list[CsvRow]:
        """Rows whose number was recovered from what the spreadsheet made of it."""
        return [row for row in self.valid_rows if row.note]

    @property
    def total(self) -> int:
        return len(self.valid_rows) + len(self.invalid_rows)

    def has_column(self, name: str) -> bool:
        return name in self.columns

    @property
    def summary(self) -> str:
        delimiter = {"\t": "tab", ",": "comma", ";": "semicolon", "|": "pipe"}.get(self.delimiter, self.delimiter)
        if self.encoding.startswith("sheet "):
            form = f"read from {self.encoding}"
        else:
            form = f"{delimiter}-separated" + (f", read as {self.encoding}" if self.encoding else "")
        repaired = len(self.repaired)
        return (
            f"{len(self.valid_rows)} row(s) ready, {len(self.invalid_rows)} invalid"
            + (f" ({repaired} number(s) repaired)" if repaired else "")
            + f"; {form}, {'with' if self.has_header else 'without'} a header; "
            f"columns: {', '.join(self.columns) or 'none'}"
        )


# --------------------------------------------------------------------------- decoding


def decode(data: bytes, source: str = "the file", encoding: str | None = None) -> str:
    """Text of a CSV file: UTF-8 with or without BOM, UTF-16, or a detected legacy code page."""
    return decode_with_encoding(data, source, encoding)[0]


def decode_with_encoding(data: bytes, source: str = "the file", encoding: str | None = None) -> tuple[str, str]:
    """(text, the encoding it was read in, as shown to the user)."""
    try:
        decoded = decode_bytes(data, source, encoding)
    except SheetError as exc:
        raise CsvError(str(exc)) from None
    return decoded.text, decoded.encoding


def _read_bytes(file: Path) -> bytes:
    try:
        return file.read_bytes()
    except FileNotFoundError:
        raise CsvError(f"{file} does not exist. Check the path.") from None
    except IsADirectoryError:
        raise CsvError(f"{file} is a folder, not a CSV file.") from None
    except OSError as exc:
        raise CsvError(f"Cannot read {file}: {exc.strerror or exc}.") from None


def read_text(path: str | Path, encoding: str | None = None) -> str:
    file = Path(path).expanduser()
    data = _read_bytes(file)
    if is_spreadsheet(file, data[:8]):
        raise CsvError(f"{file} is a spreadsheet, not CSV text; open it as a contact list or bulk file.")
    return decode(data, str(file), encoding)


# --------------------------------------------------------------------------- dialect


def sniff_delimiter(text: str) -> str:
    """The delimiter of ``text``: the csv Sniffer's guess when it splits the first lines into
    a steady number of columns, else the candidate that does so best, else a comma."""
    sample = text[:SNIFF_BYTES]
    lines = [line for line in sample.splitlines()[:50] if line.strip()]
    if not lines:
        return ","
    # A sample cut mid-line confuses the Sniffer; give it whole lines only.
    whole = "\n".join(lines)
    scores = {d: _score(whole, d) for d in DELIMITERS}
    best = max(scores.values())
    if best[0] == 0:
        return ","
    # The Sniffer breaks ties between delimiters that split the lines equally well.
    try:
        guess = csv.Sniffer().sniff(whole, delimiters=DELIMITERS).delimiter
    except csv.Error:
        guess = None
    if guess is not None and scores.get(guess) == best:
        return guess
    return next(d for d in DELIMITERS if scores[d] == best)


def _score(sample: str, delimiter: str) -> tuple[int, int]:
    """(rows that split the same way as the first, columns): 0 when the delimiter never splits."""
    try:
        rows = [r for r in csv.reader(io.StringIO(sample), delimiter=delimiter) if any(c.strip() for c in r)]
    except csv.Error:
        return (0, 0)
    if not rows:
        return (0, 0)
    width = len(rows[0])
    if width < 2:
        return (0, 0)
    return (sum(1 for r in rows if len(r) == width), width)


# --------------------------------------------------------------------------- columns


def _looks_like_phone(cell: str, region: str | None) -> bool:
    text = cell.strip()
    if not text or sum(ch.isdigit() for ch in text) < 5:
        return False
    try:
        normalize(text, region)
    except InvalidNumber:
        return False
    return True


def _header_columns(cells: Sequence[str]) -> list[str]:
    columns: list[str] = []
    for index, cell in enumerate(cells):
        known = canonical_column(cell)
        if known is not None and known not in columns:
            columns.append(known)
            continue
        key = column_key(cell) or f"column{index + 1}"
        while key in columns:
            key += "_"
        columns.append(key)
    return columns


def _is_header(first: Sequence[str], rest: Sequence[Sequence[str]], region: str | None) -> bool:
    if any(_looks_like_phone(cell, region) for cell in first):
        return False
    if any(canonical_column(cell) is not None for cell in first):
        return True
    # Unknown header words: the first row has no number where later rows have one.
    for row in rest[:20]:
        if any(_looks_like_phone(cell, region) for cell in row):
            return True
    return False


def _phone_column(rows: Sequence[Sequence[str]], region: str | None) -> int | None:
    """The index of the column holding the most phone numbers in the first rows."""
    hits: dict[int, int] = {}
    for row in rows[:20]:
        for index, cell in enumerate(row):
            if _looks_like_phone(cell, region):
                hits[index] = hits.get(index, 0) + 1
    if not hits:
        return None
    return max(hits, key=lambda i: (hits[i], -i))


def _positional_columns(kind: Kind, rows: Sequence[Sequence[str]], region: str | None) -> list[str]:
    width = max((len(r) for r in rows), default=1)
    order = list(POSITIONAL[kind])
    # The phone column is where the numbers are, wherever it is ("Alice,+49...").
    found = _phone_column(rows, region)
    phone_at = 0 if found is None else found
    others = [c for c in order if c != PHONE]
    columns: list[str] = []
    for index in range(width):
        if index == phone_at:
            columns.append(PHONE)
        elif others:
            columns.append(others.pop(0))
        else:
            columns.append(f"column{index + 1}")
    return columns


# --------------------------------------------------------------------------- rows


def _rows_with_lines(text: str, delimiter: str) -> Iterable[tuple[int, list[str]]]:
    """Rows with the line each starts on (a quoted field may span lines)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, skipinitialspace=False)
    start = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise CsvError(f"Line {reader.line_num}: {exc}. Check the quotes on that line.") from None
        yield start, row
        start = reader.line_num + 1


def read_csv(
    source: str | Path | bytes,
    *,
    kind: Kind = "contacts",
    region: str | None = None,
    default_tag: str | None = None,
    body_required: bool = True,
    now: datetime | None = None,
    tz: tzinfo | str | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
    mapping: Mapping[str, str] | None = None,
) -> CsvPreview:
    """Read a contacts or bulk-send file (a path, or a CSV file's bytes) into a preview.

    A path may name a CSV file in any encoding (``encoding`` overrides the detection) or a
    spreadsheet (.xlsx, .ods, …: its first sheet, or ``sheet``). ``mapping`` says which column
    is which (``{"phone": "Mobil privat"}``; see :func:`parse_mapping`).
    ``kind="contacts"`` needs phone and tag (``default_tag`` fills rows without one);
    ``kind="bulk"`` needs phone and body (unless ``body_required`` is False, when one body or
    a template is given for all). Times in a bulk file are read in ``tz`` (default: this
    computer's zone) and must be in the future of ``now``. Raises :class:`CsvError` when the
    file as a whole is unusable; bad rows are reported in the preview instead.
    """
    options = _Options(kind, region, default_tag, body_required, now, tz, mapping)
    if isinstance(source, bytes):
        text, used = decode_with_encoding(source, "the file", encoding)
        return _parse_text(text, options, "the file", used)
    file = Path(source).expanduser()
    data = _read_bytes(file)
    if is_spreadsheet(file, data[:8]):
        try:
            name, rows = read_spreadsheet(file, sheet)
        except SheetError as exc:
            raise CsvError(str(exc)) from None
        numbered = [(line, row) for line, row in enumerate(rows, start=1) if any(c.strip() for c in row)]
        preview = CsvPreview(columns=[], delimiter="", source=str(source), encoding=f"sheet {name!r}")
        return _build_preview(numbered, preview, options)
    if sheet:
        raise CsvError(f"{file} is a CSV file, which has no sheets; leave out --sheet.")
    text, used = decode_with_encoding(data, str(file), encoding)
    return _parse_text(text, options, str(source), used)


def parse_csv(
    text: str,
    *,
    kind: Kind = "contacts",
    region: str | None = None,
    default_tag: str | None = None,
    body_required: bool = True,
    now: datetime | None = None,
    tz: tzinfo | str | None = None,
    source: str = "the text",
    mapping: Mapping[str, str] | None = None,
) -> CsvPreview:
    """Like :func:`read_csv` for text already in memory (pasted, or decoded by the caller)."""
    return _parse_text(text, _Options(kind, region, default_tag, body_required, now, tz, mapping), source, "")


@dataclass(frozen=True, slots=True)
class _Options:
    kind: Kind
    region: str | None
    default_tag: str | None
    body_required: bool
    now: datetime | None
    tz: tzinfo | str | None
    mapping: Mapping[str, str] | None


def _parse_text(text: str, options: _Options, name: str, encoding: str) -> CsvPreview:
    text = text.lstrip("\ufeff")
    delimiter = sniff_delimiter(text)
    raw_rows = [(line, row) for line, row in _rows_with_lines(text, delimiter) if any(c.strip() for c in row)]
    preview = CsvPreview(columns=[], delimiter=delimiter, source=name, encoding=encoding)
    return _build_preview(raw_rows, preview, options)


def _build_preview(raw_rows: list[tuple[int, list[str]]], preview: CsvPreview, options: _Options) -> CsvPreview:
    name, kind, region = preview.source, options.kind, options.region
    if not raw_rows:
        return preview
    first = raw_rows[0][1]
    rest = [row for _, row in raw_rows[1:]]
    if _is_header(first, rest, region) or (options.mapping and mapping_names_a_header(options.mapping, first)):
        preview.has_header = True
        preview.columns = _header_columns(first)
        data_rows = raw_rows[1:]
        if PHONE not in preview.columns and not (options.mapping and PHONE in options.mapping):
            at = _phone_column([row for _, row in data_rows], region)
            if at is not None and at < len(preview.columns):
                preview.columns[at] = PHONE
        for cell, column in zip(first, preview.columns, strict=False):
            key = column_key(cell)
            if key and key != column and column in ALIASES:
                preview.aliases.setdefault(key, column)
    else:
        preview.columns = _positional_columns(kind, [row for _, row in raw_rows], region)
        data_rows = raw_rows
    if options.mapping:
        try:
            apply_mapping(preview.columns, preview.aliases, options.mapping, first if preview.has_header else None)
        except MappingError as exc:
            raise CsvError(str(exc)) from None
    if PHONE not in preview.columns:
        raise CsvError(
            f"{name} has no phone column. Name one of the header cells 'phone' (or number, tel, "
            f"mobile, telefon), or say which it is with --map phone=COLUMN - found: {', '.join(first)}"
        )
    now = options.now or datetime.now(UTC)
    zone = options.tz
    if zone is None:
        from smstui.core.gateway_time import (
            local_zone,  # the user's IANA zone, with its DST rules
        )

        zone = local_zone()
    checker = _RowChecker(
        kind, preview.columns, region, options.default_tag, options.body_required, now, zone, preview.aliases
    )
    for line, cells in data_rows:
        result = checker.check(line, cells)
        if isinstance(result, InvalidRow):
            preview.invalid_rows.append(result)
        else:
            preview.valid_rows.append(result)
    return preview


class _RowChecker:
    def __init__(
        self,
        kind: Kind,
        columns: list[str],
        region: str | None,
        default_tag: str | None,
        body_required: bool,
        now: datetime,
        tz: tzinfo | str,
        aliases: dict[str, str],
    ) -> None:
        self.aliases = aliases
        self.kind = kind
        self.columns = columns
        self.region = region
        self.default_tag = (default_tag or "").strip()
        self.body_required = body_required
        self.now = now
        self.tz = tz
        self.phone_index = columns.index(PHONE)
        self.phones: dict[str, tuple[str, str]] = {}  # raw -> (E.164, note): numbers repeat in lists
        self.seen: dict[tuple[str, str], int] = {}

    def _phone(self, raw: str) -> tuple[str, str]:
        cached = self.phones.get(raw)
        if cached is None:
            repaired = repair_number(raw, self.region)
            cached = (repaired.e164, repaired.note)
            self.phones[raw] = cached
        return cached

    def check(self, line: int, cells: list[str]) -> CsvRow | InvalidRow:
        values = {key: (cells[i].strip() if i < len(cells) else "") for i, key in enumerate(self.columns)}
        for extra in range(len(self.columns), len(cells)):
            if cells[extra].strip():
                values[f"column{extra + 1}"] = cells[extra].strip()

        def invalid(reason: str) -> InvalidRow:
            return InvalidRow(line, tuple(cells), reason)

        raw_phone = values.get(PHONE, "")
        if len(cells) <= self.phone_index or not raw_phone:
            return invalid("missing phone number")
        try:
            phone, note = self._phone(raw_phone)
        except InvalidNumber as exc:
            return invalid(f"bad number: {exc}")
        if self.kind == "contacts":
            tag = values.get(TAG, "") or self.default_tag
            if not tag:
                return invalid("missing tag (add a tag column or choose a tag for rows without one)")
            values[TAG] = tag
            key = (phone, tag.casefold())
            if key in self.seen:
                return invalid(f"same number and tag as line {self.seen[key]}")
            self.seen[key] = line
            return CsvRow(line, phone, values, aliases=self.aliases, note=note)
        if self.body_required and not values.get(BODY, ""):
            return invalid("missing message text (body column)")
        scheduled_at = None
        if values.get(TIME):
            try:
                scheduled_at = parse_when(values[TIME], self.now, self.tz)
            except WhenError as exc:
                return invalid(f"bad time: {exc}")
        slot = None
        if values.get(SLOT):
            try:
                slot = int(Slot.parse(values[SLOT]))
            except ValueError as exc:
                return invalid(f"bad slot: {exc}")
        customer_id = None
        if values.get(CUSTOMER_ID):
            raw = values[CUSTOMER_ID]
            if not raw.isdigit() or int(raw) > MAX_CUSTOMER_ID:
                return invalid(f"bad customer id {raw!r}: use a whole number from 0 to {MAX_CUSTOMER_ID}")
            customer_id = int(raw)
        return CsvRow(
            line,
            phone,
            values,
            scheduled_at=scheduled_at,
            slot=slot,
            customer_id=customer_id,
            aliases=self.aliases,
            note=note,
        )


__all__ = [
    "ALIASES",
    "BODY",
    "CUSTOMER_ID",
    "CsvError",
    "CsvPreview",
    "CsvRow",
    "InvalidRow",
    "NAME",
    "PHONE",
    "SLOT",
    "TAG",
    "TIME",
    "canonical_column",
    "column_key",
    "decode",
    "decode_with_encoding",
    "parse_csv",
    "read_csv",
    "read_text",
    "sniff_delimiter",
]
