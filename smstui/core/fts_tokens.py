"""Words as the search index sees them: split and folded exactly as SQLite's unicode61 tokenizer.

The index (smstui.core.store.search_schema) cannot be asked to split a query: a quoted query
word that it splits in two is a phrase, and a ``detail=none`` index refuses phrases. So the
query is split here, before it is quoted, into words the index will keep whole. Python's own
idea of a letter differs from SQLite's (its Unicode tables, which characters fold to what, and
which combining marks vanish) for ~50,000 characters, so this module does not guess: it asks
SQLite, one character at a time, through an in-memory FTS5 table, and remembers the answer.
A text's tokens are then runs of token characters, folded character by character, which is how
unicode61 folds (a character's fold does not depend on its neighbours).

The same split finds the spans to highlight in a message, so what is highlighted is what matched.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from typing import NamedTuple

#: A private-use character, which unicode61 keeps inside tokens: the index's attribute tokens
#: start with it (smstui.core.store.search_schema), and it is blanked in bodies and queries.
META = "\ue000"

# unicode61's defaults: ASCII letters and digits are token characters, lower-cased; every other
# ASCII character separates (checked against SQLite in tests/test_search.py).
_ASCII: dict[str, str | None] = {chr(c): (chr(c).lower() if chr(c).isalnum() else None) for c in range(128)}


_ASCII_TOKEN = re.compile(r"[A-Za-z0-9]+")


class Token(NamedTuple):
    start: int  # index in the text of its first character
    end: int  # one past its last
    folded: str  # as the index holds it: lower case, diacritics removed
    #: Each character's fold, to map a folded prefix back to the text; empty when each character
    #: folds to one (an ASCII token).
    folds: tuple[str, ...] = ()


class FtsTokens:
    """The characters the index keeps in tokens, and their folds, learnt from SQLite on first sight."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._chars: dict[str, str | None] = dict(_ASCII)
        self._db: sqlite3.Connection | None = None
        self._runs_for = -1
        self._runs_pattern = _ASCII_TOKEN

    def _probe(self, chars: list[str]) -> None:
        """Ask unicode61 what each of ``chars`` is: ``q<ch>q`` is one token when ``ch`` is a token
        character (then the token's middle is its fold), and two ``q`` tokens when it separates."""
        with self._lock:
            if self._db is None:
                self._db = sqlite3.connect(":memory:", check_same_thread=False)
                self._db.execute("CREATE VIRTUAL TABLE probe USING fts5(x, detail=full)")
                self._db.execute("CREATE VIRTUAL TABLE probe_terms USING fts5vocab(probe, instance)")
            db = self._db
            db.executemany("INSERT INTO probe (rowid, x) VALUES (?, ?)", [(i, f"q{c}q") for i, c in enumerate(chars)])
            terms: dict[int, list[str]] = {}
            for term, doc in db.execute("SELECT term, doc FROM probe_terms"):
                terms.setdefault(doc, []).append(term)
            db.execute("DELETE FROM probe")
            for i, c in enumerate(chars):
                found = terms.get(i, [])
                one = len(found) == 1 and found[0].startswith("q") and found[0].endswith("q") and len(found[0]) >= 2
                self._chars[c] = found[0][1:-1] if one else None

    def _learn(self, text: str) -> dict[str, str | None]:
        known = self._chars
        unknown = [c for c in set(text) if c not in known]
        if unknown:
            probe = []
            for c in unknown:
                if "\ud800" <= c <= "\udfff":  # a lone surrogate cannot reach SQLite (nor the index)
                    known[c] = None
                else:
                    probe.append(c)
            if probe:
                self._probe(probe)
        return known

    def tokens(self, text: str) -> list[Token]:
        """The tokens of ``text`` with their spans, as the index would keep them."""
        if text.isascii():  # the common case, without a loop over characters
            return [Token(m.start(), m.end(), m.group().lower()) for m in _ASCII_TOKEN.finditer(text)]
        info = self._learn(text)
        found: list[Token] = []
        for match in self._runs().finditer(text):
            run = match.group()
            if run.isascii():
                found.append(Token(match.start(), match.end(), run.lower()))
                continue
            folds = tuple(info[c] or "" for c in run)
            folded = "".join(folds)
            if folded:  # only combining marks: unicode61 keeps nothing of it
                found.append(Token(match.start(), match.end(), folded, folds))
        return found

    def _runs(self) -> re.Pattern[str]:
        """Runs of token characters: anything but the separators learnt so far (every character of
        the text at hand is learnt by then). Compiled again only when something new was learnt."""
        known = len(self._chars)
        if self._runs_for != known:
            separators = "".join(re.escape(c) for c, fold in self._chars.items() if fold is None)
            self._runs_pattern = re.compile(f"[^{separators}]+")
            self._runs_for = known
        return self._runs_pattern

    def fold(self, text: str) -> list[str]:
        """The folded tokens of ``text`` (what a query word becomes)."""
        return [t.folded for t in self.tokens(text)]


_shared: FtsTokens | None = None
_shared_lock = threading.Lock()


def fts_tokens() -> FtsTokens:
    """The process's tokenizer (its learnt characters are shared by every store and thread)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = FtsTokens()
        return _shared


def prefix_end(token: Token, prefix: str) -> int:
    """Where in the text the part of ``token`` that folds to ``prefix`` ends (for highlighting)."""
    if not token.folds:
        return min(token.start + len(prefix), token.end)
    used = 0
    for offset, fold in enumerate(token.folds):
        if used >= len(prefix) and fold:  # a combining mark stays with the letter before it
            return token.start + offset
        used += len(fold)
    return token.end
