"""On-call lookups, typed as a person would: a message by its gateway id (the filter's ``#id``
and the palette), the message detail dialog, and the failed-conversations filter."""

from __future__ import annotations

from datetime import UTC, timedelta

from textual.command import CommandPalette
from textual.widgets import Input, Static
from ui_helpers import build_app, long_thread, settle, threads_shown, wait_for

from smstui.core.gateway_messages import Message
from smstui.core.session import Session
from smstui.simulator.records import Msg
from smstui.simulator.seed import OFFICE_PHONE
from smstui.simulator.testing import TestSimulator
from smstui.tui.screens.conversations import ConversationsScreen
from smstui.tui.widgets.thread_list import ThreadList
from smstui.tui.widgets.thread_view import ThreadView

ANNA = "+4915123456781"
LONG = "+4915550000001"


def _long_thread(session: Session, sim: TestSimulator) -> list[Message]:
    """A conversation longer than a page."""
    return long_thread(session, sim, LONG, first_id=10_000_000)


def _title(app) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one("#list-title", Static).render())


def _visible(view: ThreadView, index: int) -> bool:
    top = view._offsets[index]
    return view.scroll_y <= top and top + view._heights[index] <= view.scroll_y + view.scrollable_content_region.height


async def _selected_is(pilot, view: ThreadView, sms_id: int) -> None:  # type: ignore[no-untyped-def]
    await wait_for(
        pilot,
        lambda: view.selected_message is not None and view.selected_message.sms_id == sms_id,
        f"message {sms_id} selected",
    )
    await settle(pilot)


async def test_filter_hash_id_opens_the_conversation_at_that_message(session: Session, sim: TestSimulator) -> None:
    history = _long_thread(session, sim)
    target = history[100]  # far older than the first page of 200
    app = build_app(session, sim)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: threads_shown(app) > 1, "the conversation list")
        await pilot.press("slash", *f"#{target.id}")
        await wait_for(pilot, lambda: threads_shown(app) == 1, "the conversation holding it")
        assert app.screen.query_one(ThreadList).threads[0].phone_key == LONG
        assert f"message #{target.id}" in _title(app)
        await pilot.press("enter")
        view = app.screen.query_one(ThreadView)
        await _selected_is(pilot, view, target.id)
        assert app.focused is view and view.phone_key == LONG
        assert _visible(view, view.selected)
        # A window around it, not the 500 messages between it and the newest: older and newer
        # pages load as the view scrolls; End goes to the newest message.
        ids = [m.sms_id for m in view.messages]
        assert ids == [m.id for m in history[80 : 80 + len(ids)]] and len(ids) < 300
        assert view.has_older and view.has_newer
        view.scroll_end(animate=False, immediate=True)
        await wait_for(pilot, lambda: len(view.messages) > len(ids) and not view.loading_newer, "a newer page")
        assert [m.sms_id for m in view.messages] == [m.id for m in history[80 : 80 + len(view.messages)]]
        await pilot.press("end")
        await _selected_is(pilot, view, history[-1].id)
        assert not view.has_newer and view.messages[-1].sms_id == history[-1].id
        # A bare number is still a phone number; a bad id says what is wrong.
        filter_input = app.screen.query_one("#filter", Input)
        filter_input.value = ""
        filter_input.focus()
        await pilot.press(*"#12ab")
        await wait_for(pilot, lambda: "is a number" in app.screen.query_one(ThreadList).empty_text, "the hint")


async def test_an_id_the_store_lacks_is_asked_of_the_gateway(session: Session, sim: TestSimulator) -> None:
    from smstui.tui.dialogs.find_message import FindMessageDialog

    now = int(sim.clock().timestamp())
    fresh = sim.state.add_message(
        Msg(id=0, phone=ANNA, body="not synced yet", device_id=OFFICE_PHONE, created=now, status=9)
    )
    app = build_app(session, sim)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: threads_shown(app) > 1, "the conversation list")
        await pilot.press("slash", *f"#{fresh.id}")
        await wait_for(
            pilot, lambda: "Enter: look it up" in app.screen.query_one(ThreadList).empty_text, "'not stored'"
        )
        await pilot.press("enter")
        dialog = await wait_for(
            pilot, lambda: isinstance(app.screen, FindMessageDialog) and app.screen, "the find dialog"
        )
        assert "not in the local store" in str(dialog.query_one("#find-result", Static).render())
        await pilot.press("enter")  # ask the gateway
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationsScreen), "the conversation")
        view = app.screen.query_one(ThreadView)
        await _selected_is(pilot, view, fresh.id)
        assert view.selected_message.body == "not synced yet" and view.phone_key == ANNA
        assert session.store.message_by_sms_id(fresh.id) is not None


async def test_palette_finds_by_id_and_says_when_the_gateway_has_none(session: Session, sim: TestSimulator) -> None:
    from smstui.tui.dialogs.find_message import FindMessageDialog

    stored = session.store.messages(phone_key=ANNA, limit=5)[-1]
    app = build_app(session, sim)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: threads_shown(app) > 1, "the conversation list")
        await pilot.press("f3")  # from another screen too
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette), "the palette")
        await pilot.press(*"find message")
        palette = app.screen
        await wait_for(pilot, lambda: palette.query_one("CommandList").option_count > 0, "a match")
        await pilot.press("enter")
        dialog = await wait_for(
            pilot, lambda: isinstance(app.screen, FindMessageDialog) and app.screen, "the find dialog"
        )
        result = dialog.query_one("#find-result", Static)
        await pilot.press(*"abc", "enter")
        assert "is a number" in str(result.render())
        dialog.query_one("#find-id", Input).value = ""
        await pilot.press(*"999999999", "enter")
        await wait_for(pilot, lambda: "not in the local store" in str(result.render()), "'not stored'")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "has no message #999999999" in str(result.render()), "the gateway's no")
        assert isinstance(app.screen, FindMessageDialog)
        dialog.query_one("#find-id", Input).value = ""
        await pilot.press(*str(stored.sms_id), "enter")  # a stored one opens at once
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationsScreen), "the conversations")
        await _selected_is(pilot, app.screen.query_one(ThreadView), stored.sms_id)


async def test_message_detail_shows_every_field_and_copies_the_id(session: Session, sim: TestSimulator) -> None:
    from smstui.tui.dialogs.message_detail import MessageDetailScreen

    app = build_app(session, sim)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: threads_shown(app) > 1, "the conversation list")
        app.screen.show_thread(ANNA)
        view = app.screen.query_one(ThreadView)
        await wait_for(pilot, lambda: view.phone_key == ANNA and view.messages, "Anna's thread")
        await pilot.press("i")  # nothing selected yet: it says what to do
        assert not isinstance(app.screen, MessageDetailScreen)
        assert any("Select a message first" in n.message for n in app._notifications)
        await pilot.press("up", "enter")
        dialog = await wait_for(
            pilot, lambda: isinstance(app.screen, MessageDetailScreen) and app.screen, "the detail dialog"
        )
        await settle(pilot)
        msg = view.selected_message
        text = dialog.plain
        for expected in (
            str(msg.sms_id),
            str(msg.lid),
            f"#{msg.device_id}",
            "Europe/Berlin",
            "Created",
            "Customer id",
            "Newsletter",
            "Outbox",
            str(msg.status),
        ):
            assert expected in text, expected
        await pilot.press("g")
        assert app.clipboard == str(msg.sms_id)
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationsScreen), "closed")
        assert app.focused is view


async def test_failed_filter_and_failed_in_the_last_hour(session: Session, sim: TestSimulator) -> None:
    from smstui.demo import seed_local_contacts

    seed_local_contacts(session.store, sim.state)
    now = sim.clock()
    session.store.upsert_messages(
        [
            Message(
                id=77_000_001,
                phone=ANNA,
                body="just failed",
                status=9,
                device_id=OFFICE_PHONE,
                slot=0,
                created=now - timedelta(minutes=5),
            )
        ]
    )
    store = session.store
    failed_keys = {t.phone_key for t in store.threads() if t.failed}
    assert ANNA in failed_keys and len(failed_keys) > 1
    app = build_app(session, sim)
    async with app.run_test(size=(80, 24)) as pilot:
        total = await wait_for(pilot, lambda: threads_shown(app), "the conversation list")
        thread_list = app.screen.query_one(ThreadList)
        await pilot.press("f")
        await wait_for(pilot, lambda: threads_shown(app) == len(failed_keys), "only failed conversations")
        assert {t.phone_key for t in thread_list.threads} == failed_keys
        assert "✗ failed" in _title(app)
        await pilot.press("F")
        await wait_for(pilot, lambda: threads_shown(app) == 1, "what failed in the last hour")
        assert thread_list.threads[0].phone_key == ANNA and "last hour" in _title(app)
        # With the name filter: nothing else failed recently.
        await pilot.press("slash", *"zoe")
        await wait_for(pilot, lambda: threads_shown(app) == 0, "no recent failure for Zoë")
        assert "Nothing matching the filter failed in the last hour" in thread_list.empty_text
        await pilot.press("escape", "escape")  # clear the filter text, back to the list
        await wait_for(pilot, lambda: threads_shown(app) == 1, "the last hour again")
        await pilot.press("escape")  # the failure filter goes next
        await wait_for(pilot, lambda: threads_shown(app) == total, "every conversation again")
        assert "failed" not in _title(app)
        # An id names one message: asking for failures replaces it.
        await pilot.press("slash", *"#12345", "tab")
        await wait_for(pilot, lambda: "message #12345" in _title(app), "the id filter")
        thread_list.focus()
        await pilot.press("f")
        await wait_for(pilot, lambda: threads_shown(app) == len(failed_keys), "failed conversations")
        assert app.screen.query_one("#filter", Input).value == "" and "✗ failed" in _title(app)


def test_detail_rows_tell_the_outbox_history_and_show_network_text_literally() -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from rich.text import Text

    from smstui.core.store.records import MessageExtras, StoredMessage
    from smstui.core.store.schema import UNKNOWN
    from smstui.tui.dialogs.message_detail import Zones, detail_rows

    created = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)  # the night Berlin moves to summer time
    msg = StoredMessage(
        lid=7,
        sms_id=None,
        phone="0151 23456781",
        phone_key=ANNA,
        body="[red]not markup[/] \x1b[31m",
        status=None,
        status_title=None,
        device_id=OFFICE_PHONE,
        slot=1,
        created=created,
        sent_at=None,
        scheduled_at=None,
        customer_id=122,
        urgent=True,
        paket_id=None,
        incoming=False,
        outbox=UNKNOWN,
        outbox_error="the gateway did not answer \x07",
        attempts=2,
        image_path=None,
        batch=None,
        attempted_at=created,
        next_attempt=created + timedelta(minutes=5),
        recon_misses=1,
        resent=True,
    )
    extras = MessageExtras(None, None, created, None, ((9, 62807349),))
    zones = Zones(ZoneInfo("Europe/Berlin"), ZoneInfo("Australia/Sydney"))
    rows = dict(detail_rows(msg, extras, device_title="Pixel [b]7[/b]", zones=zones, now=created))
    assert all(isinstance(value, Text) for value in rows.values())
    assert "none yet" in rows["Gateway id"].plain and rows["Local id"].plain == "7"
    assert "lost" in rows["Status"].plain and "unknown" in rows["Status"].plain
    assert rows["Device"].plain == f"#{OFFICE_PHONE} Pixel [b]7[/b]"  # literal, never markup
    assert rows["Slot"].plain == "SMS 2 (sim 1)" and rows["Customer id"].plain == "122"
    assert rows["Created"].plain.splitlines() == [
        "2026-03-29 01:30:00 CET  yours",
        "2026-03-29 11:30:00 AEDT  the account's",
    ]
    outbox = rows["Outbox"].plain
    for expected in (
        "unknown · 2 requests failed",
        "next lookup",
        "1 lookup on the gateway found nothing",
        "error: the gateway did not answer ␇",
        "sent again",
        "local #9, gateway id 62807349",
    ):
        assert expected in outbox, expected
    assert rows["Text"].plain == "[red]not markup[/] ␛[31m"


async def test_a_window_view_loads_newer_pages_and_ignores_what_lies_past_its_end() -> None:
    from dataclasses import replace as changed

    from test_thread_view import ViewApp, _layout_matches_rendering, _msg

    app = ViewApp()
    async with app.run_test(size=(70, 20)) as pilot:
        view = app.query_one(ThreadView)
        rows = [_msg(i) for i in range(400)]
        view.set_messages(rows[100:200], has_older=True, has_newer=True, select=rows[120].lid)
        await pilot.pause()
        assert view.selected_message == rows[120]
        _layout_matches_rendering(view)
        assert view.virtual_size.height == 1 + sum(view._heights) + 1  # the "newer messages" line
        view.scroll_end(animate=False, immediate=True)
        await pilot.pause()
        assert view.loading_newer  # the bottom asked for the next page (NeedNewer)
        assert "newer messages" in view.render_line(view.size.height - 1).text
        # A live update: a change inside the window shows; a message past its end waits for its page.
        view.upsert([changed(rows[150], body="edited"), rows[300]])
        assert view.messages[50].body == "edited" and len(view.messages) == 100
        view.append(rows[200:300], has_newer=False)
        await pilot.pause()
        assert [m.lid for m in view.messages] == [m.lid for m in rows[100:300]]
        assert view.selected_message == rows[120] and not view.has_newer
        _layout_matches_rendering(view)
        assert view.virtual_size.height == 1 + sum(view._heights)


async def test_the_gateways_refusal_is_shown_literally(session: Session, sim: TestSimulator) -> None:
    from smstui.core.api.errors import GatewayError
    from smstui.tui.dialogs.find_message import FindMessageDialog

    async def refuse(sms_id: int):  # type: ignore[no-untyped-def]
        raise GatewayError("getsmsstatus", "[bold red]No[/] such \x1b[31mSMS")

    session.client.sms_status = refuse  # type: ignore[method-assign]
    app = build_app(session, sim)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: threads_shown(app) > 1, "the conversation list")
        await pilot.press("slash", *"#424242", "enter")
        dialog = await wait_for(pilot, lambda: isinstance(app.screen, FindMessageDialog) and app.screen, "the dialog")
        await pilot.press("enter")
        result = dialog.query_one("#find-result", Static)
        await wait_for(pilot, lambda: "has no message" in str(result.render()), "the refusal")
        assert "[bold red]No[/] such ␛[31mSMS" in str(result.render())
