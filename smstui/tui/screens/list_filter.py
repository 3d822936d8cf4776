"""What the conversation list is filtered by, and the store read each filter means.

The ``/`` field filters by name or number; ``#62807347`` (or ``id:62807347``) instead names one
message by its gateway id, so the list shows the conversation that holds it. ``f`` narrows the
list to conversations with a failed, refused or unclear message (the ones marked ✗), ``F`` to
those with such a message written in the last hour; both combine with the name/number filter
and the device filter. An id names one message, so it ignores the other filters.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from smstui.core.store.database import Store
    from smstui.core.store.messages import Thread

FAILED_ANY = "any"
FAILED_RECENT = "recent"
RECENT_SECONDS = 3600  # "failed in the last hour"


class ListFilter:
    """The list's filters; immutable. A plain class: a NamedTuple costs ~0.5 ms of the cold start,
    and the first frame makes one of these (the id parsing is imported on the first id typed)."""

    __slots__ = ("text", "failed")

    def __init__(self, text: str = "", failed: str | None = None) -> None:
        self.text = text
        self.failed = failed  # None, FAILED_ANY or FAILED_RECENT

    def __repr__(self) -> str:
        return f"ListFilter(text={self.text!r}, failed={self.failed!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ListFilter) and (self.text, self.failed) == (other.text, other.failed)

    __hash__ = None  # type: ignore[assignment]

    def with_text(self, text: str) -> ListFilter:
        return ListFilter(text, self.failed)

    @property
    def asks_id(self) -> bool:
        """The text names a gateway id (``#…``/``id:…``), valid or not."""
        if not self.text:
            return False
        from smstui.core.lookup import id_query

        return id_query(self.text) is not None

    @property
    def sms_id(self) -> int | None:
        """The gateway id the text names, when it is a valid one."""
        if not self.asks_id:
            return None
        from smstui.core.lookup import parse_gateway_id

        try:
            return parse_gateway_id(self.text)
        except ValueError:
            return None

    def id_problem(self) -> str | None:
        """What is wrong with the id typed (None: no id asked, or a valid one)."""
        if not self.asks_id:
            return None
        from smstui.core.lookup import parse_gateway_id

        try:
            parse_gateway_id(self.text)
        except ValueError as exc:
            return str(exc)
        return None

    def toggled(self, failed: str) -> ListFilter:
        """``f``/``F``: that failure filter on, or off when it already is."""
        return ListFilter(self.text, None if self.failed == failed else failed)


def read_threads(store: Store, flt: ListFilter, device_id: int | None, now: datetime, limit: int) -> list[Thread]:
    if flt.asks_id:
        sms_id = flt.sms_id
        return [] if sms_id is None else store.threads_holding(sms_id)
    if flt.failed is None:
        return store.threads(search=flt.text, device_id=device_id, limit=limit)
    since = now.timestamp() - RECENT_SECONDS if flt.failed == FAILED_RECENT else None
    return store.failed_threads(search=flt.text, device_id=device_id, since=since, limit=limit)


def title_mark(flt: ListFilter) -> str | None:
    """The filter as the list's title line names it (first, so a narrow sidebar still shows it)."""
    if flt.asks_id:
        sms_id = flt.sms_id
        return f"message #{sms_id}" if sms_id is not None else "gateway id?"
    if flt.failed == FAILED_ANY:
        return "✗ failed"
    if flt.failed == FAILED_RECENT:
        return "✗ failed, last hour"
    return None


def empty_text(flt: ListFilter) -> str:
    """Why the list is empty under this filter ("" for a list that is simply empty)."""
    problem = flt.id_problem()
    if problem is not None:
        return problem
    if flt.sms_id is not None:
        return f"No stored message has the gateway id {flt.sms_id}. Enter: look it up on the gateway."
    narrowed = " matching the filter" if flt.text.strip() else ""
    if flt.failed == FAILED_ANY:
        return f"No conversation{narrowed} has a failed message. f: show all again."
    if flt.failed == FAILED_RECENT:
        return f"Nothing{narrowed} failed in the last hour. F: show all again."
    if narrowed:
        return "No conversation matches the filter."
    return ""
