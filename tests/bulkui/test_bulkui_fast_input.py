"""The newsletter form and the CSV import dialog, driven fast from the keyboard (issue 13):
a paste followed at once by ctrl+s creates the newsletter with every pasted letter, and the
dialog's tabs are reachable by keys."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from bulkui_helpers import Host, idle, wait_for
from pilot_helpers import burst, paste
from textual.widgets import TabbedContent

from smstui.core.contacts import create_tag
from smstui.simulator.testing import TestSimulator
from smstui.tui.dialogs.csv_import import CsvImportDialog
from smstui.tui.dialogs.newsletter_form import NewsletterDialog
from smstui.tui.screens.newsletters import NewslettersScreen


async def test_newsletter_paste_then_ctrl_s_creates_it_whole(
    sim_empty: TestSimulator, ui_session: SimpleNamespace
) -> None:
    await create_tag(ui_session.store, ui_session.client, "Kunden")
    app = Host(lambda: NewslettersScreen(ui_session), clock=sim_empty.clock, session=ui_session)
    async with app.run_test(size=(100, 34)) as pilot:
        await idle(pilot)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, NewsletterDialog), "the newsletter form")
        form = app.screen
        await pilot.press(*"Sale")
        await pilot.click("#nl-tags")
        await pilot.press("space")  # choose the first tag
        await pilot.click("#nl-body")
        await burst(pilot, paste("Today: 20% off everything, every letter counts"), "ctrl+s")
        await idle(pilot)
        assert not isinstance(app.screen, NewsletterDialog), str(form.query_one("#nl-errors").render())
        [paket] = sim_empty.state.pakets.values()
        assert (paket.title, paket.body) == ("Sale", "Today: 20% off everything, every letter counts")
        [letter] = ui_session.store.newsletters()
        assert letter.body == "Today: 20% off everything, every letter counts"


async def test_csv_dialog_tabs_are_reachable_by_keys(
    sim_empty: TestSimulator, ui_session: SimpleNamespace, tmp_path: Path
) -> None:
    csv_path = tmp_path / "contacts.csv"
    csv_path.write_text("phone,name,tag\n+4915700000001,Ann,Berlin\nnot a number,X,Berlin\n", encoding="utf-8")
    app = Host(
        lambda: CsvImportDialog(ui_session.store, ui_session.client, region="DE", path=str(csv_path)),
        clock=sim_empty.clock,
        session=ui_session,
    )
    async with app.run_test(size=(110, 36)) as pilot:
        await idle(pilot)
        tabs = app.screen.query_one(TabbedContent)
        assert tabs.active == "csv-ready-pane"
        for key, pane in (
            ("alt+2", "csv-invalid-pane"),
            ("alt+3", "csv-failed-pane"),
            ("ctrl+pagedown", "csv-ready-pane"),
            ("ctrl+pageup", "csv-failed-pane"),
            ("alt+1", "csv-ready-pane"),
        ):
            await pilot.press(key)
            await pilot.pause()
            assert tabs.active == pane
            assert pane in {p.id for p in app.focused.ancestors if p.id}  # type: ignore[union-attr]
        assert app.screen.query_one("#csv-path").value == str(csv_path)  # the keys typed nothing
