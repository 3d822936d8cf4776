"""The base of smstui's form dialogs: a bordered box in the middle of the screen.

Type selectors match subclasses, so these rules style every dialog built on :class:`FormDialog`;
each dialog adds only its own size and fields.
"""

from __future__ import annotations

from typing import TypeVar

from textual.screen import ModalScreen

from smstui.tui.textual_internals import QuietFocus

T = TypeVar("T")


class FormDialog(QuietFocus, ModalScreen[T]):
    """A modal form: its first child is the box (a Vertical or VerticalScroll)."""

    DEFAULT_CSS = """
    FormDialog { align: center middle; }
    FormDialog > Vertical, FormDialog > VerticalScroll {
        width: 100%; border: round $primary; padding: 0 1; background: $surface;
    }
    FormDialog .dialog-title { text-style: bold; }
    FormDialog .dialog-hint { color: $foreground-muted; }
    FormDialog .dialog-error { color: $error; height: auto; }
    FormDialog Horizontal { height: auto; }
    """
