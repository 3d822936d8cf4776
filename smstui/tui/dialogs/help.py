"""The help screen (F1 or ?): every key that works where you were, with its remappable id."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Static

ABOUT = (
    "Remap any key with an id in the config file, e.g.\n"
    '  [keymap]\n  "app.refresh" = "ctrl+r,f12"\n'
    "ctrl+p opens the command palette (send, refresh, switch profile, go to device/thread, theme,\n"
    "find a message by its gateway id). In the conversation filter, #62807347 finds that message."
)


def help_rows(screen: Screen) -> list[tuple[str, str, str]]:
    """(key, what it does, binding id) for every key that works on ``screen`` where its focus is.

    Not ``Screen.active_bindings``: it drops a binding whose ``check_action`` says no at the
    moment, so a key that means something only for some selections (R, x in a thread) showed
    its hidden stand-in ("Why not send again"), or nothing, until such a message was selected
    (issue 13 item 8). Here each key is listed with its meaning in the widget that gets it first
    (priority bindings, else from the focused widget outwards); within that widget a shown
    binding wins over a hidden stand-in for the same key, and one that applies now over one that
    does not (the login screen's Esc: Back or Quit).
    """
    app = screen.app
    by_key: dict[str, list[tuple[int, Binding, bool | None]]] = {}
    for depth, (namespace, bindings) in enumerate(screen._modal_binding_chain):
        for key, binding in bindings:
            state = app._check_action_state(binding.action, namespace)
            by_key.setdefault(key, []).append((depth, binding, state))
    rows: list[tuple[str, str, str]] = []
    seen: set[tuple[str, str]] = set()
    for candidates in by_key.values():
        pool = [c for c in candidates if c[1].priority] or candidates
        # A widget whose bindings for the key are all switched off lets the key pass outwards.
        depth = next((c[0] for c in pool if c[2] is not False), pool[0][0])
        _, binding, state = min((c for c in pool if c[0] == depth), key=lambda c: (not c[1].show, c[2] is False))
        # Ours all have ids; Textual's own scrolling keys are hidden and would only add noise.
        if not binding.description or state is None or (binding.id is None and not binding.show):
            continue
        display = app.get_key_display(binding)
        if (display, binding.description) in seen:
            continue
        seen.add((display, binding.description))
        rows.append((display, binding.description, binding.id or ""))
    rows.sort(key=lambda r: (r[2] or "~", r[0]))
    return rows


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
