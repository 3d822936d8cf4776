"""Turning the files small businesses have into text or rows: any CSV encoding, .xlsx and .ods.

Excel and LibreOffice write CSV in UTF-8 (with or without a BOM), UTF-16 ("Unicode text") or
the computer's legacy code page (Windows-1252 for a German or French "CSV (semicolon)"). UTF-8
and UTF-16 are read exactly; anything else is detected with charset-normalizer, which is imported
only then. Spreadsheets (.xlsx, .xlsm, .xls, .ods, recognised by their content, not only their
name) are read with python-calamine, imported only when such a file is opened, so neither costs
the cold start anything.
"""

from __future__ import annotations

import codecs
import datetime as dt
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


class SheetError(ValueError):
    """The file cannot be read as text or as a spreadsheet; the message says what to do."""


#: Display names of the code pages people know by name.
_LABELS = {
    "utf_8": "UTF-8",
    "cp1252": "Windows-1252",
    "cp1250": "Windows-1250",
    "cp1251": "Windows-1251",
    "cp1253": "Windows-1253",
    "cp1254": "Windows-1254",
    "cp1257": "Windows-1257",
    "latin_1": "ISO-8859-1",
    "iso8859_15": "ISO-8859-15",
    "iso8859_2": "ISO-8859-2",
    "mac_roman": "Mac Roman",
    "cp850": "DOS code page 850",
    "cp437": "DOS code page 437",
    "koi8_r": "KOI8-R",
}
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls
# Typographic marks of Western text (dashes and quotes are allowed by category).
_WESTERN_MARKS = frozenset("…•€·°§")
SPREADSHEET_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"})


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str  # as shown to the user: "UTF-8", "UTF-16", "Windows-1252", …


def encoding_label(name: str) -> str:
    """``"cp1252"`` -> ``"Windows-1252"``; names Python does not know are returned as given."""
    try:
        canonical = codecs.lookup(name).name.replace("-", "_")
    except LookupError:
        return name
    return _LABELS.get(canonical, canonical.replace("_", "-").upper())


def decode_bytes(data: bytes, source: str = "the file", encoding: str | None = None) -> Decoded:
    """The text of a CSV file and the encoding it was read in.

    ``encoding`` (``--encoding``) overrides the detection: an unknown name or bytes that do not
    fit it are a :class:`SheetError` saying so.
    """
    if encoding:
        try:
            codec = codecs.lookup(encoding).name
        except LookupError:
            raise SheetError(
                f"{encoding!r} is not an encoding Python knows; try utf-8, utf-16, cp1252 or latin-1."
            ) from None
        try:
            text = data.decode("utf-8-sig" if codec == "utf-8" else codec)
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            raise SheetError(
                f"{source} is not {encoding_label(codec)} text (byte 0x{data[exc.start]:02x} on line {line}); "
                "leave out --encoding to have it detected."
            ) from None
        return Decoded(text, encoding_label(codec))
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return Decoded(data.decode("utf-16"), "UTF-16")
        except UnicodeDecodeError as exc:
            raise SheetError(f"{source} claims to be UTF-16 but is not ({exc.reason}).") from None
    try:
        return Decoded(data.decode("utf-8-sig"), "UTF-8")
    except UnicodeDecodeError:
        pass
    return _detect(data, source)


def _detect(data: bytes, source: str) -> Decoded:
    from charset_normalizer import from_bytes  # only files that are not UTF-8 pay for it

    results = from_bytes(data)
    best = results.best()
    if best is None:
        raise SheetError(
            f"{source} is not text in any encoding smstui recognises. Save it as 'CSV UTF-8' "
            "in your spreadsheet program, or give the encoding with --encoding."
        )
    codec = best.encoding
    # Short lists tie between code pages that share the accented letters (ä ö ü ß are the same
    # bytes in Windows-1250 and -1252). Excel's Western default wins when its reading is plain
    # Latin text: letters only (no stray £ ³ ¯ a Polish file gives) and mostly ASCII ones (not
    # a Cyrillic file read as Òåëåôîí).
    if codec != "cp1252" and _plain_latin(data, "cp1252"):
        codec = "cp1252"
    return Decoded(data.decode(codec, errors="replace"), encoding_label(codec))


def _plain_latin(data: bytes, codec: str) -> bool:
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        return False
    letters = other = 0
    for ch in text:
        if ch.isascii():
            continue
        category = unicodedata.category(ch)
        if category.startswith("L"):
            letters += 1
        elif not (ch.isspace() or category in ("Pd", "Pi", "Pf") or ch in _WESTERN_MARKS):
            other += 1
    ascii_letters = sum(1 for ch in text if ch.isascii() and ch.isalpha())
    return other == 0 and letters * 3 < ascii_letters


def is_spreadsheet(path: Path, head: bytes) -> bool:
    """True for .xlsx/.ods (zip) and .xls (OLE) files, whatever their name says."""
    return head.startswith((_ZIP, _OLE)) or path.suffix.casefold() in SPREADSHEET_SUFFIXES


def read_spreadsheet(path: Path, sheet: str | None = None) -> tuple[str, list[list[str]]]:
    """(sheet name, rows of cell texts) of the first sheet, or of ``sheet``."""
    from python_calamine import CalamineWorkbook  # only spreadsheets pay for the reader

    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # noqa: BLE001 - calamine raises several kinds; all mean "unreadable"
        raise SheetError(
            f"{path} cannot be read as a spreadsheet ({exc}). Open it in your spreadsheet program "
            "and save it as .xlsx, .ods or CSV."
        ) from None
    names: Sequence[str] = workbook.sheet_names
    if not names:
        raise SheetError(f"{path} has no sheets.")
    name = names[0]
    if sheet:
        folded = {n.casefold(): n for n in names}
        if sheet.casefold() not in folded:
            raise SheetError(f"{path} has no sheet {sheet!r}; its sheets are: {', '.join(names)}.")
        name = folded[sheet.casefold()]
    try:
        values = workbook.get_sheet_by_name(name).to_python(skip_empty_area=True)
    except Exception as exc:  # noqa: BLE001
        raise SheetError(f"Sheet {name!r} of {path} cannot be read ({exc}).") from None
    return name, [[cell_text(value) for value in row] for row in values]


def cell_text(value: object) -> str:
    """A cell as text: whole numbers without ``.0`` (a phone number stored as a number comes
    back as a float), dates in ISO form."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


__all__ = [
    "SPREADSHEET_SUFFIXES",
    "Decoded",
    "SheetError",
    "cell_text",
    "decode_bytes",
    "encoding_label",
    "is_spreadsheet",
    "read_spreadsheet",
]
