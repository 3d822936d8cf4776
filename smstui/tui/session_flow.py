"""Entering, leaving and switching sessions (login, logout, another profile), and the refresh worker.

A mixin of :class:`smstui.tui.app.SmsTuiApp`: what the app does between "a session is open" and
"its conversations are on screen", and the sync worker that keeps the store in step meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from smstui.core.startup import release_collector
from smstui.core.sync_state import SyncState
from smstui.tui import app_messages as msgs
from smstui.tui.app_interface import SmsAppBase
from smstui.tui.modes import SESSION_MODES
from smstui.tui.screens.conversations import FIRST_READ
from smstui.tui.textual_internals import mode_names, mode_started
from smstui.tui.widgets.format import clean
from smstui.tui.workers import task

if TYPE_CHECKING:
    from smstui.core import events
    from smstui.core.session import Session
    from smstui.core.store.devices import StoredDevice
    from smstui.core.store.messages import Thread
    from smstui.tui.app_interface import LoginForm
    from smstui.tui.screens.login import LoginScreen

log = logging.getLogger(__name__)

SessionStart = tuple["list[StoredDevice]", "datetime | None", "int | None", "list[Thread]"]
SessionOpener = Callable[[str, "str | None"], "Session"]


class SessionFlow(SmsAppBase):
    """Login, session entry and the refresh worker; see module docstring."""

    @task("session", "log in (demo)", name="autologin", exclusive=True)
    async def _login_automatically(self, email: str, password: str) -> None:
        from smstui.core.secrets import Secret
        from smstui.tui.screens.login import describe_login_error

        try:
            await self.session.login(email, Secret(password))
        except Exception as exc:
            self.show_login(reason=describe_login_error(exc, self.session.profile.api_url))
            return
        self.enter_session()

    def show_login(self, reason: str | None = None, *, can_cancel: bool = False) -> None:
        profile = self.session.profile
        from smstui.core.config import DEFAULT_API_URL

        def make() -> LoginScreen:
            from smstui.tui.screens.login import LoginScreen

            return LoginScreen(
                email=profile.email,
                api_url=profile.api_url or DEFAULT_API_URL,
                profile=profile.name,
                remember=profile.remember_password,
                reason=reason,
                can_cancel=can_cancel,
            )

        if "login" in mode_names(self):
            if self.current_mode == "login":
                return
            self.remove_mode("login")
        self.add_mode("login", make)
        self.switch_mode("login")
        self.call_after_refresh(release_collector)
        self.call_after_refresh(set_up_logging_now)

    async def login(self, form: LoginForm) -> None:
        """Log in (called by the login screen's worker); raises on failure, nothing is lost."""
        from smstui.core.secrets import Secret

        session = self.session
        if form.profile != session.profile.name:
            opener = self._session_opener or default_opener(session)
            new = await asyncio.to_thread(opener, form.profile, form.api_url or None)
            try:
                await new.login(form.email, Secret(form.password), remember=form.remember, api_url=form.api_url or None)
            except BaseException:
                await new.aclose()
                raise
            await self._replace_session(new)
        else:
            await session.login(form.email, Secret(form.password), remember=form.remember, api_url=form.api_url or None)
        self._auth_prompted = False
        self.enter_session()

    async def _replace_session(self, new: Session) -> None:
        old = self.session
        self._stop_sync()
        self.push.stop()
        self.session = new
        self.session_ready = False
        self.device_filter = None
        try:
            await old.aclose()
        except Exception as exc:  # closing must not stop the switch
            log.warning("closing the old session failed: %s", type(exc).__name__)

    @task("session", "open the stored conversations", name="enter-session", exclusive=True)
    async def enter_session(self, start: SessionStart | None = None) -> None:
        if start is None:
            start = await asyncio.to_thread(self._read_session_start)
        self._apply_session_start(start)
        # Screens of a previous session hold its store: rebuild them.
        for mode in SESSION_MODES:
            if mode_started(self, mode) and mode != self.current_mode:
                await self.remove_mode(mode)
                self.add_mode(mode, self.mode_factory(mode))
        self._entering_first_screen = self.current_mode == "_default"
        try:
            switched = self.switch_mode("messages")
        finally:
            self._entering_first_screen = False
        await switched
        self._prefetched_threads = None  # only for a screen built by this switch
        await self._session_entered()

    def _apply_session_start(self, start: SessionStart) -> None:
        self.devices, last, self.device_filter, threads = start
        self.sync_state = SyncState(last_synced=last)
        self._prefetched_threads = (self.device_filter, threads)
        self.session_ready = True

    async def _session_entered(self) -> None:
        """The conversations screen of a session is up: the rest of entering it."""
        if "login" in mode_names(self):
            await self.remove_mode("login")
        self.status_signal.publish(self.sync_state)
        if self.demo:
            self.notify(
                "Demo: a simulated gateway with three phones. Replies arrive by themselves.",
                title="smstui demo",
                timeout=8,
            )
        if self.session.config.ui.home == "dashboard" and self.current_mode == "messages":
            self.switch_mode("dashboard")  # [ui] home: the on-call view first
        if self._sync_enabled:
            # After the list is painted: the refresh service imports the sync, outbox and HTTP
            # code (~20 ms), which the first frame should not wait for.
            self.call_after_refresh(self._start_sync_if_current, self.session)
            # Other processes' writes and webhooks (smstui.tui.push), after the first frame too.
            self.call_after_refresh(self._watch_store_if_current, self.session)
        self.call_after_refresh(set_up_logging_now)

    def _watch_store_if_current(self, session: Session) -> None:
        if session is self.session and self.session_ready:
            self.push.start(session)

    def _read_session_start(self) -> SessionStart:
        """The devices, last sync, device filter and conversations a session's first screen shows."""
        store, wanted = self.store, self.device_filter
        devices = store.devices()
        device_filter = wanted if any(d.device.id == wanted for d in devices) else None
        return (
            devices,
            store.last_synced(),
            device_filter,
            store.threads(search="", device_id=device_filter, limit=FIRST_READ),
        )

    def _start_sync_if_current(self, session: Session) -> None:
        if session is self.session and self.session_ready and self._sync_enabled:
            self.start_sync()

    def start_sync(self) -> None:
        self._stop_sync()
        self._run_sync()

    def _stop_sync(self) -> None:
        stop = getattr(self._service, "stop", None)
        if callable(stop):  # a sync worker process is told at once, not only when its task ends
            stop()
        for worker in self.workers:
            if worker.group in ("sync", "outbox"):
                worker.cancel()
        self._service = None

    async def _sync_stopped(self, service: Any) -> None:
        """After :meth:`_stop_sync` on quitting: until a sync worker process has exited."""
        wait = getattr(service, "wait_stopped", None)
        if callable(wait):
            try:
                await wait()
            except Exception as exc:  # quitting goes on
                log.warning("stopping the sync worker: %s", type(exc).__name__)

    def make_service(self) -> Any:
        """The refresh loop: in a worker process of its own (smstui.tui.sync_process) for a real
        session, on the session's network thread for one built on a test's clock or transport
        (the worker could not rebuild it), or with ``SMSTUI_SYNC=thread``."""
        import os

        interval = self._refresh_interval or self.session.refresh_interval
        in_thread = os.environ.get("SMSTUI_SYNC", "").strip().lower() == "thread"
        if not in_thread and not getattr(self.session, "in_process_only", True):
            from smstui.tui.sync_process import ProcessService

            return ProcessService(self.session, interval)
        from smstui.core.service import RefreshService

        return RefreshService(self.session, interval)

    @task("sync", "keep the store in step with the gateway", name="refresh", exclusive=True)
    async def _run_sync(self) -> None:
        # The service runs on the session's network loop (a thread of its own): parsing and
        # storing a window of thousands of messages must not hold up key presses and frames.
        # Cancelling this worker cancels it there; post_message is thread-safe.
        service = self.make_service()
        self._service = service

        def emit(event: events.Event) -> None:
            self.post_message(msgs.to_message(event))

        if getattr(service, "runs_on_app_loop", False):  # a worker process: here it only reads a pipe
            await service.run(emit)
        else:
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

    def on_core_sync_state_changed(self, message: msgs.CoreSyncStateChanged) -> None:
        new = message.state
        self.sync_state = new
        self.status_signal.publish(new)
        if new.status == "auth" and not self._auth_prompted:
            self._auth_prompted = True
            self.notify(
                new.error or "The gateway no longer accepts this session: log in again.",
                severity="error",
                title="Login needed",
            )
            self.show_login(reason=new.error or "Your session has expired. Log in again.", can_cancel=True)
        # A poll starts "syncing" even while offline; only a finished good poll means "back".
        if new.status == "idle" and self._last_failure:
            if self._last_failure == "worker":
                self.notify("The background sync runs again.", title="Sync restarted")
            else:
                self.notify("Connected to the gateway again.", title="Back online")
            self._last_failure = None

    def on_core_sync_failed(self, message: msgs.CoreSyncFailed) -> None:
        # One notification per outage (per kind of trouble), not one per poll; the status line
        # keeps showing the latest error.
        text = clean(message.event.message)
        if message.event.kind != self._last_failure:
            self._last_failure = message.event.kind
            self.notify(text, title="Sync failed", severity="error", timeout=8)

    def action_switch_profile(self) -> None:
        self.show_login(reason="Log in with another profile (type its name) or another account.", can_cancel=True)

    def cancel_login(self) -> None:
        if self.session_ready:
            self.switch_mode("messages")
        else:
            self.exit()

    def action_logout(self) -> None:
        self._logout()

    @task("session", "log out", name="logout", exclusive=True)
    async def _logout(self) -> None:
        self._stop_sync()
        self.push.stop()
        await self.session.logout()
        self.session_ready = False
        self.show_login(reason="Logged out. The messages stay on this computer.")


def set_up_logging_now() -> None:
    from smstui.core.logs import set_up_logging

    set_up_logging()


def default_opener(session: Session) -> SessionOpener:
    """Open another profile's session; a profile name not known yet is added to the state file
    (smstui.core.state_file), never to the user's config file."""
    from smstui.core.session import open_session

    def opener(profile: str, api_url: str | None) -> Session:
        from smstui.core.config import DEFAULT_API_URL, load_config
        from smstui.core.state_file import apply_state, load_state, save_state

        known = apply_state(load_config(session.config_path).config, load_state()).profiles
        if profile not in known:
            save_state(profile, api_url=api_url or DEFAULT_API_URL)
        return open_session(config_path=session.config_path, profile=profile, api_url=api_url)

    return opener
