"""App-wide Textual messages, and the bridge from core events (``smstui.core.events``) to them.

The refresh worker receives plain core events; :func:`to_message` wraps each in the Textual message
of the same meaning, named ``Core`` + the event's name (``events.MessagesChanged`` arrives as
:class:`CoreMessagesChanged`, handled by ``on_core_messages_changed``), which the app handles and re-broadcasts to every screen over a
:class:`~textual.signal.Signal` (screens of other modes are not on the message path).
Widget-specific messages live on their widgets.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:  # the event classes are made when the refresh service first runs
    from smstui.core import events
    from smstui.core.sync_state import SyncState


class CoreMessage(Message):
    """Base of the messages that carry a core event."""

    def __init__(self, event: events.Event) -> None:
        super().__init__()
        self.event = event


class CoreMessagesChanged(CoreMessage):
    """Messages of some conversations were added or changed (``phone_keys``)."""

    event: events.MessagesChanged

    @property
    def phone_keys(self) -> frozenset[str]:
        return self.event.phone_keys


class CoreDevicesChanged(CoreMessage):
    event: events.DevicesChanged


class CoreOutboxChanged(CoreMessage):
    """Outbox rows changed state; ``lids`` are local message ids."""

    event: events.OutboxChanged

    @property
    def lids(self) -> tuple[int, ...]:
        return self.event.lids


class CoreRegionChanged(CoreMessage):
    """The default region changed or needs the user's choice (smstui.core.region)."""

    event: events.RegionChanged


class CoreSyncStateChanged(CoreMessage):
    event: events.SyncStateChanged

    @property
    def state(self) -> SyncState:
        return self.event.state


class CoreSyncFailed(CoreMessage):
    event: events.SyncFailed


# By the event's class, looked up by name: smstui.core.events is not imported for the first frame.
_MAP: dict[str, type[CoreMessage]] = {
    "MessagesChanged": CoreMessagesChanged,
    "DevicesChanged": CoreDevicesChanged,
    "OutboxChanged": CoreOutboxChanged,
    "RegionChanged": CoreRegionChanged,
    "SyncStateChanged": CoreSyncStateChanged,
    "SyncFailed": CoreSyncFailed,
}


def to_message(event: events.Event) -> CoreMessage:
    """The Textual message for a core event (unknown event types raise ``KeyError``)."""
    kind = type(event)
    if kind.__module__ != "smstui.core.events":
        raise KeyError(kind)
    return _MAP[kind.__name__](event)


class DeviceFilterChanged(Message):
    """The user picked a device (or ``None`` for all): conversations and compose follow it."""

    def __init__(self, device_id: int | None) -> None:
        super().__init__()
        self.device_id = device_id


class OpenThread(Message):
    """Open the conversation with ``phone_key`` (from the palette, a notification, a send)."""

    def __init__(self, phone_key: str) -> None:
        super().__init__()
        self.phone_key = phone_key


class Queued(Message):
    """Messages were written to the outbox (they show as queued at once)."""

    def __init__(self, lids: list[int], phone_keys: set[str]) -> None:
        super().__init__()
        self.lids = lids
        self.phone_keys = phone_keys
