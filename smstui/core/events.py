"""What the core tells the UI: small immutable events, emitted by :class:`smstui.core.service.RefreshService`.

The UI maps each event to a Textual message (``smstui.tui.app_messages``) and re-reads what changed from
the store; events carry keys, never rows, so they stay cheap and the store stays the one truth.
No Textual here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from smstui.core.sync_state import SyncState, SyncStatus

if TYPE_CHECKING:
    from smstui.core.region import RegionNews


@dataclass(frozen=True, slots=True)
class MessagesChanged:
    """Messages of these conversations (``phone_key``) were added or changed."""

    phone_keys: frozenset[str]
    new_incoming: int = 0


@dataclass(frozen=True, slots=True)
class DevicesChanged:
    """The device list or a device's online state changed."""


@dataclass(frozen=True, slots=True)
class OutboxChanged:
    """Outbox rows (local ids) changed state: submitted, refused, waiting, unknown..."""

    lids: tuple[int, ...]
    auth_needed: bool = False


@dataclass(frozen=True, slots=True)
class RegionChanged:
    """The default region was learnt from the phones' SIMs, or they disagree (``ask``).

    ``renamed``: conversations whose key changed with it, as (old key, new key) pairs.
    """

    region: str | None
    source: str | None
    seen: tuple[str, ...]
    renamed: tuple[tuple[str, str], ...] = ()
    learnt: bool = False
    ask: bool = False

    @classmethod
    def of(cls, news: RegionNews) -> RegionChanged:
        info = news.info
        return cls(info.region, info.source, info.seen, tuple(news.renamed.items()), news.learnt, news.ask)


@dataclass(frozen=True, slots=True)
class SyncStateChanged:
    state: SyncState


@dataclass(frozen=True, slots=True)
class SyncFailed:
    """One refresh failed; ``kind`` is ``network``, ``auth``, ``gateway``, ``store`` or ``internal``."""

    message: str
    kind: str


Event = MessagesChanged | DevicesChanged | OutboxChanged | RegionChanged | SyncStateChanged | SyncFailed

__all__ = [
    "DevicesChanged",
    "Event",
    "MessagesChanged",
    "OutboxChanged",
    "RegionChanged",
    "SyncFailed",
    "SyncState",
    "SyncStateChanged",
    "SyncStatus",
]
