"""Honouring the suppression list before a send: which planned rows go to numbers that opted
out, and how many of a newsletter's tags' contacts did.

Bulk sends leave those rows out unless the user asks to include them (``--include-opted-out``,
a confirmation in the app). A newsletter is sent by the gateway to its tags' contacts, so
smstui can only check the contacts it knows and warn with the count before creating it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, NamedTuple, Protocol, TypeVar

if TYPE_CHECKING:
    from smstui.core.store.optouts import Optout


class _Phoned(Protocol):
    @property
    def phone(self) -> str: ...


Row = TypeVar("Row", bound=_Phoned)


class _OptoutReader(Protocol):
    def optouts_among(self, phones: Iterable[str]) -> dict[str, Optout]: ...


class Skipped(NamedTuple):
    phone: str
    optout: Optout
    line: int | None = None


def split_opted_out(store: _OptoutReader, rows: Sequence[Row]) -> tuple[list[Row], list[Skipped]]:
    """(rows to send, the opted-out ones left out) - one store read for the whole list."""
    found = store.optouts_among({row.phone for row in rows})
    if not found:
        return list(rows), []
    kept: list[Row] = []
    skipped: list[Skipped] = []
    for row in rows:
        optout = found.get(row.phone)
        if optout is None:
            kept.append(row)
        else:
            skipped.append(Skipped(row.phone, optout, getattr(row, "line", None)))
    return kept, skipped


def optout_label(optout: Optout) -> str:
    """``opted out on 12 Nov, 'STOP'`` (or ``… by hand``) for a contact, a thread or a list."""
    day = f"{optout.at.astimezone():%d %b}".lstrip("0")
    if optout.reply:
        reply = " ".join(optout.reply.split())
        reply = reply if len(reply) <= 20 else reply[:19] + "…"
        return f"opted out on {day}, {reply!r}"
    return f"opted out on {day}, by hand"


def _listed(skipped: Sequence[Skipped], shown: int) -> tuple[list[str], str]:
    """The distinct numbers, and the first ``shown`` of them written out (``… and 3 more``)."""
    phones = list(dict.fromkeys(s.phone for s in skipped))
    listed = ", ".join(phones[:shown]) + (f" and {len(phones) - shown} more" if len(phones) > shown else "")
    return phones, listed


def skipped_text(skipped: Sequence[Skipped], shown: int = 5) -> str:
    """``2 opted-out number(s) left out: +49…, +49…`` ("" when none)."""
    if not skipped:
        return ""
    phones, listed = _listed(skipped, shown)
    return f"{len(phones)} opted-out number(s) left out: {listed}"


def newsletter_warning(skipped: Sequence[Skipped], shown: int = 3) -> str:
    """What to say before creating a newsletter whose tags hold opted-out contacts ("" when none)."""
    if not skipped:
        return ""
    phones, listed = _listed(skipped, shown)
    return (
        f"{len(phones)} contact(s) in these tags opted out ({listed}): the gateway sends a newsletter to "
        "every contact of its tags, so remove them from the tags first"
    )


__all__ = ["Skipped", "newsletter_warning", "optout_label", "skipped_text", "split_opted_out"]
