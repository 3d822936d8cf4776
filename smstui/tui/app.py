"""The Textual application: modes (conversations, devices, ...), the screens' shared state, navigation.

Build it with :func:`make_app` (the CLI, ``--demo`` and the tests share it). The app owns the
session; every network or database call runs in a named worker, and core events from the refresh
worker are turned into Textual messages (``smstui.tui.app_messages``) and re-broadcast to the screens
over :attr:`SmsTuiApp.core_signal`. Logging in and the refresh worker are in
:mod:`smstui.tui.session_flow`, sending in :mod:`smstui.tui.sending`, the modes in
:mod:`smstui.tui.modes`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING, Any

from textual.app import App
from textual.binding import Binding
from textual.screen import Screen
from textual.signal import Signal
from textual.worker import Worker, WorkerState

from smstui.core.startup import release_collector
from smstui.core.sync_state import SyncState
from smstui.tui import app_messages as msgs
from smstui.tui.modes import MODES, lazy_screen, mode_bindings
from smstui.tui.screens.conversations import ConversationsScreen
from smstui.tui.sending import Sending
from smstui.tui.session_flow import SessionFlow, SessionOpener, set_up_logging_now
from smstui.tui.terminal import ansi_themes, over_ssh, start_theme
from smstui.tui.textual_internals import mode_names, replace_mode_factories, set_cursor_blink_default, styled_now
from smstui.tui.widgets.format import clean
from smstui.tui.widgets.input_order import InputSettled
from smstui.tui.widgets.status_line import StatusLine
from smstui.tui.widgets.store_writes import StoreWrites
from smstui.tui.workers import store_read, task

if TYPE_CHECKING:
    from textual.command import Provider
    from textual.notifications import SeverityLevel

    from smstui.core.session import Session
    from smstui.core.store.database import Store
    from smstui.core.store.devices import StoredDevice
    from smstui.core.store.messages import Thread
    from smstui.tui.push import PushChanged, PushView, PushWatch

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
STARTUP_COLLECTOR_LIMIT = 2.0  # seconds; see on_mount
#: Modes whose screen is painted whole in its first frame: switching to them hides nothing.
WHOLE_FIRST_FRAME = frozenset({"dashboard"})


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _mode_factory(mode: str) -> Callable[[], Screen]:
    # The first frame's screen is imported with the app; every other one when first shown.
    return ConversationsScreen if mode == "messages" else lazy_screen(mode)


def _sms_commands() -> type[Provider]:
    from smstui.tui.palette import SmsCommands

    return SmsCommands


class SmsTuiApp(SessionFlow, Sending):
    """smstui's face; see module docstring."""

    CSS_PATH = "app.tcss"
    TITLE = "smstui"
    COMMANDS = App.COMMANDS | {_sms_commands}
    MODES = {m.name: _mode_factory(m.name) for m in MODES}
    NOTIFICATION_TIMEOUT = 6

    BINDINGS = [
        *mode_bindings(),  # F2 ... F10 (tui.modes says which key shows which mode)
        Binding("n", "compose", "New", id="app.compose"),
        Binding("ctrl+r", "refresh", "Refresh", id="app.refresh"),
        Binding("f1,question_mark", "help", "Help", id="app.help"),
        Binding("ctrl+t", "toggle_theme", "Theme", id="app.theme", show=False),
        Binding("ctrl+l", "switch_profile", "Switch profile", id="app.profile", show=False),
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True),
    ]

    def __init__(
        self,
        session: Session,
        *,
        demo: bool = False,
        clock: Clock | None = None,
        tz: tzinfo | None = None,
        session_opener: SessionOpener | None = None,
        refresh_interval: float | None = None,
        sync: bool = True,
        autologin: tuple[str, str] | None = None,
    ) -> None:
        if session.logged_in and autologin is None:
            # Start in the conversations mode itself: Textual composes the starting mode's
            # screen before the first frame, so the list is the first thing painted, with no
            # blank screen and mode switch before it (on_load reads what it lists).
            self.DEFAULT_MODE = "messages"
        super().__init__()
        replace_mode_factories(self, styled_now)
        self._autologin = autologin
        self.session = session
        self.demo = demo
        self.clock: Clock = clock or _utc_now
        self.tz = tz
        self._session_opener = session_opener
        self._refresh_interval = refresh_interval
        self._sync_enabled = sync
        self.core_signal: Signal[Any] = Signal(self, "core")
        self.device_signal: Signal[int | None] = Signal(self, "device-filter")
        self.status_signal: Signal[SyncState] = Signal(self, "sync-state")
        self.push_signal: Signal[PushView] = Signal(self, "push")
        self._push: PushWatch | None = None  # made when the session's watch starts (see push)
        self.devices: list[StoredDevice] = []
        self.device_filter: int | None = None
        self.sync_state = SyncState()
        self.session_ready = False
        #: Draft saves and reads and the outbox writes of composed messages, in order (one thread).
        self.store_writes = StoreWrites()
        self._entering_first_screen = False
        self._switching_to_whole_screen = False
        # The conversation list read alongside the devices while entering a session, so the
        # conversations screen's first frame already lists them: (device filter, threads).
        self._prefetched_threads: tuple[int | None, list[Thread]] | None = None
        self._theme_css_fresh = False
        self._service: Any = None
        self._last_failure: str | None = None
        self._auth_prompted = False
        if demo:
            self.sub_title = "demo"

    @property
    def push(self) -> PushWatch:
        """Other processes' writes, push vs poll, the in-app webhook receiver (smstui.tui.push);
        made on first use, after the first frame (its module costs ~3 ms to import)."""
        if self._push is None:
            from smstui.tui.push import PushWatch

            self._push = PushWatch(self)
        return self._push

    def mode_factory(self, mode: str) -> Callable[[], Screen]:
        """A fresh factory for ``mode``'s screen (a new session rebuilds its screens)."""
        return _mode_factory(mode)

    def add_mode(self, mode: str, base_screen: str | Callable[[], Screen]) -> None:
        super().add_mode(mode, styled_now(base_screen) if callable(base_screen) else base_screen)

    def delay_update(self, delay: float = 0.05) -> None:
        # switch_mode hides the switch for 50 ms; going from the blank start screen to the first
        # real one has nothing to hide, and 50 ms is a tenth of the cold start. Nor has a switch
        # to a screen painted whole in its first frame (the dashboard reads before it): the
        # 50 ms would be the whole of its budget for opening (bench/dashboard.py).
        if not self._entering_first_screen and not self._switching_to_whole_screen:
            super().delay_update(delay)

    def switch_mode(self, mode: str) -> Any:
        self._switching_to_whole_screen = mode in WHOLE_FIRST_FRAME
        try:
            return super().switch_mode(mode)
        finally:
            self._switching_to_whole_screen = False

    # ------------------------------------------------------------------ convenience for screens

    @property
    def store(self) -> Store:
        return self.session.store

    @property
    def region(self) -> str | None:
        return self.session.region

    @property
    def default_device_id(self) -> int | None:
        wanted = self.session.profile.default_device
        if wanted is not None and any(d.device.id == wanted for d in self.devices):
            return wanted
        return None

    def choose_device(self, form: str, last_used: int | None = None) -> int | None:
        """The device a form starts with: the profile's default_device, else ``last_used`` (the
        thread's) or the device the form last sent through, else the online one that sent last."""
        from smstui.tui.widgets.device_choice import default_for

        return default_for(self.store, self.devices, form, profile_default=self.default_device_id, last_used=last_used)

    def device_name(self, device_id: int | None) -> str:
        for stored in self.devices:
            if stored.device.id == device_id:
                return stored.device.title or f"device {device_id}"
        return f"device {device_id}"

    def device_names(self) -> dict[int, str]:
        return {d.device.id: d.device.title for d in self.devices}

    def set_device_filter(self, device_id: int | None) -> None:
        self.device_filter = device_id
        self.device_signal.publish(device_id)

    def take_prefetched_threads(self, device_filter: int | None) -> list[Thread] | None:
        """The conversations read while entering the session (once), if read for ``device_filter``."""
        found, self._prefetched_threads = self._prefetched_threads, None
        if found is None or found[0] != device_filter:
            return None
        return found[1]

    def bind_status_line(self, line: StatusLine) -> None:
        def apply(state: SyncState) -> None:
            line.update_state(state.status, state.last_synced, state.error, state.progress)
            line.profile = self._profile_label()

        def apply_push(view: PushView) -> None:
            last = view.info.last_webhook
            line.update_push(last[0] if last else None, view.info.waiting, view.expected, view.quiet_after)

        apply(self.sync_state)
        if self._push is not None:  # nothing to say before the session's watch starts
            apply_push(self._push.view)
        self.status_signal.subscribe(line, apply)
        self.push_signal.subscribe(line, apply_push)

    def _profile_label(self) -> str:
        label = self.session.profile.name
        return f"{label} (demo)" if self.demo else label

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Notifications carry gateway refusals, file names and config text: never markup.

        Widgets' ``notify`` forwards ``markup=True`` by default, so the app ignores the flag.
        """
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    # ------------------------------------------------------------------ start-up

    def on_load(self) -> None:
        # Before the first screen is composed: it is painted in the user's theme from its first
        # frame (not the default one first), and its footer shows the user's keys.
        config = self.session.config
        for theme in ansi_themes():
            self.register_theme(theme)
        # 16 colours: the default theme's greys fold into black there (smstui.tui.terminal).
        self._start_theme = start_theme(config.ui.theme, self.console.color_system, no_color=self.no_color)
        if self._start_theme in self.available_themes and self._start_theme != self.theme:
            self.theme = self._start_theme
            self.stylesheet.set_variables(self.get_css_variables())
            # Nothing is styled yet and the stylesheet has the theme's variables now, so the
            # re-parse the theme's watcher queued (refresh_css) would only parse the same CSS
            # again and empty the parse cache: ~8 ms of a cold start in 16 colours.
            self._theme_css_fresh = True
        if over_ssh(os.environ):  # a blinking cursor is ~500 bytes a second down the link
            set_cursor_blink_default(False)
        if config.keymap:
            self.set_keymap(dict(config.keymap))
        if self.current_mode == "messages":  # logged in (see __init__): the first screen's data
            # The starting screen is composed before Textual styles the app itself; styled
            # now, the app's colours are there for the screen's widgets to inherit.
            self.stylesheet.apply(self)
            try:
                self._apply_session_start(self._read_session_start())
            except Exception:
                pass  # on_mount's worker reads again and reports the problem

    def refresh_css(self, animate: bool = True) -> None:
        if self._theme_css_fresh:  # the one queued by on_load's theme (see there)
            self._theme_css_fresh = False
            return
        super().refresh_css(animate)

    def on_mount(self) -> None:
        # The collector is off until the first frame (smstui.core.startup); the conversations screen
        # switches it back on once its list is painted, anything else after this long at most.
        self.set_timer(STARTUP_COLLECTOR_LIMIT, release_collector, name="release-collector")
        # The log file at the latest then too (_session_entered and show_login do it sooner):
        # logging.handlers is not worth a few ms of the first frame; records are held till then.
        self.set_timer(STARTUP_COLLECTOR_LIMIT, set_up_logging_now, name="set-up-logging")
        from smstui.tui.alerts import AppAlerts

        self.oncall_alerts = AppAlerts(self, self)  # the alert engine's news after each refresh
        # The dashboard must open at once (F10, on call): its code is loaded in the background
        # once start-up is over, so its first opening pays for none of it (~15 ms).
        self.set_timer(STARTUP_COLLECTOR_LIMIT + 0.5, self._preload_dashboard, name="preload-dashboard")
        config = self.session.config
        if config.ui.theme and config.ui.theme not in self.available_themes:
            self.notify(f"Unknown theme {config.ui.theme!r} in the config; using {self.theme}.", severity="warning")
        for problem in self.session.config_problems:
            self.notify(clean(str(problem)), title="Config", severity="warning", timeout=10)
        if config.keymap:  # after the first frame: the check imports every screen's bindings
            self.call_after_refresh(_report_keymap_problems, self)
        if self._autologin is not None and not self.session.logged_in:
            self._login_automatically(*self._autologin)
        elif self.session.logged_in:
            if self.session_ready:  # already showing it (see on_load)
                self.call_later(self._session_entered)
            else:
                self.enter_session()
        else:
            self.show_login()

    @store_read("preload", "load the dashboard's code", name="preload-dashboard")
    def _preload_dashboard(self) -> None:
        import importlib

        importlib.import_module("smstui.tui.screens.dashboard")

    def on_input_settled(self, message: InputSettled) -> None:
        # Every editing key a field passed up before it has run its binding here by now.
        message.arrived.set()

    def on_core_messages_changed(self, message: msgs.CoreMessagesChanged) -> None:
        self.core_signal.publish(message)
        count = message.event.new_incoming
        if count:
            self.notify(f"{count} new message{'s' if count != 1 else ''}", title="Incoming", timeout=4)

    def on_push_changed(self, message: PushChanged) -> None:
        self.push.apply(message.info)

    def on_core_region_changed(self, message: msgs.CoreRegionChanged) -> None:
        from smstui.tui.region_prompt import region_changed

        region_changed(self, message)

    def on_core_devices_changed(self, message: msgs.CoreDevicesChanged) -> None:
        self._reload_devices(message)

    @store_read("devices", "read devices from the store", name="load-devices")
    def _reload_devices(self, message: msgs.CoreMessage) -> None:
        devices = self.store.devices()

        def apply() -> None:
            self.devices = devices
            self.core_signal.publish(message)

        self.call_from_thread(apply)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        self.report_worker_failure(event)

    def report_worker_failure(self, event: Worker.StateChanged) -> None:
        """A worker that failed unexpectedly becomes a notification, never a traceback."""
        if event.state != WorkerState.ERROR:
            return
        worker = event.worker
        error = worker.error
        what = worker.description or worker.name or "a background task"
        log.error("worker %s failed: %s", worker.name, type(error).__name__, exc_info=error)
        text = clean(str(error), single_line=True) if error is not None else ""
        from smstui.core.logs import see_the_log

        self.notify(
            f"{what} failed: {text or type(error).__name__}; {see_the_log()}",
            title="Something went wrong",
            severity="error",
            timeout=10,
        )

    # ------------------------------------------------------------------ sending

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("show_mode", "compose", "refresh", "switch_profile", "logout") and not self.session_ready:
            return False
        if action == "show_mode" and parameters and parameters[0] not in mode_names(self):
            return False
        return True

    def action_show_mode(self, mode: str) -> None:
        if mode in mode_names(self):
            self.switch_mode(mode)

    def action_compose(self, recipients: str = "") -> None:
        if not self.session_ready:
            return
        from smstui.tui.dialogs.compose import ComposeScreen

        self.push_screen(ComposeScreen(recipients=recipients))

    def action_show_scheduled(self) -> None:
        """Every message still waiting for its time (smstui.tui.screens.scheduled)."""
        if not self.session_ready:
            return
        from smstui.tui.screens.scheduled import ScheduledScreen

        self.push_screen(ScheduledScreen())

    def go_to_device(self, device_id: int) -> None:
        self.set_device_filter(device_id)
        self.switch_mode("messages")

    def go_to_thread(self, phone_key: str) -> None:
        self._go_to(phone_key)

    def go_to_message(self, phone_key: str, lid: int) -> None:
        """Open the conversation at one message, selected (find by gateway id)."""
        self._go_to(phone_key, lid)

    @task("navigate", "open a conversation", name="go-to-thread", exclusive=True)
    async def _go_to(self, phone_key: str, lid: int | None = None) -> None:
        await self.switch_mode("messages")
        screen = self.screen
        if isinstance(screen, ConversationsScreen):
            if lid is None:
                screen.show_thread(phone_key)
            else:
                screen.show_message(phone_key, lid)

    def copy_text(self, text: str, what: str) -> None:
        self.copy_to_clipboard(text)  # OSC 52: the user's clipboard, over SSH too
        from smstui.tui.clipboard import over_ssh

        if not over_ssh():
            self._copy_to_system(text)
        self.notify(f"Copied the {what} to the clipboard.", timeout=2)

    @store_read("clipboard", "copy to the system clipboard", name="system-clipboard")
    def _copy_to_system(self, text: str) -> None:
        # A thread: pyperclip runs a helper program (pbcopy, xclip, ...).
        from smstui.tui import clipboard

        clipboard.copy_to_system(text)

    def action_toggle_theme(self) -> None:
        configured = getattr(self, "_start_theme", self.session.config.ui.theme)
        if self.current_theme.dark:
            self.theme = "ansi-light" if self.theme == "ansi-dark" else "textual-light"
        else:
            self.theme = (
                configured
                if configured in self.available_themes and configured != self.theme
                else ("ansi-dark" if self.theme == "ansi-light" else "textual-dark")
            )

    def action_help(self) -> None:
        from smstui.tui.dialogs.help import HelpScreen, help_rows

        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(help_rows(self.screen)))

    async def on_unmount(self) -> None:
        service = self._service
        self._stop_sync()
        if self._push is not None:
            self._push.stop()
        await self._sync_stopped(service)  # no sync worker process outlives the app
        self.store_writes.shutdown()  # the last draft saves land before the process ends
        try:
            await self.session.client.aclose()  # this loop's connections; the session may go on
        except Exception as exc:
            log.warning("closing connections failed: %s", type(exc).__name__)


def _report_keymap_problems(app: SmsTuiApp) -> None:
    from smstui.tui.keymap_scopes import report_keymap_problems

    report_keymap_problems(app)


def make_app(session: Session, **options: Any) -> SmsTuiApp:
    """The app over an opened session (see :func:`smstui.core.session.open_session`).

    The options are :class:`SmsTuiApp`'s: ``clock`` (aware datetimes) and ``tz`` make relative
    times and schedules deterministic in tests; ``sync=False`` keeps the refresh worker off
    (snapshots of what the store holds); ``autologin`` (email, password) logs in on start without
    the login screen (the demo).
    """
    return SmsTuiApp(session, **options)
