"""The scheduled messages screen: the gateway's (a correction only) and smstui's own (edit, cancel)."""

from __future__ import annotations

from datetime import timedelta

from textual.widgets import DataTable
from ui_helpers import build_app, settle, threads_shown, wait_for

from smstui.core.session import Session
from smstui.core.store.schema import CANCELLED
from smstui.simulator.seed import OFFICE_PHONE
from smstui.simulator.testing import TestSimulator
from smstui.tui.dialogs.compose import ComposeScreen
from smstui.tui.screens.conversations import ConversationsScreen
from smstui.tui.screens.scheduled import ScheduledScreen, time_left
from smstui.tui.widgets.compose_form import ComposeForm
from smstui.tui.widgets.thread_view import ThreadView

LOCAL_TO = "+4917612345678"


def _cells(app) -> list[list[str]]:  # type: ignore[no-untyped-def]
    table = app.screen.query_one(DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def test_time_left_reads_in_minutes_hours_and_days() -> None:
    from datetime import UTC, datetime

    now = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
    assert time_left(now + timedelta(seconds=30), now) == "in 30 s"
    assert time_left(now + timedelta(hours=2, minutes=5), now) == "in 2 h 5 min"
    assert time_left(now + timedelta(days=3, hours=4), now) == "in 3 d 4 h"
    assert time_left(now - timedelta(minutes=1), now) == "due"


async def test_the_list_tells_apart_what_can_still_change(session: Session, sim: TestSimulator) -> None:
    later = sim.clock() + timedelta(hours=5)
    lid = session.store.enqueue(
        phone=LOCAL_TO, body="Reminder: invoice due", device_id=OFFICE_PHONE, slot=1, scheduled_at=later
    )
    app = build_app(session, sim)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(pilot, lambda: threads_shown(app) > 0, "the conversation list")
        await pilot.press("S")
        await wait_for(pilot, lambda: isinstance(app.screen, ScheduledScreen) and app.screen.loads, "the list")
        rows = _cells(app)
        # Soonest first: the seed's team dinner (on the gateway, in 2 h), then ours (in 5 h).
        assert [r[1] for r in rows] == ["in 2 h", "in 5 h"], rows
        assert "team dinner" in rows[0][3] and rows[0][5] == "on the gateway"
        assert rows[1][3] == "Reminder: invoice due" and rows[1][5] == "not sent yet"
        assert "cannot change or cancel" in str(app.screen.query_one("#scheduled-note").render())
        # The gateway's cannot be cancelled: said, nothing changes.
        await pilot.press("x")
        await wait_for(pilot, lambda: any("cannot change" in n.message for n in app._notifications), "the reason")
        # Ours can be edited: cancelled, and its text, time, device and slot open in compose.
        await pilot.press("down", "e")
        await wait_for(pilot, lambda: isinstance(app.screen, ComposeScreen), "compose with its text")
        form = app.screen.query_one(ComposeForm)
        await wait_for(pilot, lambda: form.body == "Reminder: invoice due", "the text")
        await wait_for(pilot, lambda: form.slot is not None and int(form.slot) == 1, "the slot")
        assert form.device_id == OFFICE_PHONE
        assert form.query_one("#compose-when").value == later.astimezone(app.tz).strftime("%Y-%m-%d %H:%M")
        assert session.store.message(lid).outbox == CANCELLED
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ScheduledScreen), "back to the list")
        await wait_for(pilot, lambda: len(app.screen.messages) == 1, "the cancelled one gone")
        # Enter opens the conversation at the message.
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationsScreen), "the conversations")
        view = app.screen.query_one(ThreadView)
        await wait_for(
            pilot,
            lambda: view.selected_message is not None and "team dinner" in view.selected_message.body,
            "the message selected",
        )
        await settle(pilot)
