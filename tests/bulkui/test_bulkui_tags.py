"""Pilot tests of the tags & contacts screen and the CSV import dialog."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from bulkui_helpers import Host, idle, table_rows, wait_for
from textual.widgets import DataTable, Input, OptionList, ProgressBar

from smstui.simulator.testing import TestSimulator
from smstui.tui.dialogs.csv_import import CsvImportDialog
from smstui.tui.dialogs.tags import TagTitleDialog
from smstui.tui.screens.tags import TagsScreen


def host(sim: TestSimulator, session: SimpleNamespace) -> Host:
    return Host(lambda: TagsScreen(session), clock=sim.clock, session=session)


async def test_create_tag_add_contact_and_search(sim_empty: TestSimulator, ui_session: SimpleNamespace) -> None:
    app = host(sim_empty, ui_session)
    async with app.run_test(size=(100, 30)) as pilot:
        await idle(pilot)
        assert isinstance(app.screen, TagsScreen)
        await pilot.press("n")
        await pilot.press(*"Kunden", "enter")
        await wait_for(pilot, lambda: table_rows(app, "#tag-table"), "the new tag")
        await idle(pilot)
        assert table_rows(app, "#tag-table")[0][:2] == ["Kunden", "0"]
        assert len(sim_empty.state.tags) == 1

        await pilot.press("a")
        await pilot.press(*"0157 52982212", "tab", *"Ann [red]x[/red]", "enter")
        await wait_for(pilot, lambda: table_rows(app, "#contact-table"), "the new contact")
        await idle(pilot)
        rows = table_rows(app, "#contact-table")
        assert rows[0][0] == "Ann [red]x[/red]"  # shown literally, never as markup
        assert rows[0][1] == "+49 1575 2982212"
        assert [c.phone for c in sim_empty.state.contacts.values()] == ["+4915752982212"]

        await pilot.press("slash", *"zzz")
        await idle(pilot)
        assert table_rows(app, "#tag-table") == []
        search = app.screen.query_one("#tags-search", Input)
        search.value = "ann"
        await idle(pilot)
        assert [r[0] for r in table_rows(app, "#tag-table")] == ["Kunden"]


async def test_a_dashboard_tag_is_added_by_id_and_titled_literally(
    sim_empty: TestSimulator, ui_session: SimpleNamespace
) -> None:
    account = sim_empty.state.accounts[sim_empty.email]
    dashboard = sim_empty.state.save_tag(account, "On the dashboard")  # smstui has never seen it
    app = host(sim_empty, ui_session)
    async with app.run_test(size=(100, 30)) as pilot:
        await idle(pilot)
        await pilot.press("n", *f"#{dashboard}", "enter")
        await wait_for(pilot, lambda: table_rows(app, "#tag-table"), "the recorded tag")
        await idle(pilot)
        assert table_rows(app, "#tag-table") == [["(no title: e)", "0", str(dashboard)]]
        assert len(sim_empty.state.tags) == 1  # recorded, not created again on the gateway

        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, TagTitleDialog), "the title dialog")
        assert f"tag {dashboard} (no title)" in str(app.screen.query_one(".dialog-title").render())
        await pilot.press(*"VIP [red]x[/red]", "enter")
        await wait_for(pilot, lambda: table_rows(app, "#tag-table")[0][0] != "(no title: e)", "the new title")
        await idle(pilot)
        assert table_rows(app, "#tag-table")[0][0] == "VIP [red]x[/red]"  # literal, never markup
        assert ui_session.store.tag_by_gateway_id(dashboard).title == "VIP [red]x[/red]"
        assert any("[red]x[/red]" in n.message for n in app._notifications)

        await pilot.press("e")  # renaming again starts from the current title; esc keeps it
        await wait_for(pilot, lambda: isinstance(app.screen, TagTitleDialog), "the title dialog")
        assert app.screen.query_one("#tag-title", Input).value == "VIP [red]x[/red]"
        await pilot.press("escape")
        await idle(pilot)

        await pilot.press("a", *"0157 52982212", "enter")  # contacts go to the gateway's tag id
        await wait_for(pilot, lambda: table_rows(app, "#contact-table"), "the new contact")
        await idle(pilot)
        [contact] = sim_empty.state.contacts.values()
        assert contact.tag_id == dashboard
        assert table_rows(app, "#contact-table")[0][2] == str(contact.id)


async def test_bad_number_is_refused_in_the_dialog(sim_empty: TestSimulator, ui_session: SimpleNamespace) -> None:
    app = host(sim_empty, ui_session)
    async with app.run_test(size=(100, 30)) as pilot:
        await idle(pilot)
        await pilot.press("n", *"T", "enter")
        await idle(pilot)
        await pilot.press("a", *"hello", "enter")
        await pilot.pause()
        assert "letters" in str(app.screen.query_one("#contact-error").render())
        await pilot.press("escape")
        await idle(pilot)
        assert isinstance(app.screen, TagsScreen)
        assert sim_empty.state.contacts == {}


async def test_csv_import_preview_progress_and_report(
    sim_empty: TestSimulator, ui_session: SimpleNamespace, tmp_path: Path
) -> None:
    csv_path = tmp_path / "contacts.csv"
    lines = ["Telefon;Name;Gruppe"] + [f"+49 157 {i:08d};Kunde {i};Berlin" for i in range(1, 31)]
    lines += ["keine Nummer;X;Berlin", "+4915700000001;Doppelt;Berlin"]
    csv_path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")

    app = host(sim_empty, ui_session)
    async with app.run_test(size=(110, 36)) as pilot:
        await idle(pilot)
        await pilot.press("i")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, CsvImportDialog)
        dialog.query_one("#csv-path", Input).value = str(csv_path)
        await pilot.press("enter")
        await idle(pilot)
        assert dialog.query_one("#csv-valid", DataTable).row_count == 30
        invalid = table_rows(app, "#csv-invalid")
        assert [r[0] for r in invalid] == ["32", "33"]
        assert invalid[1][2] == "same number and tag as line 2"

        # The gateway goes away after 10 contacts: a clear report, then a re-run finishes.
        fired: list[bool] = []

        def fault_after_ten() -> None:
            if len(sim_empty.state.contacts) >= 10 and not fired:
                fired.append(True)
                sim_empty.faults.set("http500", methods="savecontact", count=1)

        bar = dialog.query_one("#csv-progress", ProgressBar)
        seen: list[float] = []
        bar.watch(bar, "progress", lambda value: (seen.append(value), fault_after_ten()))
        await pilot.press("ctrl+s")
        await idle(pilot)
        report = dialog.report
        assert report is not None and not report.complete
        assert len(report.saved) == 10
        # HTTP 500 may mean "saved": that row is reported as maybe saved, the rest as not tried.
        assert "may have saved" in report.failed[0][1]
        assert "Stopped" in str(dialog.query_one("#csv-report").render())
        assert dialog.query_one("#csv-failed", DataTable).row_count == 30 - len(report.saved)
        assert max(seen) >= 10

        await pilot.press("ctrl+s")
        await idle(pilot)
        assert dialog.report is not None and dialog.report.complete
        assert len(dialog.report.skipped_existing) == 10 and len(dialog.report.saved) == 20
        await pilot.press("escape")
        await idle(pilot)
        assert isinstance(app.screen, TagsScreen)
        assert table_rows(app, "#tag-table")[0][:2] == ["Berlin", "30"]
    phones = [c.phone for c in sim_empty.state.contacts.values()]
    assert len(phones) == len(set(phones)) == 30  # nothing doubled (the 500 saved nothing)


async def test_command_palette_offers_the_screen_actions(sim_empty: TestSimulator, ui_session: SimpleNamespace) -> None:
    from smstui.tui.dialogs.tags import TagDialog

    app = host(sim_empty, ui_session)
    async with app.run_test(size=(100, 30)) as pilot:
        await idle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"new tag")

        def entries() -> list[str]:
            return [str(o.prompt) for ol in app.screen.query(OptionList) for o in ol.options]

        await wait_for(pilot, lambda: any(e.startswith("Tags: new tag") for e in entries()), "the palette entry")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TagDialog), "the new-tag dialog")
