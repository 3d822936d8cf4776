"""The failure triage (issue 15 item 2), typed as a person would, against the simulator: failed
(numbers ending in 0000 and 666), refused and unclear messages with their reasons in plain words,
arriving live; the filters; Enter opening the conversation at the message; marking handled (kept,
hidden, undone); sending again from another phone as a new message linked to the failed one."""

from __future__ import annotations

from textual.widgets import Select, Static
from ui_helpers import build_app, settle, threads_shown, wait_for

from smstui.core.session import Session
from smstui.core.store.schema import REJECTED, UNKNOWN
from smstui.simulator.seed import OFFICE_PHONE, OLD_PHONE, TRAVEL_PHONE
from smstui.simulator.testing import TestSimulator
from smstui.tui.dialogs.message_detail import MessageDetailScreen
from smstui.tui.dialogs.retry import RetryDialog
from smstui.tui.screens.conversations import ConversationsScreen
from smstui.tui.screens.triage import TriageScreen
from smstui.tui.widgets.thread_view import ThreadView
from smstui.tui.widgets.triage_table import TriageTable

FAILING = "+4915123450000"
NEVER_DELIVERED = "+4915123456666"


def _text(screen, selector: str) -> str:  # type: ignore[no-untyped-def]
    return str(screen.query_one(selector, Static).render())


async def _refresh_and_wait(pilot) -> None:  # type: ignore[no-untyped-def]
    app = pilot.app
    await wait_for(pilot, lambda: app._service is not None, "the refresh service")
    before = app._service.polls
    app.action_refresh()
    await wait_for(pilot, lambda: app._service.polls > before and not app._service.busy, "a refresh")


async def _failures(pilot) -> TriageScreen:  # type: ignore[no-untyped-def]
    """F10, f, then Esc: every failure of all time."""
    app = pilot.app
    await pilot.press("f10")
    await wait_for(pilot, lambda: app.current_mode == "dashboard", "the dashboard")
    await pilot.press("f")
    screen = await wait_for(pilot, lambda: isinstance(app.screen, TriageScreen) and app.screen, "the failures")
    await wait_for(pilot, lambda: screen._loaded > 0, "the list")
    loaded = screen._loaded
    await pilot.press("escape")
    await wait_for(pilot, lambda: screen._loaded > loaded and screen.filters.window is None, "all time")
    await settle(pilot)
    return screen


def _rows(screen: TriageScreen):  # type: ignore[no-untyped-def]
    return screen.query_one(TriageTable).rows_shown


def _select(screen: TriageScreen, lid: int) -> None:
    table = screen.query_one(TriageTable)
    table.move_cursor(row=[r.message.lid for r in table.rows_shown].index(lid))


async def _reloaded(pilot, screen: TriageScreen, condition) -> None:  # type: ignore[no-untyped-def]
    await wait_for(pilot, condition, "the list to change")
    await settle(pilot)


def _unclear_and_refused(session: Session) -> tuple[int, int]:
    store = session.store
    unclear = store.enqueue(phone="+4915123456782", body="did it arrive?", device_id=OFFICE_PHONE, slot=0)
    store.set_outbox_states([unclear], UNKNOWN, error="the answer was lost")
    refused = store.enqueue(phone="+4915123456784", body="nope", device_id=OLD_PHONE, slot=1)
    store.set_outbox_states([refused], REJECTED, error="Device not found.")
    return unclear, refused


async def test_reasons_in_words_live_filters_and_enter_opens_the_conversation(
    session: Session, sim: TestSimulator
) -> None:
    unclear, refused = _unclear_and_refused(session)
    app = build_app(session, sim, sync=True, refresh_interval=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: threads_shown(app) > 0, "the conversation list")
        screen = await _failures(pilot)
        count = len(_rows(screen))
        by_lid = {r.message.lid: r for r in _rows(screen)}
        assert unclear in by_lid and refused in by_lid
        # New failures arrive while the list is open.
        token = sim.token()
        for number in (FAILING, NEVER_DELIVERED):
            sim.call("addsms", token=token, sendto=number, body="on-call", device_id=OFFICE_PHONE, sim=1)
        sim.advance(60)
        await _refresh_and_wait(pilot)
        await _reloaded(pilot, screen, lambda: len(_rows(screen)) == count + 2)
        newest = _rows(screen)[:2]
        assert {r.message.phone for r in newest} == {FAILING, NEVER_DELIVERED}
        table = screen.query_one(TriageTable)
        whys = {r.message.phone: table.get_row(str(r.message.lid))[2].plain for r in newest}
        assert whys == {FAILING: "✗ Generic failure", NEVER_DELIVERED: "✗ Not delivered"}
        # The line under the list says why in plain words.
        _select(screen, next(r.message.lid for r in newest if r.message.phone == FAILING))
        await pilot.pause()
        detail = _text(screen, "#triage-detail")
        assert detail.startswith("Generic failure: the carrier or Android refused it (no credit")
        assert "from Pixel 7 (office) #11231" in detail and "on-call" in detail
        _select(screen, unclear)
        await pilot.pause()
        assert "the gateway's answer to the send was lost" in _text(screen, "#triage-detail")
        assert table.get_row(str(unclear))[2].plain == "? Unknown — check"
        _select(screen, refused)
        await pilot.pause()
        assert "Refused by the gateway: the gateway refused it: Device not found." in _text(screen, "#triage-detail")
        # r: by reason (the reasons the list holds, in turn).
        loaded = screen._loaded
        await pilot.press("r")
        await _reloaded(pilot, screen, lambda: screen._loaded > loaded)
        first = screen.filters.reason
        assert first is not None and {r.message.status for r in _rows(screen)} <= {8, 9, 10, 11, 12, 100, 101, None}
        assert f"why: {screen.query_one(TriageTable).get_row(str(_rows(screen)[0].message.lid))[2].plain[2:]}" in (
            _text(screen, "#triage-title")
        )
        # d: by phone; s: by slot; w: by window.
        await pilot.press("escape")
        await _reloaded(pilot, screen, lambda: screen.filters.reason is None and len(_rows(screen)) == count + 2)
        await pilot.press("d")
        await _reloaded(pilot, screen, lambda: screen.filters.device is not None)
        device = screen.filters.device
        assert _rows(screen) and all(r.message.device_id == device for r in _rows(screen))
        await pilot.press("s")
        await _reloaded(pilot, screen, lambda: screen.filters.slot is not None)
        assert all(r.message.slot == screen.filters.slot for r in _rows(screen))
        await pilot.press("escape", "w")
        await _reloaded(pilot, screen, lambda: screen.filters.window == "1h" and screen.filters.device is None)
        assert "last hour" in _text(screen, "#triage-title")
        assert {r.message.phone for r in _rows(screen)} >= {FAILING, NEVER_DELIVERED}
        # Enter: the conversation, at that message.
        target = next(r.message for r in _rows(screen) if r.message.phone == FAILING)
        _select(screen, target.lid)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationsScreen), "the conversation")
        view = app.screen.query_one(ThreadView)
        await wait_for(
            pilot,
            lambda: view.selected_message is not None and view.selected_message.lid == target.lid,
            "the failed message selected",
        )
        assert view.phone_key == FAILING


async def test_mark_handled_hides_it_keeps_it_and_undoes(session: Session, sim: TestSimulator) -> None:
    app = build_app(session, sim)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: threads_shown(app) > 0, "the conversation list")
        screen = await _failures(pilot)
        rows = _rows(screen)
        first, second = rows[0].message, rows[1].message
        await pilot.press("h")
        await _reloaded(pilot, screen, lambda: first.lid not in [r.message.lid for r in _rows(screen)])
        assert len(_rows(screen)) == len(rows) - 1
        await wait_for(pilot, lambda: any(n.message.startswith("Marked handled") for n in app._notifications), "said")
        assert session.store.message(first.lid) is not None  # kept in the store
        # The cursor moved on to the next one; mark it too, then undo once: it comes back.
        assert screen.query_one(TriageTable).highlighted.message.lid == second.lid
        await pilot.press("h")
        await _reloaded(pilot, screen, lambda: len(_rows(screen)) == len(rows) - 2)
        await pilot.press("u")
        await _reloaded(pilot, screen, lambda: second.lid in [r.message.lid for r in _rows(screen)])
        assert first.lid not in [r.message.lid for r in _rows(screen)]
        # H shows the handled ones, marked; h on one brings it back.
        await pilot.press("H")
        await _reloaded(pilot, screen, lambda: first.lid in [r.message.lid for r in _rows(screen)])
        table = screen.query_one(TriageTable)
        assert table.get_row(str(first.lid))[4].plain == "✓ handled"
        assert "handled shown" in _text(screen, "#triage-title")
        _select(screen, first.lid)
        await pilot.press("h")
        await _reloaded(pilot, screen, lambda: table.get_row(str(first.lid))[4].plain == "")
        await pilot.press("H")
        await _reloaded(pilot, screen, lambda: len(_rows(screen)) == len(rows))
        await pilot.press("u")
        await wait_for(pilot, lambda: any(n.message == "Nothing to undo." for n in app._notifications), "nothing")


async def test_send_again_from_another_phone_links_the_new_message(session: Session, sim: TestSimulator) -> None:
    unclear, _ = _unclear_and_refused(session)
    app = build_app(session, sim)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: threads_shown(app) > 0, "the conversation list")
        screen = await _failures(pilot)
        failed = next(r.message for r in _rows(screen) if r.message.status == 9 and r.message.device_id == OLD_PHONE)
        _select(screen, failed.lid)
        await pilot.press("R")
        dialog = await wait_for(pilot, lambda: isinstance(app.screen, RetryDialog) and app.screen, "the dialog")
        await settle(pilot)
        assert "It failed: Generic failure" in _text(dialog, "#retry-why")
        device = dialog.query_one("#retry-device", Select)
        assert device.value == OLD_PHONE  # starts with the phone it failed on ...
        assert "offline" in _text(dialog, "#retry-warning")  # ... which is offline, and says so
        # Another phone, as typed: open the list, pick the travel phone (listed first).
        device.focus()
        await pilot.press("enter")
        await pilot.press("home", "enter")
        await wait_for(pilot, lambda: device.value == TRAVEL_PHONE, "the travel phone chosen")
        assert dialog.query_one("#retry-slot", Select).value == 0
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, TriageScreen), "back in the list")
        await wait_for(pilot, lambda: any(n.title == "Sending again" for n in app._notifications), "queued")
        retries = await wait_for(
            pilot, lambda: session.store.retry_links(failed.lid)[1], "the new message linked to the failed one"
        )
        (retry,) = retries
        assert (retry.device_id, retry.slot, retry.body, retry.phone) == (TRAVEL_PHONE, 0, failed.body, failed.phone)
        assert retry.lid != failed.lid and session.store.retry_links(retry.lid)[0].lid == failed.lid
        # The failed one is handled now (hidden); with H it shows what became of its retry.
        await _reloaded(pilot, screen, lambda: failed.lid not in [r.message.lid for r in _rows(screen)])
        await pilot.press("H")
        await _reloaded(pilot, screen, lambda: failed.lid in [r.message.lid for r in _rows(screen)])
        await wait_for(
            pilot,
            lambda: screen.query_one(TriageTable).get_row(str(failed.lid))[4].plain.startswith("↻ retried: "),
            "the retry's state",
        )
        # Both messages' details name the other.
        _select(screen, failed.lid)
        await pilot.press("i")
        detail = await wait_for(pilot, lambda: isinstance(app.screen, MessageDetailScreen) and app.screen, "details")
        await wait_for(pilot, lambda: "Sent again: as " in detail.plain, "the link in the details")
        await pilot.press("escape")
        # An unclear send warns that it may arrive twice.
        _select(screen, unclear)
        await pilot.press("R")
        dialog = await wait_for(pilot, lambda: isinstance(app.screen, RetryDialog) and app.screen, "the dialog")
        assert any("may reach them twice" in str(s.render()) for s in dialog.query(Static))
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, TriageScreen), "cancelled")
        assert session.store.retry_links(unclear) == (None, [])


async def test_stuck_ones_join_and_several_are_sent_again_at_once_after_a_confirmation(
    session: Session, sim: TestSimulator
) -> None:
    # Issue 16 item 5: the offline phone's messages are still New hours later: stuck. Chosen with
    # space, R sends them all again from another phone, each a new message linked to its original.
    unclear, refused = _unclear_and_refused(session)
    app = build_app(session, sim)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: threads_shown(app) > 0, "the conversation list")
        screen = await _failures(pilot)
        table = screen.query_one(TriageTable)
        stuck = [r.message for r in _rows(screen) if r.message.status in (1, 2) and r.message.sms_id is not None]
        assert stuck, [r.message.status for r in _rows(screen)]
        assert all(m.device_id == OLD_PHONE for m in stuck)  # the offline phone's
        assert table.get_row(str(stuck[0].lid))[2].plain == "◷ Stuck"
        _select(screen, stuck[0].lid)
        await pilot.pause()
        assert "may still go out from this one later" in _text(screen, "#triage-detail")
        # Choose the stuck one and the unclear one, as a user would: space on each.
        await pilot.press("space")
        _select(screen, unclear)
        await pilot.press("space")
        await pilot.pause()
        assert screen.chosen == {stuck[0].lid, unclear}
        assert table.get_row(str(unclear))[0].plain.startswith("● ")
        await pilot.press("R")
        dialog = await wait_for(pilot, lambda: isinstance(app.screen, RetryDialog) and app.screen, "the dialog")
        assert "Send 2 messages again" in str(dialog.query_one(".dialog-title", Static).render())
        dialog.query_one("#retry-device", Select).value = TRAVEL_PHONE
        await pilot.pause()
        await pilot.press("ctrl+s")
        from smstui.tui.dialogs.confirm import ConfirmDialog

        confirm = await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog) and app.screen, "the question")
        text = str(confirm.query_one("#confirm-text", Static).render())
        assert "Galaxy A12 (travel) (#1297)" in text and "can reach them twice" in text
        await pilot.press("tab", "enter")  # No has the focus: the user moves to Send 2
        await wait_for(pilot, lambda: isinstance(app.screen, TriageScreen), "back to the list")

        def linked() -> list[int]:
            return [lid for lid in (stuck[0].lid, unclear) if session.store.retry_links(lid)[1]]

        await wait_for(pilot, lambda: len(linked()) == 2, "both sent again and linked")
        await settle(pilot)
        for lid in (stuck[0].lid, unclear):
            _, retries = session.store.retry_links(lid)
            assert [r.device_id for r in retries] == [TRAVEL_PHONE]
        assert screen.chosen == set()
