"""The [keymap] check (smstui.core.keymap_check): unknown ids and keys taken from another binding are
config problems with the key's line (issue 13 item 8), pure logic on a list of bindings."""

from __future__ import annotations

from pathlib import Path

from smstui.core.config import load_config
from smstui.core.keymap_check import KeyBinding, keymap_problems

EVERY = frozenset({"conversations", "devices"})
BINDINGS = [
    KeyBinding("app.refresh", "ctrl+r", "Refresh", EVERY),
    KeyBinding("app.newsletters", "f5", "Newsletters", EVERY),
    KeyBinding("app.help", "f1", "Help", EVERY),
    KeyBinding("app.help", "question_mark", "Help", EVERY),
    KeyBinding("conversations.reply", "r", "Reply", frozenset({"conversations"})),
    KeyBinding("devices.status", "s", "Check status", frozenset({"devices"})),
    KeyBinding(None, "down", "Down", frozenset({"conversations"})),
]


def check(tmp_path: Path, text: str) -> list[str]:
    file = tmp_path / "config.toml"
    file.write_text(text)
    loaded = load_config(file)
    assert loaded.problems == []
    problems = keymap_problems(
        loaded.config.keymap, BINDINGS, file=file, screens=EVERY, normalize=lambda k: "question_mark" if k == "?" else k
    )
    assert all(p.key and p.key.startswith("keymap.") for p in problems)
    return [str(p) for p in problems]


def test_the_readme_example_took_f5_from_newsletters(tmp_path: Path) -> None:
    [problem] = check(tmp_path, '[ui]\ntheme = "textual-dark"\n\n[keymap]\n"app.refresh" = "f5"\n')
    assert problem.startswith(f"{tmp_path / 'config.toml'} line 5: ")
    assert "f5 is also Newsletters (app.newsletters) on every screen" in problem
    assert "give one of them another key" in problem


def test_unknown_ids_are_reported_with_a_suggestion(tmp_path: Path) -> None:
    [problem] = check(tmp_path, '[keymap]\n"app.refresh" = "ctrl+r,f7"\n"app.refesh" = "f8"\n')
    assert " line 3: " in problem
    assert "'app.refesh'" in problem and "ignored" in problem and "did you mean 'app.refresh'?" in problem


def test_a_key_freed_by_the_same_keymap_is_no_conflict(tmp_path: Path) -> None:
    # The README's second line: ctrl+r is free once app.refresh moved off it.
    assert check(tmp_path, '[keymap]\n"app.refresh" = "f7"\n"conversations.reply" = "ctrl+r"\n') == []
    # Keys of places that never meet do not clash either (reply and check status).
    assert check(tmp_path, '[keymap]\n"conversations.reply" = "s"\n') == []


def test_a_key_without_id_and_two_remaps_on_one_key_clash(tmp_path: Path) -> None:
    problems = check(tmp_path, '[keymap]\n"conversations.reply" = "down"\n"app.help" = "f9"\n"devices.status" = "f9"\n')
    assert len(problems) == 3, problems
    assert "line 2" in problems[0] and "down is also Down on the conversations screen" in problems[0]
    assert "line 3" in problems[1] and "f9 is also Check status (devices.status) on the devices screen" in problems[1]
    assert "line 4" in problems[2] and "f9 is also Help (app.help)" in problems[2]
    # '?' is Textual's question_mark: the same key as Help's.
    [problem] = check(tmp_path, '[keymap]\n"conversations.reply" = "?"\n')
    assert "? is also Help (app.help)" in problem


def test_a_keymap_without_a_file_still_reports(tmp_path: Path) -> None:
    [problem] = keymap_problems({"nope.x": "f7"}, BINDINGS, file=None)
    assert str(problem).startswith("config: ")
