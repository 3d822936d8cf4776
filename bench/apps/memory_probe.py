"""Peak RSS of the app on the sandbox store (the memory bench's child process).

Prints one JSON line: peak RSS (bench.common.own_peak_rss) after the conversations show, after the big thread is
open, and after scrolling that thread to its first message (every page loaded).
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))

from bench.common import own_peak_rss  # noqa: E402
from bench.generate import BIG_THREAD_PHONE  # noqa: E402
from bench.uikit import conversations, running_app, wait_until  # noqa: E402


def peak() -> int:
    return own_peak_rss()


async def main(scroll_limit: float) -> dict:
    out: dict = {}
    async with running_app(sync=False) as (app, pilot):
        out["listed"] = peak()
        screen = conversations(app)
        view = screen.query_one("#thread")
        # The list opens its first conversation by itself; let that settle first.
        await wait_until(pilot, lambda: bool(view.messages), 5)
        await pilot.pause()
        screen.show_thread(BIG_THREAD_PHONE)
        await wait_until(pilot, lambda: view.phone_key == BIG_THREAD_PHONE and bool(view.messages), 30)
        await pilot.pause()
        out["opened"] = peak()
        out["opened_messages"] = len(view.messages)
        view.focus()
        deadline = time.perf_counter() + scroll_limit
        while view.has_older and time.perf_counter() < deadline:
            count = len(view.messages)
            await pilot.press("home")
            await wait_until(pilot, lambda: len(view.messages) > count or not view.has_older, 10)
        await pilot.pause()
        out["scrolled"] = peak()
        out["scrolled_messages"] = len(view.messages)
        out["complete"] = not view.has_older
    return out


if __name__ == "__main__":
    limit = float(sys.argv[1]) if len(sys.argv) > 1 else 60.0
    print(json.dumps(asyncio.run(main(limit))))
