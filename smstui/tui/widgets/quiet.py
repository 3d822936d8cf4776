"""Repaint only what reads differently: every repaint is bytes on a user's SSH link (issue 19).

Textual repaints a ``Static`` on every ``update``, even with the same content, and an update
with ``layout=True`` also reflows the screen. Syncs and device refreshes re-tell titles, headers
and form lines what they already show; these helpers let them say it without a repaint.
"""

from __future__ import annotations

from textual.visual import VisualType
from textual.widgets import Static


def update_static(static: Static, content: VisualType, *, layout: bool = True) -> bool:
    """``static.update(content)`` unless it already shows ``content``; True when it updated."""
    if static.content == content:
        return False
    static.update(content, layout=layout)
    return True
