"""Importing contacts from a CSV file: preview (ready and invalid rows), then import with progress.

The file is read in a thread (10 000 rows take a fraction of a second, but never on the UI
thread); the import runs in a named worker and may be cancelled between rows. A failure part-way
leaves the "Not saved" tab listing every row that was not saved and why; re-running the import
skips what was saved.
"""

from __future__ import annotations

import threading
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import (
    DataTable,
    Input,
    ProgressBar,
    Static,
    TabbedContent,
    TabPane,
)

from smstui.core.contacts import ImportReport, import_contacts
from smstui.core.phone import format_display
from smstui.core.sheets.column_map import MappingError
from smstui.core.sheets.csv_import import CsvError, CsvPreview, read_csv
from smstui.tui.dialogs.form_dialog import FormDialog
from smstui.tui.widgets.file_options import FileOptions
from smstui.tui.widgets.format import clean
from smstui.tui.widgets.input_order import after_pending_input
from smstui.tui.widgets.tab_keys import TAB_KEYS_HINT, TabKeys, show_pane, tab_bindings
from smstui.tui.workers import store_read, task

MAX_SHOWN = 1000  # rows drawn per table; the counts always cover the whole file


def cell(text: str | None, limit: int = 60) -> Text:
    value = clean(text, single_line=True)
    if len(value) > limit:
        value = value[: limit - 1] + "…"
    return Text(value)


class CsvImportDialog(TabKeys, FormDialog[ImportReport | None]):
    """See module docstring. Dismisses with the last import's report (None when none ran)."""

    DEFAULT_CSS = """
    CsvImportDialog > Vertical { max-width: 120; height: 100%; max-height: 40; }
    CsvImportDialog #csv-path { width: 1fr; }
    CsvImportDialog #csv-tag { width: 30; }
    CsvImportDialog Label { padding: 1 1 0 0; }
    CsvImportDialog #csv-summary { height: auto; max-height: 3; }
    CsvImportDialog TabbedContent { height: 1fr; }
    CsvImportDialog DataTable { height: 1fr; }
    CsvImportDialog #csv-progress { display: none; }
    CsvImportDialog.-running #csv-progress, CsvImportDialog.-done #csv-progress { display: block; }
    CsvImportDialog #csv-report { height: auto; max-height: 4; }
    """

    BINDINGS = [
        Binding("escape", "close", "Close / cancel", id="csv_import.close"),
        Binding("ctrl+s", "start_import", "Import", id="csv_import.import", priority=True),
        *tab_bindings("csv_import"),
    ]

    def __init__(
        self, store: Any, client: Any, *, region: str | None = None, default_tag: str = "", path: str = ""
    ) -> None:
        super().__init__()
        self.store = store
        self.client = client
        self.phone_region = region
        self._default_tag = default_tag
        self._path = path
        self.preview: CsvPreview | None = None
        self.report: ImportReport | None = None
        self._cancel = threading.Event()
        self._importing = False

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Import contacts from a CSV, .xlsx or .ods file", classes="dialog-title")
            with Horizontal():
                yield Input(self._path, placeholder="Path of the file (columns: phone, name, tag)", id="csv-path")
                yield Input(self._default_tag, placeholder="Tag for rows without one", id="csv-tag")
            yield FileOptions("csv", id="csv-options")
            yield Static("Enter a path and press enter to preview.", id="csv-summary")
            with TabbedContent(id="csv-tabs"):
                with TabPane("Ready", id="csv-ready-pane"):
                    yield DataTable(id="csv-valid", cursor_type="row", zebra_stripes=True)
                with TabPane("Invalid", id="csv-invalid-pane"):
                    yield DataTable(id="csv-invalid", cursor_type="row", zebra_stripes=True)
                with TabPane("Not saved", id="csv-failed-pane"):
                    yield DataTable(id="csv-failed", cursor_type="row", zebra_stripes=True)
            yield ProgressBar(id="csv-progress", show_eta=False)
            yield Static("", id="csv-report")
            yield Static(
                f"enter in any field: preview · ctrl+s: import · esc: cancel the import / close · {TAB_KEYS_HINT}",
                classes="dialog-hint",
            )

    def on_mount(self) -> None:
        self.query_one("#csv-valid", DataTable).add_columns("Line", "Phone", "Name", "Tag", "Number repaired")
        self.query_one("#csv-invalid", DataTable).add_columns("Line", "Row", "Reason")
        self.query_one("#csv-failed", DataTable).add_columns("Line", "Phone", "What happened")
        self.query_one("#csv-path", Input).focus()
        if self._path:
            self.load_preview()

    # ------------------------------------------------------------------ preview

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.load_preview()

    @store_read("csv-preview", "read the CSV file", name="read-csv")
    def load_preview(self) -> None:
        path = self.query_one("#csv-path", Input).value.strip()
        default_tag = self.query_one("#csv-tag", Input).value.strip()
        if not path:
            self.app.call_from_thread(self._show_problem, "Enter the path of a CSV file.")
            return
        try:
            options = self.query_one(FileOptions).read_options()
            preview = read_csv(
                path, kind="contacts", region=self.phone_region, default_tag=default_tag or None, **options
            )
        except (CsvError, MappingError) as exc:
            self.app.call_from_thread(self._show_problem, str(exc))
            return
        self.app.call_from_thread(self._show_preview, preview)

    def _show_problem(self, text: str) -> None:
        self.preview = None
        self.query_one("#csv-summary", Static).update(Text(text, style="bold red"))
        self.query_one("#csv-valid", DataTable).clear()
        self.query_one("#csv-invalid", DataTable).clear()

    def _show_preview(self, preview: CsvPreview) -> None:
        self.preview = preview
        summary = Text(clean(preview.summary))
        if preview.valid_rows:
            summary.append("\nctrl+s imports the ready rows; invalid rows are left out.", style="dim")
        self.query_one("#csv-summary", Static).update(summary)
        valid = self.query_one("#csv-valid", DataTable)
        valid.clear()
        valid.add_rows(
            (str(r.line), format_display(r.phone), cell(r.name), cell(r.tag), cell(r.note))
            for r in preview.valid_rows[:MAX_SHOWN]
        )
        invalid = self.query_one("#csv-invalid", DataTable)
        invalid.clear()
        invalid.add_rows((str(r.line), cell(r.text, 40), cell(r.reason, 80)) for r in preview.invalid_rows[:MAX_SHOWN])
        tabs = self.query_one(TabbedContent)
        tabs.get_tab("csv-ready-pane").label = f"Ready ({len(preview.valid_rows)})"
        tabs.get_tab("csv-invalid-pane").label = f"Invalid ({len(preview.invalid_rows)})"

    # ------------------------------------------------------------------ import

    def action_start_import(self) -> None:
        after_pending_input(self, self._start_import_now)

    def _start_import_now(self) -> None:
        if self._importing:
            return
        if self.preview is None or not self.preview.valid_rows:
            self.notify("Preview a file with valid rows first.", severity="warning")
            return
        self._cancel.clear()
        self.run_import(self.preview)

    @task("csv-import", "import contacts", name="import-contacts", exclusive=True)
    async def run_import(self, preview: CsvPreview) -> None:
        self._importing = True
        self.set_class(True, "-running")
        self.set_class(False, "-done")
        bar = self.query_one("#csv-progress", ProgressBar)
        bar.update(total=len(preview.valid_rows), progress=0)
        report_line = self.query_one("#csv-report", Static)
        report_line.update("Importing…")

        def progress(done: int, total: int) -> None:
            bar.update(total=total, progress=done)

        try:
            report = await import_contacts(
                self.store,
                self.client,
                preview.valid_rows,
                default_tag=self.query_one("#csv-tag", Input).value.strip() or None,
                progress=progress,
                cancel=self._cancel,
            )
        except Exception as exc:  # noqa: BLE001 - shown, never a traceback
            report_line.update(Text(f"The import failed: {exc}", style="bold red"))
            self.notify(f"Import failed: {exc}", severity="error")
            return
        finally:
            self._importing = False
            self.set_class(False, "-running")
            self.set_class(True, "-done")
        self.report = report
        self._show_report(report)

    def _show_report(self, report: ImportReport) -> None:
        ok = report.complete and not report.failed
        self.query_one("#csv-report", Static).update(Text(report.summary, style="green" if ok else "bold yellow"))
        failed = self.query_one("#csv-failed", DataTable)
        failed.clear()
        rows = [(row, reason) for row, reason in report.failed] + [(row, "not tried") for row in report.not_attempted]
        failed.add_rows(
            (str(getattr(row, "line", "") or ""), cell(row.phone), cell(reason, 90)) for row, reason in rows[:MAX_SHOWN]
        )
        tabs = self.query_one(TabbedContent)
        tabs.get_tab("csv-failed-pane").label = f"Not saved ({len(rows)})"
        if rows:
            show_pane(tabs, "csv-failed-pane")
        self.notify(report.summary, severity="information" if ok else "warning")

    def action_close(self) -> None:
        if self._importing:
            self._cancel.set()
            self.notify("Cancelling after the current row…")
            return
        self.dismiss(self.report)


__all__ = ["CsvImportDialog"]
