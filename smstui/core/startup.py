"""Start-up without the cyclic garbage collector.

From the console script's first line to the app's first frame, Python makes a few hundred
thousand long-lived objects (modules, the stylesheet, widgets) and next to no cyclic garbage,
yet the collector keeps running full collections over all of them: ~25 ms of a cold start
here. :func:`hold_collector` switches it off for that stretch; :func:`release_collector` (the
app calls it after its first frame; the console script again when the app ends, whatever
happened) switches it back on. The conversations screen then collects once and freezes what
survived (``gc.freeze``), so later collections walk only what was made since.
"""

from __future__ import annotations

import gc

_held = False


def hold_collector() -> None:
    """Switch the collector off until :func:`release_collector` (no-op if it already was off)."""
    global _held
    if gc.isenabled():
        gc.disable()
        _held = True


def release_collector() -> None:
    """Switch the collector back on, if :func:`hold_collector` switched it off."""
    global _held
    if _held:
        _held = False
        gc.enable()


def collector_held() -> bool:
    return _held
