"""Send counters per SIM (today, the last hour) and the limits the config sets for them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from smstui.core.config import load_config
from smstui.core.gateway_messages import Message
from smstui.core.send_limits import (
    SendCount,
    SendLimits,
    SimLimit,
    count_text,
    limit_warnings,
    planned_per_sim,
    windows,
)
from smstui.core.store.database import Store

BERLIN = ZoneInfo("Europe/Berlin")
# 00:30 in Berlin on a winter day: 23:30 UTC the day before, so "today" starts in UTC's yesterday.
NOW = datetime(2026, 12, 2, 0, 30, tzinfo=BERLIN)


def _msg(sms_id: int, minutes_ago: float, *, slot: int = 0, status: int = 2, device: int = 11231) -> Message:
    return Message(
        id=sms_id,
        phone="+4915123456781",
        body="hi",
        status=status,
        device_id=device,
        slot=slot,
        created=NOW - timedelta(minutes=minutes_ago),
    )


@pytest.fixture
def store(tmp_path: Path):  # type: ignore[no-untyped-def]
    with Store(tmp_path / "s.sqlite3", region="DE") as s:
        yield s


def test_counts_are_per_sim_and_today_is_the_users_day(store: Store) -> None:
    store.upsert_messages(
        [
            _msg(1, 10),  # last hour and today
            _msg(2, 29),  # today (after Berlin's midnight, which is 23:00 UTC)
            _msg(3, 31),  # the last hour, but yesterday in Berlin (and today in UTC)
            _msg(7, 200, slot=1),  # yesterday, long before the last hour
            _msg(4, 5, slot=1),
            _msg(5, 5, status=5),  # incoming: not sent by us
            _msg(6, 5, device=99),
        ]
    )
    counts = store.send_counts(*windows(NOW, BERLIN))
    assert counts[(11231, 0)] == SendCount(11231, 0, today=2, last_hour=3)
    assert counts[(11231, 1)] == SendCount(11231, 1, today=1, last_hour=1)
    assert counts[(99, 0)].today == 1
    assert len(counts) == 3
    # A user in UTC: the day began at 00:00 UTC (01:00 in Berlin on the 1st), so message 3 is today's.
    assert store.send_counts(*windows(NOW, UTC))[(11231, 0)].today == 3


def test_refused_and_cancelled_sends_do_not_count(tmp_path: Path) -> None:
    created = (NOW - timedelta(minutes=3)).timestamp()
    with Store(tmp_path / "q.sqlite3", region="DE", clock=lambda: created) as store:
        lids = [store.enqueue(phone="+4915123456781", body=f"m{i}", device_id=11231, slot=0) for i in range(3)]
        store.set_outbox_states([lids[0]], "rejected", error="error 1")
        store.set_outbox_states([lids[1]], "cancelled")
        assert store.send_counts(*windows(NOW, BERLIN))[(11231, 0)] == SendCount(11231, 0, 1, 1)


def test_the_warning_names_the_sim_and_the_numbers() -> None:
    limits = SendLimits(SimLimit(daily=200, hourly=0), {(11231, 1): SimLimit(daily=500, hourly=30)})
    counts = {(11231, 0): SendCount(11231, 0, 198, 40), (11231, 1): SendCount(11231, 1, 10, 29)}
    planned = planned_per_sim([(11231, 0)] * 3 + [(11231, 1)] * 2 + [(None, 0)])
    assert planned == {(11231, 0): 3, (11231, 1): 2}
    warnings = limit_warnings(planned, counts, limits, {11231: "Pixel 7"})
    assert warnings == [
        "SMS 1 of Pixel 7 (#11231): 198 sent today + 3 = 201, past its daily limit of 200",
        "SMS 2 of Pixel 7 (#11231): 29 sent in the last hour + 2 = 31, past its hourly limit of 30",
    ]
    assert limit_warnings({(11231, 0): 2}, counts, limits) == []  # 200 is the limit, not past it
    assert limit_warnings(planned, counts, SendLimits()) == []
    assert count_text(None) == "0 today, 0 in the last hour"


def test_limits_are_read_from_the_config_with_clear_problems(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        '[limits]\ndaily = 200\nhourly = -3\n"1576:1" = { daily = 500 }\n"office" = 3\n"9:2" = { weekly = 4 }\n'
    )
    loaded = load_config(path)
    limits = loaded.config.limits
    assert limits.default == SimLimit(daily=200, hourly=0)
    assert limits.for_sim(1576, 1) == SimLimit(daily=500, hourly=0)  # hourly inherited
    assert limits.for_sim(1576, 0) == limits.default
    problems = "\n".join(str(p) for p in loaded.problems)
    assert "line 3: limits.hourly must be at least 0" in problems
    assert 'line 5: limits.office is not daily, hourly or a SIM written "DEVICE:SLOT"' in problems
    assert "limits.9:2.weekly" in problems
    assert not load_config(tmp_path / "missing.toml").config.limits.any
