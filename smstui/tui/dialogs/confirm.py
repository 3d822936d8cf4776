"""A yes/no question before something the user should not do by accident (sending to numbers
that opted out). Dismisses with True only for an explicit yes; escape and "no" give False."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

from smstui.tui.dialogs.form_dialog import FormDialog


class ConfirmDialog(FormDialog[bool]):
    DEFAULT_CSS = """
    ConfirmDialog > Vertical { max-width: 80; height: auto; }
    ConfirmDialog #confirm-text { height: auto; padding: 1 0; }
    ConfirmDialog Button { margin-right: 2; }
    """

    BINDINGS = [Binding("escape", "no", "No", id="confirm.no")]

    def __init__(self, title: str, text: str, yes: str = "Yes", no: str = "No") -> None:
        super().__init__()
        self._title, self._text, self._yes, self._no = title, text, yes, no

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self._title), classes="dialog-title")
            yield Static(Text(self._text), id="confirm-text")
            with Horizontal():
                yield Button(self._no, id="confirm-no", variant="primary")
                yield Button(self._yes, id="confirm-yes", variant="error")

    def on_mount(self) -> None:
        self.query_one("#confirm-no", Button).focus()  # the safe answer is the default

    @on(Button.Pressed, "#confirm-yes")
    def _yes_pressed(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#confirm-no")
    def action_no(self) -> None:
        self.dismiss(False)


__all__ = ["ConfirmDialog"]
