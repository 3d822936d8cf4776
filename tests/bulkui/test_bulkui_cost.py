"""Pilot: the bulk preview and the newsletter form show the cost of the send before it goes."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from bulkui_helpers import Host, idle
from textual.widgets import Input, Select, SelectionList, TextArea

from smstui.core.contacts import add_contact, create_tag
from smstui.simulator.testing import TestSimulator
from smstui.tui.dialogs.newsletter_form import NewsletterDialog
from smstui.tui.screens.bulk import BulkScreen
from smstui.tui.screens.newsletters import NewslettersScreen

OFFICE = 11231
TEMPLATE = "Hallo {name}, Ihr Termin ist morgen um 9 Uhr. Bitte bringen Sie Ihre Karte mit. Bis dann!!"


async def test_bulk_preview_counts_each_message_after_its_placeholders(
    sim_empty: TestSimulator, ui_session: SimpleNamespace, tmp_path: Path
) -> None:
    path = tmp_path / "termine.csv"
    path.write_text("Handy;Name\n+4915123456781;Anna\n+4917612345678;Jörg\n+4915752982212;Łukasz\n", encoding="utf-8")
    app = Host(lambda: BulkScreen(ui_session), clock=sim_empty.clock, session=ui_session)
    async with app.run_test(size=(130, 40)) as pilot:
        await idle(pilot)
        screen = app.screen
        screen.query_one("#bulk-csv", Input).value = str(path)
        screen.query_one("#bulk-body", TextArea).text = TEMPLATE
        screen.query_one("#bulk-device", Select).value = OFFICE
        await pilot.pause()
        await pilot.press("ctrl+s")
        await idle(pilot)
        summary = str(screen.query_one("#bulk-summary").render())
        assert "Cost: 3 message(s), 1-2 SMS each = 4 SMS (1 as UCS-2)" in summary
        assert "'Ł' makes 1 message(s) UCS-2: 2 SMS each instead of 1" in summary
        assert "SMS 1: 0 today, 0 in the last hour · this send +3 message(s), 4 SMS" in summary


async def test_newsletter_form_names_the_character_that_doubles_the_parts(
    sim_empty: TestSimulator, ui_session: SimpleNamespace
) -> None:
    kunden = await create_tag(ui_session.store, ui_session.client, "Kunden")
    await add_contact(ui_session.store, ui_session.client, kunden, "+4915752982212", "Ann")
    await add_contact(ui_session.store, ui_session.client, kunden, "+4917612345672", "Ben")
    app = Host(lambda: NewslettersScreen(ui_session), clock=sim_empty.clock, session=ui_session)
    async with app.run_test(size=(160, 34)) as pilot:
        await idle(pilot)
        await pilot.press("n")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, NewsletterDialog)
        form.query_one("#nl-tags", SelectionList).select(kunden.id)
        form.query_one(
            "#nl-body", TextArea
        ).text = "Sommerschlussverkauf: ab morgen bis zu 50 % auf alles im Laden, nur bis Samstag 😀"
        await pilot.pause()
        counter = str(form.query_one("#nl-counter").render())
        assert "2 recipient(s) × 2 SMS = 4 SMS" in counter and "'😀' makes it UCS-2: 2 SMS instead of 1" in counter
