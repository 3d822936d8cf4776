"""The first sync writes a window on a thread while it fetches the next: a cancelled sync (the
app quitting) waits for that write, and a failed look-ahead fails the sync once, cleanly."""

from __future__ import annotations

import asyncio
import threading

import pytest

from smstui.core.sync import Syncer
from smstui.simulator.seed import large
from tests.core_helpers import Kill, kill_on_listing, open_sim_session

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")


async def test_a_cancelled_first_sync_waits_for_the_window_being_written(sim_empty) -> None:
    large(sim_empty.state, n_messages=600, n_threads=20, days=30)
    session = open_sim_session(sim_empty)
    started, release = threading.Event(), threading.Event()
    finished: list[bool] = []
    syncer = Syncer(session.store, session.client, window_days=3, target_per_window=100)
    real = syncer._write

    def slow_write(*args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        started.set()
        release.wait(10)
        real(*args, **kwargs)
        finished.append(True)

    syncer._write = slow_write  # type: ignore[method-assign]
    try:
        task = asyncio.ensure_future(syncer.sync())
        await asyncio.to_thread(started.wait, 10)
        task.cancel()
        await asyncio.sleep(0)  # the cancellation reaches the sync, which keeps waiting
        assert not task.done()
        release.set()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert finished == [True]  # the write ended before the sync did
        assert session.store._int("PRAGMA wal_autocheckpoint") == 1000
    finally:
        release.set()
        await session.aclose()


async def test_a_look_ahead_that_fails_fails_the_sync_after_the_window_is_stored(sim_empty) -> None:
    large(sim_empty.state, n_messages=600, n_threads=20, days=30)
    session = open_sim_session(sim_empty)
    syncer = Syncer(session.store, session.client, window_days=3, target_per_window=100)
    kill_on_listing(session.client, 3)  # the second window's look-ahead (1: the zone check, 2: the first)
    try:
        with pytest.raises(Kill):
            await syncer.sync()
        assert session.store.message_count() > 0  # the window fetched before it is stored
        assert session.store._int("PRAGMA wal_autocheckpoint") == 1000
    finally:
        await session.aclose()
