"""Tags and contacts: the groups newsletters go to, as created through smstui.

The gateway cannot list tags or contacts, so this screen shows the local record: every tag and
contact created here (or by the CLI), by the gateway's id, the one its dashboard shows ("pending"
for a tag the gateway has not confirmed yet: it is saved there when next used). A tag made on the
dashboard is added by its id (n, then ``#8303``) and named here (e); titles are smstui's own.
Contact names show in conversations. Create tags (n), edit a title (e), add contacts (a), import
a CSV (i), search (/).
"""

from __future__ import annotations

import asyncio
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Input, Static

from smstui.core.api.errors import ApiError
from smstui.core.contacts import (
    ContactError,
    add_contact,
    create_tag,
    name_tag,
    parse_tag_ref,
    tag_for_gateway_id,
    tag_label,
    tag_ref,
)
from smstui.core.phone import format_display
from smstui.core.store.optouts import Optout
from smstui.core.store.records import Contact, Tag
from smstui.core.suppression import optout_label
from smstui.tui.dialogs.csv_import import CsvImportDialog
from smstui.tui.dialogs.tags import ContactDialog, TagDialog, TagTitleDialog
from smstui.tui.screens.session_screen import SessionScreen
from smstui.tui.widgets.format import clean
from smstui.tui.widgets.quiet_footer import QuietFooter
from smstui.tui.workers import task

MAX_CONTACTS_SHOWN = 500


class TagsScreen(SessionScreen):
    """See module docstring. ``TagsScreen(session)``, or no argument inside the app."""

    DEFAULT_CSS = """
    TagsScreen #tags-title { height: 1; padding: 0 1; }
    TagsScreen #tags-search { margin: 0 1; }
    TagsScreen #tags-body { height: 1fr; }
    TagsScreen #tag-pane { width: 2fr; }
    TagsScreen #contact-pane { width: 3fr; }
    TagsScreen .pane-title { height: 1; padding: 0 1; color: $foreground-muted; }
    TagsScreen DataTable { height: 1fr; }
    """

    BINDINGS = [
        Binding("n", "new_tag", "New tag", id="tags.new"),
        Binding("e", "edit_title", "Edit title", id="tags.edit_title"),
        Binding("a", "add_contact", "Add contact", id="tags.add_contact"),
        Binding("i", "import_csv", "Import CSV", id="tags.import"),
        Binding("o", "toggle_optout", "Opt out / lift", id="tags.optout"),
        Binding("slash", "search", "Search", id="tags.search"),
        Binding("escape", "back", "Back", show=False, id="tags.back"),
    ]

    def __init__(self, session: Any = None, **kwargs: Any) -> None:
        super().__init__(session, **kwargs)
        self._tags: dict[int, Tag] = {}

    def compose(self) -> ComposeResult:
        yield Static("", id="tags-title")
        yield Input(placeholder="/ search tags, names, numbers", id="tags-search")
        with Horizontal(id="tags-body"):
            with Vertical(id="tag-pane"):
                yield Static("Tags", classes="pane-title")
                yield DataTable(id="tag-table", cursor_type="row", zebra_stripes=True)
            with Vertical(id="contact-pane"):
                yield Static("Contacts", id="contacts-title", classes="pane-title")
                yield DataTable(id="contact-table", cursor_type="row", zebra_stripes=True)
        yield QuietFooter()

    def on_mount(self) -> None:
        self.query_one("#tag-table", DataTable).add_columns("Tag", "Count", "ID")
        self.query_one("#contact-table", DataTable).add_columns("Name", "Phone", "ID", "Opt-out")
        self.query_one("#tag-table", DataTable).focus()
        self.reload()

    # ------------------------------------------------------------------ data

    @property
    def search_text(self) -> str:
        return self.query_one("#tags-search", Input).value.strip()

    @property
    def selected_tag(self) -> Tag | None:
        table = self.query_one("#tag-table", DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self._tags.get(int(key)) if key is not None else None

    @task("tags-load", "read tags from the store", name="load-tags", exclusive=True)
    async def reload(self, select: int | None = None) -> None:
        search = self.search_text
        tags = await asyncio.to_thread(self.store.tags, search)
        self._show_tags(tags, select)
        await self._load_contacts()

    def _show_tags(self, tags: list[Tag], select: int | None) -> None:
        table = self.query_one("#tag-table", DataTable)
        current = self.selected_tag
        keep = select if select is not None else (current.id if current else None)
        self._tags = {t.id: t for t in tags}
        table.clear()
        for tag in tags:
            # The gateway's id, the one its dashboard shows; "pending" until the gateway gave one.
            gateway = Text(str(tag.gateway_id)) if tag.gateway_id else Text("pending", style="bold red")
            title = _short(tag.title, 16) if tag.title else Text("(no title: e)", style="italic")
            table.add_row(title, str(tag.contact_count), gateway, key=str(tag.id))
        if keep is not None and keep in self._tags:
            table.move_cursor(row=table.get_row_index(str(keep)))
        total = sum(t.contact_count for t in tags)
        title = Text(no_wrap=True, overflow="ellipsis")
        title.append(f"Tags & contacts ({len(tags)} tags, {total} contacts)", style="bold")
        if self.search_text:
            title.append(f" matching {clean(self.search_text, single_line=True)!r}")
        title.append("  n: new tag · e: edit title · a: add contact · i: import · o: opt out/lift", style="dim")
        self.query_one("#tags-title", Static).update(title)

    async def _load_contacts(self) -> None:
        tag = self.selected_tag
        table = self.query_one("#contact-table", DataTable)
        heading = self.query_one("#contacts-title", Static)
        if tag is None:
            table.clear()
            heading.update("Contacts — create a tag with n, or import a CSV with i")
            return
        search = self.search_text
        if search and search.casefold() in tag.title.casefold():
            search = ""  # the tag itself matched: show all its contacts

        def read() -> tuple[list[Contact], dict[str, Optout]]:
            found = self.store.contacts(tag.id, search)
            return found, self.store.optouts_among(c.phone for c in found[:MAX_CONTACTS_SHOWN])

        contacts, optouts = await asyncio.to_thread(read)
        if self.selected_tag is None or self.selected_tag.id != tag.id:
            return  # the cursor moved on meanwhile
        self._show_contacts(tag, contacts, optouts)

    def _show_contacts(self, tag: Tag, contacts: list[Contact], optouts: dict[str, Optout] | None = None) -> None:
        table = self.query_one("#contact-table", DataTable)
        table.clear()
        self._shown_contacts = {str(c.id): c for c in contacts[:MAX_CONTACTS_SHOWN]}
        self._shown_optouts = dict(optouts or {})
        for contact in contacts[:MAX_CONTACTS_SHOWN]:
            gateway = Text(str(contact.gateway_id)) if contact.gateway_id else Text("not saved", style="bold red")
            table.add_row(
                _short(contact.name, 18) if contact.name else Text("—"),
                format_display(contact.phone),
                gateway,
                Text(optout_label(optouts[contact.phone]), style="bold yellow")
                if optouts and contact.phone in optouts
                else Text(""),
                key=str(contact.id),
            )
        heading = Text(no_wrap=True, overflow="ellipsis")
        heading.append("Contacts of ")
        heading.append(clean(tag_label(tag), single_line=True), style="bold")
        shown = min(len(contacts), MAX_CONTACTS_SHOWN)
        heading.append(
            f" ({len(contacts)})"
            if shown == len(contacts)
            else f" (first {shown} of {len(contacts)}; search to narrow)"
        )
        self.query_one("#contacts-title", Static).update(heading)

    @on(DataTable.RowHighlighted, "#tag-table")
    def _tag_highlighted(self) -> None:
        self.load_contacts()

    @task("contacts-load", "read contacts from the store", name="load-contacts", exclusive=True)
    async def load_contacts(self) -> None:
        await self._load_contacts()

    @on(Input.Changed, "#tags-search")
    def _search_changed(self) -> None:
        self.reload()

    @on(Input.Submitted, "#tags-search")
    def _search_done(self) -> None:
        self.query_one("#tag-table", DataTable).focus()

    # ------------------------------------------------------------------ actions

    def action_toggle_optout(self) -> None:
        """Put the highlighted contact on the suppression list, or lift its opt-out (asked first)."""
        table = self.query_one("#contact-table", DataTable)
        contacts = getattr(self, "_shown_contacts", {})
        if not table.row_count or not contacts:
            self.notify("Highlight a contact first (tab to the contacts).", severity="warning")
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        contact = contacts.get(str(key))
        if contact is None:
            return
        shown = format_display(contact.phone)
        if contact.phone not in self._shown_optouts:
            self.set_optout(contact.phone, True, f"{shown} opted out: bulk sends leave it out; newsletters warn.")
            return
        from smstui.tui.dialogs.confirm import ConfirmDialog

        def answered(yes: bool | None) -> None:
            if yes:
                self.set_optout(contact.phone, False, f"{shown} may be sent to again.")

        text = f"{shown} {optout_label(self._shown_optouts[contact.phone])}. Lift it only if the customer asked for messages again."
        self.app.push_screen(ConfirmDialog("Lift the opt-out?", text, yes="Lift it"), answered)

    @task("optout", "change the opt-out", name="set-optout")
    async def set_optout(self, phone: str, active: bool, done: str) -> None:
        await asyncio.to_thread(self.store.set_optout, phone, active)
        self.notify(done)
        await self._load_contacts()

    def action_search(self) -> None:
        self.query_one("#tags-search", Input).focus()

    def action_back(self) -> None:
        search = self.query_one("#tags-search", Input)
        if search.has_focus:
            self.query_one("#tag-table", DataTable).focus()
            return
        super().action_back()

    def action_new_tag(self) -> None:
        def done(title: str | None) -> None:
            if title:
                self.do_create_tag(title)

        self.app.push_screen(TagDialog(), done)

    @task("tags-net", "create a tag", name="create-tag", exclusive=True)
    async def do_create_tag(self, title: str) -> None:
        gateway_id = parse_tag_ref(title)
        try:
            if gateway_id is not None:
                # A tag made on the dashboard: recorded by its id (nothing to ask the gateway).
                tag = await asyncio.to_thread(tag_for_gateway_id, self.store, gateway_id)
            else:
                tag = await create_tag(self.store, self.client, title)
        except (ContactError, ApiError) as exc:
            self.notify(str(exc), title="Tag not created", severity="error", markup=False)
            return
        if tag.title:
            self.notify(f"Tag {clean(tag.title, single_line=True)} saved (id {tag.gateway_id}).", markup=False)
        else:
            self.notify(f"Tag {tag.gateway_id} added; press e to give it a title.")
        self.reload(select=tag.id)

    def action_edit_title(self) -> None:
        tag = self.selected_tag
        if tag is None:
            self.notify("Create a tag first (n).", severity="warning")
            return

        def done(title: str | None) -> None:
            if title:
                self.do_name_tag(tag, title)

        self.app.push_screen(TagTitleDialog(tag_label(tag), tag.title), done)

    @task("tags-net", "rename a tag", name="name-tag", exclusive=True)
    async def do_name_tag(self, tag: Tag, title: str) -> None:
        try:
            named = await asyncio.to_thread(name_tag, self.store, tag, title)
        except ContactError as exc:
            self.notify(str(exc), title="Title not changed", severity="error", markup=False)
            return
        which = f"Tag {named.gateway_id}" if named.gateway_id is not None else "The tag"
        self.notify(f"{which} is now called {clean(named.title, single_line=True)}.", markup=False)
        self.reload(select=named.id)

    def action_add_contact(self) -> None:
        tag = self.selected_tag
        if tag is None:
            self.notify("Create a tag first (n).", severity="warning")
            return

        def done(result: tuple[str, str] | None) -> None:
            if result:
                self.do_add_contact(tag, *result)

        self.app.push_screen(ContactDialog(tag_label(tag), self.phone_region), done)

    @task("tags-net", "add a contact", name="add-contact", exclusive=True)
    async def do_add_contact(self, tag: Tag, phone: str, name: str) -> None:
        try:
            contact = await add_contact(self.store, self.client, tag, phone, name)
        except (ContactError, ApiError) as exc:
            self.notify(str(exc), title="Contact not added", severity="error")
            return
        self.notify(f"{format_display(contact.phone)} is in the tag (contact id {contact.gateway_id}).")
        self.reload(select=tag.id)

    def action_import_csv(self) -> None:
        tag = self.selected_tag

        def done(_report: Any) -> None:
            self.reload()

        self.app.push_screen(
            CsvImportDialog(self.store, self.client, region=self.phone_region, default_tag=tag_ref(tag) if tag else ""),
            done,
        )


def _short(text: str, limit: int) -> Text:
    value = clean(text, single_line=True)
    return Text(value if len(value) <= limit else value[: limit - 1] + "…")
