"""The bulk screen from the keyboard, in the real app (F6): the preview and the job's progress
stay in sight, every tab is reachable by keys, and what is sent is what the form holds
(issue 13, items 1 and 3). Checked at the simulated gateway and in the store.
"""

from __future__ import annotations

from pilot_helpers import burst, paste
from textual.widget import Widget
from textual.widgets import (
    Button,
    DataTable,
    ProgressBar,
    TabbedContent,
    TabPane,
    TextArea,
)
from ui_helpers import build_app, settle, threads_shown, wait_for

from smstui.core.bulk.jobs import DONE, list_jobs
from smstui.core.session import Session
from smstui.simulator.testing import TestSimulator
from smstui.tui.screens.bulk import BulkScreen

NUMBERS = ("+15557770001", "+15557770002")


def sent_to(sim: TestSimulator, phones: tuple[str, ...] = NUMBERS) -> list[tuple[str, str]]:
    return sorted((m.phone, m.body) for m in sim.state.messages.values() if m.phone in phones)


def pane_of(widget: Widget | None) -> str | None:
    node = widget
    while node is not None and not isinstance(node, TabPane):
        node = node.parent  # type: ignore[assignment]
    return node.id if node is not None else None


async def open_bulk(pilot) -> BulkScreen:  # type: ignore[no-untyped-def]
    app = pilot.app
    await wait_for(pilot, lambda: threads_shown(app), "the conversation list")
    await pilot.press("f6")
    await wait_for(pilot, lambda: isinstance(app.screen, BulkScreen), "the bulk screen")
    await settle(pilot)
    return app.screen


async def type_form(pilot, body: str) -> None:  # type: ignore[no-untyped-def]
    """Numbers, tab, the text: typed as a person does, focus ending in a field of the Message tab."""
    await pilot.click("#bulk-numbers")
    await pilot.press(*", ".join(NUMBERS), "tab", *body)
    assert pilot.app.focused is pilot.app.screen.query_one("#bulk-body", TextArea)


async def settled_on(pilot, tabs: TabbedContent, pane: str) -> None:  # type: ignore[no-untyped-def]
    """The pane is active and stays so once everything queued has run (the bug: it flipped back)."""
    await settle(pilot)
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()
    assert tabs.active == pane
    assert pane_of(pilot.app.focused) == pane  # focus is inside it, so keys act on it


async def test_preview_and_progress_stay_in_sight(session: Session, sim: TestSimulator) -> None:
    app = build_app(session, sim)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_bulk(pilot)
        tabs = screen.query_one(TabbedContent)
        await type_form(pilot, "Hello there")
        await pilot.press("ctrl+s")
        await settled_on(pilot, tabs, "bulk-preview-pane")
        assert screen.query_one("#bulk-preview", DataTable).row_count == 2
        assert app.focused is screen.query_one("#bulk-send", Button)
        assert sent_to(sim) == []  # a preview sends nothing

        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: any(j.state == DONE for j in list_jobs(session.store)), "the job to finish")
        await settled_on(pilot, tabs, "bulk-jobs-pane")
        bar = screen.query_one("#bulk-progress", ProgressBar)
        assert (bar.total, bar.progress) == (2, 2)
        assert "2/2 accepted" in str(screen.query_one("#bulk-job-counts").render())
        assert app.focused is not screen.query_one("#bulk-cancel", Button)
        assert sent_to(sim) == [(n, "Hello there") for n in NUMBERS]
        stored = [m for n in NUMBERS for m in session.store.messages(phone_key=n, limit=10)]
        assert sorted((m.phone, m.body) for m in stored) == [(n, "Hello there") for n in NUMBERS]


async def test_palette_preview_stays_in_sight(session: Session, sim: TestSimulator) -> None:
    app = build_app(session, sim)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_bulk(pilot)
        tabs = screen.query_one(TabbedContent)
        await type_form(pilot, "From the palette")
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: app.screen is not screen, "the command palette")
        await pilot.press(*"Bulk: preview messages")
        await settle(pilot)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is screen, "the palette to close")
        await settled_on(pilot, tabs, "bulk-preview-pane")
        assert screen.query_one("#bulk-preview", DataTable).row_count == 2


async def test_every_tab_is_reachable_by_keys(session: Session, sim: TestSimulator) -> None:
    app = build_app(session, sim)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_bulk(pilot)
        tabs = screen.query_one(TabbedContent)
        await type_form(pilot, "Tabs")
        for key, pane in (
            ("alt+3", "bulk-jobs-pane"),
            ("alt+2", "bulk-preview-pane"),
            ("alt+1", "bulk-message-pane"),
            ("ctrl+pagedown", "bulk-preview-pane"),
            ("ctrl+pagedown", "bulk-jobs-pane"),
            ("ctrl+pagedown", "bulk-message-pane"),
            ("ctrl+pageup", "bulk-jobs-pane"),
        ):
            await pilot.press(key)
            await settled_on(pilot, tabs, pane)
        # The keys switch tabs even from a text field, and type nothing into it.
        await pilot.press("alt+1")
        await pilot.click("#bulk-body")
        await pilot.press("alt+2")
        await settled_on(pilot, tabs, "bulk-preview-pane")
        assert screen.query_one("#bulk-body", TextArea).text == "Tabs"


async def test_ctrl_g_away_from_the_preview_shows_it_first(session: Session, sim: TestSimulator) -> None:
    app = build_app(session, sim)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_bulk(pilot)
        tabs = screen.query_one(TabbedContent)
        await type_form(pilot, "Look first")
        await pilot.press("ctrl+s")
        await settled_on(pilot, tabs, "bulk-preview-pane")
        await pilot.press("alt+1")
        await settled_on(pilot, tabs, "bulk-message-pane")
        await pilot.press("ctrl+g")
        await settled_on(pilot, tabs, "bulk-preview-pane")
        assert sent_to(sim) == []
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: any(j.state == DONE for j in list_jobs(session.store)), "the job to finish")
        await settle(pilot)
        assert sent_to(sim) == [(n, "Look first") for n in NUMBERS]


async def test_paste_then_ctrl_s_previews_the_whole_text(session: Session, sim: TestSimulator) -> None:
    app = build_app(session, sim)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_bulk(pilot)
        tabs = screen.query_one(TabbedContent)
        await type_form(pilot, "Hi, ")
        await burst(pilot, paste("every letter counts: xyz"), "ctrl+s")
        await settled_on(pilot, tabs, "bulk-preview-pane")
        table = screen.query_one("#bulk-preview", DataTable)
        assert [str(table.get_row_at(i)[2]) for i in range(table.row_count)] == ["Hi, every letter counts: xyz"] * 2
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: any(j.state == DONE for j in list_jobs(session.store)), "the job to finish")
        await settle(pilot)
        assert sent_to(sim) == [(n, "Hi, every letter counts: xyz") for n in NUMBERS]


async def test_text_changed_after_the_preview_is_not_sent(session: Session, sim: TestSimulator) -> None:
    app = build_app(session, sim)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_bulk(pilot)
        tabs = screen.query_one(TabbedContent)
        await type_form(pilot, "Old text")
        await pilot.press("ctrl+s")
        await settled_on(pilot, tabs, "bulk-preview-pane")
        await pilot.press("alt+1")
        await pilot.click("#bulk-body")
        await burst(pilot, paste(" and more"), "ctrl+g")  # changed, then ctrl+g in the same read
        await settle(pilot)
        assert sent_to(sim) == [] and list_jobs(session.store) == []
        assert "preview again" in str(screen.query_one("#bulk-summary").render())


async def test_the_form_starts_in_its_first_field_and_tab_walks_the_fields(
    session: Session, sim: TestSimulator
) -> None:
    """Issue 13 item 8: the screen opened on the tab bar and the first Tab landed on the form's
    scrolling container; every Tab now lands on a field, in the form's order."""
    from textual.widgets import Input, Select

    app = build_app(session, sim)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_bulk(pilot)
        assert app.focused is screen.query_one("#bulk-csv", Input)
        await pilot.press(*"/tmp/x.csv")  # typing goes into it at once
        assert screen.query_one("#bulk-csv", Input).value == "/tmp/x.csv"
        stops = []
        for _ in range(7):
            await pilot.press("tab")
            stops.append(app.focused.id if app.focused else None)
        # After the file: how to read it (encoding, sheet, columns), then the rest of the form.
        assert stops == [
            "bulk-encoding",
            "bulk-sheet",
            "bulk-map",
            "bulk-numbers",
            "bulk-body",
            "bulk-template",
            "bulk-template-name",
        ]
        assert isinstance(screen.query_one("#bulk-template"), Select)
