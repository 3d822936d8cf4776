"""Polling becomes the safety net: RefreshService.next_delay stretches to
``[ui] webhook_refresh_interval`` while webhooks flow, and returns to the normal interval once
none came for ``webhook_quiet_after`` (smstui.core.push_state); the config keys are checked."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from smstui.core.config import UiSettings, load_config
from smstui.core.service import RefreshService
from smstui.core.store.connection import StoreError

NOW = 1_800_000_000.0


class FakeStore:
    def __init__(self, last: tuple[float, str] | None, due: float | None = None) -> None:
        self.last, self.due = last, due

    def last_webhook(self) -> tuple[float, str] | None:
        if self.last == ("broken", ""):
            raise StoreError("the store is damaged")
        return self.last

    def next_outbox_attempt(self) -> float | None:
        return self.due


def service(last: Any, *, due: float | None = None, **ui: Any) -> RefreshService:
    session = SimpleNamespace(
        store=FakeStore(last, due),
        clock=lambda: NOW,
        config=SimpleNamespace(ui=UiSettings(**ui)),
        syncer=SimpleNamespace(last_synced=None),
        refresh_interval=15.0,
    )
    return RefreshService(session, 15.0)


def test_no_webhooks_polls_at_the_interval() -> None:
    assert service(None).next_delay() == 15.0


def test_flowing_webhooks_stretch_the_interval() -> None:
    assert service((NOW - 10, "status")).next_delay() == 120.0
    assert service((NOW - 10, "incoming"), webhook_refresh_interval=60).next_delay() == 60.0


def test_quiet_webhooks_poll_as_usual_again() -> None:
    assert service((NOW - 301, "status")).next_delay() == 15.0
    assert service((NOW - 301, "status"), webhook_quiet_after=600).next_delay() == 120.0


def test_a_due_retry_still_comes_first_and_failures_still_back_off() -> None:
    assert service((NOW - 10, "status"), due=NOW + 5).next_delay() == 5.0
    failing = service((NOW - 10, "status"))
    failing.failures = 2
    assert failing.next_delay() == 60.0  # backing off, not stretched on top


def test_a_store_that_cannot_say_polls_as_usual() -> None:
    assert service(("broken", "")).next_delay() == 15.0


def test_the_interval_is_never_shortened_by_push() -> None:
    assert service((NOW - 10, "status"), webhook_refresh_interval=5).next_delay() == 15.0


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ('webhook_listen = "127.0.0.1"', "does not end in a port"),
        ('webhook_listen = "::1:8787"', "IPv6 host in brackets"),
        ('webhook_listen = "[]:8787"', "is not HOST:PORT"),
        ("webhook_listen = 8787", "must be a string"),
        ("webhook_refresh_interval = 1", "at least 2"),
        ("webhook_quiet_after = 10", "at least 30"),
    ],
)
def test_bad_keys_are_said_and_default(tmp_path: Path, line: str, problem: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f"[ui]\n{line}\n", encoding="utf-8")
    loaded = load_config(path)
    assert loaded.config.ui == UiSettings()
    assert len(loaded.problems) == 1 and problem in str(loaded.problems[0]) and "line 2" in str(loaded.problems[0])


@pytest.mark.parametrize("value", ["127.0.0.1:8787", "0.0.0.0:0", "[::1]:8787", "8787", "localhost:9000", ""])
def test_good_listen_values(tmp_path: Path, value: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f'[ui]\nwebhook_listen = "{value}"\n', encoding="utf-8")
    loaded = load_config(path)
    assert loaded.problems == [] and loaded.config.ui.webhook_listen == value


def test_smstui_watch_keeps_its_interval() -> None:
    watcher = service((NOW - 10, "status"))
    watcher.stretch = False
    assert watcher.next_delay() == 15.0
