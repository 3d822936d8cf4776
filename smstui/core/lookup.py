"""Finding a message by its gateway id: the id as typed, and fetching one the store lacks.

On call, people are handed an id ("62807347 did not arrive") from a log, a script's output or
the vendor's dashboard. The store answers at once when it holds the message. When it does not,
``getsmsstatus`` says whether the gateway knows the id at all; that call returns only a status,
so the message itself is listed from the gateway over the window its stored neighbours bound
(the gateway numbers messages in the order it receives them) and stored like a synced one.
No Textual, no click: the app's dialog and any command can use it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from smstui.core.store.lookup import MAX_SQL_INT
from smstui.core.store.schema import from_ts

if TYPE_CHECKING:
    from smstui.core.gateway_messages import Message, SmsStatus
    from smstui.core.store.database import Store
    from smstui.core.store.records import StoredMessage

ID_PREFIXES = ("#", "id:")
EXAMPLE_ID = "62807347"
# The neighbours' window is widened by this much each way: created times of one listing may be
# read in different zones (gateway_time), and an hour covers a misread offset.
WINDOW_MARGIN = 3600.0
# Windows longer than this are counted first (onlycount, one small request) and listed only when
# they hold few enough messages: a lookup must not turn into a full sync of a busy account.
COUNT_FROM = 3 * 3600.0
MAX_LISTED = 2_000


def id_query(text: str) -> str | None:
    """What follows ``#`` or ``id:`` when ``text`` asks for a gateway id, else None.

    A bare number is not an id query: the conversation filter reads digits as a phone number.
    """
    stripped = text.strip()
    lowered = stripped.lower()
    for prefix in ID_PREFIXES:
        if lowered.startswith(prefix):
            return stripped[len(prefix) :].strip()
    return None


def parse_gateway_id(text: str) -> int:
    """``62807347``, ``#62807347`` or ``id:62807347`` as an id; ValueError says what is wrong."""
    rest = id_query(text)
    value = (text if rest is None else rest).strip()
    if not value:
        raise ValueError(
            f"Type the message's gateway id, e.g. {EXAMPLE_ID} (smstui send prints it, "
            "the vendor's dashboard shows it)."
        )
    if not (value.isascii() and value.isdigit()):
        raise ValueError(f"A gateway id is a number, e.g. {EXAMPLE_ID}; {value[:30]!r} is not one.")
    number = int(value)
    if not 0 < number <= MAX_SQL_INT:
        raise ValueError(f"No message has the id {value[:30]}: gateway ids are positive numbers of at most 19 digits.")
    return number


class Fetched(NamedTuple):
    """What the gateway said about an id it knows."""

    status: SmsStatus
    message: StoredMessage | None  # stored now; None: it could not be listed (see ``reason``)
    reason: str | None = None


Fold = Callable[[Sequence["Message"]], Any]


async def fetch_message(
    client: Any,
    store: Store,
    sms_id: int,
    *,
    now: float,
    fold: Fold | None = None,
) -> Fetched:
    """Ask the gateway for message ``sms_id`` and store it; ``now`` is epoch seconds.

    Raises the client's errors: :class:`~smstui.core.api.errors.GatewayError` when the gateway refuses
    the id (it has no such message), transport and auth errors as they come. ``fold`` is the
    outbox's :meth:`~smstui.core.outbox.Outbox.fold_from_sync`: a message that is the lost answer of
    one of ours joins that row instead of becoming a second one, as in a sync.
    """
    from smstui.core.gateway_messages import MessageFilter

    status = await client.sms_status(sms_id)
    below, above = store.sms_id_neighbours(sms_id)
    if below is None:
        if above is None:
            return Fetched(status, None, "smstui has no messages of this account yet: refresh (sync) first.")
        return Fetched(
            status, None, "It is older than the history smstui has synced, so there is no conversation to show it in."
        )
    # Ids follow the order the gateway heard of messages, which their created times follow only
    # roughly (a reply is dated by the phone): the window spans both neighbours, whichever is older.
    begin = min(below, above if above is not None else below) - WINDOW_MARGIN
    end = None if above is None else max(below, above) + WINDOW_MARGIN
    window = MessageFilter(begin=from_ts(begin), end=None if end is None else from_ts(end))
    if (now if end is None else end) - begin > COUNT_FROM and await client.count_messages(window) > MAX_LISTED:
        return Fetched(
            status,
            None,
            "It is newer than smstui's last sync: refresh (sync) and try again."
            if above is None
            else "Too many messages came in around it to look it up alone: refresh (sync) and try again.",
        )
    listing = await client.list_messages(window)
    found = [m for m in listing.messages if m.id == sms_id]
    if not found:
        return Fetched(status, None, "The gateway's list of messages around it does not include it.")
    if fold is not None:
        fold(found)
    # Looked up on purpose: an incoming message found this way is not "new" in the list.
    store.upsert_messages(found, mark_unseen=False)
    return Fetched(status, store.message_by_sms_id(sms_id))


__all__ = ["EXAMPLE_ID", "Fetched", "fetch_message", "id_query", "parse_gateway_id"]
