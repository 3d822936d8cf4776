"""Small modals of the tags screen: a new tag (or a dashboard tag's id), a tag's title, a contact."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Static

from smstui.core.phone import InvalidNumber, format_display, normalize
from smstui.tui.dialogs.form_dialog import FormDialog
from smstui.tui.widgets.format import clean

# TagTitleDialog is a TagDialog: these rules style it too (type selectors match subclasses).
DIALOG_CSS = """
TagDialog > Vertical, ContactDialog > Vertical { width: 64; max-width: 100%; height: auto; }
TagDialog .dialog-title, ContactDialog .dialog-title { margin-bottom: 1; }
"""


class TagDialog(FormDialog[str | None]):
    """Asks for a new tag's title, or ``#ID`` of a tag made on the vendor's dashboard; dismisses
    with the text, or None."""

    DEFAULT_CSS = DIALOG_CSS
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="tag_dialog.cancel"),
        Binding("ctrl+s", "submit", "Create", id="tag_dialog.submit", priority=True),
    ]
    heading = "New tag"
    placeholder = "Title, e.g. Customers Berlin (or #ID of a dashboard tag)"
    hint = "enter: create on the gateway · esc: cancel"
    empty_error = "Give the tag a title."

    def __init__(self, value: str = "") -> None:
        super().__init__()
        self.initial = value

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.title_text(), classes="dialog-title")
            yield Input(self.initial, placeholder=self.placeholder, id="tag-title", max_length=100)
            yield Static("", id="tag-error", classes="dialog-error")
            yield Static(self.hint, classes="dialog-hint")

    def title_text(self) -> Text:
        return Text(self.heading)

    def on_mount(self) -> None:
        self.query_one("#tag-title", Input).focus()

    @on(Input.Submitted)
    def action_submit(self) -> None:
        title = " ".join(self.query_one("#tag-title", Input).value.split())
        if not title:
            self.query_one("#tag-error", Static).update(self.empty_error)
            return
        self.dismiss(title)

    def action_cancel(self) -> None:
        self.dismiss(None)


class TagTitleDialog(TagDialog):
    """Asks for a tag's new title (smstui's own: the gateway has no call that renames a tag)."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="tag_title_dialog.cancel"),
        Binding("ctrl+s", "submit", "Save", id="tag_title_dialog.submit", priority=True),
    ]
    placeholder = "Title, e.g. Customers Berlin"
    hint = "enter: save (in smstui; the gateway keeps its own title) · esc: cancel"

    def __init__(self, label: str, value: str = "") -> None:
        super().__init__(value)
        self.label = label

    def title_text(self) -> Text:
        # The label comes from the store (a title the user typed): literal text, never markup.
        text = Text("Title of ", style="bold")
        text.append(clean(self.label, single_line=True))
        return text


class ContactDialog(FormDialog[tuple[str, str] | None]):
    """Asks for a number (checked as typed) and a name; dismisses with (E.164, name) or None."""

    DEFAULT_CSS = DIALOG_CSS
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="contact_dialog.cancel"),
        Binding("ctrl+s", "submit", "Add", id="contact_dialog.submit", priority=True),
    ]

    def __init__(self, tag_title: str, region: str | None) -> None:
        super().__init__()
        self.tag_title = tag_title
        self.phone_region = region

    def compose(self) -> ComposeResult:
        with Vertical():
            title = Text("Add a contact to ", style="bold")
            title.append(clean(self.tag_title, single_line=True))
            yield Static(title, classes="dialog-title")
            yield Input(placeholder="Phone, e.g. +49 157 52982212", id="contact-phone")
            yield Input(placeholder="Name (optional)", id="contact-name", max_length=200)
            yield Static("", id="contact-check", classes="dialog-hint")
            yield Static("", id="contact-error", classes="dialog-error")
            yield Static("enter: add · tab: next field · esc: cancel", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#contact-phone", Input).focus()

    def _number(self) -> str:
        return normalize(self.query_one("#contact-phone", Input).value, self.phone_region)

    @on(Input.Changed, "#contact-phone")
    def _check(self) -> None:
        raw = self.query_one("#contact-phone", Input).value
        check = self.query_one("#contact-check", Static)
        if not raw.strip():
            check.update("")
            return
        try:
            check.update(Text(f"✓ {format_display(self._number())}", style="green"))
        except InvalidNumber as exc:
            check.update(Text(str(exc), style="yellow"))

    @on(Input.Submitted)
    def action_submit(self) -> None:
        try:
            number = self._number()
        except InvalidNumber as exc:
            self.query_one("#contact-error", Static).update(Text(str(exc)))
            self.query_one("#contact-phone", Input).focus()
            return
        name = " ".join(self.query_one("#contact-name", Input).value.split())
        self.dismiss((number, name))

    def action_cancel(self) -> None:
        self.dismiss(None)
