"""The help screen (F1 or ?): every key that works where you were, with its remappable id."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

ABOUT = (
    "Remap any key with an id in the config file, e.g.\n"
    '  [keymap]\n  "app.refresh" = "ctrl+r,f5"\n'
    "ctrl+p opens the command palette (send, refresh, switch profile, go to device/thread, theme,\n"
    "find a message by its gateway id). In the conversation filter, #62807347 finds that message."
)


def bindings_table(rows: list[tuple[str, str, str]]) -> Table:
    table = Table(box=None, expand=True, show_header=True, header_style="bold", pad_edge=False)
    table.add_column(Text("Key"), no_wrap=True)
    table.add_column(Text("Does"))
    table.add_column(Text("Id (for [keymap])"), style="dim", no_wrap=True)
    for key, description, binding_id in rows:
        table.add_row(Text(key, style="bold"), Text(description), Text(binding_id))
    return table


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
    }

    #help-dialog {
        width: 90%;
        max-width: 100;
        height: 90%;
        border: round $primary;
        padding: 0 1;
        background: $surface;
    }

    #help-title {
        height: 1;
    }

    #help-about {
        margin-top: 1;
    }
    """
    BINDINGS = [
        Binding("escape,f1,q", "dismiss_help", "Close", id="help.close"),
    ]

    def __init__(self, rows: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self._rows = rows

    def compose(self) -> ComposeResult:
        with Vertical(id="help-dialog"):
            yield Static(Text("Keys", style="bold"), id="help-title")
            with VerticalScroll(id="help-scroll"):
                yield Static(bindings_table(self._rows), id="help-keys")
                yield Static(Text(ABOUT, style="dim"), id="help-about")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#help-scroll").focus()

    def action_dismiss_help(self) -> None:
        self.dismiss(None)
