"""Compose in $VISUAL/$EDITOR: a fake editor script edits the draft; every failure keeps the text.

The headless test driver cannot suspend (there is no terminal to hand over), so the tests let
``App.suspend`` pass through; the editor itself runs for real, as a subprocess on the temp file.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

import pytest
from textual.app import App
from textual.widgets import TextArea
from ui_helpers import build_app, settle, threads_shown, wait_for

from smstui.core.session import Session
from smstui.simulator.testing import TestSimulator
from smstui.tui.editor import edit_in_editor, editor_command
from smstui.tui.widgets.compose_form import ComposeForm
from smstui.tui.widgets.thread_view import ThreadView

ANNA = "+4915123456781"


def _script(tmp_path: Path, body: str) -> str:
    """An 'editor' that runs ``body`` (Python) with the file's path as ``path``."""
    script = tmp_path / "fake-editor.py"
    script.write_text(f"import sys, pathlib\npath = pathlib.Path(sys.argv[1])\n{body}\n")
    return f"{sys.executable} {script}"


@pytest.fixture
def no_suspend(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(App, "suspend", lambda self: contextlib.nullcontext())


async def _pane(pilot, app) -> ComposeForm:  # type: ignore[no-untyped-def]
    await wait_for(pilot, lambda: threads_shown(app) > 0, "the conversation list")
    app.screen.show_thread(ANNA)
    view = app.screen.query_one(ThreadView)
    await wait_for(pilot, lambda: view.phone_key == ANNA and view.messages, "the thread")
    await pilot.press("r")
    await wait_for(pilot, lambda: isinstance(app.focused, TextArea), "the compose body")
    return app.screen.query_one(ComposeForm)


async def test_the_editor_gets_the_draft_and_its_text_comes_back(
    session: Session, sim: TestSimulator, tmp_path: Path, no_suspend: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = tmp_path / "seen.txt"
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv(
        "EDITOR",
        _script(
            tmp_path,
            f"import os, stat\npathlib.Path({str(seen)!r}).write_text(path.read_text() + '|' + oct(stat.S_IMODE(os.stat(path).st_mode)))\n"
            "path.write_text('Hallo Anna,\\nbis morgen!\\n')",
        ),
    )
    app = build_app(session, sim)
    async with app.run_test(size=(120, 40)) as pilot:
        form = await _pane(pilot, app)
        await pilot.press(*"Hallo")
        await pilot.press("ctrl+f")
        await wait_for(pilot, lambda: form.body == "Hallo Anna,\nbis morgen!", "the edited text")
        assert app.focused is form.query_one("#compose-body", TextArea)
        await settle(pilot)
        form.save_draft_now()
        await settle(pilot)
    # The editor saw what was typed, in a private file; the trailing newline it added is dropped.
    assert seen.read_text() == "Hallo|0o600"
    assert session.store.draft(f"thread:{ANNA}")["body"] == "Hallo Anna,\nbis morgen!"
    assert not list(Path(os.environ.get("TMPDIR", "/tmp")).glob("smstui-message-*.txt"))


@pytest.mark.parametrize(
    ("editor", "says"),
    [
        (None, "Set $VISUAL or $EDITOR"),
        ("/nonexistent/editor", "Could not start"),
        ("FAIL", "exited with code 3"),
        ("LATIN1", "not UTF-8"),
    ],
)
async def test_an_editor_that_fails_keeps_what_was_typed(
    session: Session,
    sim: TestSimulator,
    tmp_path: Path,
    no_suspend: None,
    monkeypatch: pytest.MonkeyPatch,
    editor: str | None,
    says: str,
) -> None:
    monkeypatch.delenv("VISUAL", raising=False)
    if editor is None:
        monkeypatch.delenv("EDITOR", raising=False)
    elif editor == "FAIL":
        monkeypatch.setenv("EDITOR", _script(tmp_path, "path.write_text('half'); sys.exit(3)"))
    elif editor == "LATIN1":
        monkeypatch.setenv("EDITOR", _script(tmp_path, "path.write_bytes('Müller'.encode('latin-1'))"))
    else:
        monkeypatch.setenv("EDITOR", editor)
    app = build_app(session, sim)
    async with app.run_test(size=(120, 40)) as pilot:
        form = await _pane(pilot, app)
        await pilot.press(*"keep me")
        await pilot.press("ctrl+f")
        await wait_for(pilot, lambda: any(says in n.message for n in app._notifications), says)
        assert form.body == "keep me"
    assert session.store.draft(f"thread:{ANNA}")["body"] == "keep me"  # saved before the editor ran


def test_editor_command_prefers_visual_and_splits_arguments() -> None:
    assert editor_command({"VISUAL": "code --wait", "EDITOR": "vi"}) == ["code", "--wait"]
    assert editor_command({"EDITOR": "  nano "}) == ["nano"]
    assert editor_command({"VISUAL": " ", "EDITOR": ""}) is None
    assert editor_command({"EDITOR": "'unbalanced"}) == ["'unbalanced"]


async def test_a_terminal_that_cannot_suspend_is_said_plainly() -> None:
    # The real headless driver: App.suspend raises SuspendNotSupported.
    class Plain(App[None]):
        pass

    app = Plain()
    async with app.run_test():
        edited = edit_in_editor(app, "text", env={"EDITOR": "true"})
    assert edited.text is None and edited.problem and "cannot hand over" in edited.problem
