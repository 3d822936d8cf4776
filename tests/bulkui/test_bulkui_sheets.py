"""Pilot tests: the import dialog and the bulk screen read spreadsheets as they come."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from bulkui_helpers import Host, idle, table_rows
from textual.widgets import Input, Select

from smstui.simulator.testing import TestSimulator
from smstui.tui.dialogs.csv_import import CsvImportDialog
from smstui.tui.screens.bulk import BulkScreen
from smstui.tui.screens.tags import TagsScreen
from tests.sheet_builders import write_xlsx

OFFICE = 11231


async def type_into(pilot, selector: str, text: str) -> None:  # noqa: ANN001
    await pilot.click(selector)
    await pilot.press(*("space" if ch == " " else ch for ch in text))


async def test_import_dialog_reads_a_windows_1252_file_with_a_mapping(
    sim_empty: TestSimulator, ui_session: SimpleNamespace, tmp_path: Path
) -> None:
    path = tmp_path / "kunden.csv"
    path.write_bytes("Ansprechpartner;Mobil privat\nAnna Müller;4915123456781\n".encode("cp1252"))
    app = Host(lambda: TagsScreen(ui_session), clock=sim_empty.clock, session=ui_session)
    async with app.run_test(size=(120, 40)) as pilot:
        await idle(pilot)
        await pilot.press("i")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, CsvImportDialog)
        dialog.query_one("#csv-path", Input).value = str(path)
        dialog.query_one("#csv-tag", Input).value = "Kunden"
        await type_into(pilot, "#csv-map", "name=A")
        await pilot.press("enter")
        await idle(pilot)
        summary = str(dialog.query_one("#csv-summary").render())
        assert "read as Windows-1252" in summary and "1 number(s) repaired" in summary
        assert table_rows(app, "#csv-valid") == [
            ["2", "+49 1512 3456781", "Anna Müller", "Kunden", "its leading + was missing"]
        ]


async def test_bulk_screen_reads_the_named_sheet(
    sim_empty: TestSimulator, ui_session: SimpleNamespace, tmp_path: Path
) -> None:
    path = write_xlsx(
        tmp_path / "versand.xlsx",
        [("Notizen", [("x",)]), ("Versand", [("Handy", "Kunde", "Nachricht"), ("+4915123456781", "Anna", "Hallo")])],
    )
    app = Host(lambda: BulkScreen(ui_session), clock=sim_empty.clock, session=ui_session)
    async with app.run_test(size=(120, 40)) as pilot:
        await idle(pilot)
        screen = app.screen
        screen.query_one("#bulk-csv", Input).value = str(path)
        screen.query_one("#bulk-device", Select).value = OFFICE
        await type_into(pilot, "#bulk-sheet", "Versand")
        await pilot.press("ctrl+s")
        await idle(pilot)
        summary = str(screen.query_one("#bulk-summary").render())
        assert "1 message(s) to 1 number(s)" in summary and "read from sheet 'Versand'" in summary
        assert table_rows(app, "#bulk-preview") == [["2", "+49 1512 3456781", "Hallo"]]
