"""Act on a form as the user sees it: after the keys and pastes that came before the command.

Textual gives each key to the focused widget's own queue, but runs a *priority* binding (ctrl+s,
ctrl+g) straight from the app's queue. When a paste or several keys arrive in one read from the
terminal (a paste, a key macro, fast typing over SSH) the send can therefore run before the
widget has inserted the characters that came just before it: 'Reply quic' went out while the
screen showed 'Reply quick'. :func:`after_pending_input` queues the action on the focused widget,
behind the input it has not handled yet and ahead of anything typed after the command.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.css.query import NoMatches
from textual.widget import Widget


def after_pending_input(node: Widget, callback: Callable[[], object]) -> None:
    """Run ``callback`` once the focused widget of ``node``'s screen has handled earlier input."""
    try:
        focused = node.screen.focused
    except (NoMatches, Exception):  # not on a screen (closing): nothing can be pending
        focused = None
    if focused is None or not focused.call_later(callback):
        callback()
