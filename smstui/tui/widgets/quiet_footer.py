"""Textual's Footer, rebuilt only when the keys it shows change (issue 19).

Textual's ``Footer`` recomposes, mounting a new ``FooterKey`` per key and repainting the whole
line, whenever its screen's bindings might have changed: every focus change, every push or pop
of a dialog. Most of those change nothing it shows (Enter on a conversation, opening the
palette), and over SSH each rebuild is ~700 bytes plus, for a screen under a dialog, a layout
pass that repaints the dialog too. This one compares what it would show first.
"""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widgets import Footer


class QuietFooter(Footer):
    """A ``Footer`` (same look, same CSS type) that skips rebuilds showing the same keys."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._shown: tuple[object, ...] | None = None

    def _keys(self, screen: Screen[Any]) -> tuple[object, ...]:
        app = self.app
        palette = app.COMMAND_PALETTE_BINDING
        return tuple(
            (binding.key, app.get_key_display(binding), binding.description, binding.action, enabled, tooltip)
            for key, (_, binding, enabled, tooltip) in screen.active_bindings.items()
            if binding.show or key == palette
        ) + (self.show_command_palette, self.compact)

    def bindings_changed(self, screen: Screen[Any]) -> None:
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            keys = self._keys(screen)
            if keys == self._shown:
                return
            self._shown = keys
        super().bindings_changed(screen)
