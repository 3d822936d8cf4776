"""A newsletter is one text sent unchanged to all: ``Hi {name}`` reached every contact as
``{name}`` (issue 13, item 5). The form says so, flags and refuses placeholders, and offers Bulk
send (ctrl+b), which fills them per recipient."""

from __future__ import annotations

from textual.widgets import SelectionList, Static, TextArea
from ui_helpers import build_app, settle, threads_shown, wait_for

from smstui.core.contacts import create_tag
from smstui.core.session import Session
from smstui.simulator.testing import TestSimulator
from smstui.tui.dialogs.newsletter_form import NewsletterDialog
from smstui.tui.screens.bulk import BulkScreen
from smstui.tui.screens.newsletters import NewslettersScreen


async def test_newsletter_placeholders_are_refused_and_bulk_offered(session: Session, sim: TestSimulator) -> None:
    tag = await create_tag(session.store, session.client, "Kunden")
    app = build_app(session, sim)
    async with app.run_test(size=(100, 34)) as pilot:
        await wait_for(pilot, lambda: threads_shown(app), "the conversation list")
        await pilot.press("f5")
        await wait_for(pilot, lambda: isinstance(app.screen, NewslettersScreen), "the newsletters screen")
        await settle(pilot)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, NewsletterDialog), "the newsletter form")
        form = app.screen
        await pilot.pause()
        assert "one text, unchanged, to every contact" in str(form.query_one("#nl-one-text", Static).render())
        flag = form.query_one("#nl-placeholders", Static)
        assert not flag.display

        await pilot.press(*"Sale")
        form.query_one("#nl-body", TextArea).focus()
        await pilot.press(*"Hi {name}, 20% off")
        form.query_one("#nl-tags", SelectionList).select(tag.id)
        await pilot.pause()
        assert flag.display and "{name}" in str(flag.render())

        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, NewsletterDialog)  # refused, not sent
        errors = str(form.query_one("#nl-errors", Static).render())
        assert "{name}" in errors and "Bulk" in errors
        assert sim.state.pakets == {}

        await pilot.press("ctrl+b")
        await wait_for(pilot, lambda: isinstance(app.screen, BulkScreen), "the bulk screen")
        await wait_for(
            pilot,
            lambda: app.screen.query_one("#bulk-body", TextArea).text == "Hi {name}, 20% off",
            "the text carried over to bulk",
        )
