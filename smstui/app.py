"""The Textual application: modes (conversations, devices, ...), login, sync worker, sending.

Build it with :func:`make_app` (the CLI, ``--demo`` and the tests share it). The app owns the
session; every network or database call runs in a named worker, and core events from the refresh
worker are turned into Textual messages (``smstui.messages``) and re-broadcast to the screens
over :attr:`SmsTuiApp.core_signal`.
"""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
import logging
from collections.abc import Callable, Iterable
from datetime import datetime, timezone, tzinfo
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import App
from textual.binding import Binding
from textual.screen import Screen
from textual.signal import Signal
from textual.worker import Worker, WorkerState

from smstui import messages as msgs
from smstui.screens.conversations import FIRST_READ, ConversationsScreen
from smstui.startup import release_collector
from smstui.sync_state import SyncState
from smstui.store import Store, StoredDevice, Thread
from smstui.widgets.format import clean
from smstui.widgets.status_line import StatusLine
from smstui.widgets.store_writes import StoreWrites

if TYPE_CHECKING:
    from textual.command import Provider
    from textual.notifications import SeverityLevel

    from smstui.screens.login import LoginForm, LoginScreen
    from smstui import events
    from smstui.session import Session
    from smstui.widgets.compose_form import Outgoing

log = logging.getLogger("smstui.app")

Clock = Callable[[], datetime]
SessionStart = tuple[list[StoredDevice], "datetime | None", "int | None", list[Thread]]
SessionOpener = Callable[[str, "str | None"], "Session"]

# Screens other helpers may provide: (mode, module, class, title, palette help, key).
EXTRA_MODES: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("tags", "smstui.screens.tags", "TagsScreen", "Tags & contacts", "Groups of contacts for newsletters", "f4"),
    ("newsletters", "smstui.screens.newsletters", "NewslettersScreen", "Newsletters",
     "Send one text to every contact of some tags", "f5"),
    ("bulk", "smstui.screens.bulk", "BulkScreen", "Bulk send", "Send many messages from a CSV file", "f6"),
)
CONTENT_MODES = ("messages", "devices")
STARTUP_COLLECTOR_LIMIT = 2.0  # seconds; see on_mount


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


# Only the conversations screen is needed for the first frame; every other screen (and the
# palette's provider) is imported when first shown, which keeps ~40 ms out of the cold start.


def _screen_class(module_name: str, class_name: str) -> type[Screen]:
    screen = getattr(importlib.import_module(module_name), class_name, None)
    if not (isinstance(screen, type) and issubclass(screen, Screen)):
        raise ImportError(f"{module_name}.{class_name} is not a screen")
    return screen


def _lazy_screen(module_name: str, class_name: str) -> Callable[[], Screen]:
    def make() -> Screen:
        return _screen_class(module_name, class_name)()

    make.__name__ = class_name
    return make


def _styled_now(factory: Callable[[], Screen]) -> Callable[[], Screen]:
    """``factory``, with its screen marked as styled by the app's current stylesheet.

    Textual counts stylesheet refreshes, and a new screen's count starts at -1, so the first
    switch to a mode re-parses every stylesheet and re-styles the app twice (``_init_mode``,
    then ``switch_mode``): ~15 ms of the cold start, more with every screen built. A screen made
    now has nothing to catch up on (its widgets are styled by the current stylesheet as they
    mount), so it gets the app's count. Relies on a private counter (Textual is pinned; a
    test notices if it goes).
    """

    def make() -> Screen:
        screen = factory()
        count = getattr(screen.app, "_css_update_count", None)
        if isinstance(count, int) and isinstance(getattr(screen, "_css_update_count", None), int):
            screen._css_update_count = count
        return screen

    make.__name__ = getattr(factory, "__name__", "screen")
    return make


def _sms_commands() -> "type[Provider]":
    from smstui.commands import SmsCommands

    return SmsCommands


def _available_extra_modes() -> dict[str, tuple[str, str, str, str, str]]:
    """Modes whose screen module exists (found without importing it): mode -> (module, class, title, help, key)."""
    found: dict[str, tuple[str, str, str, str, str]] = {}
    for mode, module_name, class_name, title, help_text, key in EXTRA_MODES:
        try:
            present = importlib.util.find_spec(module_name) is not None
        except (ImportError, ValueError):
            present = False
        if present:
            found[mode] = (module_name, class_name, title, help_text, key)
    return found


class SmsTuiApp(App[None]):
    """smstui's face; see module docstring."""

    CSS_PATH = "app.tcss"
    TITLE = "smstui"
    COMMANDS = App.COMMANDS | {_sms_commands}
    MODES = {"messages": ConversationsScreen, "devices": _lazy_screen("smstui.screens.devices", "DevicesScreen")}
    NOTIFICATION_TIMEOUT = 6

    BINDINGS = [
        Binding("f2", "show_mode('messages')", "Chats", id="app.messages"),
        Binding("f3", "show_mode('devices')", "Devices", id="app.devices"),
        Binding("f4", "show_mode('tags')", "Tags", id="app.tags", show=False),
        Binding("f5", "show_mode('newsletters')", "Newsletters", id="app.newsletters", show=False),
        Binding("f6", "show_mode('bulk')", "Bulk", id="app.bulk", show=False),
        Binding("n", "compose", "New", id="app.compose"),
        Binding("ctrl+r", "refresh", "Refresh", id="app.refresh"),
        Binding("f1,question_mark", "help", "Help", id="app.help"),
        Binding("ctrl+t", "toggle_theme", "Theme", id="app.theme", show=False),
        Binding("ctrl+l", "switch_profile", "Switch profile", id="app.profile", show=False),
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True),
    ]

    def __init__(
        self,
        session: "Session",
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
        for mode, factory in list(self._modes.items()):
            if callable(factory):
                self._modes[mode] = _styled_now(factory)
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
        self.devices: list[StoredDevice] = []
        self.device_filter: int | None = None
        self.sync_state = SyncState()
        self.session_ready = False
        #: Draft saves and reads and the outbox writes of composed messages, in order (one thread).
        self.store_writes = StoreWrites()
        self._extra_mode_specs = _available_extra_modes()
        self._extra_modes_found: dict[str, tuple[type[Screen], str, str, str]] | None = None
        self.extra_modes = {mode: (title, help_text) for mode, (_, _, title, help_text, _) in self._extra_mode_specs.items()}
        self._mode_screens: dict[str, Any] = dict(self.MODES)
        for mode, (module_name, class_name, *_rest) in self._extra_mode_specs.items():
            screen = _lazy_screen(module_name, class_name)
            self.add_mode(mode, screen)
            self._mode_screens[mode] = screen
        self._entering_first_screen = False
        # The conversation list read alongside the devices while entering a session, so the
        # conversations screen's first frame already lists them: (device filter, threads).
        self._prefetched_threads: tuple[int | None, list[Thread]] | None = None
        self._service: Any = None
        self._last_failure: str | None = None
        self._auth_prompted = False
        if demo:
            self.sub_title = "demo"

    @property
    def extra_modes_found(self) -> dict[str, tuple[type[Screen], str, str, str]]:
        """Other helpers' screens: mode -> (screen class, title, palette help, key); imports them."""
        if self._extra_modes_found is None:
            found: dict[str, tuple[type[Screen], str, str, str]] = {}
            for mode, (module_name, class_name, title, help_text, key) in self._extra_mode_specs.items():
                try:
                    found[mode] = (_screen_class(module_name, class_name), title, help_text, key)
                except ImportError:
                    continue
            self._extra_modes_found = found
        return self._extra_modes_found

    def add_mode(self, mode: str, base_screen: str | Callable[[], Screen]) -> None:
        super().add_mode(mode, _styled_now(base_screen) if callable(base_screen) else base_screen)

    def delay_update(self, delay: float = 0.05) -> None:
        # switch_mode hides the switch for 50 ms; going from the blank start screen to the first
        # real one has nothing to hide, and 50 ms is a tenth of the cold start.
        if not self._entering_first_screen:
            super().delay_update(delay)

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
        from smstui.widgets.device_choice import default_for

        return default_for(self.store, self.devices, form, profile_default=self.default_device_id,
                           last_used=last_used)

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

        apply(self.sync_state)
        self.status_signal.subscribe(line, apply)

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
        if config.ui.theme in self.available_themes and config.ui.theme != self.theme:
            self.theme = config.ui.theme
            self.stylesheet.set_variables(self.get_css_variables())
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

    def on_mount(self) -> None:
        # The collector is off until the first frame (smstui.startup); the conversations screen
        # switches it back on once its list is painted, anything else after this long at most.
        self.set_timer(STARTUP_COLLECTOR_LIMIT, release_collector, name="release-collector")
        # The log file at the latest then too (_session_entered and show_login do it sooner):
        # logging.handlers is not worth a few ms of the first frame; records are held till then.
        self.set_timer(STARTUP_COLLECTOR_LIMIT, _set_up_logging, name="set-up-logging")
        config = self.session.config
        if config.ui.theme and config.ui.theme not in self.available_themes:
            self.notify(f"Unknown theme {config.ui.theme!r} in the config; using {self.theme}.",
                        severity="warning")
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

    @work(group="session", exclusive=True, name="autologin", exit_on_error=False, description="log in (demo)")
    async def _login_automatically(self, email: str, password: str) -> None:
        from smstui.secrets import Secret
        from smstui.screens.login import describe_login_error

        try:
            await self.session.login(email, Secret(password))
        except Exception as exc:
            self.show_login(reason=describe_login_error(exc, self.session.profile.api_url))
            return
        self.enter_session()

    def show_login(self, reason: str | None = None, *, can_cancel: bool = False) -> None:
        profile = self.session.profile
        from smstui.config import DEFAULT_API_URL

        def make() -> "LoginScreen":
            from smstui.screens.login import LoginScreen

            return LoginScreen(
                email=profile.email, api_url=profile.api_url or DEFAULT_API_URL, profile=profile.name,
                remember=profile.remember_password, reason=reason, can_cancel=can_cancel,
            )

        if "login" in self._modes:
            if self.current_mode == "login":
                return
            self.remove_mode("login")
        self.add_mode("login", make)
        self.switch_mode("login")
        self.call_after_refresh(release_collector)
        self.call_after_refresh(_set_up_logging)

    async def login(self, form: "LoginForm") -> None:
        """Log in (called by the login screen's worker); raises on failure, nothing is lost."""
        from smstui.secrets import Secret

        session = self.session
        if form.profile != session.profile.name:
            opener = self._session_opener or _default_opener(session)
            new = await asyncio.to_thread(opener, form.profile, form.api_url or None)
            try:
                await new.login(form.email, Secret(form.password), remember=form.remember,
                                api_url=form.api_url or None)
            except BaseException:
                await new.aclose()
                raise
            await self._replace_session(new)
        else:
            await session.login(form.email, Secret(form.password), remember=form.remember,
                                api_url=form.api_url or None)
        self._auth_prompted = False
        self.enter_session()

    async def _replace_session(self, new: "Session") -> None:
        old = self.session
        self._stop_sync()
        self.session = new
        self.session_ready = False
        self.device_filter = None
        try:
            await old.aclose()
        except Exception as exc:  # closing must not stop the switch
            log.warning("closing the old session failed: %s", type(exc).__name__)

    @work(group="session", exclusive=True, name="enter-session", exit_on_error=False,
          description="open the stored conversations")
    async def enter_session(self, start: "SessionStart | None" = None) -> None:
        if start is None:
            start = await asyncio.to_thread(self._read_session_start)
        self._apply_session_start(start)
        # Screens of a previous session hold its store: rebuild them.
        for mode in (*CONTENT_MODES, *self._extra_mode_specs):
            if mode in self._screen_stacks and mode != self.current_mode:
                await self.remove_mode(mode)
                self.add_mode(mode, self._mode_screens[mode])
        self._entering_first_screen = self.current_mode == "_default"
        try:
            switched = self.switch_mode("messages")
        finally:
            self._entering_first_screen = False
        await switched
        self._prefetched_threads = None  # only for a screen built by this switch
        await self._session_entered()

    def _apply_session_start(self, start: "SessionStart") -> None:
        self.devices, last, self.device_filter, threads = start
        self.sync_state = SyncState(last_synced=last)
        self._prefetched_threads = (self.device_filter, threads)
        self.session_ready = True

    async def _session_entered(self) -> None:
        """The conversations screen of a session is up: the rest of entering it."""
        if "login" in self._modes:
            await self.remove_mode("login")
        self.status_signal.publish(self.sync_state)
        if self.demo:
            self.notify("Demo: a simulated gateway with three phones. Replies arrive by themselves.",
                        title="smstui demo", timeout=8)
        if self._sync_enabled:
            # After the list is painted: the refresh service imports the sync, outbox and HTTP
            # code (~20 ms), which the first frame should not wait for.
            self.call_after_refresh(self._start_sync_if_current, self.session)
        self.call_after_refresh(_set_up_logging)

    def _read_session_start(self) -> "SessionStart":
        """The devices, last sync, device filter and conversations a session's first screen shows."""
        store, wanted = self.store, self.device_filter
        devices = store.devices()
        device_filter = wanted if any(d.device.id == wanted for d in devices) else None
        return devices, store.last_synced(), device_filter, store.threads(
            search="", device_id=device_filter, limit=FIRST_READ)

    def _start_sync_if_current(self, session: "Session") -> None:
        if session is self.session and self.session_ready and self._sync_enabled:
            self.start_sync()

    # ------------------------------------------------------------------ sync

    def start_sync(self) -> None:
        self._stop_sync()
        self._run_sync()

    def _stop_sync(self) -> None:
        for worker in self.workers:
            if worker.group in ("sync", "outbox"):
                worker.cancel()
        self._service = None

    def make_service(self) -> Any:
        from smstui.service import RefreshService

        interval = self._refresh_interval or self.session.refresh_interval
        return RefreshService(self.session, interval)

    @work(group="sync", exclusive=True, name="refresh", exit_on_error=False,
          description="keep the store in step with the gateway")
    async def _run_sync(self) -> None:
        # The service runs on the session's network loop (a thread of its own): parsing and
        # storing a window of thousands of messages must not hold up key presses and frames.
        # Cancelling this worker cancels it there; post_message is thread-safe.
        service = self.make_service()
        self._service = service

        def emit(event: events.Event) -> None:
            self.post_message(msgs.to_message(event))

        await self.session.start_network().run(service.run(emit))

    def action_refresh(self) -> None:
        if not self.session_ready:
            return
        if self._service is None:
            self.start_sync()
        else:
            self._service.wake()
        self.notify("Refreshing…", timeout=2)

    def action_refresh_devices(self) -> None:
        self.action_refresh()

    def on_sync_state_changed(self, message: msgs.SyncStateChanged) -> None:
        new = message.state
        self.sync_state = new
        self.status_signal.publish(new)
        if new.status == "auth" and not self._auth_prompted:
            self._auth_prompted = True
            self.notify(new.error or "The gateway no longer accepts this session: log in again.",
                        severity="error", title="Login needed")
            self.show_login(reason=new.error or "Your session has expired. Log in again.", can_cancel=True)
        # A poll starts "syncing" even while offline; only a finished good poll means "back".
        if new.status == "idle" and self._last_failure:
            self._last_failure = None
            self.notify("Connected to the gateway again.", title="Back online")

    def on_sync_failed(self, message: msgs.SyncFailed) -> None:
        # One notification per outage (per kind of trouble), not one per poll; the status line
        # keeps showing the latest error.
        text = clean(message.event.message)
        if message.event.kind != self._last_failure:
            self._last_failure = message.event.kind
            self.notify(text, title="Sync failed", severity="error", timeout=8)

    def on_messages_changed(self, message: msgs.MessagesChanged) -> None:
        self.core_signal.publish(message)
        count = message.event.new_incoming
        if count:
            self.notify(f"{count} new message{'s' if count != 1 else ''}", title="Incoming", timeout=4)

    def on_outbox_changed(self, message: msgs.OutboxChanged) -> None:
        self.core_signal.publish(message)
        self._report_outbox(message.lids)

    def on_devices_changed(self, message: msgs.DevicesChanged) -> None:
        self._reload_devices(message)

    @work(thread=True, group="devices", exclusive=True, name="load-devices", exit_on_error=False,
          description="read devices from the store")
    def _reload_devices(self, message: msgs.CoreMessage) -> None:
        devices = self.store.devices()

        def apply() -> None:
            self.devices = devices
            self.core_signal.publish(message)

        self.call_from_thread(apply)

    @work(thread=True, group="outbox-report", name="outbox-report", exit_on_error=False,
          description="explain failed sends")
    def _report_outbox(self, lids: Iterable[int]) -> None:
        from smstui.store import REJECTED, UNKNOWN

        for lid in lids:
            row = self.store.message(lid)
            if row is None:
                continue
            if row.outbox == REJECTED:
                self.notify(f"To {row.phone}: {clean(row.outbox_error or 'refused', single_line=True)}",
                            title="Not sent", severity="error", timeout=8)
            elif row.outbox == UNKNOWN:
                self.notify(f"To {row.phone}: the gateway did not answer; check before sending again.",
                            title="Send unclear", severity="warning", timeout=8)

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
        from smstui.logs import see_the_log

        self.notify(f"{what} failed: {text or type(error).__name__}; {see_the_log()}",
                    title="Something went wrong", severity="error", timeout=10)

    # ------------------------------------------------------------------ sending

    def queue_outgoing(
        self, outgoing: Outgoing, done: Callable[[list[int] | None, str | None], None], *,
        open_thread: bool = False, draft_key: str | None = None,
    ) -> None:
        """Write to the outbox (a worker), tell ``done``, show it as queued, then send it now.

        ``draft_key``: the draft this message was written in; the outbox write deletes it in the
        same transaction. The write is queued now, behind every draft save asked for before it."""
        session = self.session
        write = self.store_writes.submit(
            session.outbox.queue,
            outgoing.recipients, outgoing.body, outgoing.device_id, int(outgoing.slot),
            outgoing.scheduled_at, outgoing.customer_id, outgoing.urgent, outgoing.image_path,
            **({"clear_draft": draft_key} if draft_key else {}),
        )
        self._queue(outgoing, write, done, open_thread)

    @work(group="outbox", name="queue", exit_on_error=False, description="write a message to the outbox")
    async def _queue(
        self, outgoing: Outgoing, write: Any, done: Callable[[list[int] | None, str | None], None],
        open_thread: bool,
    ) -> None:
        from smstui.outbox import OutboxError

        session = self.session
        try:
            lids = await self.store_writes.wait(write)
        except OutboxError as exc:
            done(None, clean(str(exc), single_line=True))
            return
        except Exception as exc:  # a store failure: say so, keep what was typed
            done(None, f"could not save the message: {clean(str(exc), single_line=True)}")
            return
        keys = {session.store.phone_key(r) for r in outgoing.recipients}
        done(lids, None)
        self.core_signal.publish(msgs.Queued(lids, keys))
        if open_thread and len(keys) == 1:
            self.go_to_thread(next(iter(keys)))
        if len(lids) > 1:
            self.notify(f"{len(lids)} messages queued.", timeout=3)
        self._send(lids)

    @work(group="outbox", name="send", exit_on_error=False, description="submit queued messages")
    async def _send(self, lids: list[int]) -> None:
        try:
            report = await self.session.outbox.send(lids)
        except Exception as exc:  # the outbox keeps the rows; the refresh worker retries
            self.notify(clean(str(exc), single_line=True), title="Sending postponed", severity="warning")
            changed = tuple(lids)
        else:
            changed = tuple(getattr(report, "changed", lids)) or tuple(lids)
        from smstui.events import OutboxChanged

        self.post_message(msgs.OutboxChanged(OutboxChanged(changed)))

    # ------------------------------------------------------------------ navigation and actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("show_mode", "compose", "refresh", "switch_profile", "logout") and not self.session_ready:
            return False
        if action == "show_mode" and parameters and parameters[0] not in self._modes:
            return None if parameters[0] in self.extra_modes else False
        return True

    def action_show_mode(self, mode: str) -> None:
        if mode in self._modes:
            self.switch_mode(mode)

    def action_compose(self, recipients: str = "") -> None:
        if not self.session_ready:
            return
        from smstui.screens.compose import ComposeScreen

        self.push_screen(ComposeScreen(recipients=recipients))

    def go_to_device(self, device_id: int) -> None:
        self.set_device_filter(device_id)
        self.switch_mode("messages")

    def go_to_thread(self, phone_key: str) -> None:
        self._go_to_thread(phone_key)

    @work(group="navigate", exclusive=True, name="go-to-thread", exit_on_error=False)
    async def _go_to_thread(self, phone_key: str) -> None:
        await self.switch_mode("messages")
        screen = self.screen
        if isinstance(screen, ConversationsScreen):
            screen.show_thread(phone_key)

    def copy_text(self, text: str, what: str) -> None:
        self.copy_to_clipboard(text)  # OSC 52: the user's clipboard, over SSH too
        from smstui.clipboard import over_ssh

        if not over_ssh():
            self._copy_to_system(text)
        self.notify(f"Copied the {what} to the clipboard.", timeout=2)

    @work(thread=True, group="clipboard", exclusive=True, name="system-clipboard", exit_on_error=False,
          description="copy to the system clipboard")
    def _copy_to_system(self, text: str) -> None:
        # A thread: pyperclip runs a helper program (pbcopy, xclip, ...).
        from smstui import clipboard

        clipboard.copy_to_system(text)

    def action_toggle_theme(self) -> None:
        configured = self.session.config.ui.theme
        if self.current_theme.dark:
            self.theme = "ansi-light" if self.theme == "ansi-dark" else "textual-light"
        else:
            self.theme = configured if configured in self.available_themes and configured != self.theme else (
                "ansi-dark" if self.theme == "ansi-light" else "textual-dark")

    def action_switch_profile(self) -> None:
        self.show_login(reason="Log in with another profile (type its name) or another account.",
                        can_cancel=True)

    def cancel_login(self) -> None:
        if self.session_ready:
            self.switch_mode("messages")
        else:
            self.exit()

    def action_logout(self) -> None:
        self._logout()

    @work(group="session", exclusive=True, name="logout", exit_on_error=False)
    async def _logout(self) -> None:
        self._stop_sync()
        await self.session.logout()
        self.session_ready = False
        self.show_login(reason="Logged out. The messages stay on this computer.")

    def action_help(self) -> None:
        from smstui.screens.help import HelpScreen, help_rows

        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(help_rows(self.screen)))

    async def on_unmount(self) -> None:
        self._stop_sync()
        self.store_writes.shutdown()  # the last draft saves land before the process ends
        try:
            await self.session.client.aclose()  # this loop's connections; the session may go on
        except Exception as exc:
            log.warning("closing connections failed: %s", type(exc).__name__)


def _report_keymap_problems(app: "SmsTuiApp") -> None:
    from smstui.keymap_scopes import report_keymap_problems

    report_keymap_problems(app)


def _set_up_logging() -> None:
    from smstui.logs import set_up_logging

    set_up_logging()


def _default_opener(session: "Session") -> SessionOpener:
    """Open another profile's session; a profile name not known yet is added to the state file
    (smstui.state), never to the user's config file."""
    from smstui.session import open_session

    def opener(profile: str, api_url: str | None) -> "Session":
        from smstui.config import DEFAULT_API_URL, load_config
        from smstui.state import apply_state, load_state, save_state

        known = apply_state(load_config(session.config_path).config, load_state()).profiles
        if profile not in known:
            save_state(profile, api_url=api_url or DEFAULT_API_URL)
        return open_session(config_path=session.config_path, profile=profile, api_url=api_url)

    return opener


def make_app(
    session: "Session",
    *,
    demo: bool = False,
    clock: Clock | None = None,
    tz: tzinfo | None = None,
    session_opener: SessionOpener | None = None,
    refresh_interval: float | None = None,
    sync: bool = True,
    autologin: tuple[str, str] | None = None,
) -> SmsTuiApp:
    """The app over an opened session (see :func:`smstui.session.open_session`).

    ``clock`` (aware datetimes) and ``tz`` make relative times and schedules deterministic in
    tests; ``sync=False`` keeps the refresh worker off (snapshots of what the store holds);
    ``autologin`` (email, password) logs in on start without the login screen (the demo).
    """
    return SmsTuiApp(
        session, demo=demo, clock=clock, tz=tz, session_opener=session_opener,
        refresh_interval=refresh_interval, sync=sync, autologin=autologin,
    )
