"""Driving the real app headless for the UI benches: start it on a sandbox, watch its frames.

Frame signal: every screen update goes through ``Screen._compositor_refresh`` (compositor renders
the dirty regions: every ``render_line`` of what changed) and ends in ``App._display`` (encode and
hand to the driver; the headless driver skips the terminal write). ``FrameRecorder`` wraps the
former for the whole process and notes when each frame of the app's current screen started and
ended. ``LoopLag`` measures how long the event loop was unable to run anything (a frame cannot be
painted while a handler blocks the loop): a task that asks to wake every 2 ms records how late it is.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from textual.screen import Screen

SIZE = (120, 40)


@dataclass
class Frame:
    start: float
    end: float

    @property
    def duration(self) -> float:
        return self.end - self.start


@dataclass
class FrameRecorder:
    frames: list[Frame] = field(default_factory=list)
    _original: Callable[..., Any] | None = None

    def install(self) -> FrameRecorder:
        original = Screen._compositor_refresh
        recorder = self

        def _compositor_refresh(screen: Screen) -> None:
            start = time.perf_counter()
            batched = screen.app._batch_count  # App._display sends nothing while updates are held
            original(screen)
            if screen.is_current and not batched:
                recorder.frames.append(Frame(start, time.perf_counter()))

        self._original = original
        Screen._compositor_refresh = _compositor_refresh  # type: ignore[method-assign]
        return self

    def uninstall(self) -> None:
        if self._original is not None:
            Screen._compositor_refresh = self._original  # type: ignore[method-assign]
            self._original = None

    def first_after(self, t: float) -> Frame | None:
        for frame in reversed(self.frames):
            if frame.start < t:
                break
        later = [f for f in self.frames if f.start >= t]
        return later[0] if later else None

    def between(self, t0: float, t1: float) -> list[Frame]:
        return [f for f in self.frames if t0 <= f.start <= t1]


class LoopLag:
    """Stalls of the event loop: how late a 2 ms sleep wakes up."""

    def __init__(self, period: float = 0.002) -> None:
        self.period = period
        self.stalls: list[tuple[float, float]] = []  # (when it woke, how late)
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        while True:
            before = time.perf_counter()
            await asyncio.sleep(self.period)
            now = time.perf_counter()
            self.stalls.append((now, now - before - self.period))

    def start(self) -> LoopLag:
        self._task = asyncio.get_running_loop().create_task(self._run())
        return self

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass

    def worst(self, t0: float = 0.0, t1: float = float("inf")) -> float:
        return max((lag for at, lag in self.stalls if t0 <= at <= t1), default=0.0)


async def wait_until(pilot: Any, condition: Callable[[], bool], timeout: float = 30.0, step: float = 0.005) -> bool:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        try:
            if condition():
                return True
        except Exception:
            pass
        await asyncio.sleep(step)
    return False


def send_key(app: Any, key: str) -> None:
    """Deliver a key the way the terminal driver does, without Pilot's waits.

    ``Pilot.press`` waits for the CPU to go idle after each key (up to a second); while a sync keeps
    the process busy that makes every press slow. Timing needs the key sent and nothing else.
    """
    from textual import events

    event = events.Key(key, key if len(key) == 1 else None)
    event.set_sender(app)
    app._driver.send_message(event)


def conversations(app: Any) -> Any | None:
    screen = app.screen
    return screen if type(screen).__name__ == "ConversationsScreen" else None


def threads_shown(app: Any) -> bool:
    screen = conversations(app)
    return screen is not None and screen.query_one("#threads").option_count > 0


@asynccontextmanager
async def running_app(
    *, sync: bool = True, refresh_interval: float | None = None, timeout: float = 60.0, clock: Any = None
) -> AsyncIterator[tuple[Any, Any]]:
    """The app over the sandbox in os.environ, headless at 120x40, with its conversations shown;
    ``clock`` (aware datetimes) sets the app's "now" (the generated history's, for the dashboard)."""
    from smstui.core.session import open_session
    from smstui.tui.app import make_app

    session = await asyncio.to_thread(open_session)
    app = make_app(session, sync=sync, refresh_interval=refresh_interval, **({"clock": clock} if clock else {}))
    try:
        async with app.run_test(size=SIZE) as pilot:
            if not await wait_until(pilot, lambda: threads_shown(app), timeout):
                raise RuntimeError(f"the conversations did not show within {timeout:g} s (screen {app.screen!r})")
            yield app, pilot
    finally:
        try:
            await session.aclose()
        except Exception:
            pass
