"""Pilot: the bulk screen, the newsletter form and the contacts list honour the suppression list."""

from __future__ import annotations

from collections import Counter
from types import SimpleNamespace

from bulkui_helpers import Host, idle, table_rows, wait_for
from textual.widgets import Button, Select, SelectionList, TextArea

from smstui.core.contacts import add_contact, create_tag
from smstui.simulator.testing import TestSimulator
from smstui.tui.dialogs.confirm import ConfirmDialog
from smstui.tui.dialogs.newsletter_form import NewsletterDialog
from smstui.tui.screens.bulk import BulkScreen
from smstui.tui.screens.newsletters import NewslettersScreen
from smstui.tui.screens.tags import TagsScreen

OFFICE = 11231
FAST = dict(settle_seconds=0, settle_margin=0, retry_delays=(0, 0, 0), lookup_retries=1, lookup_delay=0)


def outgoing(sim: TestSimulator) -> Counter[str]:
    return Counter(m.phone for m in sim.state.messages.values() if m.status != 5)


async def test_bulk_leaves_out_an_opted_out_number_until_confirmed(
    sim_empty: TestSimulator, ui_session: SimpleNamespace
) -> None:
    ui_session.store.set_optout("+4917612345672", True)
    app = Host(lambda: BulkScreen(ui_session, job_options=FAST), clock=sim_empty.clock, session=ui_session)
    async with app.run_test(size=(120, 40)) as pilot:
        await idle(pilot)
        screen = app.screen
        screen.query_one("#bulk-numbers", TextArea).text = "+4915752982212\n+4917612345672"
        screen.query_one("#bulk-body", TextArea).text = "Sale today"
        screen.query_one("#bulk-device", Select).value = OFFICE
        await pilot.pause()
        await pilot.press("ctrl+s")
        await idle(pilot)
        summary = str(screen.query_one("#bulk-summary").render())
        assert "1 message(s) to 1 number(s)" in summary
        assert "1 opted-out number(s) left out: +4917612345672" in summary
        assert [r[1] for r in table_rows(app, "#bulk-preview")] == ["+49 1575 2982212"]
        include = screen.query_one("#bulk-include-optouts", Button)
        assert include.display

        # Asked first; "No" (the default, and escape) keeps them out.
        await pilot.click("#bulk-include-optouts")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("escape")
        await pilot.pause()
        assert "left out" in str(screen.query_one("#bulk-summary").render())

        await pilot.press("ctrl+g")
        await idle(pilot)
        await wait_for(pilot, lambda: outgoing(sim_empty), "the send")
        assert outgoing(sim_empty) == Counter({"+4915752982212": 1})


async def test_confirming_includes_the_opted_out_number(sim_empty: TestSimulator, ui_session: SimpleNamespace) -> None:
    ui_session.store.set_optout("+4917612345672", True)
    app = Host(lambda: BulkScreen(ui_session, job_options=FAST), clock=sim_empty.clock, session=ui_session)
    async with app.run_test(size=(120, 40)) as pilot:
        await idle(pilot)
        screen = app.screen
        screen.query_one("#bulk-numbers", TextArea).text = "+4915752982212\n+4917612345672"
        screen.query_one("#bulk-body", TextArea).text = "Sale today"
        screen.query_one("#bulk-device", Select).value = OFFICE
        await pilot.pause()
        await pilot.press("ctrl+s")
        await idle(pilot)
        await pilot.click("#bulk-include-optouts")
        await pilot.pause()
        await pilot.click("#confirm-yes")
        await pilot.pause()
        summary = str(screen.query_one("#bulk-summary").render())
        assert "2 message(s) to 2 number(s)" in summary and "including 1 number(s) that opted out" in summary
        await pilot.press("ctrl+g")
        await idle(pilot)
        await wait_for(pilot, lambda: len(outgoing(sim_empty)) == 2, "both sends")


async def test_newsletter_form_and_contacts_show_opted_out_contacts(
    sim_empty: TestSimulator, ui_session: SimpleNamespace
) -> None:
    kunden = await create_tag(ui_session.store, ui_session.client, "Kunden")
    await add_contact(ui_session.store, ui_session.client, kunden, "+4915752982212", "Ann")
    await add_contact(ui_session.store, ui_session.client, kunden, "+4917612345672", "Ben")
    ui_session.store.set_optout("+4917612345672", True)
    app = Host(lambda: NewslettersScreen(ui_session), clock=sim_empty.clock, session=ui_session)
    async with app.run_test(size=(100, 34)) as pilot:
        await idle(pilot)
        await pilot.press("n")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, NewsletterDialog)
        form.query_one("#nl-tags", SelectionList).select(kunden.id)
        await pilot.pause()
        recipients = str(form.query_one("#nl-recipients").render())
        assert "2 number(s)" in recipients and "1 contact(s) in these tags opted out (+4917612345672)" in recipients

    tags = Host(lambda: TagsScreen(ui_session), clock=sim_empty.clock, session=ui_session)
    async with tags.run_test(size=(120, 34)) as pilot:
        await idle(pilot)
        rows = {r[0]: r[3] for r in table_rows(tags, "#contact-table")}
        assert rows["Ann"] == "" and rows["Ben"].startswith("opted out on ") and rows["Ben"].endswith("by hand")


async def test_o_on_a_contact_opts_it_out_and_lifts_it_after_asking(
    sim_empty: TestSimulator, ui_session: SimpleNamespace
) -> None:
    kunden = await create_tag(ui_session.store, ui_session.client, "Kunden")
    await add_contact(ui_session.store, ui_session.client, kunden, "+4917612345672", "Ben")
    app = Host(lambda: TagsScreen(ui_session), clock=sim_empty.clock, session=ui_session)
    async with app.run_test(size=(120, 34)) as pilot:
        await idle(pilot)
        await pilot.press("o")
        await idle(pilot)
        assert [o.phone for o in ui_session.store.optouts()] == ["+4917612345672"]
        await wait_for(pilot, lambda: table_rows(app, "#contact-table")[0][3].endswith("by hand"), "the column")
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.click("#confirm-yes")
        await idle(pilot)
        assert ui_session.store.optouts() == []
        await wait_for(pilot, lambda: table_rows(app, "#contact-table")[0][3] == "", "the column to clear")
