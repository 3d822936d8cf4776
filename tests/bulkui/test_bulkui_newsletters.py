"""Pilot tests of the newsletters screen and its form."""

from __future__ import annotations

from types import SimpleNamespace

from bulkui_helpers import Host, idle, table_rows, wait_for
from textual.widgets import Input, Select, SelectionList, TextArea

from smstui.core.contacts import add_contact, create_tag
from smstui.simulator.testing import TestSimulator
from smstui.tui.dialogs.newsletter_form import NewsletterDialog
from smstui.tui.screens.newsletters import NewslettersScreen


async def seed_tags(session: SimpleNamespace) -> tuple[int, int]:
    kunden = await create_tag(session.store, session.client, "Kunden")
    team = await create_tag(session.store, session.client, "Team")
    await add_contact(session.store, session.client, kunden, "+4915752982212", "Ann")
    await add_contact(session.store, session.client, kunden, "+4915123450000", "Failing")
    await add_contact(session.store, session.client, team, "+4915752982212", "Ann")
    return kunden.id, team.id


async def test_create_newsletter_and_follow_its_progress(sim_empty: TestSimulator, ui_session: SimpleNamespace) -> None:
    kunden, team = await seed_tags(ui_session)
    app = Host(lambda: NewslettersScreen(ui_session), clock=sim_empty.clock, session=ui_session)
    async with app.run_test(size=(100, 34)) as pilot:
        await idle(pilot)
        assert "No newsletters yet" in str(app.screen.query_one("#nl-detail").render())
        await pilot.press("n")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, NewsletterDialog)
        assert "phone" in str(form.query_one("#nl-reminder").render())

        await pilot.press("ctrl+s")  # empty form: errors, nothing sent
        await pilot.pause()
        errors = str(form.query_one("#nl-errors").render())
        assert "title" in errors and "text" in errors and "tag" in errors
        assert sim_empty.state.pakets == {}

        await pilot.press(*"Sale")
        form.query_one("#nl-device", Select).value = 11231
        form.query_one("#nl-body", TextArea).text = "20% off today"
        tags = form.query_one("#nl-tags", SelectionList)
        tags.select(kunden)
        tags.select(team)
        await pilot.pause()
        assert "2 number(s)" in str(form.query_one("#nl-recipients").render())
        counter = str(form.query_one("#nl-counter").render())
        assert "13 chars" in counter and "2 recipient(s) × 1 SMS = 2 SMS" in counter
        form.query_one("#nl-when", Input).value = "yesterday"
        await pilot.pause()
        assert "cannot read" in str(form.query_one("#nl-when-check").render())
        form.query_one("#nl-when", Input).value = "now"
        await pilot.press("ctrl+s")
        await idle(pilot)
        assert isinstance(app.screen, NewslettersScreen)
        [paket] = sim_empty.state.pakets.values()
        assert (paket.title, paket.body, paket.device_id) == ("Sale", "20% off today", 11231)
        rows = table_rows(app, "#newsletter-table")
        assert rows[0][:4] == ["Sale", "now", "created", "2"]
        assert any("start it" in n.message for n in app._notifications)

        await pilot.press("r")
        await idle(pilot)
        assert table_rows(app, "#newsletter-table")[0][2:5] == ["sending", "2", "2"]
        sim_empty.advance(60)
        await pilot.press("r")
        await idle(pilot)
        row = table_rows(app, "#newsletter-table")[0]
        assert row[2] == "done with failures" and row[4:] == ["0", "0", "1", "1"]


async def test_slot_follows_the_device(sim_empty: TestSimulator, ui_session: SimpleNamespace) -> None:
    await seed_tags(ui_session)
    app = Host(lambda: NewslettersScreen(ui_session), clock=sim_empty.clock, session=ui_session)
    async with app.run_test(size=(100, 34)) as pilot:
        await idle(pilot)
        await pilot.press("n")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, NewsletterDialog)
        device = form.query_one("#nl-device", Select)
        device.value = 1297  # the single-SIM travel phone
        await wait_for(pilot, lambda: form.query_one("#nl-slot", Select).value == 0, "slot reset")
        labels = [str(p) for p, _ in form._slot_options(1297)]
        assert "SMS 2" not in labels and "SMS 1" in labels
