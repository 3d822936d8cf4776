"""What the tags, newsletters and bulk screens need from the session and the app.

The screens are built either with a session (``TagsScreen(session)``, tests and pushes) or with
no arguments (the app's ``MODES`` instantiate them); then they use ``app.session``. Clock and
zone come from the app when it has them (frozen in tests), else the computer's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, tzinfo
from typing import Any

from textual.screen import Screen

from smstui.core.store.database import Store
from smstui.core.store.devices import StoredDevice
from smstui.tui.screen_base import StyledOnMount
from smstui.tui.textual_internals import QuietFocus
from smstui.tui.widgets.bulk_commands import BulkScreenCommands
from smstui.tui.widgets.format import clean


class SessionScreen(QuietFocus, StyledOnMount, Screen[None]):
    """A screen working on one session's store and client."""

    COMMANDS = Screen.COMMANDS | {BulkScreenCommands}

    def __init__(
        self,
        session: Any = None,
        *,
        clock: Callable[[], datetime] | None = None,
        tz: tzinfo | None = None,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._session = session
        self._clock = clock
        self._tz = tz

    @property
    def session(self) -> Any:
        return self._session if self._session is not None else self.app.session

    @property
    def store(self) -> Store:
        return self.session.store

    @property
    def client(self) -> Any:
        return self.session.client

    @property
    def phone_region(self) -> str | None:
        """The profile's default region for numbers without a country code."""
        return getattr(self.session, "region", None)

    @property
    def batch_size(self) -> int:
        config = getattr(self.session, "config", None)
        bulk = getattr(config, "bulk", None)
        return int(getattr(bulk, "batch_size", 100) or 100)

    def now(self) -> datetime:
        clock = self._clock or getattr(self.app, "clock", None)
        if callable(clock):
            value = clock()
            if isinstance(value, datetime):
                return value
        return datetime.fromtimestamp(self.store.now(), UTC)

    @property
    def tz(self) -> tzinfo:
        zone = self._tz or getattr(self.app, "tz", None)
        if zone is None:
            from smstui.core.gateway_time import (
                local_zone,  # the user's IANA zone, with its DST rules
            )

            zone = local_zone()
        return zone

    def devices(self) -> list[StoredDevice]:
        return self.store.devices()

    def default_device(self, form: str = "bulk") -> int | None:
        """The profile's default_device, else the one ``form`` last sent through, else the online
        device that sent most recently (smstui.tui.widgets.device_choice), never just the first."""
        from smstui.tui.widgets.device_choice import default_for

        profile = getattr(self.session, "profile", None)
        chosen = getattr(profile, "default_device", None)
        return default_for(self.store, self.devices(), form, profile_default=chosen)

    def limit_warnings(self, planned: Mapping[tuple[int, int], int]) -> list[str]:
        """A SIM limit (config [limits]) that ``planned`` more messages per (device, slot) would pass."""
        limits = getattr(getattr(self.session, "config", None), "limits", None)
        if limits is None or not limits.any:
            return []
        from smstui.core.send_limits import check_limits

        names = {d.device.id: clean(d.device.title, single_line=True) for d in self.devices()}
        return check_limits(self.store, limits, planned, self.now(), self.tz, names)

    def device_label(self, device_id: int) -> str:
        stored = next((d for d in self.devices() if d.device.id == device_id), None)
        return clean(stored.device.title, single_line=True) if stored else f"#{device_id}"

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()
        elif "messages" in getattr(self.app, "MODES", {}):
            self.app.switch_mode("messages")

    def subscribe_core(self, callback: Callable[[Any], None]) -> None:
        """Follow the app's core events (sync changes) when the app broadcasts them."""
        signal = getattr(self.app, "core_signal", None)
        if signal is not None:
            signal.subscribe(self, callback)
