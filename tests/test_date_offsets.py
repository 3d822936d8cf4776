"""Gateway dates read through the per-day offset cache equal zoneinfo's own conversion, DST
days (whole hours, half hours, Chatham's 2:45) and their neighbours included."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from smstui.core.gateway_time import read_date

ZONES = ("Europe/Berlin", "America/New_York", "Australia/Sydney", "Australia/Lord_Howe", "Pacific/Chatham", "UTC")


@pytest.mark.parametrize("name", ZONES)
def test_every_quarter_hour_of_a_dst_year_reads_as_zoneinfo_says(name: str) -> None:
    zone = ZoneInfo(name)
    when = datetime(2025, 1, 1)
    while when < datetime(2026, 1, 1):
        text = when.strftime("%Y-%m-%d %H:%M:%S.000000")
        expected = when.replace(tzinfo=zone).astimezone(UTC)  # fold=0: a fold's first occurrence
        assert read_date({"date": text, "timezone_type": 3, "timezone": name}) == expected, text
        assert read_date(text.replace(".000000", ""), zone) == expected, text
        when += timedelta(minutes=15 if when.month in (3, 4, 9, 10, 11) else 157)


@pytest.mark.parametrize(
    "text",
    [
        "2025-03-30 02:30:00.000000",  # PHP's own form, the fast path
        "2025-03-30 02:30:00.123456",
        "2025-03-30 02:30:00.00000Z",  # 26 characters that name a zone: not a naive date
        "2025-03-30T02:30:00.000000",
        "2025-03-30 02:30:00+01:0000",
        "2025-13-30 02:30:00.000000",  # month 13
        "2025-03-30 02:30:00.0000ab",
        "2025-03-30 02:30:00.000000 ",
        " 2025-03-30 02:30:00.00000",
        "2025-W13-7 02:30:00.000000",  # an ISO week date: fromisoformat reads it, the long way does not
    ],
)
def test_a_date_object_s_date_reads_the_same_on_the_fast_path_and_the_long_way(text: str) -> None:
    """PHP's ``date`` form skips the checks of the long way; anything else still takes it."""
    from smstui.core.gateway_time import _aware, _parse_naive, php_zone

    try:
        expected: datetime | type[ValueError] = _aware(_parse_naive(text), php_zone("Europe/Berlin"))
    except ValueError:
        expected = ValueError
    try:
        got: datetime | type[ValueError] | None = read_date(
            {"date": text, "timezone_type": 3, "timezone": "Europe/Berlin"}
        )
    except ValueError:
        got = ValueError
    assert got == expected
