"""Clocks for the simulator: the real one, and a fake one tests move by hand.

The simulator never sleeps to make time pass: every status change is computed from the clock when
a request arrives, so a test that advances a :class:`FakeClock` sees the gateway "later" at once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

Clock = Callable[[], datetime]

# A fixed, unremarkable instant for deterministic tests (a Wednesday, summer time in Berlin).
DEFAULT_FAKE_START = datetime(2026, 5, 20, 10, 0, 0, tzinfo=UTC)


def utc_now() -> datetime:
    return datetime.now(UTC)


class FakeClock:
    """A clock that only moves when told to. Thread-safe: the server thread reads it."""

    def __init__(self, start: datetime | None = None) -> None:
        start = start or DEFAULT_FAKE_START
        if start.tzinfo is None:
            raise ValueError("FakeClock needs a timezone-aware datetime")
        self._now = start
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> datetime:
        if seconds < 0:
            raise ValueError("a clock cannot go backwards")
        with self._lock:
            self._now += timedelta(seconds=seconds)
            return self._now

    def set(self, when: datetime) -> None:
        if when.tzinfo is None:
            raise ValueError("FakeClock needs a timezone-aware datetime")
        with self._lock:
            self._now = when

    def __repr__(self) -> str:
        return f"FakeClock({self._now.isoformat()})"
