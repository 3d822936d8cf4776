"""The new-message modal: the compose form with recipients and every option shown."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from smstui.tui.app_interface import SmsAppBase, sms_app
from smstui.tui.screen_base import ReportWorkerErrors
from smstui.tui.textual_internals import QuietFocus
from smstui.tui.widgets.compose_form import ComposeForm
from smstui.tui.widgets.device_choice import remember_last_device
from smstui.tui.widgets.quiet_footer import QuietFooter
from smstui.tui.workers import store_read

DRAFT_KEY = "new"


class ComposeScreen(QuietFocus, ReportWorkerErrors, ModalScreen[list[int] | None]):
    """Write a message to one or many numbers; dismisses with the queued local ids."""

    DEFAULT_CSS = """
    ComposeScreen {
        align: center middle;
    }

    #compose-dialog {
        width: 90%;
        max-width: 100;
        height: auto;
        max-height: 95%;
        border: round $primary;
        padding: 0 1;
        background: $surface;
    }

    #compose-title {
        text-style: bold;
        height: 1;
    }

    #compose-new #compose-recipients {
        background: $boost;
    }
    """

    BINDINGS = [
        Binding("escape", "close", "Close (keeps draft)", id="compose.close"),
    ]

    def __init__(
        self,
        *,
        recipients: str = "",
        body: str = "",
        when: str = "",
        device_id: int | None = None,
        slot: int | None = None,
    ) -> None:
        super().__init__()
        self._device_slot = (device_id, slot)
        self._recipients = recipients
        self._body = body
        self._when = when  # "YYYY-MM-DD HH:MM", as typed (a scheduled message being edited)

    @property
    def smsapp(self) -> SmsAppBase:
        return sms_app(self.app)

    def compose(self) -> ComposeResult:
        app = self.smsapp
        with Vertical(id="compose-dialog"):
            yield Static("New message", id="compose-title")
            yield ComposeForm(
                store=app.store,
                devices=app.devices,
                region=app.region,
                clock=app.clock,
                tz=app.tz,
                recipient=None,
                device_id=app.device_filter or app.choose_device("compose"),
                draft_key=DRAFT_KEY,
                show_extras=True,
                limits=app.session.config.limits,
                id="compose-new",
            )
        yield QuietFooter()

    def on_mount(self) -> None:
        self.query_one(ComposeForm).focus_first()
        self._load_draft()

    @store_read("draft", "read the draft", name="load-draft", exclusive=False)
    def _load_draft(self) -> None:
        store = self.smsapp.store
        # Behind the draft saves and sends still being written (a send deletes its draft).
        draft = self.smsapp.store_writes.submit(store.draft, DRAFT_KEY).result()
        self.app.call_from_thread(self._apply_draft, draft)

    def _apply_draft(self, draft: dict | None) -> None:
        form = self.query_one(ComposeForm)
        form.load_draft(draft)
        if self._recipients:
            form.set_field("recipients", self._recipients)
        if self._body:
            form.set_field("body", self._body)
        if self._when:
            form.set_field("when", self._when)
        device_id, slot = self._device_slot
        if device_id is not None:
            form.set_field("device", device_id)
            if slot is not None:
                form.call_after_refresh(form.set_field, "slot", slot)  # once the device's slots are offered
        form.show_extras = True

    @on(ComposeForm.Submitted)
    def _submitted(self, event: ComposeForm.Submitted) -> None:
        event.stop()
        form = event.form
        typed = event.typed

        def done(lids: list[int] | None, error: str | None) -> None:
            if lids is None:
                form.restore(typed, error or "could not queue the message")
                return
            if self.is_current:
                self.dismiss(lids)

        remember_last_device(self.smsapp.store, "compose", event.outgoing.device_id)
        # The form is empty already; the outbox write deletes the draft in its transaction.
        self.smsapp.queue_outgoing(event.outgoing, done, open_thread=True, draft_key=event.draft_key)

    def action_close(self) -> None:
        self.query_one(ComposeForm).save_draft_now()
        self.dismiss(None)
