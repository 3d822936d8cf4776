"""What the terminal the app runs in can take: its colours, and whether it is at the end of SSH.

Over SSH, often on a phone's mobile link, every byte the app writes costs latency (issue 19):

- **16 colours** (``TERM=xterm`` without ``COLORTERM``, the Linux console, old tmux setups):
  Textual's default theme is made of greys and blues that all fold into black and one blue
  there, so the default theme gives way to ``ansi-dark``, drawn in the terminal's own 16
  colours, which its user chose to be legible. A theme named in the config other than the
  default is kept as named. With ``NO_COLOR`` Textual paints in shades of grey (the default
  theme keeps its contrast that way).
- **A blinking cursor** repaints its line twice a second, ~500 bytes a second while a field has
  focus and nothing else happens; over SSH it does not blink (the terminal's own cursor shape
  and the field's highlight still show where typing goes).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.theme import Theme

DEFAULT_THEME = "textual-dark"
FEW_COLOURS_THEME = "ansi-dark"
# Rich's names for colour systems of at most 16 colours.
FEW_COLOUR_SYSTEMS = {"standard", "windows"}


# Textual's ANSI themes leave the blurred cursor (the conversation open in the list while the
# thread has focus) without a colour of its own: it vanished. These keep it visible.
ANSI_CURSOR_VARIABLES = {
    "ansi-dark": {
        "block-cursor-blurred-background": "ansi_bright_black",
        "block-cursor-blurred-foreground": "ansi_bright_white",
    },
    "ansi-light": {
        "block-cursor-blurred-background": "ansi_white",
        "block-cursor-blurred-foreground": "ansi_black",
    },
}


def ansi_themes() -> list[Theme]:
    """Textual's ANSI themes, with the visible blurred cursor (registered under their names)."""
    import dataclasses

    from textual.theme import BUILTIN_THEMES

    return [
        dataclasses.replace(BUILTIN_THEMES[name], variables={**BUILTIN_THEMES[name].variables, **extra})
        for name, extra in ANSI_CURSOR_VARIABLES.items()
    ]


def few_colours(color_system: str | None) -> bool:
    """The terminal shows 16 colours or fewer (``Console.color_system``; None: no colour)."""
    return color_system is None or color_system in FEW_COLOUR_SYSTEMS


def start_theme(configured: str, color_system: str | None, *, no_color: bool = False) -> str:
    """The theme the app starts in: the configured one, except the default with few colours.

    With ``NO_COLOR`` Textual draws an ANSI theme without any colour (its cursor would vanish)
    and other themes in shades of grey, so the default stays."""
    if configured == DEFAULT_THEME and few_colours(color_system) and not no_color:
        return FEW_COLOURS_THEME
    return configured


def over_ssh(environ: Mapping[str, str]) -> bool:
    """The app runs in an SSH session (sshd sets these for the login's processes)."""
    return any(environ.get(name) for name in ("SSH_CONNECTION", "SSH_CLIENT", "SSH_TTY"))
