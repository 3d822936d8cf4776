"""``smstui --demo`` shows push updates: the app's own receiver listens, the simulator is handed
its URL and pushes, and the store notes the webhooks (run headless, on a fast real clock)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from pilot_helpers import wait_for

from smstui import demo
from smstui.tui.app import SmsTuiApp


def test_the_demo_receives_pushed_webhooks(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    seen: dict[str, object] = {}

    def run_headless(self: SmsTuiApp) -> None:
        async def drive() -> None:
            async with self.run_test(size=(100, 30)) as pilot:
                await wait_for(pilot, lambda: self.push.url is not None, "the demo's receiver", timeout=30)
                await wait_for(pilot, lambda: self.store.last_webhook() is not None, "a pushed webhook", timeout=30)
                await wait_for(pilot, lambda: self.push.view.info.last_webhook is not None, "the status line's news")
                seen["accepted"] = self.store.webhook_counts()[0]
                seen["url_secret_in_repr"] = self.push.url in repr(self.push)

        asyncio.run(drive())

    monkeypatch.setattr(SmsTuiApp, "run", run_headless)
    demo.run_demo(step_seconds=0.3, ambient_seconds=1.0, data_dir=tmp_path)
    assert seen["accepted"] >= 1
    assert seen["url_secret_in_repr"] is False
    config = (tmp_path / "config.toml").read_text(encoding="utf-8")
    assert 'webhook_listen = "127.0.0.1:0"' in config
