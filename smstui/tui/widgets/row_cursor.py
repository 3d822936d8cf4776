"""The cursor keys shared by the Line-API lists (the conversation list and the thread view).

Both draw rows themselves instead of mounting a widget per row, so both keep a cursor index of
their own (``ThreadList.highlighted``, ``ThreadView.selected``); this mixin moves it with the
same rules: nothing happens over no rows, moves are clamped to the rows there are, and the first
move from no cursor lands on the row that move points at.
"""

from __future__ import annotations

from textual.binding import Binding, BindingType

#: The keys every RowCursor list binds (a list adds its own, e.g. Enter or page keys).
CURSOR_BINDINGS: list[BindingType] = [
    Binding("down", "cursor_down", "Down", show=False),
    Binding("up", "cursor_up", "Up", show=False),
    Binding("home", "first", "First", show=False),
    Binding("end", "last", "Last", show=False),
]


class RowCursor:
    """Mixin: ``_row_count`` and the ``cursor`` property are the widget's; the actions are shared."""

    def _row_count(self) -> int:
        raise NotImplementedError

    @property
    def cursor(self) -> int | None:
        raise NotImplementedError

    @cursor.setter
    def cursor(self, index: int | None) -> None:
        raise NotImplementedError

    def move_cursor(self, delta: int, *, start: int) -> None:
        """Move ``delta`` rows (clamped); from no cursor, go to row ``start`` (negative: from the end)."""
        count = self._row_count()
        if not count:
            return
        current = self.cursor
        target = (start % count) if current is None else current + delta
        self.cursor = max(0, min(count - 1, target))

    def action_first(self) -> None:
        if self._row_count():
            self.cursor = 0

    def action_last(self) -> None:
        count = self._row_count()
        if count:
            self.cursor = count - 1
