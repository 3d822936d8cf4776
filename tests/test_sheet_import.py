"""Spreadsheets as small businesses have them: legacy encodings, .xlsx/.ods, German headers,
column mapping and the numbers a spreadsheet mangles. Every fixture is written by the test."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from smstui.core.phone import InvalidNumber
from smstui.core.sheets.column_map import MappingError, parse_mapping
from smstui.core.sheets.csv_import import CsvError, read_csv
from smstui.core.sheets.number_repair import repair_number
from tests.sheet_builders import write_ods, write_xlsx

GERMAN = "Telefon;Name\n0151 1234567;Anna Müller\n0160 7654321;Jörg Weiß\n"


def write(tmp_path: Path, data: bytes, name: str = "kunden.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("data", "shown"),
    [
        (GERMAN.encode("utf-8"), "UTF-8"),
        (codecs.BOM_UTF8 + GERMAN.encode("utf-8"), "UTF-8"),
        (GERMAN.encode("utf-16"), "UTF-16"),
        (GERMAN.encode("cp1252"), "Windows-1252"),
        ("Telefon;Name\n0151 1234567;François Lefèvre – Café\n".encode("cp1252"), "Windows-1252"),
    ],
)
def test_each_encoding_excel_writes_is_read(tmp_path: Path, data: bytes, shown: str) -> None:
    preview = read_csv(write(tmp_path, data), region="DE", default_tag="kunden")
    assert f"read as {shown}" in preview.summary
    assert preview.valid_rows[0].phone == "+491511234567"
    assert preview.valid_rows[0].name in ("Anna Müller", "François Lefèvre – Café")
    assert preview.invalid_rows == []


def test_other_code_pages_are_not_taken_for_windows_1252(tmp_path: Path) -> None:
    polish = "Telefon;Nazwisko\n+48501234567;Łukasz Żółw\n+48501234568;Paweł Gałązka\n".encode("cp1250")
    assert read_csv(write(tmp_path, polish), default_tag="x").valid_rows[0].values["nazwisko"] == "Łukasz Żółw"
    russian = "Телефон;Имя\n+79161234567;Иван Петров\n+79161234568;Мария Сидорова\n".encode("cp1251")
    preview = read_csv(write(tmp_path, russian, "r.csv"), default_tag="x")
    assert preview.valid_rows[0].name == "Иван Петров"
    assert "Windows-1251" in preview.summary


def test_encoding_override(tmp_path: Path) -> None:
    path = write(tmp_path, GERMAN.encode("cp1252"))
    assert read_csv(path, region="DE", default_tag="x", encoding="latin-1").valid_rows[0].name == "Anna Müller"
    with pytest.raises(CsvError, match=r"not UTF-8 text .*line 2.*leave out --encoding"):
        read_csv(path, region="DE", default_tag="x", encoding="utf-8")
    with pytest.raises(CsvError, match="not an encoding"):
        read_csv(path, encoding="klingon")


@pytest.mark.parametrize("writer", [write_xlsx, write_ods])
def test_spreadsheets_first_sheet_or_the_named_one(tmp_path: Path, writer) -> None:  # noqa: ANN001
    suffix = ".xlsx" if writer is write_xlsx else ".ods"
    customers = [
        ("Handy", "Kunde", "Nachricht"),
        (4915112345678, "Anna Müller", "Hallo {name}"),
        ("0160 7654321", "Jörg", "Hi"),
    ]
    path = writer(
        tmp_path / f"kunden{suffix}", [("Kunden", customers), ("Lieferanten", [("Nummer",), ("+4915112345699",)])]
    )
    preview = read_csv(path, kind="bulk", region="DE")
    assert "read from sheet 'Kunden'" in preview.summary
    assert [(r.phone, r.name, r.body) for r in preview.valid_rows] == [
        ("+4915112345678", "Anna Müller", "Hallo {name}"),
        ("+491607654321", "Jörg", "Hi"),
    ]
    assert preview.valid_rows[0].note == "its leading + was missing"
    other = read_csv(path, kind="contacts", region="DE", default_tag="x", sheet="lieferanten")
    assert [r.phone for r in other.valid_rows] == ["+4915112345699"]
    with pytest.raises(CsvError, match="no sheet 'Preise'; its sheets are: Kunden, Lieferanten"):
        read_csv(path, sheet="Preise")


def test_a_spreadsheet_saved_with_a_csv_name_is_still_read(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "export.csv", [("S", [("Mobil",), ("+4915112345678",)])])
    assert read_csv(path, default_tag="x").valid_rows[0].phone == "+4915112345678"


def test_spreadsheet_reader_is_loaded_only_for_spreadsheets(tmp_path: Path) -> None:
    import subprocess
    import sys

    csv_path = write(tmp_path, GERMAN.encode("utf-8"))
    script = (
        "import sys; from smstui.core.sheets.csv_import import read_csv; "
        f"read_csv({str(csv_path)!r}, region='DE', default_tag='x'); "
        "print(sorted(m for m in ('python_calamine', 'charset_normalizer') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize(
    "header",
    ["Telefon;Name;Nachricht", "Handy;Kunde;Text", "Mobil;Name;Nachricht", "Nummer;Kunde;Text", "phone;name;body"],
)
def test_german_and_english_headers(header: str) -> None:
    from smstui.core.sheets.csv_import import parse_csv

    preview = parse_csv(f"{header}\n0151 1234567;Anna;Hallo\n", kind="bulk", region="DE")
    assert preview.columns == ["phone", "name", "body"]
    assert (preview.valid_rows[0].name, preview.valid_rows[0].body) == ("Anna", "Hallo")


def test_map_names_columns_by_header_number_or_letter() -> None:
    from smstui.core.sheets.csv_import import parse_csv

    text = "Kontaktperson;Mobil privat;Festnetz;Gruß\nAnna;0151 1234567;030 1234567;Hallo\n"
    by_header = parse_csv(
        text, kind="bulk", region="DE", mapping=parse_mapping("phone=Mobil privat,name=Kontaktperson,body=Gruß")
    )
    assert [(r.phone, r.name, r.body) for r in by_header.valid_rows] == [("+491511234567", "Anna", "Hallo")]
    by_place = parse_csv(text, kind="bulk", region="DE", mapping=parse_mapping("phone=3,name=A,body=D"))
    assert [(r.phone, r.name, r.body) for r in by_place.valid_rows] == [("+49301234567", "Anna", "Hallo")]
    with pytest.raises(CsvError, match="no column 'Fax'"):
        parse_csv(text, kind="bulk", region="DE", mapping=parse_mapping("phone=Fax"))
    with pytest.raises(MappingError, match="not FIELD=COLUMN"):
        parse_mapping("phone")
    with pytest.raises(MappingError, match="not a field"):
        parse_mapping("handy=B")


@pytest.mark.parametrize(
    ("cell", "e164", "note"),
    [
        ("4.915112345678E+12", "+4915112345678", "scientific notation"),
        ("4,915112345678E+12", "+4915112345678", "scientific notation"),
        ("4915112345678", "+4915112345678", "leading + was missing"),
        ("4915112345678.0", "+4915112345678", "leading + was missing"),
        ("15112345678", "+4915112345678", ""),
        ("1607654321", "+491607654321", ""),
        ("0151 / 1234 567", "+491511234567", ""),
        ("0151/1234567", "+491511234567", ""),
        ("+49 (0)151 1234 567", "+491511234567", ""),
        ("447911123456", "+447911123456", "leading + was missing"),
    ],
)
def test_mangled_numbers_are_recovered(cell: str, e164: str, note: str) -> None:
    repaired = repair_number(cell, "DE")
    assert repaired.e164 == e164
    assert note in repaired.note
    if not note:
        assert repaired.note == ""


def test_scientific_notation_that_lost_digits_is_flagged() -> None:
    with pytest.raises(InvalidNumber, match="7 digit.*lost.*format the column as text"):
        repair_number("4.91512E+12", "DE")
    from smstui.core.sheets.csv_import import parse_csv

    preview = parse_csv("Telefon;Name\n4.91512E+12;Anna\n4915112345678;Jörg\n", region="DE", default_tag="x")
    assert [r.phone for r in preview.valid_rows] == ["+4915112345678"]
    [bad] = preview.invalid_rows
    assert bad.line == 2 and "lost" in bad.reason
    assert "1 number(s) repaired" in preview.summary
