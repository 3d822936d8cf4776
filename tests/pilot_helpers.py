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


def _key_event(key: str) -> Any:
    """The event ``pilot.press(key)`` would send (same key names: "a", " ", "tab", "ctrl+s")."""
    import unicodedata

    from textual import events
    from textual.keys import (
        REPLACED_KEYS,
        _character_to_key,
        _get_unicode_name_from_key,
    )

    if len(key) == 1 and not key.isalnum():
        key = _character_to_key(key)
    original = REPLACED_KEYS.get(key, key)
    try:
        char: str | None = unicodedata.lookup(_get_unicode_name_from_key(original))
    except KeyError:
        char = key if len(key) == 1 else None
    return events.Key(key, char)


def paste(text: str) -> Any:
    """A bracketed paste, as the terminal delivers it: one event with the whole text."""
    from textual import events

    return events.Paste(text)


async def burst(pilot: Pilot, *items: Any) -> None:
    """Input that arrives in one read from the terminal (a paste followed by a key, a key macro,
    fast typing over SSH): every key name (as for ``pilot.press``) and :func:`paste` event is
    queued before the app handles the first, then the app runs until idle. ``pilot.press`` waits
    after each key, so it cannot show what happens when input arrives faster than that."""
    app = pilot.app
    for item in items:
        event = _key_event(item) if isinstance(item, str) else item
        event.set_sender(app)
        app.post_message(event)
    await pilot.pause()


def svg_to_png(svg: Path) -> Path | None:
    """A PNG beside a screenshot SVG, for the README; None without cairosvg (the screenshots extra)."""
    try:
        import cairosvg  # type: ignore[import-not-found]
    except ImportError:
        return None
    png = svg.with_suffix(".png")
    cairosvg.svg2png(url=str(svg), write_to=str(png), output_width=1400)
    return png
