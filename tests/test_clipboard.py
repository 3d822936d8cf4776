"""The system clipboard helper: SSH detection, and no error when there is no clipboard."""

from __future__ import annotations

import pyperclip
import pytest

from smstui.tui.clipboard import (
    copy_to_system as real_copy_to_system,  # before the autouse stand-in
    over_ssh,
)


def test_over_ssh() -> None:
    assert not over_ssh({})
    assert over_ssh({"SSH_CONNECTION": "203.0.113.5 52000 10.0.0.2 22"})
    assert over_ssh({"SSH_TTY": "/dev/pts/3"})
    assert not over_ssh({"SSH_CLIENT": ""})


def test_copy_hands_the_text_to_pyperclip(monkeypatch: pytest.MonkeyPatch) -> None:
    got: list[str] = []
    monkeypatch.setattr(pyperclip, "copy", got.append)
    assert real_copy_to_system("Привет 👋") and got == ["Привет 👋"]


def test_no_clipboard_is_not_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(text: str) -> None:
        raise pyperclip.PyperclipException("could not find a copy/paste mechanism")

    monkeypatch.setattr(pyperclip, "copy", missing)
    assert real_copy_to_system("x") is False
