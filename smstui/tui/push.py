"""Push in the app: what other processes write into the store shows at once, the status line
says "push" or "poll", and with ``[ui] webhook_listen`` the app runs the webhook receiver itself.

- **The store watcher** (smstui.core.store_watcher, a thread of its own) notices another
  process's commit (``smstui webhook serve``, ``smstui send``) within ~100 ms and names the
  conversations it changed; they arrive as :class:`~smstui.tui.app_messages.CoreMessagesChanged`,
  exactly like a poll's news, so each screen re-reads only the rows it shows. An idle store costs
  one ``PRAGMA data_version`` per tick and paints nothing.
- **Push or poll** (smstui.core.push_state): the watcher reads the last webhook and the count of
  messages waiting for a status every second; a change reaches the app as :class:`PushChanged`
  and the status line through ``push_signal``.
- **The in-app receiver**: the receiver of smstui.webhook under uvicorn on a thread of its own
  (smstui.webhook.serve.ReceiverThread), writing into the session's store. Its confirmations
  (``getsmsstatus``) run on the session's network loop, where the session's HTTP client lives;
  what it stores is told to the screens at once (the same connection's writes do not move
  ``data_version``), and a status for a message the store lacks wakes the refresh loop (a sync
  lists it). A port in use or an unusable secret file is said once, in a notification,
  and the app goes on polling. It stops with the session and on quit.
"""

import logging
from typing import TYPE_CHECKING, Any, NamedTuple

from textual.message import Message

from smstui.core.push_state import PushInfo
from smstui.tui import app_messages as msgs

if TYPE_CHECKING:
    from collections.abc import Callable

    from smstui.core.session import Session
    from smstui.core.store_watcher import StoreWatcher
    from smstui.tui.app_interface import SmsAppBase

log = logging.getLogger(__name__)


class PushView(NamedTuple):
    """What the status line needs to say push / poll."""

    info: PushInfo = PushInfo(None, 0)
    expected: bool = False  # the app runs a receiver: "poll" is worth saying before the first one
    quiet_after: float = 300.0


class PushWatch:
    """The app's watcher and receiver for one session at a time (see the module docstring)."""

    def __init__(self, app: "SmsAppBase") -> None:
        self.app = app
        self.watcher: StoreWatcher | None = None
        self.receiver: Any = None  # smstui.webhook.serve.ReceiverThread
        self.applier: Any = None
        self.url: str | None = None  # the receiver's URL (its path is the secret: never logged)
        self.error: str | None = None
        self.view = PushView()
        self._session: Session | None = None
        #: Told the receiver's URL once it listens (``--demo`` hands it to the simulator).
        self.on_url: Callable[[str], Any] | None = None

    def __repr__(self) -> str:
        return f"PushWatch(watching={self.watcher is not None}, receiving={self.receiver is not None})"

    def start(self, session: "Session") -> None:
        from smstui.core.store_watcher import StoreWatcher

        self.stop()
        self._session = session
        ui = session.config.ui
        self.view = PushView(PushInfo(None, 0), bool(ui.webhook_listen), float(ui.webhook_quiet_after))
        self.watcher = StoreWatcher(session.store, self._changed, on_push=self._pushed).start()
        if ui.webhook_listen:
            self._start_receiver(session, ui.webhook_listen)

    def stop(self) -> None:
        watcher, self.watcher = self.watcher, None
        if watcher is not None:
            watcher.stop()
        receiver, self.receiver = self.receiver, None
        if receiver is not None:
            receiver.stop()
        self.applier = None
        self.url = None
        self._session = None

    # ------------------------------------------------------------------ threads -> the app

    def _changed(self, event: Any) -> None:
        self.app.post_message(msgs.to_message(event))  # post_message is thread-safe

    def _pushed(self, info: PushInfo) -> None:
        self.app.post_message(PushChanged(info))

    def apply(self, info: PushInfo) -> None:
        """On the app's loop: the new push facts, to the status line."""
        self.view = self.view._replace(info=info)
        self.app.push_signal.publish(self.view)

    # ------------------------------------------------------------------ the in-app receiver

    def _start_receiver(self, session: "Session", listen: str) -> None:
        from smstui.core.events import MessagesChanged
        from smstui.webhook.secret import SecretFileError, secret_path
        from smstui.webhook.serve import ListenError, ReceiverThread, make_receiver, parse_listen

        def confirm(sms_id: int) -> Any:
            # The session's HTTP client belongs to its network loop: ask there.
            return session.on_network(session.client.sms_status(sms_id))

        store = session.store
        mark = [store.max_lid()]  # replies past it that the receiver stored are "new"

        def changed(keys: frozenset[str]) -> None:
            try:
                count, mark[0] = store.unread_incoming_since(mark[0], keys)
            except Exception:  # the count is a courtesy: the change itself must get through
                count = 0
            self._changed(MessagesChanged(keys, new_incoming=count))

        def unknown(sms_id: int) -> None:
            # The gateway confirmed a message the store lacks (another client's, or a send whose
            # id is not stored yet): a sync lists it, with the outbox's fold. wake() is thread-safe.
            service = getattr(self.app, "_service", None)
            if service is not None:
                service.wake(force_devices=False)

        try:
            host, port = parse_listen(listen)
            app, applier, secret = make_receiver(session, on_change=changed, on_unknown=unknown, confirm=confirm)
            receiver = ReceiverThread(app, host, port).start()
        except (ValueError, ListenError, SecretFileError, OSError) as exc:
            self.error = f"The webhook receiver did not start ({exc}); smstui polls as usual."
            self.app.notify(self.error, title="Webhooks", severity="warning", timeout=10)
            return
        self.receiver, self.applier, self.error = receiver, applier, None
        self.url = receiver.url(secret)
        if self.on_url is not None:
            try:
                self.on_url(self.url)
            except Exception:  # the demo's simulator gone: the app goes on
                log.exception("handing the webhook URL on failed")
        if not self.app.demo:  # the demo's simulator is given the URL itself
            # Not the URL itself: its path is the secret, and a screen can be shared or recorded.
            self.app.notify(
                f"Receiving webhooks on http://{receiver.host}:{receiver.port}/ followed by the secret in "
                f"{secret_path(session.profile.name)}; put that URL in the vendor's device settings.",
                title="Webhooks",
                timeout=8,
            )


class PushChanged(Message):
    """The last webhook or the count of messages waiting for a status changed (from the watcher)."""

    def __init__(self, info: PushInfo) -> None:
        super().__init__()
        self.info = info


__all__ = ["PushChanged", "PushView", "PushWatch"]
