"""Alerts in the app: after each refresh, the alert engine's news as notifications, the bell and
the user's command.

:class:`AppAlerts` follows the app's sync state; when a poll ends it asks the session's
:class:`~smstui.core.oncall.alerts.AlertEngine` (made anew for each session) what changed, in a thread
worker (it reads the store). Each alert becomes a notification (an error for a failure, a
warning for a condition that starts, information when it clears), rings the terminal bell if
``[oncall] bell`` says so, and is handed to ``[oncall] command`` in a thread of its own: no shell,
stopped after ``command_timeout``, a failure said once per kind of failure, never blocking the UI.
The active conditions are kept for the dashboard (:attr:`AppAlerts.active`).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Protocol

from smstui.tui.widgets.format import clean

if TYPE_CHECKING:
    from textual.dom import DOMNode
    from textual.signal import Signal

    from smstui.core.oncall.alerts import Alert, AlertEngine
    from smstui.core.sync_state import SyncState


class AlertsHost(Protocol):
    """What of the app the alerts use (the app's interface names this module: no import back)."""

    session: Any
    session_ready: bool
    status_signal: Signal[SyncState]

    def notify(
        self, message: str, *, title: str = "", severity: Any = "information", timeout: float | None = None
    ) -> None: ...
    def bell(self) -> None: ...
    def run_worker(self, work: Any, *args: Any, **kwargs: Any) -> Any: ...
    def call_from_thread(self, callback: Any, *args: Any, **kwargs: Any) -> Any: ...


log = logging.getLogger(__name__)

#: Sync states that end a poll ("syncing" starts one).
POLL_ENDS = frozenset({"idle", "offline", "auth", "error"})


class AppAlerts:
    """The app's alert engine and what it does with an alert (see the module docstring)."""

    def __init__(self, app: AlertsHost, node: DOMNode) -> None:
        self.app = app
        self._engine: AlertEngine | None = None
        self._session: Any = None
        self._command_problems: set[str] = set()
        self._last_status = ""
        self.fired: list[Alert] = []  # every alert shown, oldest first (the last 200)
        app.status_signal.subscribe(node, self._on_state)

    @property
    def active(self) -> list[Alert]:
        """Conditions firing now (phones offline, the queue), oldest first."""
        return list(self._engine.active.values()) if self._engine is not None else []

    def _on_state(self, state: SyncState) -> None:
        # Only when a poll ends: what the store said before the first sync may be hours old.
        ended = self._last_status == "syncing" and state.status in POLL_ENDS
        self._last_status = state.status
        if ended and self.app.session_ready:
            self.check()

    def check(self) -> None:
        """Ask the engine now (a thread worker; a newer check replaces one not yet done)."""
        app = self.app
        session = app.session
        if self._session is not session or self._engine is None:
            from smstui.core.oncall.alerts import AlertEngine
            from smstui.core.oncall.health import Thresholds

            self._session = session
            self._engine = AlertEngine(Thresholds.from_settings(session.config.oncall), started=session.clock())
        engine = self._engine

        def evaluate() -> None:
            alerts = engine.evaluate(session.store, session.clock())
            if alerts:
                app.call_from_thread(self._show, session, alerts)

        self._in_thread(evaluate, "alerts", "check the alert conditions", exclusive=True)

    def _show(self, session: Any, alerts: list[Alert]) -> None:
        if session is not self.app.session:
            return  # another session meanwhile: its own engine will speak
        oncall = session.config.oncall
        for alert in alerts:
            self.fired = [*self.fired[-199:], alert]
            if alert.kind == "message_failed":
                severity, title = "error", "Message failed"
            elif alert.firing:
                severity, title = "warning", "Alert"
            else:
                severity, title = "information", "Cleared"
            self.app.notify(clean(alert.message), title=title, severity=severity, timeout=10 if alert.firing else 6)
            if oncall.bell and alert.firing:
                self.app.bell()
            if oncall.command:
                self._run_command(tuple(oncall.command), alert, float(oncall.command_timeout))

    def _run_command(self, argv: tuple[str, ...], alert: Alert, timeout: float) -> None:
        app = self.app

        def run() -> None:
            from smstui.core.oncall.alerts import run_alert_command

            problem = run_alert_command(argv, alert, timeout)
            if problem is not None:
                log.warning("alert command: %s", problem)
                app.call_from_thread(self._command_failed, problem)

        self._in_thread(run, "alert-command", "run the alert command", exclusive=False)

    def _in_thread(self, work: Any, group: str, description: str, *, exclusive: bool) -> None:
        # The app's worker policy (smstui.tui.workers): named, described, never raising.
        self.app.run_worker(
            work,
            thread=True,
            group=group,
            name=group,
            exclusive=exclusive,
            exit_on_error=False,
            description=description,
        )

    def _command_failed(self, problem: str) -> None:
        # Once per kind of failure: a missing program would otherwise say so with every alert.
        if problem in self._command_problems:
            return
        self._command_problems.add(problem)
        self.app.notify(clean(problem), title="Alert command failed", severity="warning", timeout=10)
