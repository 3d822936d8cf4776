"""Schedule parsing, gateway time formats and relative times, all on a frozen clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, strategies as st

from smstui.core.gateway_time import format_paket_time, format_timetosend
from smstui.core.timeparse import (
    WhenError,
    humanize_ago,
    parse_schedule,
    parse_when,
)

BERLIN = ZoneInfo("Europe/Berlin")
# Saturday before the spring DST change (29 March 2026, 02:00 -> 03:00).
NOW = datetime(2026, 3, 28, 10, 0, tzinfo=BERLIN)


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("now", NOW),
        ("NOW", NOW),
        ("+2h", NOW + timedelta(hours=2)),
        ("+30m", NOW + timedelta(minutes=30)),
        ("+1d", NOW + timedelta(days=1)),
        ("+1h30m", NOW + timedelta(hours=1, minutes=30)),
        ("+ 1h 30m", NOW + timedelta(hours=1, minutes=30)),
        ("in 45m", NOW + timedelta(minutes=45)),
        ("12:00", at(2026, 3, 28, 12, 0)),
        ("10:01", at(2026, 3, 28, 10, 1)),
        ("today 18:00", at(2026, 3, 28, 18, 0)),
        ("  Today   18:00 ", at(2026, 3, 28, 18, 0)),
        ("tomorrow 9:00", at(2026, 3, 29, 9, 0)),
        ("tomorrow at 7:15", at(2026, 3, 29, 7, 15)),
        ("tomorrow", at(2026, 3, 29, 0, 0)),
        ("2026-04-01 08:30", at(2026, 4, 1, 8, 30)),
        ("2026-04-01 08:30:15", at(2026, 4, 1, 8, 30, 15)),
        ("2026-04-01T08:30", at(2026, 4, 1, 8, 30)),
        ("2026-04-01", at(2026, 4, 1, 0, 0)),
    ],
)
def test_accepted_forms(text: str, expected: datetime) -> None:
    result = parse_when(text, NOW, BERLIN)
    assert result == expected
    assert result.tzinfo is not None


def test_dst_offsets_follow_the_zone() -> None:
    assert parse_when("tomorrow 9:00", NOW, BERLIN).utcoffset() == timedelta(hours=2)
    assert parse_when("12:00", NOW, BERLIN).utcoffset() == timedelta(hours=1)


def test_result_is_in_requested_zone_when_now_is_utc() -> None:
    now_utc = NOW.astimezone(UTC)
    result = parse_when("18:00", now_utc, "Europe/Berlin")
    assert result == at(2026, 3, 28, 18, 0)
    assert format_timetosend(result, BERLIN) == "2026-03-28 18:00:00"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-01-01 10:00", "2026-01-01 10:00 is in the past; give a future time or leave empty to send now"),
        ("9:00", "2026-03-28 09:00 is in the past"),
        ("10:00", "is in the past"),  # the current minute is not the future
        ("today", "2026-03-28 00:00 is in the past"),
        ("2026-03-28", "is in the past"),
        ("2026-03-29 02:30", "does not exist"),
        ("2026-02-30 10:00", "not a valid date"),
        ("25:00", "impossible time of day"),
        ("12:60", "impossible time of day"),
        ("+0m", "above zero"),
        ("+99999d", "ten years"),
        ("+99999999999999999999d", "ten years"),
        ("0001-01-01 00:30", "out of range"),
        # Absolute times get the same ten-year cap as relative ones (9999 overflowed on send).
        ("9999-12-31 23:59", "more than ten years ahead"),
        ("9999-12-31 23:59 -12:00", "more than ten years ahead"),
        ("9999-12-31", "more than ten years ahead"),
        ("2036-03-26 10:00", "2036-03-26 10:00 is more than ten years ahead; give a time within"),
        ("2036-03-26 10:00 +01:00", "more than ten years ahead"),
        ("garbage", "cannot read 'garbage'"),
        ("+2x", "cannot read"),
        ("tomorrowish", "cannot read"),
        ("", "no time given"),
    ],
)
def test_rejected_with_clear_message(text: str, message: str) -> None:
    with pytest.raises(WhenError) as info:
        parse_when(text, NOW, BERLIN)
    assert message in str(info.value)


def test_just_under_ten_years_is_accepted() -> None:
    assert parse_when("2036-03-24 10:00", NOW, BERLIN) == at(2036, 3, 24, 10, 0)


def test_when_error_is_value_error() -> None:
    assert issubclass(WhenError, ValueError)


def test_naive_now_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        parse_when("+1h", datetime(2026, 1, 1), BERLIN)


def test_unknown_zone() -> None:
    with pytest.raises(WhenError, match="unknown time zone"):
        parse_when("+1h", NOW, "Mars/Olympus")


def test_parse_schedule_empty_and_now_mean_send_now() -> None:
    assert parse_schedule("", NOW, BERLIN) is None
    assert parse_schedule("  now ", NOW, BERLIN) is None
    assert parse_schedule("+1h", NOW, BERLIN) == NOW + timedelta(hours=1)


@given(
    st.integers(min_value=0, max_value=1000),
    st.integers(min_value=0, max_value=59),
    st.integers(min_value=0, max_value=5000),
)
def test_relative_always_future_and_exact(days: int, hours: int, minutes: int) -> None:
    delta = timedelta(days=days, hours=hours, minutes=minutes)
    text = f"+{days}d{hours}h{minutes}m"
    if delta == timedelta(0):
        with pytest.raises(WhenError):
            parse_when(text, NOW, BERLIN)
    else:
        assert parse_when(text, NOW, BERLIN) - NOW == delta


# --- formats ---------------------------------------------------------------------------------


def test_gateway_and_paket_formats() -> None:
    dt = datetime(2026, 5, 29, 15, 21, 28, tzinfo=UTC)
    assert format_timetosend(dt, BERLIN) == "2026-05-29 17:21:28"
    assert format_paket_time(dt, BERLIN) == "29.05.2026 17:21:28"
    assert format_timetosend(dt, ZoneInfo("UTC")) == "2026-05-29 15:21:28"


def test_formats_reject_naive() -> None:
    with pytest.raises(ValueError):
        format_timetosend(datetime(2026, 1, 1), BERLIN)


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(0), "just now"),
        (timedelta(seconds=44), "just now"),
        (timedelta(seconds=-30), "just now"),
        (timedelta(seconds=45), "1 min ago"),
        (timedelta(minutes=3, seconds=59), "3 min ago"),
        (timedelta(minutes=59), "59 min ago"),
        (timedelta(hours=2), "2 h ago"),
        (timedelta(hours=23, minutes=59), "23 h ago"),
        (timedelta(days=1), "1 day ago"),
        (timedelta(days=5), "5 days ago"),
        (timedelta(days=90), "3 months ago"),
        (timedelta(days=800), "2 years ago"),
        (timedelta(hours=-2), "in 2 h"),
        (timedelta(minutes=-10), "in 10 min"),
        (timedelta(days=-3), "in 3 days"),
    ],
)
def test_humanize_ago(delta: timedelta, text: str) -> None:
    assert humanize_ago(NOW - delta, NOW) == text


def test_humanize_ago_across_zones() -> None:
    then = (NOW - timedelta(hours=3)).astimezone(UTC)
    assert humanize_ago(then, NOW) == "3 h ago"


@given(st.text(alphabet="0123456789:+-dhmT tomrwinaysgb", max_size=24) | st.text(max_size=24))
def test_garbage_only_ever_raises_when_error(text: str) -> None:
    try:
        result = parse_when(text, NOW, BERLIN)
    except WhenError as exc:
        assert str(exc)
    else:
        assert result >= NOW and result.tzinfo is not None
