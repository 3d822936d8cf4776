"""The on-call dashboard (issue 15 item 1), typed as a person would, against the simulator: F10 from
anywhere and the palette, the window keys, the offline and outdated phones said in words, failures
(numbers ending in 0000 and 666) counted live as the refresh worker brings them, only what changed
repainted, and Enter going to the failures of a phone."""

from __future__ import annotations

from textual.command import CommandPalette
from textual.widgets import Static
from ui_helpers import build_app, settle, threads_shown, wait_for

from smstui.core.session import Session
from smstui.simulator.seed import OFFICE_PHONE, OLD_PHONE
from smstui.simulator.testing import TestSimulator
from smstui.tui.screens.dashboard import DashboardScreen
from smstui.tui.screens.triage import TriageScreen
from smstui.tui.widgets.delivery_table import DeliveryTable
from smstui.tui.widgets.timeline_chart import TimelineChart


def _text(screen, selector: str) -> str:  # type: ignore[no-untyped-def]
    return str(screen.query_one(selector, Static).render())


async def _dashboard(pilot) -> DashboardScreen:  # type: ignore[no-untyped-def]
    app = pilot.app
    await pilot.press("f10")
    screen = await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen) and app.screen, "the dashboard")
    await wait_for(pilot, lambda: screen.report is not None, "its counts")
    await settle(pilot)
    return screen


def _row(screen: DashboardScreen, device_id: int, slot: int | None):  # type: ignore[no-untyped-def]
    """The row of one slot of a phone (the phone's own row when that is its only slot)."""
    table = screen.query_one(DeliveryTable)
    return next(r for r in table.rows_shown if r.device_id == device_id and r.slot == slot)


def _phone_row(screen: DashboardScreen, device_id: int):  # type: ignore[no-untyped-def]
    return next(r for r in screen.query_one(DeliveryTable).rows_shown if r.key == f"{device_id}:all")


async def _refresh_and_wait(pilot) -> None:  # type: ignore[no-untyped-def]
    app = pilot.app
    await wait_for(pilot, lambda: app._service is not None, "the refresh service")
    before = app._service.polls
    app.action_refresh()
    await wait_for(pilot, lambda: app._service.polls > before and not app._service.busy, "a refresh")


async def test_f10_from_anywhere_windows_and_phones_in_words(session: Session, sim: TestSimulator) -> None:
    app = build_app(session, sim)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: threads_shown(app) > 0, "the conversation list")
        await pilot.press("f3")  # from another screen
        screen = await _dashboard(pilot)
        assert app.current_mode == "dashboard"
        summary = _text(screen, "#dash-summary")
        assert summary.startswith("Last hour: ") and "Queue: " in summary
        assert "1 OFFLINE (SM-F NIK!)" in summary and "2 app outdated" in summary
        # The offline phone comes first and says so in words, not colour alone.
        table = screen.query_one(DeliveryTable)
        first = table.rows_shown[0]
        assert first.device_id == OLD_PHONE
        assert "○ OFFLINE" in first.cells[0].plain and "seen 5 h 17 min ago" in first.cells[0].plain
        assert "⬆ app outdated" in first.cells[0].plain
        office = _phone_row(screen, OFFICE_PHONE)
        assert "● online" in office.cells[0].plain and "outdated" not in office.cells[0].plain
        # Its row sums its slots; a row per slot follows.
        slots = [r for r in table.rows_shown if r.device_id == OFFICE_PHONE and r.key != office.key]
        assert sum(int(r.cells[2].plain) for r in slots) == int(office.cells[2].plain)
        # A wider window counts more: the demo's history spans days.
        hour = screen.report.totals.total
        await pilot.press("3")
        await wait_for(pilot, lambda: screen.report.window_name == "7d", "the week")
        week = screen.report.totals
        assert week.total > hour and week.failed > 0 and week.delivered > 0
        assert "last 7 days" in _text(screen, "#dash-title")
        assert _text(screen, "#dash-summary").startswith(f"Last 7 days: {week.total} sent, {week.delivered} delivered")
        chart = screen.query_one(TimelineChart)
        assert sum(chart.failed) == week.failed and sum(chart.sent) == week.total
        assert "peak" in str(chart.render_lines(chart.region.reset_offset)[0].text)
        await pilot.press("2")
        await wait_for(pilot, lambda: screen.report.window_name == "24h", "the day")
        # From the palette too.
        await pilot.press("f2")
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette), "the palette")
        await pilot.press(*"dashboard")
        palette = app.screen
        await wait_for(pilot, lambda: palette.query_one("CommandList").option_count > 0, "a match")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen), "the dashboard again")
        assert app.screen is screen and screen.window == "24h"  # the same screen, as it was left


async def test_failures_count_live_and_only_what_changed_repaints(session: Session, sim: TestSimulator) -> None:
    app = build_app(session, sim, sync=True, refresh_interval=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: threads_shown(app) > 0, "the conversation list")
        sim.advance(600)  # the demo's messages in flight reach their end first
        await _refresh_and_wait(pilot)
        screen = await _dashboard(pilot)
        before = screen.report.totals
        office_before = _row(screen, OFFICE_PHONE, 0).cells[4].plain
        table = screen.query_one(DeliveryTable)
        repainted, rebuilds = table.cells_repainted, table.rebuilds
        token = sim.token()
        for number in ("+4915123450000", "+4915123456666"):
            sim.call("addsms", token=token, sendto=number, body="on-call test", device_id=OFFICE_PHONE, sim=0)
        sim.advance(60)  # the phone takes them: the first is not sent, the second never delivered
        await _refresh_and_wait(pilot)
        await wait_for(pilot, lambda: screen.report.totals.failed == before.failed + 2, "the failures counted")
        totals = screen.report.totals
        assert totals.total == before.total + 2 and totals.failed_rate is not None
        office = _row(screen, OFFICE_PHONE, 0)
        assert office.cells[4].plain != office_before and office.cells[4].plain.endswith(" ✗")
        assert "failed" in _text(screen, "#dash-summary")
        # Only the cells that moved were repainted, not the whole table.
        assert table.rebuilds == rebuilds
        assert 0 < table.cells_repainted - repainted < sum(len(r.cells) for r in table.rows_shown) // 2
        # A refresh that changes nothing repaints nothing.
        await _refresh_and_wait(pilot)
        reads = screen.repaints
        screen.load()
        await wait_for(pilot, lambda: screen.repaints is not reads, "another read")
        await settle(pilot)
        assert screen.repaints == []
        # Away from the dashboard it is not recomputed, only marked stale, and read when shown.
        await pilot.press("f2")
        sim.call("addsms", token=token, sendto="+4915123450000", body="again", device_id=OFFICE_PHONE, sim=1)
        sim.advance(60)
        await _refresh_and_wait(pilot)
        await wait_for(pilot, lambda: screen._stale, "the dashboard marked stale")
        assert screen.report.totals.failed == totals.failed
        await pilot.press("f10")
        await wait_for(pilot, lambda: screen.report.totals.failed == totals.failed + 1, "read again when shown")
        rows = screen.query_one(DeliveryTable).rows_shown
        assert "SMS 2" in [r.cells[1].plain.strip() for r in rows if r.device_id == OFFICE_PHONE]


async def test_enter_on_a_phone_shows_its_failures(session: Session, sim: TestSimulator) -> None:
    app = build_app(session, sim)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: threads_shown(app) > 0, "the conversation list")
        screen = await _dashboard(pilot)
        await pilot.press("3")
        await wait_for(pilot, lambda: screen.report.window_name == "7d", "the week")
        await settle(pilot)
        table = screen.query_one(DeliveryTable)
        index = next(i for i, r in enumerate(table.rows_shown) if r.key == f"{OFFICE_PHONE}:0")
        table.move_to(index)
        await pilot.press("enter")
        triage = await wait_for(pilot, lambda: isinstance(app.screen, TriageScreen) and app.screen, "the failures")
        await wait_for(pilot, lambda: triage._loaded > 0, "the list")
        await settle(pilot)
        assert (triage.filters.device, triage.filters.slot, triage.filters.window) == (OFFICE_PHONE, 0, "7d")
        rows = triage.query_one("#triage-table").rows_shown
        assert rows and all(r.message.device_id == OFFICE_PHONE and r.message.slot == 0 for r in rows)
        assert "phone: Pixel 7 (office) · slot: SMS 1" in _text(triage, "#triage-title")
        # f on the dashboard: every phone's.
        await pilot.press("f10", "f")
        await wait_for(pilot, lambda: triage.filters.device is None and triage.filters.window == "7d", "all phones")


async def test_the_config_can_make_it_the_home_screen(session: Session, sim: TestSimulator) -> None:
    from dataclasses import replace

    session.config = replace(session.config, ui=session.config.ui._replace(home="dashboard"))
    app = build_app(session, sim)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen) and app.screen, "the dashboard")
        await wait_for(pilot, lambda: screen.report is not None, "its counts")
        assert app.current_mode == "dashboard"
        await pilot.press("f2")  # the conversations are a key away, as ever
        await wait_for(pilot, lambda: threads_shown(app) > 0, "the conversation list")
