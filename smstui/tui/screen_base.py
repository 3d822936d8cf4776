"""The base of smstui's screens: the typed app, worker failures reported, no re-style on mount."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import events
from textual.message import Message
from textual.screen import Screen
from textual.worker import Worker

from smstui.tui.app_interface import SmsAppBase, sms_app
from smstui.tui.textual_internals import QuietFocus


class ReportWorkerErrors:
    """Mix into a screen or dialog so its failed workers are reported by the app, never as
    tracebacks (``Worker.StateChanged`` does not bubble)."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # A screen may also run in a plain host app (tests, the bulk screens' harness).
        report = getattr(self.app, "report_worker_failure", None)  # type: ignore[attr-defined]
        if report is not None:
            report(event)


class StyledOnMount:
    """Mix into every mode's screen: the ScreenResumes that come with its making re-style nothing.

    Textual posts ScreenResume as it makes a mode's screen (and again as it switches to it) and
    handles them once the screen's widgets have mounted, each already styled by the current
    stylesheet as it mounted; styling all of them again costs ~6 ms of the cold start. A resume
    posted once the screen is up (back from another mode, perhaps after a theme change)
    re-styles as usual. Only public API: the event's own flag.
    """

    def post_message(self, message: Message) -> bool:
        if isinstance(message, events.ScreenResume) and not self.is_mounted:  # type: ignore[attr-defined]
            message.refresh_styles = False
        return super().post_message(message)  # type: ignore[misc]


class SmsScreen(QuietFocus, StyledOnMount, ReportWorkerErrors, Screen[None]):
    """A mode's screen in smstui's app."""

    # A screen's one-line title bar and the detail pane under its table (devices, triage, ...).
    DEFAULT_CSS = """
    SmsScreen .screen-title { height: 1; padding: 0 1; background: $panel; }
    SmsScreen .screen-detail { height: auto; padding: 0 1; border-top: solid $panel-lighten-2; }
    """

    @property
    def smsapp(self) -> SmsAppBase:
        return sms_app(self.app)

    def follow_app(self, on_core: Callable[[Any], None], on_device: Callable[[int | None], None]) -> None:
        """Follow the app's core events and device filter, and show its sync state in this
        screen's status line (every mode screen does all three on mount)."""
        from smstui.tui.widgets.status_line import StatusLine

        app = self.smsapp
        app.core_signal.subscribe(self, on_core)
        app.device_signal.subscribe(self, on_device)
        app.bind_status_line(self.query_one(StatusLine))
