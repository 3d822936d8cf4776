"""The app with its sync in a worker process (smstui.tui.sync_process), over loopback HTTP.

The session is a real one (no injected clock or transport), so the app's ``make_service`` picks
the process-backed service, exactly as ``smstui`` does. The simulator's clock starts at the real
now. Waits are on the app's state, with generous timeouts: a worker process starts in ~0.5 s on an
idle machine, several seconds on two busy cores.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys

from ui_helpers import build_app, settle, threads_shown, wait_for

from smstui.core.session import Session, open_session
from smstui.simulator.seed import OFFICE_PHONE
from smstui.simulator.testing import TestSimulator
from smstui.tui.sync_process import ProcessService
from smstui.tui.widgets.status_line import StatusLine
from smstui.tui.widgets.thread_view import ThreadView

ANNA = "+4915123456781"  # ends in 1: the simulator's phone gets replies from her
SLOW = 60.0


async def real_session(sim: TestSimulator) -> Session:
    """Logged in (token in its 0600 file), never synced: the worker's first sync fills the store."""
    session = open_session(api_url=sim.url)
    await session.login(sim.email, sim.password)
    assert not session.in_process_only
    return session


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


async def poll(pilot, service: ProcessService) -> None:  # type: ignore[no-untyped-def]
    before = service.polls
    pilot.app.action_refresh()
    await wait_for(pilot, lambda: service.polls > before and not service.busy, "a poll in the worker", SLOW)


async def test_the_worker_fills_the_list_sends_a_reply_and_brings_the_answer(live_sim: TestSimulator) -> None:
    session = await real_session(live_sim)
    app = build_app(session, sync=True, refresh_interval=3600)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            service = await wait_for(pilot, lambda: app._service, "the refresh service")
            assert isinstance(service, ProcessService)
            # Nothing was in the store: the conversations come from the worker's first sync.
            await wait_for(pilot, lambda: threads_shown(app), "the synced conversations", SLOW)
            await wait_for(pilot, lambda: app.sync_state.status == "idle", "the first sync's end", SLOW)
            assert service.pid is not None and service.pid != os.getpid()
            # The worker learnt the region from the phones' SIMs (and re-keyed the store): the
            # app's store reads numbers with it too.
            learnt = session.regions.info().region
            assert learnt is not None
            await wait_for(pilot, lambda: session.store.region == learnt, "the learnt region in the app", SLOW)
            await settle(pilot)  # the list has opened its first conversation by itself
            app.screen.show_thread(ANNA)
            view = app.screen.query_one(ThreadView)
            await wait_for(pilot, lambda: view.phone_key == ANNA and view.messages, "Anna's thread", SLOW)
            await pilot.press("r", *"via the worker", "ctrl+s")
            # Saved by the app, submitted by the worker, the gateway's id read back from the store.
            await wait_for(
                pilot, lambda: any(m.body == "via the worker" and m.sms_id for m in view.messages), "the id", SLOW
            )
            live_sim.advance(120)  # the phone sends and delivers it; Anna replies
            await poll(pilot, service)
            await wait_for(pilot, lambda: view.messages[-1].incoming, "Anna's reply", SLOW)
            pid = service.pid
        # Quitting the app stops the worker: no process is left.
        assert pid is not None and not alive(pid)
    finally:
        await session.aclose()
    assert [m.body for m in live_sim.state.messages.values()].count("via the worker") == 1


async def test_a_killed_worker_is_reported_and_restarted(live_sim: TestSimulator) -> None:
    session = await real_session(live_sim)
    app = build_app(session, sync=True, refresh_interval=3600)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            service = await wait_for(pilot, lambda: app._service, "the refresh service")
            await wait_for(pilot, lambda: service.polls >= 1 and not service.busy, "the first poll", SLOW)
            first = service.pid
            assert first is not None
            # A long backoff, so the test sees the "stopped" state however slow the machine;
            # "refresh now" then restarts it at once.
            service.backoff = (3600.0,)
            os.kill(first, signal.SIGKILL)
            await wait_for(pilot, lambda: service.restarts == 1, "the app to notice", SLOW)
            await wait_for(pilot, lambda: app.sync_state.status == "error", "the status line to say so", SLOW)
            line = app.screen.query_one(StatusLine)
            assert "Background sync stopped" in str(line.render())
            assert any(n.title == "Sync failed" and "restarting" in n.message for n in app._notifications)
            app.action_refresh()
            await wait_for(pilot, lambda: service.pid not in (None, first), "a new worker", SLOW)
            await wait_for(pilot, lambda: app.sync_state.status == "idle", "its first poll", SLOW)
            assert any(n.title == "Sync restarted" for n in app._notifications)
            second = service.pid
        assert second is not None and not alive(second) and not alive(first)
    finally:
        await session.aclose()


async def _cli(*args: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "smstui",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode is not None
    return process.returncode, (out + err).decode()


async def test_app_and_cli_on_one_profile_never_send_twice_nor_lock_the_store(live_sim: TestSimulator) -> None:
    session = await real_session(live_sim)
    app = build_app(session, sync=True, refresh_interval=3600)
    bodies = [f"app {i}" for i in range(3)] + [f"cli {i}" for i in range(3)]
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            service = await wait_for(pilot, lambda: app._service, "the refresh service")
            # While the worker's first sync writes the store: the CLI sends and syncs, the app sends.
            await wait_for(pilot, lambda: service.busy or service.polls, "the first sync", SLOW)
            clis = [
                asyncio.ensure_future(
                    _cli("--api-url", live_sim.url, "send", "--to", ANNA, "--device", str(OFFICE_PHONE), body)
                )
                for body in bodies[3:]
            ]
            clis.append(asyncio.ensure_future(_cli("--api-url", live_sim.url, "sync")))
            lids = await asyncio.to_thread(
                lambda: [session.outbox.queue([ANNA], body, OFFICE_PHONE)[0] for body in bodies[:3]]
            )
            service.send(lids)
            results = await asyncio.gather(*clis)
            for code, output in results:
                assert code == 0, output
                assert "locked" not in output.lower(), output
            await poll(pilot, service)  # the worker's outbox pass: whatever the app saved is out
            await wait_for(
                pilot,
                lambda: all(session.store.message(lid).sms_id for lid in lids),  # type: ignore[union-attr]
                "the app's messages on the gateway",
                SLOW,
            )
    finally:
        await session.aclose()
    sent = [m.body for m in live_sim.state.messages.values()]
    assert {body: sent.count(body) for body in bodies} == dict.fromkeys(bodies, 1)


async def test_the_demo_syncs_in_a_worker_that_reaches_its_loopback_simulator(live_sim: TestSimulator) -> None:
    from smstui.tui.app import make_app

    # As smstui --demo builds it: a session on the simulator's URL, logged in by the app itself.
    session = open_session(api_url=live_sim.url)
    app = make_app(session, demo=True, refresh_interval=3600, autologin=live_sim.credentials)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            service = await wait_for(pilot, lambda: app._service, "the refresh service", SLOW)
            assert isinstance(service, ProcessService)
            await wait_for(pilot, lambda: service.polls >= 1 and app.sync_state.status == "idle", "a poll", SLOW)
            await wait_for(pilot, lambda: threads_shown(app), "the demo's conversations", SLOW)
    finally:
        await session.aclose()
