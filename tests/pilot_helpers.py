"""Waiting on a running Textual app in Pilot tests: on the app's own state, never on sleeps."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from textual.pilot import Pilot

# Times in tests and snapshots show in one zone whatever the machine's.
BERLIN = ZoneInfo("Europe/Berlin")


async def wait_for(pilot: Pilot, predicate: Callable[[], Any], what: str, timeout: float = 15.0) -> Any:
    """Let the app run until ``predicate()`` is truthy (checked between frames), or fail."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await pilot.pause(0.02)


def svg_to_png(svg: Path) -> Path | None:
    """A PNG beside a screenshot SVG, for the README; None without cairosvg (the screenshots extra)."""
    try:
        import cairosvg  # type: ignore[import-not-found]
    except ImportError:
        return None
    png = svg.with_suffix(".png")
    cairosvg.svg2png(url=str(svg), write_to=str(png), output_width=1400)
    return png
