"""Send a failed message again (R in the failure triage): the same or another phone and slot.

The dialog shows the message (to whom, its text, why it failed) and offers the phones and their
slots, starting with the ones it failed on; the device warnings of the compose form (an offline
phone, a slot without a SIM) are said before Ctrl+S, which still sends. For an unclear send it
says that the first may have arrived. It dismisses with the chosen (device id, slot) or None; the
triage screen queues the new message through the outbox and links it to the failed one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Select, Static

from smstui.core.oncall.triage import explain, reason_of
from smstui.tui.dialogs.form_dialog import FormDialog
from smstui.tui.widgets.device_choice import device_options, warning_text
from smstui.tui.widgets.format import clean

if TYPE_CHECKING:
    from smstui.core.store.devices import StoredDevice
    from smstui.core.store.records import StoredMessage


class RetryDialog(FormDialog[tuple[int, int] | None]):
    DEFAULT_CSS = """
    RetryDialog > Vertical { width: 76; max-width: 100%; height: auto; }
    RetryDialog .dialog-title { margin-bottom: 1; }
    RetryDialog Select { margin-top: 1; }
    #retry-warning { height: auto; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="retry_dialog.cancel"),
        Binding("ctrl+s", "submit", "Send again", id="retry_dialog.submit", priority=True),
    ]

    def __init__(self, message: StoredMessage, devices: list[StoredDevice], number: str, *, count: int = 1) -> None:
        super().__init__()
        self.count = count  # messages chosen: this one shows, the phone and slot are for all of them
        self.message = message
        self.devices = devices
        self.number = number

    def compose(self) -> ComposeResult:
        m = self.message
        with Vertical():
            if self.count > 1:
                title = Text(f"Send {self.count} messages again, each as a new message (the first: to ", style="bold")
                title.append(clean(self.number, single_line=True)).append(")")
            else:
                title = Text("Send again as a new message to ", style="bold")
                title.append(clean(self.number, single_line=True))
            yield Static(title, classes="dialog-title")
            body = clean(m.body, single_line=True) or "(no text)"
            yield Static(Text(body if len(body) <= 200 else body[:199] + "…"), id="retry-body")
            reason = reason_of(m)
            why = Text(f"{'It is stuck' if reason.key == 'stuck' else 'It failed'}: {reason.title}", style="bold")
            why.append(f" — {explain(m)}.")
            yield Static(why, id="retry-why", classes="dialog-hint")
            ids = [d.device.id for d in self.devices]
            start = m.device_id if m.device_id in ids else (ids[0] if ids else None)
            if ids:
                yield Select(device_options(self.devices), id="retry-device", allow_blank=False, value=start)
            else:
                yield Static(Text("No phones known yet: sync first (ctrl+r).", style="bold red"))
            yield Select([], id="retry-slot", allow_blank=True, prompt="slot")
            yield Static("", id="retry-warning")
            if reason.key in ("unknown", "stuck"):
                yield Static(Text("⚠ The first send may have arrived: this may reach them twice.", style="bold yellow"))
            yield Static("ctrl+s: send again · esc: cancel", classes="dialog-hint")

    def on_mount(self) -> None:
        self._update_slots(self.message.slot)
        found = self.query(Select)
        if found:
            found.first().focus()

    @property
    def device_id(self) -> int | None:
        found = self.query("#retry-device")
        if not found:
            return None
        value = found.first(Select).value
        return value if isinstance(value, int) else None

    @property
    def slot(self) -> int | None:
        value = self.query_one("#retry-slot", Select).value
        return value if isinstance(value, int) else None

    def _device(self) -> StoredDevice | None:
        return next((d for d in self.devices if d.device.id == self.device_id), None)

    def _update_slots(self, wanted: int | None = None) -> None:
        select = self.query_one("#retry-slot", Select)
        device = self._device()
        slots = [int(s) for s in device.device.slots] if device is not None else []
        keep = wanted if wanted in slots else (self.slot if self.slot in slots else (slots[0] if slots else None))
        from smstui.core.models import Slot

        with self.prevent(Select.Changed):
            select.set_options([(Text(Slot(s).label), s) for s in slots])
            if keep is not None:
                select.value = keep
        self._update_warning()

    def _update_warning(self) -> None:
        self.query_one("#retry-warning", Static).update(warning_text(self._device(), self.slot))

    @on(Select.Changed, "#retry-device")
    def _device_changed(self) -> None:
        self._update_slots()

    @on(Select.Changed, "#retry-slot")
    def _slot_changed(self) -> None:
        self._update_warning()

    def action_submit(self) -> None:
        if self.device_id is None or self.slot is None:
            self.notify("Choose the phone and the slot to send it from.", severity="warning", timeout=4)
            return
        self.dismiss((self.device_id, self.slot))

    def action_cancel(self) -> None:
        self.dismiss(None)
