"""Full-text search: what a typed query means, its FTS5 expression, and where a message matched.

A query is words; a message matches when every word does. A word matches a message when each of
its tokens starts a word of the body or of the number (a one-character token must be the whole
word), or when the word names the message's contact, or, for a number typed in national or
``00`` form (``0151 2345``), when the message's number starts with it in international form.
Filters (:class:`smstui.core.filters.MessageFilters`) narrow it further; in the app they can be
typed with the words (``invoice status:failed since:7d``, :func:`parse_search_input`).

User input never reaches FTS5's query language: it is split into tokens exactly as the index
splits text (smstui.core.fts_tokens) and each token is quoted, so ``"``, ``*``, ``AND``, ``NEAR``
or ``body:`` are just text. Prefixes are expanded into the index's own terms (up to
:data:`MAX_EXPANSION`) rather than left to FTS5's ``*``, which merges every posting of every
matching term before the first result (90 ms for a common word in 1,000,000 messages against
under 1 ms for the expanded terms, which FTS5 walks lazily, newest first).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import NamedTuple

from smstui.core.filters import FilterError, MessageFilters, parse_past, status_codes
from smstui.core.fts_tokens import META, fts_tokens, prefix_end

MIN_PREFIX = 2  # a one-character token matches whole words only ("a" is not every word with an a)
MAX_EXPANSION = 512  # a prefix with more terms than this is left to FTS5's own prefix query
_NUMBER_LIKE = re.compile(r"^\+?[\d\s\-./()\u00a0]+$")
_DIGITS = re.compile(r"[0-9]")


class Word(NamedTuple):
    """One word of a query: its folded tokens, and the international numbers it may start."""

    text: str
    tokens: tuple[str, ...]
    numbers: tuple[str, ...] = ()  # digits, e.g. "49151" for "0151" in region DE


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """What to look for: words (may be empty: then the filters alone list messages) and filters."""

    text: str = ""
    filters: MessageFilters = field(default_factory=MessageFilters)


def quote(token: str) -> str:
    """A token as an FTS5 string: never an operator, a column name or a prefix star."""
    return '"' + token.replace('"', '""') + '"'


def index_tokens(text: str) -> list[str]:
    """Folded tokens that the index will keep whole when it reads them back (a fold is almost
    always a token character itself; where it is not, the pieces are the tokens)."""
    tok = fts_tokens()
    out: list[str] = []
    for token in tok.fold(text.replace(META, " ")):
        again = tok.fold(token)
        out.extend(again if again != [token] else [token])
    return out


def _number_prefixes(text: str, region: str | None) -> tuple[str, ...]:
    digits = "".join(_DIGITS.findall(text))
    if len(digits) < 3 or not _NUMBER_LIKE.match(text.strip()):
        return ()
    found = [digits]
    if not text.strip().startswith("+"):
        from smstui.core.phone import (
            international_prefixes,  # lazily: phonenumbers is slow to import
        )

        found += [p.lstrip("+") for p in international_prefixes(text.strip(), digits, region)]
    return tuple(dict.fromkeys(found))


def query_words(text: str, region: str | None = None) -> list[Word]:
    """The words of a typed query. A query that is all number (``+49 151 2345``) is one word."""
    text = text.strip()
    if not text:
        return []
    if _NUMBER_LIKE.match(text) and len(_DIGITS.findall(text)) >= 3:
        return [Word(text, tuple(index_tokens(text)), _number_prefixes(text, region))]
    words = []
    for raw in text.split():
        tokens = tuple(index_tokens(raw))
        if tokens:
            words.append(Word(raw, tokens, _number_prefixes(raw, region)))
    return words


def token_matches(term: str, folded: str) -> bool:
    """Whether query token ``term`` matches an index token ``folded`` (a prefix, or whole if short)."""
    return folded == term or (len(term) >= MIN_PREFIX and folded.startswith(term))


def highlight_spans(text: str, words: Sequence[Word]) -> list[tuple[int, int]]:
    """Where ``text`` (as shown) matches the query's words: (start, end) spans, sorted, disjoint.

    Only the matched part of a word is marked (``deliv`` in ``delivery``).
    """
    terms = sorted({t for w in words for t in w.tokens}, key=len, reverse=True)
    if not terms or not text:
        return []
    spans: list[tuple[int, int]] = []
    for token in fts_tokens().tokens(text):
        for term in terms:  # longest first: the longest match is the one to show
            if token_matches(term, token.folded):
                spans.append((token.start, prefix_end(token, term)))
                break
    return spans


# ------------------------------------------------------------------ the FTS5 expression

Expand = Callable[[str], "list[str] | None"]


def word_clause(word: Word, expand: Expand, name_keys: Sequence[str]) -> str | None:
    """The FTS5 expression for one word, or None when nothing in the index can match it.

    ``expand(prefix)`` gives the index's terms starting with ``prefix`` (None: too many to list);
    ``name_keys`` the numbers of the contacts whose name the word matches.
    """
    alternatives: list[str] = []
    parts: list[str] = []
    for token in word.tokens:
        part = _term(token, expand)
        if part is None:
            parts = []
            break
        parts.append(part)
    if parts:
        alternatives.append(" AND ".join(parts))
    for number in word.numbers:
        part = _term(number, expand)
        if part is not None:
            alternatives.append(part)
    for key in name_keys:
        tokens = index_tokens(key)
        if tokens:
            alternatives.append(" AND ".join(quote(t) for t in tokens))
    if not alternatives:
        return None
    unique = list(dict.fromkeys(alternatives))
    return unique[0] if len(unique) == 1 else "(" + " OR ".join(f"({a})" for a in unique) + ")"


def _term(token: str, expand: Expand) -> str | None:
    if len(token) < MIN_PREFIX:
        return quote(token)
    terms = expand(token)
    if terms is None:
        return quote(token) + "*"
    if not terms:
        return None
    return quote(terms[0]) if len(terms) == 1 else "(" + " OR ".join(quote(t) for t in terms) + ")"


def filter_clauses(filters: MessageFilters) -> list[str]:
    """The filters the index holds as tokens (device, slot, status, direction), as FTS5 terms."""
    clauses = []
    if filters.device_id is not None:
        clauses.append(quote(f"{META}d{filters.device_id}"))
    if filters.slot is not None:
        clauses.append(quote(f"{META}s{filters.slot}"))
    if filters.statuses:
        codes = [quote(f"{META}t{code}") for code in sorted(set(filters.statuses))]
        clauses.append(codes[0] if len(codes) == 1 else "(" + " OR ".join(codes) + ")")
    if filters.direction is not None:
        clauses.append(quote(f"{META}{'i' if filters.direction == 'in' else 'o'}"))
    return clauses


def indexed_filters(filters: MessageFilters) -> bool:
    return bool(filter_clauses(filters))


# ------------------------------------------------------------------ filters typed with the words

FILTER_HELP = (
    "Filters, typed with the words: status:failed|delivered|… since:7d until:2026-11-01 dir:in|out "
    "device:ID slot:sms1|wa|… phone:NUMBER"
)


@dataclass(frozen=True, slots=True)
class SearchInput:
    """What the search field holds: the words, the filters typed with them, and what was wrong."""

    text: str
    filters: MessageFilters
    problems: tuple[str, ...] = ()


_FILTER_WORD = re.compile(r"^(device|slot|sim|status|dir|since|until|phone):(.*)$", re.IGNORECASE)


def parse_search_input(
    typed: str,
    *,
    now: datetime,
    zone: tzinfo,
    phone_key: Callable[[str], str] | None = None,
    base: MessageFilters | None = None,
) -> SearchInput:
    """Split ``device:1297 status:failed invoice`` into words and filters (on top of ``base``).

    A filter that cannot be read is left out and named in ``problems`` with what to type instead.
    """
    from smstui.core.models import Slot

    filters = base or MessageFilters()
    values: dict[str, object] = {}
    words: list[str] = []
    problems: list[str] = []
    for raw in typed.split():
        found = _FILTER_WORD.match(raw)
        if not found:
            words.append(raw)
            continue
        name, value = found.group(1).lower(), found.group(2)
        if not value:
            continue  # still being typed
        try:
            if name == "device":
                if not value.isdigit():
                    raise FilterError(f"device:{value} is not a device id; use the number the devices screen shows")
                values["device_id"] = int(value)
            elif name in ("slot", "sim"):
                try:
                    values["slot"] = int(Slot.parse(value))
                except ValueError as exc:
                    raise FilterError(str(exc)) from None
            elif name == "status":
                values["statuses"] = status_codes(value)
            elif name == "dir":
                key = value.lower()
                if key not in ("in", "out"):
                    raise FilterError(f"dir:{value}: use dir:in (received) or dir:out (sent)")
                values["direction"] = key
            elif name in ("since", "until"):
                values[name] = parse_past(value, now, zone)
            elif name == "phone" and phone_key is not None:
                values["phone_key"] = phone_key(value)
        except FilterError as exc:
            problems.append(str(exc))
    if values:
        from dataclasses import replace

        filters = replace(filters, **values)  # type: ignore[arg-type]
    return SearchInput(" ".join(words), filters, tuple(problems))


def describe_filters(filters: MessageFilters, device_name: Callable[[int], str] | None = None) -> list[str]:
    """Short phrases for the filters in effect ("device Office", "failed", "since 2026-11-01")."""
    from smstui.core.models import SLOT_LABELS, STATUS_GROUPS, Slot, status_title

    out = []
    if filters.device_id is not None:
        out.append(f"device {device_name(filters.device_id) if device_name else filters.device_id}")
    if filters.slot is not None:
        try:
            out.append(SLOT_LABELS[Slot(filters.slot)])
        except ValueError:
            out.append(f"slot {filters.slot}")
    if filters.statuses:
        group = next((n for n, codes in STATUS_GROUPS.items() if tuple(sorted(codes)) == filters.statuses), None)
        out.append(group or ", ".join(status_title(c) for c in filters.statuses))
    if filters.direction is not None:
        out.append("received" if filters.direction == "in" else "sent")
    if filters.since is not None:
        out.append(f"since {filters.since.strftime('%Y-%m-%d %H:%M')}")
    if filters.until is not None:
        out.append(f"until {filters.until.strftime('%Y-%m-%d %H:%M')}")
    return out


def words_text(words: Iterable[Word]) -> str:
    return " ".join(w.text for w in words)
