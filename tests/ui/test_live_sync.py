"""The refresh worker: live status ticks, replies arriving, offline and back online."""

from __future__ import annotations

from ui_helpers import build_app, settle, threads_shown, wait_for

from smstui.core.session import Session
from smstui.simulator.testing import TestSimulator
from smstui.tui.widgets.status_line import StatusLine
from smstui.tui.widgets.thread_list import ThreadList
from smstui.tui.widgets.thread_view import ThreadView

ANNA = "+4915123456781"  # her number ends in 1: the simulator's phone gets replies from it


async def _polls(app) -> int:  # type: ignore[no-untyped-def]
    return app._service.polls if app._service is not None else 0


async def _refresh_and_wait(pilot) -> None:  # type: ignore[no-untyped-def]
    """Ask for a refresh now and wait until that poll has finished."""
    app = pilot.app
    await wait_for(pilot, lambda: app._service is not None, "the refresh service")
    before = app._service.polls
    app.action_refresh()
    await wait_for(pilot, lambda: app._service.polls > before and not app._service.busy, "a refresh")
    await pilot.pause()


async def test_status_tick_updates_live_from_the_refresh_worker(session: Session, sim: TestSimulator) -> None:
    app = build_app(session, sim, sync=True, refresh_interval=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: threads_shown(app), "the conversation list")
        app.screen.show_thread(ANNA)
        view = app.screen.query_one(ThreadView)
        await wait_for(pilot, lambda: view.phone_key == ANNA and view.messages, "the thread")
        await pilot.press("r", *"are you there?", "ctrl+s")
        await wait_for(
            pilot, lambda: any(m.body == "are you there?" and m.sms_id for m in view.messages), "the gateway's id"
        )
        sent = next(m for m in view.messages if m.body == "are you there?")
        assert sent.status == 1
        sim.advance(120)  # the phone takes, sends and delivers it; Anna replies
        await _refresh_and_wait(pilot)
        await wait_for(pilot, lambda: next(m for m in view.messages if m.lid == sent.lid).status == 7, "delivered")
        # The reply arrives in the open thread, and the list moves Anna to the top.
        await wait_for(pilot, lambda: view.messages[-1].incoming, "the reply")
        assert app.screen.query_one(ThreadList).threads[0].phone_key == ANNA
        assert any(n.title == "Incoming" for n in app._notifications)


async def test_offline_then_back_online(session: Session, sim: TestSimulator) -> None:
    app = build_app(session, sim, sync=True, refresh_interval=3600)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: threads_shown(app), "the conversation list")
        await _refresh_and_wait(pilot)
        assert app.sync_state.status == "idle"
        sim.faults.set("drop")
        await _refresh_and_wait(pilot)
        await wait_for(pilot, lambda: app.sync_state.status == "offline", "offline")
        line = app.screen.query_one(StatusLine)
        assert "offline" in str(line.render())
        assert any(n.title == "Sync failed" and n.severity == "error" for n in app._notifications)
        # Failing again does not repeat the same notification.
        failures = sum(n.title == "Sync failed" for n in app._notifications)
        await _refresh_and_wait(pilot)
        assert sum(n.title == "Sync failed" for n in app._notifications) == failures
        sim.faults.clear()
        await _refresh_and_wait(pilot)
        await wait_for(pilot, lambda: app.sync_state.status == "idle", "online again")
        assert "synced" in str(line.render())
        assert any(n.title == "Back online" for n in app._notifications)
        await settle(pilot)


async def test_unclear_send_is_marked_then_reconciled(session: Session, sim: TestSimulator) -> None:
    from ui_helpers import BERLIN

    from smstui.core.store.schema import UNKNOWN
    from smstui.tui.widgets.format import status_parts

    app = build_app(session, sim, sync=True, refresh_interval=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: threads_shown(app), "the conversation list")
        app.screen.show_thread(ANNA)
        view = app.screen.query_one(ThreadView)
        await wait_for(pilot, lambda: view.phone_key == ANNA and view.messages, "the thread")
        await settle(pilot)
        sim.faults.set("http500")  # no clean answer: the gateway may or may not have it
        await pilot.press("r", *"unclear hello", "ctrl+s")
        await wait_for(pilot, lambda: any(m.body == "unclear hello" for m in view.messages), "queued in the thread")
        await wait_for(
            pilot,
            lambda: any(m.body == "unclear hello" and m.outbox == UNKNOWN for m in view.messages),
            "the unknown mark",
        )
        shown = next(m for m in view.messages if m.body == "unclear hello")
        assert status_parts(shown, sim.clock(), BERLIN)[1] == "unknown — check"
        await wait_for(pilot, lambda: any(n.title == "Send unclear" for n in app._notifications), "a warning")
        sim.faults.clear()
        for _ in range(6):  # the outbox checks the gateway, then re-sends once it is sure
            sim.advance(900)
            await _refresh_and_wait(pilot)
            if any(m.body == "unclear hello" and m.sms_id for m in view.messages):
                break
        await wait_for(
            pilot,
            lambda: any(m.body == "unclear hello" and m.sms_id for m in view.messages),
            "sent once the gateway answers",
        )
        rows = [m for m in session.store.messages(phone_key=ANNA, limit=50) if m.body == "unclear hello"]
        assert len(rows) == 1  # never sent twice
