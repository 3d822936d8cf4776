"""The search screen's results: two lines per message, the match highlighted, newest first.

Each result is built as a ``rich.text.Text`` from cleaned data (smstui.tui.widgets.format.clean),
and the matched parts are marked with ``Text.stylize`` on their spans: a message body is never
read as markup, whatever brackets it holds. Only a page (100) is listed at first; reaching the
end reads the next (:attr:`SearchResults.at_end`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo

from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from smstui.core.search import Word, highlight_spans
from smstui.core.store.records import StoredMessage
from smstui.tui.widgets.format import clean, display_number, short_time, status_parts

SNIPPET = 240  # characters of a body shown around its first match
LEAD = 30  # of them before the match
HEAD = 400  # characters searched for the first match before the whole body is

KIND_STYLES = {"ok": "green", "pending": "dim", "warn": "yellow", "bad": "bold red"}
MATCH_STYLE = "bold reverse"


def snippet(body: str, words: Sequence[Word], width: int = SNIPPET) -> Text:
    """One line of ``body`` around its first match, the matched parts highlighted."""
    text = clean(body, single_line=True)
    # The first match is nearly always near the start: look there first (a long body's every
    # word need not be split to show one line of it).
    head = text if len(text) <= HEAD else text[: text.rfind(" ", 0, HEAD) + 1 or HEAD]
    spans = highlight_spans(head, words) or (highlight_spans(text, words) if head is not text else [])
    start = 0
    if spans and spans[0][0] > LEAD:
        start = spans[0][0] - LEAD
        # Start at a word: the line reads better from a word's first letter.
        space = text.find(" ", start, spans[0][0])
        start = space + 1 if space >= 0 else start
    shown = text[start : start + min(width, SNIPPET)]
    line = Text(("…" if start else "") + shown, no_wrap=True, overflow="ellipsis")
    offset = 1 if start else 0
    for a, b in spans:
        if a >= start + len(shown):
            break
        line.stylize(MATCH_STYLE, a - start + offset, min(b, start + len(shown)) - start + offset)
    return line


def result_prompt(
    message: StoredMessage,
    name: str | None,
    words: Sequence[Word],
    *,
    now: datetime,
    tz: tzinfo | None,
    device: str | None = None,
    width: int = 80,
) -> Text:
    """Two lines, each cut to ``width`` cells (an option list wraps what is longer)."""
    head = Text(no_wrap=True, overflow="ellipsis")
    head.append(short_time(message.created, now, tz), style="dim")
    head.append("  ← " if message.incoming else "  → ")
    who = clean(name, single_line=True) if name else display_number(message.phone_key)
    head.append(who, style="bold")
    if name:
        head.append(f"  {display_number(message.phone_key)}", style="dim")
    symbol, word, kind = status_parts(message, now, tz)
    if word:
        head.append(f"  {symbol} {word}", style=KIND_STYLES.get(kind, ""))
    if device:
        head.append(f"  · {clean(device, single_line=True)}", style="dim")
    body = snippet(message.body, words, width + 1)
    head.truncate(width, overflow="ellipsis")
    body.truncate(width, overflow="ellipsis")
    return Text("\n").join([head, body])


class SearchResults(OptionList):
    """The results list; :attr:`messages` are the listed rows, in order."""

    DEFAULT_CSS = """
    SearchResults { height: 1fr; border: none; padding: 0 1; background: $surface; }
    SearchResults:focus { background-tint: $foreground 3%; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.messages: list[StoredMessage] = []
        self.more = False

    def show(self, prompts: Sequence[Text], messages: Sequence[StoredMessage], *, more: bool, append: bool) -> None:
        if not append:
            self.clear_options()
            self.messages = []
        self.messages.extend(messages)
        self.more = more
        self.add_options([Option(p) for p in prompts])
        if not append and self.option_count:
            self.highlighted = 0

    @property
    def selected_message(self) -> StoredMessage | None:
        index = self.highlighted
        return self.messages[index] if index is not None and 0 <= index < len(self.messages) else None

    @property
    def at_end(self) -> bool:
        """The highlight is on the last result listed and more follow (time to read the next page)."""
        return self.more and self.highlighted is not None and self.highlighted >= len(self.messages) - 1
