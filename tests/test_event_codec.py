"""The sync worker's line codec: every core event survives the trip between processes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from smstui.core import events
from smstui.core.event_codec import TYPES, CodecError, decode, encode
from smstui.core.sync_state import SyncState

WHEN = datetime(2026, 3, 29, 1, 30, 5, 123456, tzinfo=UTC)
EVENTS: list[events.Event] = [
    events.MessagesChanged(frozenset({"+4915123456781", "+4917012345673", "12345"}), new_incoming=3),
    events.MessagesChanged(frozenset()),
    events.DevicesChanged(),
    events.OutboxChanged((12, 13, 14), auth_needed=True),
    events.OutboxChanged(()),
    events.RegionChanged("DE", "sims", ("DE", "FR"), (("015752982212", "+4915752982212"),), learnt=True, ask=False),
    events.RegionChanged(None, None, (), ask=True),
    events.SyncStateChanged(SyncState()),
    events.SyncStateChanged(SyncState("syncing", WHEN, None, (120, 5000))),
    events.SyncStateChanged(
        SyncState("offline", WHEN.astimezone(timezone(timedelta(hours=10))), "Cannot reach…", None)
    ),
    events.SyncFailed('a "quoted" \x1b[31mred\x1b[0m text\nwith a newline, ünïcödé', "network"),
]


@pytest.mark.parametrize("event", EVENTS, ids=lambda e: type(e).__name__)
def test_every_event_round_trips_on_one_line(event: events.Event) -> None:
    line = encode(event)
    assert "\n" not in line
    back = decode(line)
    assert back == event
    assert type(back) is type(event)


def test_every_event_type_is_covered() -> None:
    assert {type(e).__name__ for e in EVENTS} | {"SyncState"} == set(TYPES)
    names = {t.__name__ for t in events.Event.__args__}  # type: ignore[attr-defined]
    assert names <= set(TYPES)


def test_sync_state_keeps_its_types() -> None:
    state = decode(encode(events.SyncStateChanged(SyncState("syncing", WHEN, None, (1, 2))))).state  # type: ignore[union-attr]
    assert isinstance(state, SyncState)
    assert state.progress == (1, 2) and isinstance(state.progress, tuple)
    assert state.last_synced == WHEN and state.last_synced.tzinfo is not None


@pytest.mark.parametrize(
    "line",
    [
        "",
        "not json",
        "[1, 2]",
        '{"$": "os.system", "command": "rm"}',
        '{"$": "SyncFailed", "message": "x"}',  # a missing field
        '{"$": "SyncStateChanged", "state": {"$": "SyncState", "last_synced": {"$dt": "yesterday"}}}',
        '{"$": "MessagesChanged", "phone_keys": {"$s": [[1]]}}',
        '{"$": "MessagesChanged", "phone_keys": {"$s": 5}}',
        '{"$": "SyncState"}',  # a record, not an event
        b"\xff\xfe",
    ],
)
def test_a_line_that_is_no_event_is_refused_with_a_reason(line: str | bytes) -> None:
    with pytest.raises(CodecError):
        decode(line)


def test_fields_a_newer_worker_adds_are_ignored() -> None:
    line = '{"$":"SyncFailed","message":"m","kind":"network","retry_in":5}'
    assert decode(line) == events.SyncFailed("m", "network")
