"""The app's worker policy, in one place: every background task is named, described and reported.

A worker that fails must never take the app down or print a traceback: ``exit_on_error=False``
hands the error to ``Worker.StateChanged``, which :class:`~smstui.tui.screen_base.ReportWorkerErrors`
and the app turn into a notification naming the ``description`` ("could not read conversations
from the store"). ``exclusive`` cancels the group's previous worker (a newer read makes it moot).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import work


def store_read(group: str, description: str, *, name: str | None = None, exclusive: bool = True) -> Callable[..., Any]:
    """A thread worker (SQLite reads and writes block): exclusive in its group by default."""
    return work(
        thread=True, exclusive=exclusive, group=group, name=name or group, exit_on_error=False, description=description
    )


def task(group: str, description: str, *, name: str | None = None, exclusive: bool = False) -> Callable[..., Any]:
    """An async worker on the app's loop (network calls, waiting on the store's write thread)."""
    return work(exclusive=exclusive, group=group, name=name or group, exit_on_error=False, description=description)
