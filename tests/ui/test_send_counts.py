"""Per-SIM send counters in compose and on the devices screen, and the limit warning before a send."""

from __future__ import annotations

from dataclasses import replace

from textual.widgets import TextArea
from ui_helpers import build_app, settle, threads_shown, wait_for

from smstui.core.send_limits import SendLimits, SimLimit
from smstui.core.session import Session
from smstui.simulator.seed import OFFICE_PHONE
from smstui.simulator.testing import TestSimulator
from smstui.tui.screens.devices import DevicesScreen
from smstui.tui.widgets.compose_form import ComposeForm
from smstui.tui.widgets.thread_view import ThreadView

ANNA = "+4915123456781"


def _text(form: ComposeForm, widget_id: str) -> str:
    return str(form.query_one(widget_id).render())


async def test_compose_counts_the_sims_sends_and_warns_before_the_limit(session: Session, sim: TestSimulator) -> None:
    # The seed's office phone sent messages today from SMS 1; a limit just above what it sent.
    session.config = replace(session.config, limits=SendLimits(SimLimit(daily=0, hourly=0)))
    app = build_app(session, sim)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: threads_shown(app) > 0, "the conversation list")
        app.screen.show_thread(ANNA)
        view = app.screen.query_one(ThreadView)
        await wait_for(pilot, lambda: view.phone_key == ANNA and view.messages, "the thread")
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.focused, TextArea), "the compose body")
        form = app.screen.query_one(ComposeForm)
        form.set_field("device", OFFICE_PHONE)
        form.set_field("slot", 0)
        await pilot.pause()
        counted = session.store.send_counts(*_windows(app))
        today = counted.get((OFFICE_PHONE, 0))
        sent = today.today if today else 0
        info = _text(form, "#compose-device-info")
        assert info.startswith(f"SMS 1: {sent} today, "), info
        assert "⚠" not in _text(form, "#compose-warning")
        # One more message than the limit allows.
        form._sent.limits = SendLimits(SimLimit(daily=sent))
        form._sent.forget()
        await pilot.press(*"over the limit")
        form.set_field("slot", 1)
        await pilot.pause()
        form.set_field("slot", 0)
        await pilot.pause()
        warning = _text(form, "#compose-warning")
        assert f"SMS 1 of Pixel 7 (office) (#{OFFICE_PHONE}): {sent} sent today + 1 = {sent + 1}" in warning
        assert f"past its daily limit of {sent} (ctrl+s still sends)" in warning
        # It warns; it does not stop the send, which then counts.
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: any(m.body == "over the limit" for m in view.messages), "the sent message")
        await settle(pilot)
        form.set_field("slot", 1)
        await pilot.pause()
        form.set_field("slot", 0)
        await pilot.pause()
        assert _text(form, "#compose-device-info").startswith(f"SMS 1: {sent + 1} today, "), _text(
            form, "#compose-device-info"
        )


async def test_the_devices_screen_shows_each_sims_counts_and_limits(session: Session, sim: TestSimulator) -> None:
    session.config = replace(
        session.config, limits=SendLimits(SimLimit(), {(OFFICE_PHONE, 1): SimLimit(daily=500, hourly=30)})
    )
    app = build_app(session, sim)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: threads_shown(app) > 0, "the conversation list")
        await pilot.press("f3")
        await wait_for(pilot, lambda: isinstance(app.screen, DevicesScreen), "the devices screen")
        screen = app.screen
        for _ in range(3):  # down to the office phone, as a user would
            if f"#{OFFICE_PHONE}" in str(screen.query_one("#device-detail").render()):
                break
            await pilot.press("down")
            await pilot.pause()
        detail = str(screen.query_one("#device-detail").render())
        assert f"#{OFFICE_PHONE}" in detail
        counts = session.store.send_counts(*_windows(app))
        sms1 = counts[(OFFICE_PHONE, 0)]
        assert f"sent: SMS 1: {sms1.today} today, {sms1.last_hour} in the last hour · " in detail, detail
        sms2 = counts[(OFFICE_PHONE, 1)]
        limit = "(limit 500 a day, 30 an hour)"  # SMS 2's own, from the config
        assert f"SMS 2: {sms2.today} today, {sms2.last_hour} in the last hour {limit}" in detail, detail
        # The office phone has no RCS sends today and no limit: not listed (it would only say 0).
        assert "RCS" not in detail


def _windows(app):  # type: ignore[no-untyped-def]
    from smstui.core.send_limits import windows

    return windows(app.clock(), app.tz)
