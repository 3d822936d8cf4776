"""Composing: every slot, scheduling, bad numbers, past times, images, drafts, the modal."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from textual.widgets import Input, TextArea
from ui_helpers import BERLIN, build_app, settle, threads_shown, wait_for

from smstui.core.models import Slot
from smstui.core.session import Session
from smstui.core.store.schema import QUEUED, SUBMITTED
from smstui.simulator.seed import OFFICE_PHONE, TINY_PNG
from smstui.simulator.testing import TestSimulator
from smstui.tui.dialogs.compose import ComposeScreen
from smstui.tui.screens.conversations import ConversationsScreen
from smstui.tui.widgets.compose_form import ComposeForm
from smstui.tui.widgets.format import status_parts
from smstui.tui.widgets.thread_view import ThreadView

ANNA = "+4915123456781"  # talks over the office phone (dual SIM)


async def _open_pane(pilot, phone_key: str = ANNA) -> tuple[ThreadView, ComposeForm]:  # type: ignore[no-untyped-def]
    app = pilot.app
    await wait_for(pilot, lambda: threads_shown(app) > 0, "the conversation list")
    app.screen.show_thread(phone_key)
    view = app.screen.query_one(ThreadView)
    await wait_for(pilot, lambda: view.phone_key == phone_key and view.messages, "the thread")
    await pilot.press("r")
    form = app.screen.query_one(ComposeForm)
    await wait_for(pilot, lambda: isinstance(app.focused, TextArea), "the compose body")
    return view, form


def _errors(form: ComposeForm) -> str:
    return str(form.query_one("#compose-errors").render())


def _rows(session: Session, body: str):  # type: ignore[no-untyped-def]
    return [m for m in session.store.messages(phone_key=ANNA, limit=50) if m.body == body]


async def test_send_from_the_pane_with_each_slot(session: Session, sim: TestSimulator) -> None:
    app = build_app(session, sim)
    async with app.run_test(size=(120, 40)) as pilot:
        view, form = await _open_pane(pilot)
        form.set_field("device", OFFICE_PHONE)
        await pilot.pause()
        offered = [Slot(value) for _, value in form.query_one("#compose-slot")._options if isinstance(value, int)]
        assert offered == list(session.store.device(OFFICE_PHONE).device.slots)
        assert set(offered) == set(Slot)  # dual SIM: SMS 1/2, WhatsApp, WA Business, RCS 1/2
        for slot in offered:
            body = f"hello over {slot.label}"
            form.set_field("slot", slot)
            form.focus_body()
            await pilot.press(*body)
            await pilot.press("ctrl+s")
            # It shows in the thread at once (queued), before the gateway answers.
            await wait_for(pilot, lambda: any(m.body == body for m in view.messages), f"{slot.label} in the thread")
            await settle(pilot)
            rows = _rows(session, body)
            assert len(rows) == 1 and rows[0].slot == int(slot) and rows[0].device_id == OFFICE_PHONE
            assert rows[0].outbox in (QUEUED, SUBMITTED)
            assert form.body == ""  # cleared after the send; device and slot stay
            assert form.slot == slot
        submitted = [m for m in session.store.messages(phone_key=ANNA, limit=50) if m.body.startswith("hello over")]
        assert all(m.sms_id is not None for m in submitted)


async def test_counter_shows_encoding_and_parts(session: Session, sim: TestSimulator) -> None:
    app = build_app(session, sim)
    async with app.run_test(size=(120, 40)) as pilot:
        _, form = await _open_pane(pilot)
        form.set_field("slot", Slot.SMS1)
        await pilot.press(*"Hi")
        info = str(form.query_one("#compose-info").render())
        assert "2 chars" in info and "GSM-7" in info and "1 SMS" in info
        form.set_field("body", "Привет " * 12)  # Cyrillic: UCS-2, 84 chars -> 2 parts
        await pilot.pause()
        info = str(form.query_one("#compose-info").render())
        assert "UCS-2" in info and "2 SMS" in info


async def test_schedule_relative_time(session: Session, sim: TestSimulator) -> None:
    app = build_app(session, sim)
    async with app.run_test(size=(120, 40)) as pilot:
        view, form = await _open_pane(pilot)
        await pilot.press(*"see you later")
        form.set_field("when", "+2h")
        await wait_for(
            pilot, lambda: "⏲" in str(form.query_one("#compose-info").render()), "the time in the counter line"
        )
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: _rows(session, "see you later"), "the scheduled message")
        await settle(pilot)
        row = _rows(session, "see you later")[0]
        assert row.scheduled_at is not None
        assert abs((row.scheduled_at - (sim.clock() + timedelta(hours=2))).total_seconds()) < 2
        shown = await wait_for(
            pilot,
            lambda: next((m for m in view.messages if m.body == "see you later"), None),
            "the message in the thread",
        )
        assert status_parts(shown, sim.clock(), BERLIN)[1].startswith("scheduled")


async def test_past_time_is_rejected(session: Session, sim: TestSimulator) -> None:
    app = build_app(session, sim)
    async with app.run_test(size=(120, 40)) as pilot:
        _, form = await _open_pane(pilot)
        await pilot.press(*"too late")
        form.set_field("when", "2020-01-01 10:00")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "in the past" in _errors(form)
        assert not _rows(session, "too late")
        assert form.body == "too late"  # nothing typed is lost


async def test_image_only_on_whatsapp(session: Session, sim: TestSimulator, tmp_path: Path) -> None:
    image = tmp_path / "photo.png"
    image.write_bytes(TINY_PNG)
    not_image = tmp_path / "notes.txt"
    not_image.write_text("hello")
    app = build_app(session, sim)
    async with app.run_test(size=(120, 40)) as pilot:
        _, form = await _open_pane(pilot)
        await pilot.press("ctrl+o")  # more options: urgent, customer id, image
        assert form.show_extras
        await pilot.press(*"look at this")
        form.set_field("slot", Slot.SMS1)
        form.set_field("image", str(image))
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "only be sent over WhatsApp" in _errors(form)
        form.set_field("slot", Slot.WHATSAPP)
        form.set_field("image", str(not_image))
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "not a JPEG, PNG" in _errors(form)
        form.set_field("image", str(image))
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: _rows(session, "look at this"), "the image message")
        await settle(pilot)
        row = _rows(session, "look at this")[0]
        assert row.slot == int(Slot.WHATSAPP) and row.image_path == str(image)


async def test_new_message_modal_marks_invalid_numbers(session: Session, sim: TestSimulator) -> None:
    app = build_app(session, sim)
    before = session.store.message_count()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: threads_shown(app), "the conversation list")
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, ComposeScreen), "the compose modal")
        await pilot.press(*"12345, +4915123456781")
        checks = str(app.screen.query_one("#compose-recipients-check").render())
        assert "✗ 12345" in checks and "✓ +49 1512 3456781" in checks
        await pilot.press("tab", *"hi both")
        await pilot.press("ctrl+s")
        await pilot.pause()
        form = app.screen.query_one(ComposeForm)
        assert "12345" in _errors(form)
        assert session.store.message_count() == before
        # Fix the number: one message per recipient, then the thread opens.
        recipients = app.screen.query_one("#compose-recipients", Input)
        recipients.value = "+4915123456781, +4917012345673"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationsScreen), "the modal to close")
        await settle(pilot)
        assert session.store.message_count() == before + 2


async def test_modal_send_opens_the_thread_with_the_message_queued(session: Session, sim: TestSimulator) -> None:
    app = build_app(session, sim)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: threads_shown(app), "the conversation list")
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, ComposeScreen), "the compose modal")
        await pilot.press(*"+4915123456781", "tab", *"first contact")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationsScreen), "the modal to close")
        view = app.screen.query_one(ThreadView)
        await wait_for(
            pilot,
            lambda: view.phone_key == ANNA and any(m.body == "first contact" for m in view.messages),
            "the new message in its thread",
        )


async def test_draft_survives_closing_the_pane_and_a_restart(session: Session, sim: TestSimulator) -> None:
    app = build_app(session, sim)
    async with app.run_test(size=(120, 40)) as pilot:
        _, form = await _open_pane(pilot)
        await pilot.press(*"half-written thought")
        await pilot.press("escape")  # close the pane
        await settle(pilot)
        assert not app.screen.query_one("#compose-pane").display
    assert session.store.draft(f"thread:{ANNA}")["body"] == "half-written thought"
    again = build_app(session, sim)
    async with again.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: threads_shown(again), "the conversation list")
        again.screen.show_thread(ANNA)
        # The pane's form is built after the first frame: wait for its fields.
        await wait_for(
            pilot,
            lambda: (pane := again.screen.compose_form) is not None and pane.body == "half-written thought",
            "the restored draft",
        )
        assert again.screen.query_one("#compose-pane").display


async def test_modal_draft_is_kept_on_escape(session: Session, sim: TestSimulator) -> None:
    app = build_app(session, sim)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: threads_shown(app), "the conversation list")
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, ComposeScreen), "the compose modal")
        await pilot.press(*"+4917012345673", "tab", *"later")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationsScreen), "the modal to close")
        await settle(pilot)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, ComposeScreen), "the compose modal again")
        form = app.screen.query_one(ComposeForm)
        await wait_for(pilot, lambda: form.body == "later", "the draft")
        assert app.screen.query_one("#compose-recipients", Input).value == "+4917012345673"
