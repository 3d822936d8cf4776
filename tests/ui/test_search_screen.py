"""The search screen and exports from the app (issue 16 items 1 and 2), typed as a person would,
against the simulator over loopback: fast typing, highlighted matches, Enter opening the
conversation at the message, filters in the field, and exports of a search and of a thread."""

from __future__ import annotations

import json
from pathlib import Path

from pilot_helpers import burst
from rich.text import Text
from textual.command import CommandPalette
from textual.widgets import Input, Static
from ui_helpers import build_app, long_thread, settle, threads_shown, wait_for

from smstui.core.gateway_messages import Message
from smstui.core.search import SearchQuery
from smstui.core.session import Session
from smstui.simulator.testing import TestSimulator
from smstui.tui.screens.conversations import ConversationsScreen
from smstui.tui.widgets.search_results import MATCH_STYLE, SearchResults
from smstui.tui.widgets.thread_view import ThreadView

LONG = "+4915550000001"


def _long_thread(session: Session, sim: TestSimulator) -> list[Message]:
    """A conversation longer than a page, one message in it saying zebra (far from the newest)."""
    return long_thread(session, sim, LONG, first_id=20_000_000, bodies={120: "the [bold]zebra[/bold] crossing at 9"})


def _screen(app):  # type: ignore[no-untyped-def]
    from smstui.tui.screens.search import SearchScreen

    return app.screen if isinstance(app.screen, SearchScreen) else None


def _summary(app) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one("#search-summary", Static).render())


async def _open_search(pilot, app):  # type: ignore[no-untyped-def]
    await wait_for(pilot, lambda: threads_shown(app) > 1, "the conversation list")
    await pilot.press("f7")
    return await wait_for(pilot, lambda: _screen(app), "the search screen")


async def test_typing_fast_shows_the_last_query_s_results_and_enter_opens_the_message(
    session: Session, sim: TestSimulator
) -> None:
    history = _long_thread(session, sim)
    target = history[120]
    app = build_app(session, sim)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _open_search(pilot, app)
        results = screen.query_one(SearchResults)
        # As fast as keys come: each one starts a search and cancels the one before.
        await pilot.press(*"message numb")
        await wait_for(
            pilot, lambda: screen.searches and results.messages and screen._shown_serial == screen._serial, "results"
        )
        await settle(pilot)
        expected = session.store.search_messages(SearchQuery("message numb"), limit=50).messages
        assert [m.lid for m in results.messages] == [m.lid for m in expected]
        assert "599 messages" in _summary(app)
        # A page at a time: reaching the end of the list reads the next one.
        await pilot.press("down", "end")
        await wait_for(pilot, lambda: len(results.messages) == 100, "the second page")
        older = session.store.search_messages(SearchQuery("message numb"), limit=100).messages
        assert [m.lid for m in results.messages] == [m.lid for m in older]
        # More typing replaces the list; nothing of an earlier answer survives.
        await pilot.press("slash", "ctrl+u", *"zeb")
        await wait_for(pilot, lambda: [m.lid for m in results.messages] == [target_lid(session, target)], "zebra")
        # The match is highlighted by spans, and the body's brackets are text, not markup.
        prompt = results.get_option_at_index(0).prompt
        assert isinstance(prompt, Text)
        plain = prompt.plain
        assert "the [bold]zebra[/bold] crossing at 9" in plain
        marked = [plain[s.start : s.end] for s in prompt.spans if str(s.style) == MATCH_STYLE]
        assert marked == ["zeb"]
        # Enter goes to the results, Enter again opens the conversation at that message.
        await pilot.press("enter", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationsScreen), "the conversation")
        view = app.screen.query_one(ThreadView)
        await wait_for(
            pilot,
            lambda: view.selected_message is not None and view.selected_message.sms_id == target.id,
            "the message selected",
        )
        await settle(pilot)
        top = view._offsets[view.selected]
        assert view.scroll_y <= top < view.scroll_y + view.scrollable_content_region.height
        assert app.focused is view and view.phone_key == LONG
        # F7 comes back to the search as it was left.
        await pilot.press("f7")
        screen = await wait_for(pilot, lambda: _screen(app), "the search screen again")
        assert screen.query_one("#search-input", Input).value == "zeb"


def target_lid(session: Session, message: Message) -> int:
    stored = session.store.message_by_sms_id(message.id)
    assert stored is not None
    return stored.lid


async def test_filters_in_the_field_and_what_is_wrong_with_them(session: Session, sim: TestSimulator) -> None:
    app = build_app(session, sim)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _open_search(pilot, app)
        results = screen.query_one(SearchResults)
        await pilot.press(*"status:failed")
        await wait_for(pilot, lambda: results.messages, "the failed messages")
        await settle(pilot)
        assert all(m.failed for m in results.messages)
        assert "failed" in _summary(app)
        await pilot.press(*" dir:in")
        await wait_for(pilot, lambda: "No stored message matches" in _summary(app), "none: failures are outgoing")
        await pilot.press("ctrl+u", *"status:nope thanks")
        await wait_for(pilot, lambda: "unknown status 'nope'" in _summary(app), "the problem")
        assert screen.query_one("#search-summary").has_class("-problem")
        # Only punctuation: nothing to look for, said plainly.
        await pilot.press("ctrl+u", *'"*"')
        await wait_for(pilot, lambda: "No stored message matches" in _summary(app), "nothing")
        await pilot.press("ctrl+u")
        await wait_for(pilot, lambda: "Type words" in _summary(app), "the hint")
        assert results.option_count == 0


async def test_the_palette_opens_the_search(session: Session, sim: TestSimulator) -> None:
    app = build_app(session, sim)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: threads_shown(app) > 1, "the conversation list")
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette), "the palette")
        await pilot.press(*"search mess")
        palette = app.screen
        await wait_for(pilot, lambda: palette.query_one("CommandList").option_count > 0, "a match")
        await pilot.press("enter")
        await wait_for(pilot, lambda: _screen(app), "the search screen")


async def test_export_a_search_and_a_conversation_from_the_app(
    session: Session, sim: TestSimulator, tmp_path: Path
) -> None:
    from smstui.tui.dialogs.export import ExportDialog

    history = _long_thread(session, sim)
    app = build_app(session, sim)
    async with app.run_test(size=(100, 30)) as pilot:
        await _open_search(pilot, app)
        await pilot.press(*"message numb")
        await wait_for(pilot, lambda: "599 messages" in _summary(app), "the results")
        await pilot.press("ctrl+s")
        dialog = await wait_for(pilot, lambda: isinstance(app.screen, ExportDialog) and app.screen, "the dialog")
        assert "message numb" in str(dialog.query_one(".dialog-title", Static).render())
        # JSON Lines (the second format), to a file of our own.
        await pilot.press("shift+tab", "down", "enter")
        await wait_for(pilot, lambda: dialog.format == "jsonl", "JSON Lines chosen")
        path_field = dialog.query_one("#export-path", Input)
        assert path_field.value.endswith(".jsonl")  # the suffix follows the format
        target = tmp_path / "found.jsonl"
        path_field.value = str(tmp_path / "missing" / "x.jsonl")
        await pilot.press("ctrl+s")
        await wait_for(
            pilot, lambda: "does not exist" in str(dialog.query_one("#export-result").render()), "the folder error"
        )
        path_field.value = str(target)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, ExportDialog), "the export done")
        lines = target.read_text(encoding="utf-8").splitlines()
        assert len(lines) == 599 and json.loads(lines[0])["body"] == "message number 599"
        assert any("Exported 599 messages" in str(n.message) for n in app._notifications)
        # A conversation, from the thread (e), as CSV; an existing file is replaced only on a second ctrl+s.
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationsScreen), "the conversations")
        app.screen.show_thread(LONG)
        view = app.screen.query_one(ThreadView)
        await wait_for(pilot, lambda: view.phone_key == LONG and view.messages, "the long thread")
        await pilot.press("e")
        dialog = await wait_for(pilot, lambda: isinstance(app.screen, ExportDialog) and app.screen, "the dialog")
        assert "conversation with" in str(dialog.query_one(".dialog-title", Static).render())
        existing = tmp_path / "thread.csv"
        existing.write_text("keep me")
        dialog.query_one("#export-path", Input).value = str(existing)
        await pilot.press("ctrl+s")
        await wait_for(
            pilot, lambda: "ctrl+s again replaces it" in str(dialog.query_one("#export-result").render()), "ask"
        )
        assert existing.read_text() == "keep me"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, ExportDialog), "the export done")
        rows = existing.read_text(encoding="utf-8").splitlines()
        assert len(rows) == 1 + len(history) and rows[0].startswith("id,lid,phone,body")
        assert rows[1].split(",")[2] == "'" + LONG  # a spreadsheet reads the number as text


async def _conversation_export(pilot, app, session: Session, sim: TestSimulator):  # type: ignore[no-untyped-def]
    """The export dialog of the long conversation (``e``), settled, its field focused."""
    _long_thread(session, sim)
    await wait_for(pilot, lambda: threads_shown(app) > 1, "the conversation list")
    app.screen.show_thread(LONG)
    view = app.screen.query_one(ThreadView)
    await wait_for(pilot, lambda: view.phone_key == LONG and view.messages, "the long thread")
    return await _export_again(pilot, app)


async def _export_again(pilot, app):  # type: ignore[no-untyped-def]
    from smstui.tui.dialogs.export import ExportDialog

    await pilot.press("e")
    dialog = await wait_for(pilot, lambda: isinstance(app.screen, ExportDialog) and app.screen, "the dialog")
    await settle(pilot)
    return dialog


def _result(dialog) -> str:  # type: ignore[no-untyped-def]
    return str(dialog.query_one("#export-result").render())


async def _ask_to_replace(pilot, dialog, existing: Path) -> Input:  # type: ignore[no-untyped-def]
    """Name an existing file in the dialog and press ctrl+s: it asks before replacing it."""
    field = dialog.query_one("#export-path", Input)
    field.value = str(existing)
    await settle(pilot)
    await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: "ctrl+s again replaces it" in _result(dialog), "the question")
    return field


async def test_the_field_s_late_changed_does_not_take_back_the_replace_answer(
    session: Session, sim: TestSimulator, tmp_path: Path
) -> None:
    """ctrl+s right after the path is set: the field's Changed for that path can reach the dialog
    after the ctrl+s that asked. It names the same file, so the next ctrl+s replaces it (it asked
    again instead, for ever: a CI run timed out waiting for the export)."""
    from smstui.tui.dialogs.export import ExportDialog

    app = build_app(session, sim)
    async with app.run_test(size=(100, 30)) as pilot:
        dialog = await _conversation_export(pilot, app, session, sim)
        existing, other = tmp_path / "thread.csv", tmp_path / "other.csv"
        existing.write_text("keep me")
        other.write_text("keep me too")
        field = await _ask_to_replace(pilot, dialog, existing)
        # Changed messages handled only after the question (the order a ctrl+s right after the
        # value, or typed with it in one read, gives them): one for a value the field has left
        # since, one for the file asked about. (Posted on the dialog: handled when settle returns.)
        dialog.post_message(Input.Changed(field, str(other)))
        dialog.post_message(Input.Changed(field, field.value))
        await settle(pilot)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, ExportDialog), "the export done")
        assert existing.read_text(encoding="utf-8").startswith("id,lid,phone,body")
        # Another file typed since the question withdraws it, even back at the first one.
        existing.write_text("keep me")
        dialog = await _export_again(pilot, app)
        field = await _ask_to_replace(pilot, dialog, existing)
        field.value = str(other)
        await wait_for(pilot, lambda: "replaces it" not in _result(dialog), "the question withdrawn")
        field.value = str(existing)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "replaces it" in _result(dialog), "the question again")
        assert existing.read_text() == "keep me" and other.read_text() == "keep me too"
        # …and so does another format (the suffix one of ours: it follows the format).
        await pilot.press("shift+tab", "down", "enter")
        await wait_for(pilot, lambda: "replaces it" not in _result(dialog), "the question withdrawn")
        assert field.value.endswith("thread.jsonl") and existing.read_text() == "keep me"


async def test_a_late_changed_does_not_blank_the_error_that_replaced_the_question(
    session: Session, sim: TestSimulator, tmp_path: Path
) -> None:
    """The question is shown, then a path into a folder that does not exist and ctrl+s: the error
    replaces the question, and the field's late Changed must not blank it (ctrl+s looked like it
    did nothing)."""
    app = build_app(session, sim)
    async with app.run_test(size=(100, 30)) as pilot:
        dialog = await _conversation_export(pilot, app, session, sim)
        existing = tmp_path / "thread.csv"
        existing.write_text("keep me")
        field = await _ask_to_replace(pilot, dialog, existing)
        missing = tmp_path / "nowhere" / "thread.csv"
        with field.prevent(Input.Changed):  # its Changed comes after the ctrl+s (posted below)
            field.value = str(missing)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "does not exist" in _result(dialog), "the error")
        dialog.post_message(Input.Changed(field, field.value))  # the field's Changed, late
        await settle(pilot)
        assert "does not exist" in _result(dialog)
        assert existing.read_text() == "keep me"


async def test_the_end_of_the_name_typed_with_ctrl_s_in_one_read_is_the_file_written(
    session: Session, sim: TestSimulator, tmp_path: Path
) -> None:
    """Keys and ctrl+s in one read from the terminal (fast typing over SSH, a key macro): ctrl+s,
    a priority binding run from the app's queue, acts on the name the field shows once it has
    those keys, not on the one before them (which it wrote at once, a file nobody named)."""
    from smstui.tui.dialogs.export import ExportDialog

    app = build_app(session, sim)
    async with app.run_test(size=(100, 30)) as pilot:
        dialog = await _conversation_export(pilot, app, session, sim)
        typed_before, existing = tmp_path / "thread", tmp_path / "thread.csv"
        existing.write_text("keep me")
        field = dialog.query_one("#export-path", Input)
        field.value = str(typed_before)
        field.action_end()
        await settle(pilot)
        await burst(pilot, *".csv", "ctrl+s")
        await wait_for(
            pilot,
            lambda: not isinstance(app.screen, ExportDialog) or "replaces it" in _result(dialog),
            "the question or the export",
        )
        assert isinstance(app.screen, ExportDialog), "exported at once, to the name before the last keys"
        assert not typed_before.exists() and existing.read_text() == "keep me"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, ExportDialog), "the export done")
        assert existing.read_text(encoding="utf-8").startswith("id,lid,phone,body")
        assert not typed_before.exists()
