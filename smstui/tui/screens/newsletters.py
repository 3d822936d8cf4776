"""Newsletters: one text to every contact of some tags (savepaket), and how far each has got.

The list is the local record (the gateway cannot list newsletters). Progress comes from the
message list's paket fields: refresh (r) reads the newsletters' messages into the store, and
sync keeps their statuses current. The phone's app must start each newsletter; the screen says so.
"""

from __future__ import annotations

import asyncio
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from smstui.core.api.errors import ApiError
from smstui.core.contacts import (
    START_REMINDER,
    NewsletterStats,
    newsletter_recipients,
    newsletter_state,
    newsletter_stats,
    newsletter_tags,
    refresh_newsletters,
)
from smstui.core.models import Slot
from smstui.core.store.records import Newsletter
from smstui.tui.dialogs.newsletter_form import NewsletterDialog
from smstui.tui.screens.session_screen import SessionScreen
from smstui.tui.widgets.format import clean, to_local
from smstui.tui.widgets.quiet_footer import QuietFooter
from smstui.tui.workers import task


class NewslettersScreen(SessionScreen):
    DEFAULT_CSS = """
    NewslettersScreen #nl-title-bar { height: 1; padding: 0 1; }
    NewslettersScreen #newsletter-table { height: 1fr; }
    NewslettersScreen #nl-detail { height: auto; max-height: 8; padding: 0 1; border-top: solid $primary-background; }
    NewslettersScreen #nl-reminder-bar { height: auto; padding: 0 1; color: $warning; }
    """

    BINDINGS = [
        Binding("n", "new_newsletter", "New newsletter", id="newsletters.new"),
        Binding("r", "refresh_progress", "Refresh progress", id="newsletters.refresh"),
        Binding("escape", "back", "Back", show=False, id="newsletters.back"),
    ]

    def __init__(self, session: Any = None, **kwargs: Any) -> None:
        super().__init__(session, **kwargs)
        self._letters: dict[int, tuple[Newsletter, NewsletterStats]] = {}

    def compose(self) -> ComposeResult:
        yield Static("", id="nl-title-bar")
        yield DataTable(id="newsletter-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="nl-detail")
        yield Static(START_REMINDER, id="nl-reminder-bar")
        yield QuietFooter()

    def on_mount(self) -> None:
        self.query_one("#newsletter-table", DataTable).add_columns(
            "Title", "Send at", "State", "To", "Queued", "Sent", "Deliv.", "Failed"
        )
        self.query_one("#newsletter-table", DataTable).focus()
        self.subscribe_core(self._on_core)
        self.reload()

    def _on_core(self, message: Any) -> None:
        if type(message).__name__ == "MessagesChanged":
            self.reload()

    # ------------------------------------------------------------------ data

    @task("newsletters-load", "read newsletters from the store", name="load-newsletters", exclusive=True)
    async def reload(self, select: int | None = None) -> None:
        def load() -> list[tuple[Newsletter, NewsletterStats, int]]:
            rows = []
            for letter in self.store.newsletters():
                rows.append((letter, newsletter_stats(self.store, letter), newsletter_recipients(self.store, letter)))
            return rows

        rows = await asyncio.to_thread(load)
        self._show(rows, select)

    def _show(self, rows: list[tuple[Newsletter, NewsletterStats, int]], select: int | None) -> None:
        table = self.query_one("#newsletter-table", DataTable)
        current = self.selected
        keep = select if select is not None else (current.id if current else None)
        now = self.now()
        self._letters = {letter.id: (letter, stats) for letter, stats, _ in rows}
        table.clear()
        for letter, stats, recipients in rows:
            state = newsletter_state(letter, stats, now).split(" — ")[0]
            style = {"unconfirmed": "bold red", "done with failures": "yellow", "done": "green"}.get(state, "")
            when = "now" if letter.send_at is None else to_local(letter.send_at, self.tz).strftime("%d %b %H:%M")
            table.add_row(
                Text(clean(letter.title, single_line=True)),
                when,
                Text(state, style=style),
                str(recipients),
                str(stats.queued),
                str(stats.sent),
                str(stats.delivered),
                Text(str(stats.failed), style="red" if stats.failed else ""),
                key=str(letter.id),
            )
        if keep is not None and keep in self._letters:
            table.move_cursor(row=table.get_row_index(str(keep)))
        title = Text(no_wrap=True, overflow="ellipsis")
        title.append(f"Newsletters ({len(rows)})", style="bold")
        title.append("  n: new · r: refresh progress", style="dim")
        self.query_one("#nl-title-bar", Static).update(title)
        self._show_detail()

    @property
    def selected(self) -> Newsletter | None:
        table = self.query_one("#newsletter-table", DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        found = self._letters.get(int(key)) if key is not None else None
        return found[0] if found else None

    def _show_detail(self) -> None:
        detail = self.query_one("#nl-detail", Static)
        letter = self.selected
        if letter is None:
            detail.update(
                Text("No newsletters yet. Press n to create one for the contacts of some tags.", style="italic")
            )
            return
        _, stats = self._letters[letter.id]
        tags = newsletter_tags(self.store, letter)
        text = Text(overflow="fold")
        text.append(clean(letter.title, single_line=True), style="bold")
        text.append(f"  {newsletter_state(letter, stats, self.now())}\n")
        text.append(f"{self.device_label(letter.device_id)} · {_slot_label(letter.slot)} · tags: ")
        # By title and the gateway's id (what savepaket was given); a tag without a title shows its id.
        text.append(
            ", ".join(
                f"{clean(t.title, single_line=True)} ({gid})" if t is not None and t.title else f"tag {gid}"
                for gid, t in tags
            )
            or "?"
        )
        if letter.gateway_id:
            text.append(f" · paket #{letter.gateway_id}", style="dim")
        text.append("\n")
        text.append(clean(letter.body))
        detail.update(text)

    @on(DataTable.RowHighlighted, "#newsletter-table")
    def _highlighted(self) -> None:
        self._show_detail()

    # ------------------------------------------------------------------ actions

    def action_new_newsletter(self) -> None:
        if not self.store.tags():
            self.notify("Create a tag with contacts first (Tags & contacts screen).", severity="warning")
            return

        def done(letter: Newsletter | None) -> None:
            if letter is not None:
                self.reload(select=letter.id)

        self.app.push_screen(
            NewsletterDialog(
                self.store,
                self.client,
                devices=self.devices(),
                clock=self.now,
                tz=self.tz,
                device_id=self.default_device("newsletter"),
                limit_warnings=self.limit_warnings,
            ),
            done,
        )

    @task("newsletters-net", "refresh newsletters from the gateway", name="refresh-newsletters", exclusive=True)
    async def action_refresh_progress(self) -> None:
        try:
            changed = await refresh_newsletters(self.store, self.client)
        except ApiError as exc:
            self.notify(str(exc), title="Progress not refreshed", severity="error")
            return
        self.notify(f"Progress refreshed ({changed} message(s) new or changed).")
        self.reload()


def _slot_label(slot: int) -> str:
    try:
        return Slot(slot).label
    except ValueError:
        return f"slot {slot}"
