"""The thread view's keys on the selected message: copy, details, send again (R), cancel (x).

Which messages R and x apply to follows the outbox states (smstui.core.store.schema) and the
gateway's failed statuses; the footer shows a key only when the selection allows it, and the same
key on any other message says why it does nothing. :class:`ThreadActions` is a mixin of
:class:`~smstui.tui.widgets.thread_view.ThreadView`: it reads the selection and posts the view's
messages, and holds no state of its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any

from smstui.core.models import FAILED_STATUSES
from smstui.core.store.schema import CANCELLED, QUEUED, REJECTED, SENDING, UNKNOWN
from smstui.tui.widgets.format import absolute, short_time, slot_label, status_parts

if TYPE_CHECKING:
    from smstui.core.store.records import StoredMessage


def can_retry(msg: StoredMessage) -> bool:
    """An outgoing message the user may send again: refused, unclear, cancelled or failed."""
    if msg.incoming:
        return False
    if msg.outbox in (REJECTED, UNKNOWN, CANCELLED):
        return True
    return msg.outbox not in (QUEUED, SENDING) and msg.status in FAILED_STATUSES


def can_cancel(msg: StoredMessage) -> bool:
    """An outgoing message the gateway does not have yet (or may not have)."""
    return not msg.incoming and msg.outbox in (QUEUED, UNKNOWN, REJECTED)


def _not_this_one(msg: StoredMessage | None, key: str, does: str, came_in: str) -> str | None:
    """The two reasons ``why_not_retry`` and ``why_not_cancel`` share, or None."""
    if msg is None:
        return f"Select a message first (↑/↓ in the conversation), then {key} {does}."
    if msg.incoming:
        return f"That message came in: only messages {came_in}."
    return None


def why_not_retry(msg: StoredMessage | None, now: datetime, tz: tzinfo | None) -> str:
    """Why R does nothing for ``msg`` (None: no message selected)."""
    reason = _not_this_one(msg, "R", "sends a failed one again", "you sent can be sent again")
    if reason is not None or msg is None:
        return reason or ""
    _, word, _ = status_parts(msg, now, tz)
    if msg.outbox in (QUEUED, SENDING):
        return f"It is still on its way ({word}): x cancels it."
    return f"It did not fail ({word}): R only sends failed, refused or cancelled messages again."


def why_not_cancel(msg: StoredMessage | None, now: datetime, tz: tzinfo | None) -> str:
    """Why x does nothing for ``msg`` (None: no message selected)."""
    reason = _not_this_one(msg, "x", "cancels one not yet sent", "waiting to be sent can be cancelled")
    if reason is not None or msg is None:
        return reason or ""
    if msg.outbox == SENDING:
        return "It is being handed to the gateway right now: it can no longer be cancelled."
    _, word, _ = status_parts(msg, now, tz)
    return f"The gateway has taken it ({word}): smstui can only cancel messages it has not handed over yet."


if TYPE_CHECKING:
    from textual.widget import Widget as _Widget
else:
    _Widget = object  # at run time a plain mixin; ThreadView brings the Widget


class ThreadActions(_Widget):
    """The key actions of the thread view (see module docstring)."""

    if TYPE_CHECKING:  # provided by ThreadView
        _messages: list[StoredMessage]
        _now: datetime
        _tz: tzinfo | None
        phone: str | None
        Copy: Any
        Details: Any
        Retry: Any
        CancelSend: Any

        @property
        def selected_message(self) -> StoredMessage | None: ...
        @property
        def messages(self) -> Sequence[StoredMessage]: ...

    def _actions(self) -> tuple[bool, bool]:
        msg = self.selected_message
        return (msg is not None and can_retry(msg), msg is not None and can_cancel(msg))

    def action_copy_message(self) -> None:
        msg = self.selected_message or (self._messages[-1] if self._messages else None)
        if msg is None:
            return
        text = msg.body
        if msg.image_path and not text:
            text = msg.image_path
        self.post_message(self.Copy(text, "message"))

    def action_details(self) -> None:
        msg = self.selected_message
        if msg is None:
            self.notify(
                "Select a message first (↑/↓ in the conversation), then Enter or i shows all its details.",
                title="No message selected",
                severity="warning",
                timeout=4,
            )
            return
        self.post_message(self.Details(msg))

    def action_copy_number(self) -> None:
        number = self.phone or (self._messages[-1].phone if self._messages else None)
        if number:
            self.post_message(self.Copy(number, "number"))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Shown in the footer only when the selected message allows them; otherwise the same
        # key reaches the hidden explain_* binding, which says why (issue 13, item 8).
        if action == "retry":
            return self._actions()[0]
        if action == "cancel_send":
            return self._actions()[1]
        if action == "explain_retry":
            return not self._actions()[0]
        if action == "explain_cancel":
            return not self._actions()[1]
        return True

    def action_explain_retry(self) -> None:
        self.action_retry()

    def action_explain_cancel(self) -> None:
        self.action_cancel_send()

    def action_retry(self) -> None:
        msg = self.selected_message
        if msg is not None and can_retry(msg):
            self.post_message(self.Retry(msg))
            return
        self.notify(
            why_not_retry(msg, self._now, self._tz), title="Nothing to send again", severity="warning", timeout=4
        )

    def action_cancel_send(self) -> None:
        msg = self.selected_message
        if msg is not None and can_cancel(msg):
            self.post_message(self.CancelSend(msg))
            return
        self.notify(why_not_cancel(msg, self._now, self._tz), title="Nothing to cancel", severity="warning", timeout=4)

    def describe(self, msg: StoredMessage) -> str:
        """A one-line summary of a message (used for the absolute time in notifications)."""
        symbol, word, _ = status_parts(msg, self._now, self._tz)
        when = absolute(msg.created, self._tz, "%Y-%m-%d %H:%M:%S")
        return f"{when} · {slot_label(msg.slot)} · {word or 'incoming'}"

    @staticmethod
    def short(msg: StoredMessage, now: datetime, tz: tzinfo | None) -> str:
        return short_time(msg.created, now, tz)
