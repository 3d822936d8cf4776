"""Export what is shown (a conversation, a search, a filtered list) to a file: format and path.

The export itself is :func:`smstui.core.export.export_to_path`, run in a thread worker: it
streams the rows, so the dialog shows a progress bar and stays responsive for a million
messages; Esc during it stops it (no half file is left). An existing file is replaced only
when asked twice: the second ctrl+s for the same file and format. When done the dialog closes
and says where the file is.
"""

from __future__ import annotations

import time
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, ProgressBar, RadioButton, RadioSet, Static
from textual.worker import get_current_worker

from smstui.core.export import FORMATS, SUFFIXES, ExportCancelled, ExportError, Format, default_name, export_to_path
from smstui.core.search import SearchQuery
from smstui.tui.app_interface import SmsAppBase, sms_app
from smstui.tui.dialogs.form_dialog import FormDialog
from smstui.tui.screen_base import ReportWorkerErrors
from smstui.tui.widgets.format import clean
from smstui.tui.widgets.input_order import after_pending_input
from smstui.tui.workers import store_read

LABELS: dict[Format, str] = {"csv": "CSV (spreadsheets)", "jsonl": "JSON Lines (scripts)", "txt": "Text (reading)"}
HINT = "ctrl+s: export · tab: next field · esc: cancel"


class ExportDialog(ReportWorkerErrors, FormDialog[None]):
    """Asks for a format and a file, then writes every message ``query`` matches there."""

    DEFAULT_CSS = """
    ExportDialog > Vertical { width: 76; max-width: 100%; height: auto; }
    ExportDialog .dialog-title { margin-bottom: 1; }
    ExportDialog RadioSet { width: 100%; border: none; padding: 0; background: $surface; }
    ExportDialog RadioSet:focus { background-tint: $foreground 5%; }
    ExportDialog #export-path { margin-top: 1; }
    ExportDialog #export-progress { margin-top: 1; display: none; }
    ExportDialog #export-progress.-running { display: block; }
    ExportDialog #export-result { height: auto; margin-top: 1; }
    ExportDialog .dialog-hint { margin-top: 1; }
    """
    BINDINGS = [
        Binding("ctrl+s", "export", "Export", id="export.submit", priority=True),
        Binding("escape", "cancel", "Cancel", id="export.cancel"),
    ]

    def __init__(self, query: SearchQuery, what: str, *, slug: str = "messages", folder: Path | None = None) -> None:
        super().__init__()
        self.query_ = query
        self.what = what
        self.slug = slug
        self.folder = folder if folder is not None else Path.cwd()
        self.running = False
        self._confirm: tuple[Path, Format] | None = None  # an existing file the next ctrl+s replaces
        self.written: Path | None = None

    @property
    def smsapp(self) -> SmsAppBase:
        return sms_app(self.app)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(f"Export {clean(self.what, single_line=True)}"), classes="dialog-title")
            with RadioSet(id="export-format"):
                for index, fmt in enumerate(FORMATS):
                    yield RadioButton(LABELS[fmt], value=index == 0, id=f"format-{fmt}")
            yield Input(str(self._default_path("csv")), id="export-path", placeholder="File to write")
            yield ProgressBar(id="export-progress", show_eta=False)
            yield Static("", id="export-result")
            yield Static(HINT, classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#export-path", Input).focus()

    def _default_path(self, fmt: Format) -> Path:
        return self.folder / default_name(self.slug, fmt, time.strftime("%Y%m%d-%H%M"))

    @property
    def format(self) -> Format:
        pressed = self.query_one(RadioSet).pressed_index
        return FORMATS[pressed if 0 <= pressed < len(FORMATS) else 0]

    @on(RadioSet.Changed)
    def _format_changed(self) -> None:
        # The file's suffix follows the format while it is one of ours.
        field = self.query_one("#export-path", Input)
        path = Path(field.value)
        if path.suffix in SUFFIXES.values():
            field.value = str(path.with_suffix(SUFFIXES[self.format]))
        if self._confirm is not None and self._confirm[1] != self.format:
            self._withdraw_question()

    @on(Input.Changed, "#export-path")
    def _path_changed(self, event: Input.Changed) -> None:
        # Another file typed since the question: the next ctrl+s asks again. The field's Changed
        # reaches the dialog a few messages after the change, so it can come after the ctrl+s
        # that asked (ctrl+s right after the path was set, or typed with it): one for the file
        # asked about, or for a value the field has left since, takes nothing back.
        if self._confirm is None or event.value != event.input.value:
            return
        if self._target(event.value) != self._confirm[0]:
            self._withdraw_question()

    def _withdraw_question(self) -> None:
        """Another file or format than the one asked about: the next ctrl+s asks again."""
        self._confirm = None
        self._say("")

    def _target(self, typed: str) -> Path:
        """The file ``typed`` names: ``~`` expanded, a relative one in the dialog's folder."""
        path = Path(typed.strip()).expanduser()
        return path if path.is_absolute() else self.folder / path

    def _say(self, text: str, *, error: bool = False) -> None:
        result = self.query_one("#export-result", Static)
        result.update(Text(text, style="bold red" if error else ""))  # a Text: paths are data

    @on(Input.Submitted, "#export-path")
    def action_export(self) -> None:
        # Not now: after the keys and pastes that reached the field before ctrl+s (a paste then
        # ctrl+s arrive together), so the file written is the one the field shows.
        after_pending_input(self, self._export_now)

    def _export_now(self) -> None:
        if self.running or not self.is_mounted:
            return
        typed = self.query_one("#export-path", Input).value.strip()
        if not typed:
            self._refuse("Give the file to write, e.g. ~/messages.csv.")
            return
        path = self._target(typed)
        if path.is_dir():
            self._refuse(f"{path} is a folder: add a file name, e.g. {path / 'messages.csv'}.")
            return
        if not path.parent.is_dir():
            self._refuse(f"The folder {path.parent} does not exist: create it or pick another.")
            return
        fmt = self.format
        if path.exists() and self._confirm != (path, fmt):
            self._confirm = (path, fmt)  # (another format: asked again, as for another file)
            self._say(f"{path} exists. ctrl+s again replaces it.")
            return
        self._confirm = None  # answered: a late Changed now has no question to take back
        self.running = True
        self.query_one("#export-progress", ProgressBar).add_class("-running")
        self._say("Counting…")
        self._run(path, fmt)

    def _refuse(self, text: str) -> None:
        # Shown instead of the question: a late Changed must not blank this text.
        self._confirm = None
        self._say(text, error=True)

    @store_read("export", "export messages")
    def _run(self, path: Path, fmt: Format) -> None:
        worker = get_current_worker()
        store = self.smsapp.store
        total = store.count_messages(self.query_)
        self.app.call_from_thread(self._started, total)

        def progress(done: int) -> None:
            self.app.call_from_thread(self._progress, done)

        try:
            count = export_to_path(
                store,
                self.query_,
                fmt,
                path,
                zone=self.smsapp.tz,
                progress=progress,
                cancelled=lambda: worker.is_cancelled,
            )
        except ExportCancelled:
            self.app.call_from_thread(self._stopped, "Stopped: nothing was written.")
            return
        except ExportError as exc:
            self.app.call_from_thread(self._stopped, str(exc), True)
            return
        self.app.call_from_thread(self._done, path, count)

    def _started(self, total: int) -> None:
        self.query_one("#export-progress", ProgressBar).update(total=max(total, 1), progress=0)
        self._say(f"Writing {total:,} message{'s' if total != 1 else ''}… esc stops.")

    def _progress(self, done: int) -> None:
        self.query_one("#export-progress", ProgressBar).update(progress=done)

    def _stopped(self, text: str, error: bool = False) -> None:
        self.running = False
        self.query_one("#export-progress", ProgressBar).remove_class("-running")
        self._say(text, error=error)

    def _done(self, path: Path, count: int) -> None:
        self.running = False
        self.written = path
        # The app's notify never reads markup (a path may hold brackets).
        self.app.notify(f"Exported {count:,} message{'s' if count != 1 else ''} to {path}", title="Export", timeout=8)
        self.dismiss(None)

    def action_cancel(self) -> None:
        if self.running:
            self.workers.cancel_group(self, "export")
            return
        self.dismiss(None)


def open_export(app: SmsAppBase, query: SearchQuery, what: str, *, slug: str = "messages") -> None:
    """The export dialog for ``query`` (``what`` names it: "the conversation with Anna")."""
    app.push_screen(ExportDialog(query, what, slug=slug))
