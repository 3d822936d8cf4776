"""Act on a form as the user sees it: after the keys and pastes that came before the command.

Textual gives each key to the focused widget's own queue, but runs a *priority* binding (ctrl+s,
ctrl+g) straight from the app's queue. When a paste or several keys arrive in one read from the
terminal (a paste, a key macro, fast typing over SSH) the send can therefore run before the
widget has inserted the characters that came just before it: 'Reply quic' went out while the
screen showed 'Reply quick'. :func:`after_pending_input` queues the action on the focused widget,
behind the input it has not handled yet and ahead of anything typed after the command.

The field's *editing* keys (backspace, ctrl+u, home…) are bindings, which Textual runs from the
app once the key has gone up the tree from the field: a typo, backspace and ctrl+s in one read
sent the typo ("Reply quickk"). So once the field has handled what came before, the command
also waits, holding the field's queue (keys typed after the command stay behind it), until an
:class:`InputSettled` sent up the same way reaches the app: the editing keys ahead of it have
acted by then (the app's ``on_input_settled`` says so).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

from textual.css.query import NoMatches
from textual.message import Message
from textual.widget import Widget

#: The longest a command waits for the editing keys ahead of it (an app without the handler).
SETTLE_TIMEOUT = 0.5


class InputSettled(Message):
    """Goes up from the focused field's parent to the app behind the keys the field passed up."""

    def __init__(self) -> None:
        super().__init__()
        self.arrived = asyncio.Event()


def after_pending_input(node: Widget, callback: Callable[[], object]) -> None:
    """Run ``callback`` once the focused widget of ``node``'s screen has handled earlier input."""
    try:
        focused = node.screen.focused
    except (NoMatches, Exception):  # not on a screen (closing): nothing can be pending
        focused = None
    if focused is None:
        callback()
        return
    field = focused

    async def settled() -> None:
        parent = field.parent
        if parent is not None:
            marker = InputSettled()
            parent.post_message(marker)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(marker.arrived.wait(), SETTLE_TIMEOUT)
        callback()

    if not field.call_later(settled):
        callback()
