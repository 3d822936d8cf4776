"""A SQLite connection whose errors name the store file and what to do.

A store whose header is intact but whose pages are damaged opens fine and fails on the first
query that touches a bad page, anywhere in the code. Rather than a try in every method, the
connection and its cursors turn sqlite's errors into one :class:`~smstui.core.store.connection.StoreError`
(``make_error``) that says which file and what to do, so the CLI and the app show that sentence
instead of "unexpected error". Programming errors (constraint violations, a closed connection)
are left alone: they are bugs, not damage.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any, Self, TypeVar, overload

_BUGS = (sqlite3.IntegrityError, sqlite3.ProgrammingError, sqlite3.InterfaceError, sqlite3.NotSupportedError)
_DAMAGE = ("malformed", "not a database", "corrupt", "no such table", "no such column", "disk image")
_BUSY = ("locked", "busy")
_CursorT = TypeVar("_CursorT", bound=sqlite3.Cursor)


def describe(path: Path, exc: BaseException) -> str:
    """The sentence for a store that failed with ``exc``."""
    reason = str(exc) or type(exc).__name__
    text = reason.lower()
    if any(word in text for word in _BUSY):
        return f"The local store {path} is in use by another smstui ({reason}); close it or wait, then try again."
    if any(word in text for word in _DAMAGE):
        return (
            f"The local store {path} is damaged ({reason}). Run `smstui doctor --repair`: it keeps "
            "the damaged file as a backup, starts a fresh store with the messages still waiting "
            "to be sent, and the next `smstui sync` brings the history back from the gateway."
        )
    return (
        f"The local store {path} cannot be used ({reason}). Check the disk (space, permissions); "
        "`smstui doctor` checks the file itself."
    )


def translates(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, _BUGS)


class GuardedCursor(sqlite3.Cursor):
    connection: GuardedConnection

    def _fail(self, exc: sqlite3.DatabaseError) -> Exception:
        return self.connection.make_error(exc) if translates(exc) else exc

    # sqlite3's execute* return the cursor itself; returning ``self`` says so to the type checker.
    def execute(self, *args: Any) -> Self:
        try:
            super().execute(*args)
        except sqlite3.DatabaseError as exc:
            raise self._fail(exc) from None
        return self

    def executemany(self, *args: Any) -> Self:
        try:
            super().executemany(*args)
        except sqlite3.DatabaseError as exc:
            raise self._fail(exc) from None
        return self

    def executescript(self, *args: Any) -> Self:
        try:
            super().executescript(*args)
        except sqlite3.DatabaseError as exc:
            raise self._fail(exc) from None
        return self

    def fetchone(self) -> Any:
        try:
            return super().fetchone()
        except sqlite3.DatabaseError as exc:
            raise self._fail(exc) from None

    def fetchall(self) -> list[Any]:
        try:
            return super().fetchall()
        except sqlite3.DatabaseError as exc:
            raise self._fail(exc) from None


class GuardedConnection(sqlite3.Connection):
    """``sqlite3.connect(path, factory=GuardedConnection)``; then set :attr:`make_error`."""

    make_error: Callable[[sqlite3.DatabaseError], Exception] = staticmethod(lambda exc: exc)

    @overload
    def cursor(self, factory: None = None) -> GuardedCursor: ...
    @overload
    def cursor(self, factory: Callable[[sqlite3.Connection], _CursorT]) -> _CursorT: ...
    def cursor(self, factory: Callable[[sqlite3.Connection], sqlite3.Cursor] | None = None) -> sqlite3.Cursor:
        return super().cursor(factory or GuardedCursor)

    def execute(self, *args: Any) -> GuardedCursor:
        return self.cursor().execute(*args)

    def executemany(self, *args: Any) -> GuardedCursor:
        return self.cursor().executemany(*args)

    def executescript(self, *args: Any) -> GuardedCursor:
        return self.cursor().executescript(*args)
