"""What screens, dialogs and widgets may rely on of the app: :class:`SmsAppBase`.

The app (:mod:`smstui.tui.app`) imports every screen; a screen importing the app back would be
a cycle. Screens reach the app through :func:`sms_app` instead, typed by this base class, which
the app's parts (:class:`~smstui.tui.session_flow.SessionFlow`,
:class:`~smstui.tui.sending.Sending`, :class:`~smstui.tui.app.SmsTuiApp`) derive from.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any, cast

from textual.app import App

if TYPE_CHECKING:
    from textual.signal import Signal
    from textual.worker import Worker

    from smstui.core.session import Session
    from smstui.core.store.database import Store
    from smstui.core.store.devices import StoredDevice
    from smstui.core.store.messages import Thread
    from smstui.core.store.records import StoredMessage
    from smstui.core.sync_state import SyncState
    from smstui.tui.alerts import AppAlerts
    from smstui.tui.widgets.compose_form import Outgoing
    from smstui.tui.widgets.status_line import StatusLine
    from smstui.tui.widgets.store_writes import StoreWrites


@dataclass(frozen=True)
class LoginForm:
    """What the login screen hands the app to log in with."""

    email: str
    password: str
    api_url: str
    profile: str
    remember: bool

    def __repr__(self) -> str:  # never the password (reprs reach logs and tracebacks)
        return f"LoginForm(email={self.email!r}, api_url={self.api_url!r}, profile={self.profile!r})"


class SmsAppBase(App[None]):
    """The app's state and services as the screens see them (declarations only)."""

    if TYPE_CHECKING:
        session: Session
        demo: bool
        clock: Callable[[], datetime]
        tz: tzinfo | None
        devices: list[StoredDevice]
        device_filter: int | None
        sync_state: SyncState
        session_ready: bool
        store_writes: StoreWrites
        core_signal: Signal[Any]
        device_signal: Signal[int | None]
        status_signal: Signal[SyncState]
        push_signal: Signal[Any]
        push: Any  # smstui.tui.push.PushWatch
        oncall_alerts: AppAlerts

        @property
        def store(self) -> Store: ...
        @property
        def region(self) -> str | None: ...
        @property
        def default_device_id(self) -> int | None: ...
        def choose_device(self, form: str, last_used: int | None = None) -> int | None: ...
        def device_name(self, device_id: int | None) -> str: ...
        def device_names(self) -> dict[int, str]: ...
        def set_device_filter(self, device_id: int | None) -> None: ...
        def take_prefetched_threads(self, device_filter: int | None) -> list[Thread] | None: ...
        def bind_status_line(self, line: StatusLine) -> None: ...
        def report_worker_failure(self, event: Worker.StateChanged) -> None: ...
        def queue_outgoing(
            self,
            outgoing: Outgoing,
            done: Callable[[list[int] | None, str | None], None],
            *,
            open_thread: bool = False,
            draft_key: str | None = None,
        ) -> None: ...
        def send_again(self, msg: StoredMessage) -> Any: ...
        def cancel_sending(self, msg: StoredMessage) -> Any: ...
        async def cancel_queued(self, msg: StoredMessage, *, title: str) -> bool | None: ...
        def go_to_thread(self, phone_key: str) -> None: ...
        def go_to_device(self, device_id: int) -> None: ...
        def go_to_message(self, phone_key: str, lid: int) -> None: ...
        def copy_text(self, text: str, what: str) -> None: ...
        async def login(self, form: LoginForm) -> None: ...
        def cancel_login(self) -> None: ...
        def show_login(self, reason: str | None = None, *, can_cancel: bool = False) -> None: ...
        def mode_factory(self, mode: str) -> Callable[[], Any]: ...
        def action_compose(self, recipients: str = "") -> None: ...
        def action_refresh(self) -> None: ...
        def action_help(self) -> None: ...
        def action_show_scheduled(self) -> None: ...


def sms_app(app: App[Any]) -> SmsAppBase:
    """``app`` as smstui's app (every screen runs in one)."""
    return cast(SmsAppBase, app)
