"""A page of search results (smstui.core.store.search): imported when a search first runs."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from smstui.core.search import Word
    from smstui.core.store.records import StoredMessage


class SearchPage(NamedTuple):
    """One page of results, newest first; ``more`` when older ones follow (see ``after``)."""

    messages: list[StoredMessage]
    more: bool
    words: list[Word]
    names: dict[str, str]  # contact name per phone_key of the page's messages that have one
    total: int | None = None  # how many match in all (at most the cap asked for), when asked

    @property
    def after(self) -> tuple[float, int] | None:
        """The key set to ask for the next page with (``before=``)."""
        if not self.messages:
            return None
        last = self.messages[-1]
        return (last.created.timestamp(), last.lid)
