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


def freeze_startup_heap() -> None:
    """Move everything alive after start-up out of the garbage collector's sight (``gc.freeze``).

    Textual, the stylesheet and the widgets are ~100k long-lived objects; every full collection
    walks them all (20–100 ms here), and one lands in some frame while a long thread is paged in
    or a sync allocates. Frozen, a full collection only walks what was made since. Called when a
    conversations screen first lists its conversations (again after a profile switch built a new
    one); frozen objects are still freed by reference counting, only cyclic garbage among them
    would stay, so the screen unfreezes when it goes.
    """
    release_collector()  # held since the console script started
    gc.collect()
    gc.freeze()
