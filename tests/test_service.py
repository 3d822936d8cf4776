"""The refresh service: events, errors as events, no overlapping polls, refresh on demand."""

from __future__ import annotations

import asyncio

from smstui.core.events import (
    DevicesChanged,
    MessagesChanged,
    OutboxChanged,
    SyncFailed,
    SyncStateChanged,
)
from smstui.core.service import RefreshService
from smstui.simulator.seed import OFFICE_PHONE
from tests.core_helpers import dead_url, open_sim_session


def states(events) -> list[str]:
    return [e.state.status for e in events if isinstance(e, SyncStateChanged)]


async def test_poll_emits_events(sim) -> None:
    session = open_sim_session(sim)
    service = RefreshService(session, interval=60)
    live = []
    try:
        events = await service.poll_once(live.append)
        assert live == events
        assert states(events)[0] == "syncing" and states(events)[-1] == "idle"
        progress = [e.state.progress for e in events if isinstance(e, SyncStateChanged) and e.state.progress]
        assert progress[-1][0] == progress[-1][1] > 0  # every message of the history, counted
        assert any(isinstance(e, MessagesChanged) and e.phone_keys for e in events)
        assert any(isinstance(e, DevicesChanged) for e in events)
        assert service.state.status == "idle" and service.state.last_synced is not None

        (lid,) = session.outbox.queue(["+4915123456782"], "via service", OFFICE_PHONE)
        sim.advance(5)
        events = await service.poll_once()
        changed = [e for e in events if isinstance(e, OutboxChanged)]
        assert changed and changed[0].lids == (lid,)
        assert session.store.message(lid).sms_id is not None
    finally:
        await session.aclose()


async def test_network_errors_become_events_and_back_off(sim) -> None:
    session = open_sim_session(sim)
    service = RefreshService(session, interval=10)
    try:
        good = session.client.base_url
        session.client.base_url = dead_url()
        events = await service.poll_once()
        failures = [e for e in events if isinstance(e, SyncFailed)]
        assert failures and failures[0].kind == "network" and "Cannot reach" in failures[0].message
        assert service.state.status == "offline" and service.state.error
        assert service.next_delay() == 20
        await service.poll_once()
        assert service.next_delay() == 40
        session.client.base_url = good
        events = await service.poll_once()
        assert states(events)[-1] == "idle" and service.next_delay() == 10
    finally:
        await session.aclose()


async def test_auth_problems_become_events(sim) -> None:
    session = open_sim_session(sim, login=False)
    service = RefreshService(session, interval=10)
    try:
        events = await service.poll_once()
        failures = [e for e in events if isinstance(e, SyncFailed)]
        assert failures[-1].kind == "auth" and service.state.status == "auth"
        assert "Log in" in service.state.error
    finally:
        await session.aclose()


async def test_unexpected_errors_do_not_escape(sim, caplog) -> None:
    session = open_sim_session(sim)
    service = RefreshService(session, interval=10)

    async def broken(**kwargs):
        raise RuntimeError("bug")

    session.syncer.sync = broken  # type: ignore[method-assign]
    try:
        events = await service.poll_once()
        assert [e.kind for e in events if isinstance(e, SyncFailed)] == ["internal"]
        assert service.state.status == "error"
    finally:
        await session.aclose()


async def test_run_never_overlaps_and_wakes_on_demand(sim) -> None:
    session = open_sim_session(sim)
    service = RefreshService(session, interval=3600)  # only wake() triggers polls here
    real_sync = session.syncer.sync
    running = 0
    most = 0
    polls = 0
    gate = asyncio.Event()
    first_started = asyncio.Event()
    done = asyncio.Condition()

    async def slow_sync(**kwargs):
        nonlocal running, most, polls
        running += 1
        most = max(most, running)
        first_started.set()
        try:
            await gate.wait()
            return await real_sync(**kwargs)
        finally:
            running -= 1
            polls += 1
            async with done:
                done.notify_all()

    session.syncer.sync = slow_sync  # type: ignore[method-assign]
    task = asyncio.create_task(service.run(lambda event: None))
    try:
        await asyncio.wait_for(first_started.wait(), 5)
        for _ in range(5):  # "refresh now" hammered while a poll is running
            service.wake()
        gate.set()
        async with done:
            await asyncio.wait_for(done.wait_for(lambda: polls >= 2), 5)
        # Five wakes during one poll make exactly one more poll, never a concurrent one.
        await asyncio.sleep(0)
        assert most == 1 and polls == 2 and service.polls == 2
        service.wake()
        async with done:
            await asyncio.wait_for(done.wait_for(lambda: polls >= 3), 5)
        assert most == 1
    finally:
        service.stop()
        await asyncio.wait_for(task, 5)
        await session.aclose()


async def test_async_emit_is_awaited(sim) -> None:
    session = open_sim_session(sim)
    service = RefreshService(session, interval=10)
    received = []

    async def emit(event):
        received.append(event)

    try:
        events = await service.poll_once(emit)
        await asyncio.sleep(0)
        assert len(received) == len(events)
    finally:
        await session.aclose()


async def test_service_on_the_session_network_loop_is_woken_from_another_loop(sim) -> None:
    """As the app runs it: on the session's network loop; wake() comes from the UI's loop."""
    import threading

    session = open_sim_session(sim)
    service = RefreshService(session, interval=3600)
    threads: list[str] = []
    polled = threading.Event()

    def emit(event) -> None:
        threads.append(threading.current_thread().name)
        if isinstance(event, SyncStateChanged) and event.state.status == "idle":
            polled.set()

    network = session.start_network()
    running = asyncio.ensure_future(network.run(service.run(emit)))
    try:
        assert await asyncio.to_thread(polled.wait, 10)
        polled.clear()
        service.wake()  # from this (another) loop: must reach the service's loop
        assert await asyncio.to_thread(polled.wait, 10)
        assert service.polls == 2
        assert set(threads) == {network._thread.name}
    finally:
        running.cancel()  # cancels the run on the network loop too
        try:
            await running
        except asyncio.CancelledError:
            pass
        await session.aclose()
    assert not network._thread.is_alive()
