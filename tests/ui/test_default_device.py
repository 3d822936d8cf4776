"""The device a form starts with, and what its choice shows (issue 13, item 4).

Compose, bulk and newsletter defaulted to the alphabetically first device, here an offline phone
without SIM info. They must default to the profile's default_device, else the device last used
for the thread or form, else the online device that sent most recently; every choice shows the
title literally with its #id, SIMs and online state; an offline phone or a slot without a SIM is
warned about before ctrl+s (which still sends).
"""

from __future__ import annotations

from dataclasses import replace

from textual.widgets import Input, Select, Static
from ui_helpers import build_app, settle, threads_shown, wait_for

from smstui.core.contacts import create_tag
from smstui.core.session import Session
from smstui.simulator.testing import TestSimulator
from smstui.tui.dialogs.compose import ComposeScreen
from smstui.tui.dialogs.newsletter_form import NewsletterDialog
from smstui.tui.screens.bulk import BulkScreen
from smstui.tui.screens.newsletters import NewslettersScreen

OFFLINE = 260  # 'SM-F NIK!': offline, no SIM info
LAST_SENDER = 11231  # 'Pixel 7 (office)': online, two SIMs, sent the latest message
OTHER_ONLINE = 1297  # 'Galaxy A12 (travel)': online, one SIM, sent earlier
FIRST_TITLE = "[b]Aardvark\x1b[31m"  # sorts first; markup and an escape to be shown literally


def shown(select: Select) -> str:
    return str(select.query_one("SelectCurrent #label", Static).render())


def rename_offline_first(session: Session) -> None:
    store = session.store
    devices = [d.device for d in store.devices()]
    store.save_devices([d._replace(title=FIRST_TITLE) if d.id == OFFLINE else d for d in devices])
    assert store.devices()[0].device.id == OFFLINE  # the alphabetically first is the offline phone


async def test_forms_default_to_the_online_device_that_sent_last(session: Session, sim: TestSimulator) -> None:
    rename_offline_first(session)
    await create_tag(session.store, session.client, "Kunden")
    app = build_app(session, sim)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: threads_shown(app), "the conversation list")

        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, ComposeScreen), "the compose modal")
        await settle(pilot)
        select = app.screen.query_one("#compose-device", Select)
        assert select.value == LAST_SENDER
        label = shown(select)
        assert "#11231" in label and "online" in label and "SIM1" in label and "SIM2" in label
        warning = app.screen.query_one("#compose-warning", Static)
        assert not warning.display  # online, with a SIM in the chosen slot

        # The offline phone: its title literal (markup and escape visible, never applied), and a
        # warning before ctrl+s.
        select.value = OFFLINE
        await pilot.pause()
        label = shown(select)
        assert "[b]Aardvark" in label and "#260" in label and "offline" in label and "no SIM info" in label
        assert "\x1b" not in label
        assert warning.display
        assert "offline" in str(warning.render())
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, ComposeScreen), "the modal to close")

        await pilot.press("f6")
        await wait_for(pilot, lambda: isinstance(app.screen, BulkScreen), "the bulk screen")
        await settle(pilot)
        bulk = app.screen
        select = bulk.query_one("#bulk-device", Select)
        assert select.value == LAST_SENDER
        assert "#11231" in shown(select) and "online" in shown(select)
        assert not bulk.query_one("#bulk-device-warning", Static).display
        select.value = OFFLINE
        await pilot.pause()
        warning = bulk.query_one("#bulk-device-warning", Static)
        assert warning.display and "offline" in str(warning.render())

        await pilot.press("f5")
        await wait_for(pilot, lambda: isinstance(app.screen, NewslettersScreen), "the newsletters screen")
        await settle(pilot)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, NewsletterDialog), "the newsletter form")
        await pilot.pause()
        select = app.screen.query_one("#nl-device", Select)
        assert select.value == LAST_SENDER
        assert "#11231" in shown(select) and "SIM1" in shown(select)


async def test_profile_default_then_the_forms_last_device(session: Session, sim: TestSimulator) -> None:
    rename_offline_first(session)
    app = build_app(session, sim)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: threads_shown(app), "the conversation list")
        # Send once through the other online phone: the next compose starts with it.
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, ComposeScreen), "the compose modal")
        await settle(pilot)
        app.screen.query_one("#compose-device", Select).value = OTHER_ONLINE
        await pilot.pause()
        await pilot.press(*"+15557770001", "tab", *"hello")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, ComposeScreen), "the message to be queued")
        await settle(pilot)
        await pilot.press("escape")
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, ComposeScreen), "the compose modal again")
        await settle(pilot)
        assert app.screen.query_one("#compose-device", Select).value == OTHER_ONLINE
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, ComposeScreen), "the modal to close")

        # The profile's default_device comes first, even for an offline phone (then warned about).
        session.profile = replace(session.profile, default_device=OFFLINE)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, ComposeScreen), "the compose modal, third time")
        await settle(pilot)
        assert app.screen.query_one("#compose-device", Select).value == OFFLINE
        assert app.screen.query_one("#compose-warning", Static).display


async def test_sending_through_an_offline_phone_is_warned_not_blocked(session: Session, sim: TestSimulator) -> None:
    rename_offline_first(session)
    app = build_app(session, sim)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: threads_shown(app), "the conversation list")
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, ComposeScreen), "the compose modal")
        await settle(pilot)
        form = app.screen
        form.query_one("#compose-device", Select).value = OFFLINE
        await pilot.pause()
        assert form.query_one("#compose-slot", Select).value == 0  # SIM 1, which it never reported
        text = str(form.query_one("#compose-warning", Static).render())
        assert "offline" in text and "no SIM info" in text and "ctrl+s still sends" in text
        form.query_one("#compose-recipients", Input).focus()
        await pilot.press(*"+15557770002", "tab", *"anyway")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, ComposeScreen), "the message to be queued")
        await settle(pilot)
        sent = [m for m in session.store.thread_messages("+15557770002") if m.body == "anyway"]
        assert [m.device_id for m in sent] == [OFFLINE]
