"""Push instead of poll, end to end over loopback: the simulator's phones POST webhooks to the
app's own receiver (``[ui] webhook_listen``), the receiver writes the store, and the open thread
shows the status tick and the reply without a poll (the poll interval is an hour; each test
checks the refresh service polled no more). Also: faults end consistent after the next sync,
the quiet warning, and another process's plain SQLite write reaching the screen."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from ui_helpers import build_app, login_session, settle, threads_shown, wait_for

from smstui.core.service import RefreshService
from smstui.core.session import Session
from smstui.simulator.testing import TestSimulator
from smstui.tui.widgets.status_line import StatusLine
from smstui.tui.widgets.thread_view import ThreadView

ANNA = "+4915123456781"  # ends in 1: the simulator's phone gets a reply after delivery
STEP = 10.0  # the shared simulator's step_seconds


def _config_with(text: str) -> None:
    path = Path(os.environ["SMSTUI_CONFIG"])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
async def push_session(sim: TestSimulator, isolated_dirs: Path):  # type: ignore[no-untyped-def]
    _config_with('[ui]\nwebhook_listen = "127.0.0.1:0"\n')
    s = await login_session(sim)
    try:
        yield s
    finally:
        await s.aclose()


async def _open_with_receiver(pilot, sim: TestSimulator, **faults: float):  # type: ignore[no-untyped-def]
    app = pilot.app
    await wait_for(pilot, lambda: threads_shown(app), "the conversation list")
    await wait_for(pilot, lambda: app.push.url is not None, "the in-app receiver")
    await wait_for(pilot, lambda: app._service is not None and app._service.polls >= 1, "the first poll")
    await wait_for(pilot, lambda: not app._service.busy, "the first poll's end")
    # The demo history's messages still in flight finish first, so what the test's faults hit
    # is its own message (the scheduled one waits two hours).
    sim.advance(10 * STEP)
    sender = sim.push_webhooks(app.push.url, **faults)
    app.screen.show_thread(ANNA)
    view = app.screen.query_one(ThreadView)
    await wait_for(pilot, lambda: view.phone_key == ANNA and view.messages, "the thread")
    await settle(pilot)
    return sender, view


async def _send(pilot, view: ThreadView, text: str):  # type: ignore[no-untyped-def]
    await pilot.press("r", *text, "ctrl+s")
    await wait_for(pilot, lambda: any(m.body == text and m.sms_id for m in view.messages), "the gateway's id")
    return next(m for m in view.messages if m.body == text)


async def test_a_status_tick_and_a_reply_arrive_without_a_poll(push_session: Session, sim: TestSimulator) -> None:
    app = build_app(push_session, sim, sync=True, refresh_interval=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        sender, view = await _open_with_receiver(pilot, sim)
        sent = await _send(pilot, view, "pushed hello")
        polls = app._service.polls
        sim.advance(STEP)  # queued on the phone (3), then taken (2)
        await wait_for(pilot, lambda: next(m for m in view.messages if m.lid == sent.lid).status == 2, "taken")
        for _ in range(2):
            sim.advance(STEP)
        await wait_for(pilot, lambda: next(m for m in view.messages if m.lid == sent.lid).status == 7, "delivered")
        sim.advance(STEP)  # Anna answers
        await wait_for(pilot, lambda: view.messages[-1].incoming, "the reply")
        await wait_for(pilot, lambda: any(n.title == "Incoming" for n in app._notifications), "its notification")
        assert sender.flush()
        assert app._service.polls == polls  # all of it came pushed, none by a poll
        line = app.screen.query_one(StatusLine)
        await wait_for(pilot, lambda: "push" in str(line.render()), "push on the status line")
        assert app.store.webhook_counts()[0] >= 4


async def test_lost_duplicated_and_reordered_webhooks_end_consistent(push_session: Session, sim: TestSimulator) -> None:
    app = build_app(push_session, sim, sync=True, refresh_interval=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        sender, view = await _open_with_receiver(pilot, sim)
        sent = await _send(pilot, view, "faulty pushes")
        sender.faults.force("duplicate")  # 3 twice
        sender.faults.force("reorder")  # 2 held back, comes after 6
        sim.advance(2 * STEP)
        assert sender.flush()
        await wait_for(pilot, lambda: next(m for m in view.messages if m.lid == sent.lid).status == 6, "sent")
        # The late 2 is a move backwards: asked of the gateway (which says 6), never stored.
        await wait_for(pilot, lambda: app.push.applier.pending == 0, "the late status's confirmation")
        sender.faults.force("lost")  # the delivery report never comes
        sim.advance(STEP)
        assert sender.flush()
        await settle(pilot)
        assert next(m for m in view.messages if m.lid == sent.lid).status == 6  # 2 after 6 did not go back
        assert (sender.duplicated, sender.reordered, sender.lost) == (1, 1, 1)
        # The safety net: the next poll reconciles what the lost webhook did not say.
        before = app._service.polls
        app.action_refresh()
        await wait_for(pilot, lambda: app._service.polls > before and not app._service.busy, "a refresh")
        await wait_for(pilot, lambda: next(m for m in view.messages if m.lid == sent.lid).status == 7, "delivered")
        rows = [m for m in push_session.store.messages(phone_key=ANNA, limit=50) if m.body == "faulty pushes"]
        assert len(rows) == 1


async def test_quiet_push_is_said_and_polling_resumes(push_session: Session, sim: TestSimulator) -> None:
    app = build_app(push_session, sim, sync=True, refresh_interval=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        sender, view = await _open_with_receiver(pilot, sim)
        await _send(pilot, view, "waiting for news")
        sim.advance(STEP)
        assert sender.flush()
        line = app.screen.query_one(StatusLine)
        await wait_for(pilot, lambda: "push" in str(line.render()), "push")
        # The refresh loop judges from the same store facts (in this process or a sync worker's).
        loop = RefreshService(push_session, 15.0)
        assert loop.pushing() and loop.next_delay() == 120.0
        sender.faults.force("lost", count=100)  # the gateway stops pushing; the message waits
        sim.advance(6 * 60)
        app.push.watcher.check_push()  # the store's facts now, rather than within the second
        line._repaint_if_changed()
        await wait_for(pilot, lambda: "no push for 6 min, polling" in str(line.render()), "the quiet warning")
        assert not loop.pushing() and loop.next_delay() == 15.0  # the loop is back at its interval


async def test_another_process_writing_the_store_shows_at_once(session: Session, sim: TestSimulator) -> None:
    app = build_app(session, sim, sync=True, refresh_interval=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: threads_shown(app), "the conversation list")
        await wait_for(
            pilot, lambda: app.push.watcher is not None and app.push.watcher.ready.is_set(), "the store watcher"
        )
        app.screen.show_thread(ANNA)
        view = app.screen.query_one(ThreadView)
        await wait_for(pilot, lambda: view.phone_key == ANNA and view.messages, "the thread")
        await settle(pilot)
        # Another process (as `smstui webhook serve` would) stores a reply through the store's
        # own path, and a plain SQLite write changes a message's text.
        target = next(m for m in view.messages if not m.incoming and m.sms_id)
        code = (
            "import sys\n"
            "from datetime import UTC, datetime\n"
            "from smstui.core.gateway_messages import Message\n"
            "from smstui.core.store.database import Store\n"
            "store = Store(sys.argv[1], region='DE')\n"
            "reply = Message(id=99000001, phone=sys.argv[2], body='pushed from elsewhere', status=5, device_id=11231,"
            " slot=0, created=datetime.now(UTC))\n"
            "store.upsert_messages([reply])\n"
            "store.close()\n"
            "import sqlite3\n"
            "db = sqlite3.connect(sys.argv[1])\n"
            "db.execute(\"UPDATE messages SET body = 'edited elsewhere' WHERE lid = ?\", (int(sys.argv[3]),))\n"
            'db.execute("UPDATE threads SET total = total WHERE phone_key = ?", (sys.argv[2],))\n'
            "db.commit()\n"
        )
        subprocess.run(
            [sys.executable, "-c", code, str(session.store.path), ANNA, str(target.lid)], check=True, timeout=60
        )
        await wait_for(pilot, lambda: any(m.body == "pushed from elsewhere" for m in view.messages), "the other write")
        assert app.push.watcher.changes >= 1


async def test_a_port_in_use_is_said_and_the_app_goes_on(sim: TestSimulator, isolated_dirs: Path) -> None:
    import socket

    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    try:
        _config_with(f'[ui]\nwebhook_listen = "127.0.0.1:{taken.getsockname()[1]}"\n')
        s = await login_session(sim)
        try:
            app = build_app(s, sim, sync=True, refresh_interval=3600)
            async with app.run_test(size=(80, 24)) as pilot:
                await wait_for(pilot, lambda: threads_shown(app), "the conversation list")
                await wait_for(
                    pilot, lambda: any(n.title == "Webhooks" for n in app._notifications), "the receiver's problem"
                )
                note = next(n for n in app._notifications if n.title == "Webhooks")
                assert "did not start" in note.message and "polls as usual" in note.message
                assert app.push.receiver is None and app.push.watcher is not None
                line = app.screen.query_one(StatusLine)
                await wait_for(pilot, lambda: "poll" in str(line.render()), "poll on the status line")
        finally:
            await s.aclose()
    finally:
        taken.close()


async def test_a_status_for_a_message_the_store_lacks_wakes_a_sync(push_session: Session, sim: TestSimulator) -> None:
    app = build_app(push_session, sim, sync=True, refresh_interval=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        sender, view = await _open_with_receiver(pilot, sim)
        polls = app._service.polls
        # Another client (the vendor's dashboard, a script) sends to Anna: smstui has no row.
        answer = sim.call("addsms", token=sim.token(), sendto=ANNA, body="sent by someone else", device_id=11231)
        assert answer["error"] == 0
        sim.advance(STEP)
        assert sender.flush()
        await wait_for(pilot, lambda: any(m.body == "sent by someone else" for m in view.messages), "the synced row")
        assert app._service.polls > polls


async def test_smstui_webhook_serve_beside_the_app(session: Session, sim: TestSimulator) -> None:
    """simulator → `smstui webhook serve` (another process) → the store → the app's watcher."""
    import signal

    app = build_app(session, sim, sync=True, refresh_interval=3600)
    proc = subprocess.Popen(
        [sys.executable, "-m", "smstui", "--api-url", sim.url, "webhook", "serve", "--listen", "127.0.0.1:0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()  # printed once it listens
        assert url.startswith("http://127.0.0.1:"), proc.stderr.read() if proc.stderr else ""
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for(pilot, lambda: threads_shown(app), "the conversation list")
            await wait_for(
                pilot, lambda: app.push.watcher is not None and app.push.watcher.ready.is_set(), "the store watcher"
            )
            await wait_for(pilot, lambda: app._service is not None and app._service.polls >= 1, "the first poll")
            await wait_for(pilot, lambda: not app._service.busy, "the first poll's end")
            sim.advance(10 * STEP)  # the demo history's messages in flight are done first
            sender = sim.push_webhooks(url)
            app.screen.show_thread(ANNA)
            view = app.screen.query_one(ThreadView)
            await wait_for(pilot, lambda: view.phone_key == ANNA and view.messages, "the thread")
            sent = await _send(pilot, view, "via the receiver process")
            polls = app._service.polls
            for _ in range(3):
                sim.advance(STEP)
            assert sender.flush()
            await wait_for(pilot, lambda: next(m for m in view.messages if m.lid == sent.lid).status == 7, "delivered")
            sim.advance(STEP)
            await wait_for(pilot, lambda: view.messages[-1].incoming, "the reply", timeout=30)
            assert app._service.polls == polls
            line = app.screen.query_one(StatusLine)
            await wait_for(pilot, lambda: "push" in str(line.render()), "push on the status line")
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
