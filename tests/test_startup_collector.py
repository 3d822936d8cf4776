"""smstui.core.startup: the collector is held only if it was on, and always given back."""

from __future__ import annotations

import gc

from smstui.core import startup


def test_hold_and_release() -> None:
    assert gc.isenabled()
    try:
        startup.hold_collector()
        assert not gc.isenabled() and startup.collector_held()
        startup.release_collector()
        assert gc.isenabled() and not startup.collector_held()
        startup.release_collector()  # twice is harmless
        assert gc.isenabled()
    finally:
        gc.enable()


def test_a_collector_someone_else_switched_off_stays_off() -> None:
    gc.disable()
    try:
        startup.hold_collector()
        startup.release_collector()
        assert not gc.isenabled()
    finally:
        gc.enable()
