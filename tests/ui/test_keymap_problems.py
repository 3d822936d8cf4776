"""Keymap problems in the running app (issue 13 item 8): the README's own remap example took F5
from Newsletters without a word, and an unknown binding id did nothing silently. Both are now
config problems with the key's line, shown as the app shows every config problem."""

from __future__ import annotations

from pathlib import Path

from ui_helpers import build_app, settle, threads_shown, wait_for

from smstui.core.config import load_config
from smstui.core.session import Session
from smstui.simulator.testing import TestSimulator
from smstui.tui.screens.conversations import ConversationsScreen


def use_config(session: Session, path: Path, text: str) -> None:
    path.write_text(text)
    session.config = load_config(path).config
    session.config_path = path


def config_notes(app) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(n.message) for n in app._notifications if n.title == "Config"]


async def test_taken_keys_and_unknown_ids_are_reported_with_their_lines(
    session: Session, sim: TestSimulator, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    use_config(
        session, config, '[keymap]\n"app.refresh" = "f5"\n"conversations.reply" = "ctrl+r"\n"app.refesh" = "f7"\n'
    )
    app = build_app(session, sim)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: threads_shown(app), "the conversation list")
        notes = await wait_for(pilot, lambda: config_notes(app), "the config problems")
        await settle(pilot)
        notes = config_notes(app)
        assert len(notes) == 2, notes
        assert notes[0].startswith(f"{config} line 2: ") and "f5 is also Newsletters (app.newsletters)" in notes[0]
        assert notes[1].startswith(f"{config} line 4: ") and "did you mean 'app.refresh'?" in notes[1]
        # The remap itself still applies: F5 refreshes, as the user asked.
        await pilot.press("f5")
        await pilot.pause()
        assert isinstance(app.screen, ConversationsScreen)


async def test_a_sound_keymap_says_nothing(session: Session, sim: TestSimulator, tmp_path: Path) -> None:
    use_config(
        session, tmp_path / "config.toml", '[keymap]\n"app.refresh" = "ctrl+r,f12"\n"conversations.reply" = "e"\n'
    )
    app = build_app(session, sim)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: threads_shown(app), "the conversation list")
        await settle(pilot)
        await pilot.pause()
        assert config_notes(app) == []


def test_the_documented_examples_are_sound() -> None:
    """The README's and the help screen's remap examples must not take a key (F5 did)."""
    import re
    import tomllib

    from smstui.core.keymap_check import keymap_problems
    from smstui.tui.app import SmsTuiApp
    from smstui.tui.dialogs.help import ABOUT
    from smstui.tui.keymap_scopes import SCREENS, app_bindings

    readme = (Path(__file__).parents[2] / "README.md").read_text()
    block = re.search(r"```toml\n(\[keymap\]\n.*?)```", readme, re.S)
    assert block is not None
    help_example = ABOUT.split("\n")[1:3]
    bindings = app_bindings(SmsTuiApp)
    for text in (block.group(1), "\n".join(line.strip() for line in help_example)):
        keymap = tomllib.loads(text)["keymap"]
        assert keymap and keymap_problems(keymap, bindings, file=None, screens=frozenset(SCREENS)) == [], text
