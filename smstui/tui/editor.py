"""Write a message in the user's own editor (``$VISUAL``, else ``$EDITOR``), the Textual way.

The app is suspended (``App.suspend``: the terminal is handed over as it was before the app
started, which also works over SSH), the editor runs on a private temporary file (0600, removed
afterwards) and the text comes back. Nothing typed is lost on any path: the caller keeps the
text it had unless a new one came back, and every failure is a sentence saying what to do.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from textual.app import App, SuspendNotSupported


@dataclass(frozen=True, slots=True)
class Edited:
    """What came back: ``text`` (None: keep what you had) and, if so, ``problem`` saying why."""

    text: str | None
    problem: str | None = None


def editor_command(env: Mapping[str, str]) -> list[str] | None:
    """The editor to run, as argv (``EDITOR="code --wait"`` works); None when neither is set."""
    for name in ("VISUAL", "EDITOR"):
        value = env.get(name, "").strip()
        if value:
            try:
                argv = shlex.split(value)
            except ValueError:  # an unbalanced quote: take it as one program name
                argv = [value]
            if argv:
                return argv
    return None


def edit_in_editor(app: App[object], text: str, env: Mapping[str, str] | None = None) -> Edited:
    """Run the editor on ``text`` with the app suspended; see :class:`Edited`."""
    argv = editor_command(os.environ if env is None else env)
    if argv is None:
        return Edited(None, "Set $VISUAL or $EDITOR to write in your editor (for example: export EDITOR=nano).")
    fd, name = tempfile.mkstemp(prefix="smstui-message-", suffix=".txt")  # 0600
    path = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        try:
            with app.suspend():
                result = subprocess.run([*argv, name], check=False)
        except SuspendNotSupported:
            return Edited(None, "This terminal cannot hand over to an editor (the app cannot be suspended here).")
        except OSError as exc:  # not found, not executable
            return Edited(None, f"Could not start {argv[0]!r}: {exc.strerror or exc}. Check $VISUAL / $EDITOR.")
        if result.returncode != 0:
            return Edited(None, f"{argv[0]} exited with code {result.returncode}: the message is as it was.")
        try:
            edited = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            return Edited(None, "The editor saved text that is not UTF-8: the message is as it was.")
        except OSError as exc:
            return Edited(
                None, f"Could not read what the editor saved ({exc.strerror or exc}): the message is as it was."
            )
        # Editors end the file with a newline the user did not type as part of the message.
        return Edited(edited[:-1] if edited.endswith("\n") else edited)
    finally:
        path.unlink(missing_ok=True)
