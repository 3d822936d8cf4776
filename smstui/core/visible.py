"""Control and format characters from the network, made visible: one rule for the CLI and the app.

Its own small module (only unicodedata) because the app's first frame renders network text
and must not pay for the CLI's output module on its way.
"""

from __future__ import annotations

import unicodedata


def visible_control(ch: str) -> str:
    """A control or format character as a visible symbol: ESC is ``␛`` (so an ANSI colour reads
    ``␛[31m``), other C0 controls their control pictures (``␇``), DEL ``␡``, the rest ``<U+202E>``.
    The same in the CLI and the app (smstui.tui.widgets.format.clean)."""
    code = ord(ch)
    if code < 0x20:
        return chr(0x2400 + code)
    if code == 0x7F:
        return "\u2421"
    return f"<U+{code:04X}>"


def is_control(ch: str) -> bool:
    return unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") and ch != "\u200d"


__all__ = ["is_control", "visible_control"]
