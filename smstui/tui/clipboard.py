"""The system clipboard, for terminals that ignore OSC 52 (macOS Terminal, some Linux ones).

The app always copies with Textual's OSC 52 sequence: the terminal puts the text on the user's
own clipboard, over SSH too. When smstui runs on the user's own machine it also hands the text to
pyperclip (pbcopy, wl-copy, xclip, ...), so copying works where the terminal ignores OSC 52.
Over SSH that would fill the server's clipboard instead, so it is skipped there.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping

log = logging.getLogger("smstui.tui.clipboard")


def over_ssh(environ: Mapping[str, str] | None = None) -> bool:
    env = os.environ if environ is None else environ
    return any(env.get(name) for name in ("SSH_CONNECTION", "SSH_CLIENT", "SSH_TTY"))


def copy_to_system(text: str) -> bool:
    """Put ``text`` on this machine's clipboard; False when there is none (no display, no tool)."""
    try:
        import pyperclip

        pyperclip.copy(text)
    except Exception as exc:  # no clipboard mechanism here: OSC 52 is all there is
        log.debug("system clipboard unavailable: %s", type(exc).__name__)
        return False
    return True
