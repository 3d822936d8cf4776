"""A first sync's progress as people read it: messages done of all, a bar drawn as text, an ETA.

Shared by the app's status line and ``smstui sync`` (no UI library here). The ETA comes from the
rate seen so far (:class:`Eta`), and says nothing until a few seconds of it are known: the first
window includes the session's set-up and would promise too much or too little.
"""

from __future__ import annotations

import time
from collections.abc import Callable

BLOCKS = " ▏▎▍▌▋▊▉█"  # eighths of a cell, so a narrow bar still moves with every window
ETA_AFTER = 2.0  # seconds of progress before an ETA is shown


class Eta:
    """Seconds left from the rate so far; ``update`` each time progress is reported."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._start: tuple[float, int] | None = None

    def update(self, done: int, total: int) -> float | None:
        now = self._clock()
        if self._start is None or done < self._start[1]:
            self._start = (now, done)  # the first report, or a new (restarted) sync
            return None
        elapsed, gained = now - self._start[0], done - self._start[1]
        if not total or elapsed < ETA_AFTER or gained <= 0:
            return None
        return max(0.0, (total - done) * elapsed / gained)


def bar(done: int, total: int, width: int = 12) -> str:
    """``█████▌      `` for done/total in ``width`` cells."""
    if total <= 0 or width <= 0:
        return ""
    eighths = round(min(1.0, max(0.0, done / total)) * width * 8)
    full, part = divmod(eighths, 8)
    return ("█" * full + (BLOCKS[part] if part else "")).ljust(width)


def eta_text(seconds: float | None) -> str:
    """``~40 s left``, ``~3 min left``, ``~1 h 5 min left``; "" when unknown."""
    if seconds is None:
        return ""
    if seconds < 60:
        return f"~{max(1, round(seconds))} s left"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"~{minutes} min left"
    return f"~{minutes // 60} h {minutes % 60} min left"


def progress_text(done: int, total: int, eta: float | None = None, *, width: int = 12) -> str:
    """``█████▌       12,345/100,000 messages  ~40 s left`` (no bar when the total is unknown)."""
    if total <= 0:
        return f"{done:,} messages"
    text = f"{bar(done, total, width)} {done:,}/{total:,} messages"
    left = eta_text(eta)
    return f"{text}  {left}" if left else text
