"""The export writer (issue 16 item 2): formats, spreadsheet-safe cells, and files that are whole or absent."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from smstui.cli.output import stored_message_doc as cli_doc
from smstui.core.export import (
    ExportCancelled,
    ExportError,
    csv_cell,
    default_name,
    export_to_path,
    write_messages,
)
from smstui.core.filters import MessageFilters
from smstui.core.gateway_messages import Message
from smstui.core.message_docs import FIELDS, stored_message_doc
from smstui.core.search import SearchQuery
from smstui.core.store.database import Store

NOW = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
ANNA = "+4915123456781"


@pytest.fixture
def store() -> Store:
    s = Store(":memory:", region="DE")
    bodies = ["=1+2", "+49 call me", "-5 degrees", "@here", "\ttabbed", "\rreturn", "fine", "evil \x1b[31mred\x1b[0m"]
    s.upsert_messages(
        [
            Message(
                id=100 + i,
                phone=ANNA,
                body=b,
                status=7 if i % 2 else 5,
                device_id=1297,
                slot=0,
                created=NOW - timedelta(minutes=i),
            )
            for i, b in enumerate(bodies)
        ]
    )
    tag = s.add_tag("VIP", 1)
    s.add_contact(tag, ANNA, "Anna [b]Schmidt[/b]", 2)
    return s


def test_csv_cells_never_start_a_formula() -> None:
    for value in ("=SUM(A1)", "+1", "-1", "@x", "\tx", "\rx"):
        assert csv_cell(value) == "'" + value
    assert csv_cell("a=b") == "a=b" and csv_cell(None) == "" and csv_cell(True) == "true" and csv_cell(7) == "7"
    assert csv_cell(-3) == "'-3"  # a negative number reads as a formula to some spreadsheets


def test_csv_has_the_json_fields_as_columns(store: Store) -> None:
    out = io.StringIO(newline="")
    rows = list(store.iter_messages(SearchQuery()))
    assert write_messages(rows, out, "csv") == len(rows) == 8
    read = list(csv.reader(io.StringIO(out.getvalue(), newline="")))
    assert tuple(read[0]) == FIELDS
    for line, message in zip(read[1:], rows, strict=True):
        doc = stored_message_doc(message)
        for field, cell in zip(FIELDS, line, strict=True):
            assert cell == csv_cell(doc[field])
            assert not cell or cell[0] not in "=+-@\t\r"


def test_jsonl_is_the_messages_json_shape(store: Store) -> None:
    out = io.StringIO()
    rows = list(store.iter_messages(SearchQuery()))
    write_messages(rows, out, "jsonl")
    lines = out.getvalue().splitlines()
    assert [json.loads(line) for line in lines] == [cli_doc(m) for m in rows]
    assert "\x1b" not in out.getvalue() and "\\u001b" in out.getvalue()


def test_text_is_for_reading(store: Store) -> None:
    out = io.StringIO()
    names = store.contact_names([ANNA])
    write_messages(store.iter_messages(SearchQuery("evil")), out, "txt", names=names.get, zone=UTC)
    text = out.getvalue()
    assert text.startswith("2026-11-02 11:53  out  +4915123456781 (Anna [b]Schmidt[/b])  Delivered  #107\n")
    assert "    evil ␛[31mred␛[0m\n" in text and "\x1b" not in text


def test_files_are_whole_or_absent(store: Store, tmp_path: Path) -> None:
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    target = tmp_path / "anna.csv"
    target.write_text("the old file")
    query = SearchQuery("", MessageFilters(phone_key=ANNA))
    with pytest.raises(ExportCancelled):
        export_to_path(store, query, "csv", target, cancelled=lambda: True, progress=None)
    assert target.read_text() == "the old file"  # untouched: a cancelled export leaves nothing
    seen: list[int] = []
    assert export_to_path(store, query, "jsonl", target, progress=seen.append) == 8
    assert seen[-1] == 8 and target.stat().st_mode & 0o777 == 0o600
    assert len(target.read_text(encoding="utf-8").splitlines()) == 8
    assert sorted(p.name for p in tmp_path.iterdir()) == ["anna.csv"]  # no temporary left
    with pytest.raises(ExportError, match="does not exist"):
        export_to_path(store, query, "csv", tmp_path / "no" / "x.csv")
    with pytest.raises(ExportError, match="is a folder"):
        export_to_path(store, query, "csv", tmp_path)
    with pytest.raises(ExportError, match="unknown export format"):
        write_messages([], io.StringIO(), "xml")  # type: ignore[arg-type]


def test_cancel_is_checked_while_writing(store: Store, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr("smstui.core.export.PROGRESS_EVERY", 3)
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    asked: list[int] = []

    def cancelled() -> bool:
        asked.append(1)
        return len(asked) > 1

    with pytest.raises(ExportCancelled):
        export_to_path(store, SearchQuery(), "txt", tmp_path / "x.txt", cancelled=cancelled)
    assert list(tmp_path.iterdir()) == []


def test_default_names_are_safe_file_names() -> None:
    assert default_name("+4915123456781", "csv", "20261102-1200") == "smstui-+4915123456781-20261102-1200.csv"
    assert default_name("../../etc/passwd", "txt", "x") == "smstui-etc-passwd-x.txt"
    assert default_name("", "jsonl", "x") == "smstui-messages-x.jsonl"
