"""CSV edge cases: encodings, delimiters, headers, quoting, bad rows, big files."""

from __future__ import annotations

import codecs
from datetime import UTC, datetime
from pathlib import Path

import pytest

from smstui.core.sheets.csv_import import (
    CsvError,
    column_key,
    parse_csv,
    read_csv,
    sniff_delimiter,
)

NOW = datetime(2026, 5, 20, 10, 0, tzinfo=UTC)


def write(tmp_path: Path, data: bytes, name: str = "list.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_utf8_with_bom_and_header(tmp_path: Path) -> None:
    path = write(tmp_path, codecs.BOM_UTF8 + "phone,name,tag\n+4915752982212,Jürgen Öz,vip\n".encode())
    preview = read_csv(path)
    assert preview.has_header
    assert preview.columns == ["phone", "name", "tag"]
    [row] = preview.valid_rows
    assert (row.phone, row.name, row.tag, row.line) == ("+4915752982212", "Jürgen Öz", "vip", 2)
    assert preview.invalid_rows == []


def test_utf8_without_bom(tmp_path: Path) -> None:
    path = write(tmp_path, "phone,name,tag\n+4915752982212,Zoë,vip\n".encode())
    assert read_csv(path).valid_rows[0].name == "Zoë"


def test_utf16_excel_unicode_text(tmp_path: Path) -> None:
    path = write(tmp_path, "phone\tname\ttag\n+4915752982212\tAnn\tvip\n".encode("utf-16"))
    preview = read_csv(path)
    assert preview.delimiter == "\t"
    assert preview.valid_rows[0].name == "Ann"


def test_latin1_is_detected_not_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "phone,name\n+4915752982212,M\xfcller\n".encode("latin-1"))
    preview = read_csv(path, default_tag="x")
    assert preview.valid_rows[0].name == "Müller"
    assert "read as Windows-1252" in preview.summary


def test_missing_file_and_unreadable_spreadsheet(tmp_path: Path) -> None:
    with pytest.raises(CsvError, match="does not exist"):
        read_csv(tmp_path / "nope.csv")
    with pytest.raises(CsvError, match="cannot be read as a spreadsheet"):
        read_csv(write(tmp_path, b"PK\x03\x04\x00\x00\x00binary", "book.xlsx"))


def test_semicolons_with_commas_inside_fields() -> None:
    text = "Telefon;Name;Gruppe\n+49 157 52982212;Müller, Hans;Kunden\n+49 176 12345678;Schmidt, Eva;Kunden\n"
    preview = parse_csv(text)
    assert preview.delimiter == ";"
    assert [r.name for r in preview.valid_rows] == ["Müller, Hans", "Schmidt, Eva"]
    assert [r.tag for r in preview.valid_rows] == ["Kunden", "Kunden"]


def test_quoted_commas_and_quoted_newlines_keep_line_numbers() -> None:
    text = 'phone,body\n+4915752982212,"Hello, world"\n+4917612345678,"two\nlines"\nnot-a-number,"x"\n'
    preview = parse_csv(text, kind="bulk")
    assert [r.body for r in preview.valid_rows] == ["Hello, world", "two\nlines"]
    assert [r.line for r in preview.valid_rows] == [2, 3]
    [bad] = preview.invalid_rows
    assert bad.line == 5  # the quoted field spanned lines 3-4
    assert bad.reason.startswith("bad number")


def test_empty_lines_are_skipped_and_not_counted() -> None:
    text = "\n\nphone,name,tag\n\n+4915752982212,A,t\n   \n,,\n+4917612345678,B,t\n\n"
    preview = parse_csv(text)
    assert [r.line for r in preview.valid_rows] == [5, 8]
    assert preview.invalid_rows == []
    assert preview.total == 2


def test_invalid_rows_have_reasons() -> None:
    text = (
        "phone,name,tag\n"
        "+4915752982212,Ann,vip\n"
        "hello,Bob,vip\n"
        "12,Tiny,vip\n"
        ",NoPhone,vip\n"
        "+4917612345678,NoTag,\n"
        "+4915752982212,Again,VIP\n"
        "+4917612345679\n"
    )
    preview = parse_csv(text)
    reasons = {r.line: r.reason for r in preview.invalid_rows}
    assert [r.line for r in preview.valid_rows] == [2]
    assert "letters" in reasons[3]
    assert reasons[4].startswith("bad number") and "short" in reasons[4]
    assert reasons[5] == "missing phone number"
    assert reasons[6].startswith("missing tag")
    assert reasons[7] == "same number and tag as line 2"
    assert reasons[8].startswith("missing tag")
    assert preview.invalid_rows[0].cells == ("hello", "Bob", "vip")


def test_default_tag_fills_rows_without_one() -> None:
    preview = parse_csv("phone,name\n+4915752982212,Ann\n", default_tag="Newsletter")
    assert preview.valid_rows[0].tag == "Newsletter"


def test_region_reads_national_numbers() -> None:
    text = "phone,name,tag\n0157 52982212,Ann,t\n"
    assert parse_csv(text, region="DE").valid_rows[0].phone == "+4915752982212"
    assert "country code" in parse_csv(text).invalid_rows[0].reason


def test_header_aliases_in_several_languages() -> None:
    for header in ("Mobile;Full Name;Group", "Telefonnummer;Name;Gruppe", "numero;nombre;grupo", "tel;nom;groupe"):
        preview = parse_csv(header + "\n+4915752982212;Ann;x\n")
        assert preview.columns == ["phone", "name", "tag"], header
        assert preview.has_header


def test_no_header_positional_and_phone_found_anywhere() -> None:
    preview = parse_csv("+4915752982212,Ann,vip\n+4917612345678,Bob,vip\n")
    assert not preview.has_header and len(preview.valid_rows) == 2
    swapped = parse_csv("Ann,+4915752982212,vip\nBob,+4917612345678,vip\n")
    assert swapped.columns[:2] == ["name", "phone"]
    assert [r.name for r in swapped.valid_rows] == ["Ann", "Bob"]


def test_unknown_header_words_are_still_a_header() -> None:
    preview = parse_csv("Wer,Kundennr Handy,Liste\nAnn,+4915752982212,vip\n", default_tag="t")
    assert preview.has_header
    assert preview.columns == ["wer", "phone", "liste"]
    [row] = preview.valid_rows
    assert (row.phone, row.values["wer"], row.tag) == ("+4915752982212", "Ann", "t")


def test_single_column_of_numbers() -> None:
    preview = parse_csv("+4915752982212\n+4917612345678\n", kind="bulk", body_required=False)
    assert preview.columns == ["phone"]
    assert len(preview.valid_rows) == 2


def test_no_phone_column_is_a_file_error() -> None:
    with pytest.raises(CsvError, match="no phone column"):
        parse_csv("name,city\nAnn,Berlin\n")


def test_extra_columns_are_kept_for_templates() -> None:
    preview = parse_csv("Mobile,body,First Name,Order #\n+49 157 52982212,hi,Ann,A-17\n", kind="bulk")
    row = preview.valid_rows[0]
    assert row.name == "Ann"  # "First Name" is read as the name column
    assert row.values["order"] == "A-17"
    values = row.template_values()
    # The header's own names work too, and {phone}/{mobile} are the normalised number.
    assert (values["first_name"], values["name"], values["order"]) == ("Ann", "Ann", "A-17")
    assert values["phone"] == values["mobile"] == "+4915752982212"


def test_bulk_columns_time_slot_customer_id() -> None:
    text = (
        "phone;message;time;sim;customer id\n"
        "+4915752982212;a;2026-05-21 09:00;sms2;17\n"
        "+4915752982213;b;2020-01-01 09:00;;\n"
        "+4915752982214;c;;whatsapp-x;\n"
        "+4915752982215;d;;;-4\n"
        "+4915752982216;;;;\n"
        "+4915752982217;e;+2h;1;99999999999\n"
    )
    preview = parse_csv(text, kind="bulk", now=NOW, tz="Europe/Berlin")
    [ok] = preview.valid_rows
    assert ok.scheduled_at == datetime(2026, 5, 21, 7, 0, tzinfo=UTC)
    assert (ok.slot, ok.customer_id) == (1, 17)
    reasons = {r.line: r.reason for r in preview.invalid_rows}
    assert reasons[3].startswith("bad time") and "past" in reasons[3]
    assert reasons[4].startswith("bad slot")
    assert reasons[5].startswith("bad customer id")
    assert reasons[6].startswith("missing message text")
    assert reasons[7].startswith("bad customer id")


def test_sniffer_prefers_consistent_delimiter() -> None:
    assert sniff_delimiter("a;b,c;d\n1;2,3;4\n") == ";"
    assert sniff_delimiter("a|b|c\n1|2|3\n") == "|"
    assert sniff_delimiter("just one column\n") == ","
    assert sniff_delimiter("") == ","


def test_column_key() -> None:
    assert column_key(" First Name ") == "first_name"
    assert column_key("Order-#") == "order"


def test_ten_thousand_rows(tmp_path: Path) -> None:
    lines = ["phone;name;tag"]
    for i in range(10_000):
        number = f"+4915{i:09d}" if i % 1000 else "bad"
        lines.append(f'{number};"Name, {i}";tag{i % 7}')
    path = write(tmp_path, ("\n".join(lines) + "\n").encode("utf-8-sig"))
    preview = read_csv(path)
    assert len(preview.valid_rows) == 9_990
    assert len(preview.invalid_rows) == 10
    assert preview.invalid_rows[0].line == 2
    assert preview.valid_rows[-1].name == "Name, 9999"
    assert preview.valid_rows[-1].line == 10_001
