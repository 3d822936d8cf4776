"""Scheduled messages (S on the conversations, or the palette): every message still waiting for
its time, across conversations, soonest first, with the time left.

The API cannot change or cancel a message the gateway already has, so for those the screen says
so plainly and offers a correction (a new message to the same number); those smstui has not
handed over yet can still be edited (cancelled here, their text and time opened in compose) or
cancelled. Enter opens the conversation at the message.
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Static

from smstui.core.store.records import StoredMessage
from smstui.core.store.scheduled import is_local
from smstui.tui import app_messages as msgs
from smstui.tui.app_interface import SmsAppBase, sms_app
from smstui.tui.screen_base import ReportWorkerErrors
from smstui.tui.textual_internals import QuietFocus
from smstui.tui.widgets.format import clean, display_number, slot_label, to_local, when_time
from smstui.tui.widgets.quiet_footer import QuietFooter
from smstui.tui.workers import store_read, task

GATEWAY_NOTE = "The gateway cannot change or cancel a message it already has: c writes a correction to the same number."


def time_left(when: datetime, now: datetime) -> str:
    """``in 5 min``, ``in 2 h 5 min``, ``in 3 d 4 h`` (``due`` once its time has come)."""
    from smstui.core.oncall.health import describe_duration

    seconds = (when - now).total_seconds()
    return f"in {describe_duration(seconds)}" if seconds > 0 else "due"


class ScheduledScreen(QuietFocus, ReportWorkerErrors, Screen[None]):
    DEFAULT_CSS = """
    ScheduledScreen #scheduled-title { height: 1; padding: 0 1; background: $panel; }
    ScheduledScreen #scheduled-table { height: 1fr; }
    ScheduledScreen #scheduled-note { height: auto; padding: 0 1; color: $foreground-muted; }
    """
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="scheduled.back"),
        Binding("enter", "open", "Open", id="scheduled.open", priority=True),
        Binding("x", "cancel_message", "Cancel", id="scheduled.cancel"),
        Binding("e", "edit", "Edit", id="scheduled.edit"),
        Binding("c", "correct", "Correction", id="scheduled.correct"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.messages: list[StoredMessage] = []
        self._names: dict[str, str] = {}  # phone key -> contact name
        self.loads = 0  # lists shown (tests wait on it)

    @property
    def smsapp(self) -> SmsAppBase:
        return sms_app(self.app)

    def compose(self) -> ComposeResult:
        yield Static("Scheduled messages", id="scheduled-title")
        table: DataTable[Text | str] = DataTable(id="scheduled-table", cursor_type="row")
        yield table
        yield Static("", id="scheduled-note")
        yield QuietFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("When", "Time left", "To", "Text", "From", "State")
        table.focus()
        self.smsapp.core_signal.subscribe(self, self._on_core)
        self.set_interval(60, self._redraw, name="time-left")  # the minute moved on
        self.load()

    def _on_core(self, message: object) -> None:
        if isinstance(message, (msgs.CoreMessagesChanged, msgs.CoreOutboxChanged, msgs.Queued)):
            self.load()

    @store_read("scheduled", "read the scheduled messages")
    def load(self) -> None:
        now = self.smsapp.clock()
        store = self.smsapp.store
        rows = store.scheduled_messages(now.timestamp())
        names = store.contact_names({m.phone_key for m in rows})
        self.app.call_from_thread(self._show, rows, names)

    def _show(self, rows: list[StoredMessage], names: dict[str, str]) -> None:
        self.messages = rows
        self._names = names
        self._redraw()
        self.loads += 1

    def _redraw(self) -> None:
        app = self.smsapp
        now, tz = app.clock(), app.tz
        table = self.query_one(DataTable)
        keep = table.cursor_row
        table.clear()
        for msg in self.messages:
            when = msg.scheduled_at or msg.created
            state = Text("not sent yet", style="bold") if is_local(msg) else Text("on the gateway", style="dim")
            table.add_row(
                when_time(when, now, tz),
                time_left(when, now),
                self._to(msg),
                Text(clean(msg.body, single_line=True)[:60]),
                Text(f"{clean(app.device_name(msg.device_id), single_line=True)} · {slot_label(msg.slot)}"),
                state,
                key=str(msg.lid),
            )
        if self.messages:
            table.move_cursor(row=min(keep, len(self.messages) - 1))
        count = len(self.messages)
        title = Text(f"Scheduled messages ({count})", style="bold")
        title.append("  enter: open · e/x: edit/cancel one not sent yet · c: correction", style="dim")
        self.query_one("#scheduled-title", Static).update(title)
        self._update_note()

    def _to(self, msg: StoredMessage) -> Text:
        number = display_number(msg.phone_key) if msg.phone_key.startswith("+") else msg.phone
        name = self._names.get(msg.phone_key)
        return Text(clean(f"{name} ({number})" if name else number, single_line=True))

    @property
    def selected(self) -> StoredMessage | None:
        table = self.query_one(DataTable)
        if not self.messages or not 0 <= table.cursor_row < len(self.messages):
            return None
        return self.messages[table.cursor_row]

    @on(DataTable.RowHighlighted)
    def _update_note(self) -> None:
        msg = self.selected
        note = self.query_one("#scheduled-note", Static)
        if msg is None:
            note.update(Text("Nothing is waiting for its time.", style="italic"))
        elif is_local(msg):
            note.update("Not handed to the gateway yet: e edits it, x cancels it.")
        else:
            note.update(GATEWAY_NOTE)

    def action_open(self) -> None:
        msg = self.selected
        if msg is not None:
            self.app.pop_screen()
            self.smsapp.go_to_message(msg.phone_key, msg.lid)

    def action_cancel_message(self) -> None:
        msg = self.selected
        if msg is None:
            return
        if not is_local(msg):
            self.notify(GATEWAY_NOTE, title="Cannot cancel", severity="warning", timeout=6)
            return
        self.smsapp.cancel_sending(msg)

    def action_correct(self) -> None:
        msg = self.selected
        if msg is None:
            return
        self.smsapp.action_compose(msg.phone)

    def action_edit(self) -> None:
        msg = self.selected
        if msg is None:
            return
        if not is_local(msg):
            self.notify(GATEWAY_NOTE, title="Cannot edit", severity="warning", timeout=6)
            return
        self._edit(msg)

    @task("scheduled-edit", "edit a scheduled message", exclusive=True)
    async def _edit(self, msg: StoredMessage) -> None:
        from smstui.tui.dialogs.compose import ComposeScreen

        # Cancelled first, so the old text cannot go out beside the new one; its text and time
        # open in compose (kept there as a draft until sent), so nothing is lost.
        done = await self.smsapp.cancel_queued(msg, title="Cannot edit")
        if done is None:
            return
        if not done:
            self.notify(
                "It is being sent right now: it can no longer be edited.", title="Not edited", severity="warning"
            )
            self.load()
            return
        when = to_local(msg.scheduled_at or msg.created, self.smsapp.tz).strftime("%Y-%m-%d %H:%M")
        self.app.push_screen(
            ComposeScreen(recipients=msg.phone, body=msg.body, when=when, device_id=msg.device_id, slot=msg.slot)
        )
