"""The failure triage's list: one row per failed, refused or unclear message, newest first.

Each row says when it was written, to whom, through which phone and slot, why it failed (the
reason's title, with a symbol: ``✗`` failed, ``⊘`` refused, ``?`` unclear) and what triage did
(handled, retried and how the retry stands, or that it is itself a retry). Network text (numbers
as the gateway wrote them, device titles) is cleaned, never markup.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import DataTable

from smstui.core.oncall.triage import reason_of
from smstui.tui.widgets.delivery_table import SLOT_WORDS
from smstui.tui.widgets.format import clean, display_number, short_time

if TYPE_CHECKING:
    from smstui.core.store.records import StoredMessage
    from smstui.core.store.triage import TriageRow

COLUMNS = (("When", "when"), ("To", "to"), ("Why", "why"), ("Phone", "phone"), ("Triage", "note"))
# The symbol in the plain weight: some terminal fonts have no bold ✗.
SYMBOLS = {"unknown": ("?", "yellow"), "refused": ("⊘", "red"), "stuck": ("◷", "yellow")}
REASON_STYLES = {"unknown": "bold yellow", "stuck": "bold yellow"}
PHONE_WIDTH = 18


def number_of(message: StoredMessage) -> str:
    if message.phone_key.startswith("+"):
        return display_number(message.phone_key)
    return clean(message.phone, single_line=True)


def note_text(row: TriageRow, retries: Mapping[int, StoredMessage]) -> Text:
    """What triage did with it: handled, retried (and how that stands), or a retry itself."""
    text = Text()
    retry = retries.get(row.retried_as) if row.retried_as is not None else None
    if retry is not None:
        text.append(f"↻ retried: {clean(retry.display_status, single_line=True)}", style="cyan")
    elif row.handled_at is not None:
        text.append("✓ handled", style="dim")
    if row.retry_of is not None:
        text.append(("\n" if text.plain else "") + f"retry of local #{row.retry_of}", style="dim")
    return text


class TriageTable(DataTable[Text]):
    """Rows keyed by the message's lid; :meth:`show` rebuilds them, keeping the cursor's row."""

    DEFAULT_CSS = """
    TriageTable { height: 1fr; scrollbar-size-vertical: 1; scrollbar-size-horizontal: 1; }
    """

    def __init__(self, *, clock: Callable[[], datetime], tz: tzinfo | None, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=False)
        self._clock = clock
        self._tz = tz
        self.rows_shown: list[TriageRow] = []
        self._chosen: frozenset[int] = frozenset()  # the lids drawn with the chosen mark

    def on_mount(self) -> None:
        for label, key in COLUMNS:
            self.add_column(label, key=key)

    @property
    def highlighted(self) -> TriageRow | None:
        if not self.rows_shown or not (0 <= self.cursor_row < self.row_count):
            return None
        return self.rows_shown[self.cursor_row]

    def _when(self, row: TriageRow, now: datetime, chosen: bool) -> Text:
        when = Text("● " if chosen else "  ", style="bold cyan")
        when.append(short_time(row.message.created, now, self._tz), style="dim" if row.handled_at is not None else "")
        return when

    def mark_chosen(self, chosen: frozenset[int]) -> None:
        """Redraw the first cell of the rows whose chosen mark (space) changed, not the table."""
        now = self._clock()
        for row in self.rows_shown:
            lid = row.message.lid
            if (lid in chosen) != (lid in self._chosen):
                self.update_cell(str(lid), "when", self._when(row, now, lid in chosen))
        self._chosen = chosen

    def show(
        self,
        rows: list[TriageRow],
        names: Mapping[int, str],
        retries: Mapping[int, StoredMessage],
        chosen: frozenset[int] = frozenset(),
    ) -> None:
        """Rebuild the rows; those in ``chosen`` (lids, space) carry a mark before their time."""
        self._chosen = chosen
        current = self.highlighted
        keep = current.message.lid if current is not None else None
        index = self.cursor_row
        now = self._clock()
        self.clear()
        for row in rows:
            m = row.message
            reason = reason_of(m)
            symbol, style = SYMBOLS.get(reason.key, ("✗", "red"))
            why = Text(f"{symbol} ", style=style)
            why.append(reason.title, style=REASON_STYLES.get(reason.key, "bold red"))
            phone = clean(names.get(m.device_id or 0), single_line=True) or (
                f"device {m.device_id}" if m.device_id is not None else "—"
            )
            if len(phone) > PHONE_WIDTH:
                phone = phone[: PHONE_WIDTH - 1] + "…"
            where = Text(phone)
            if m.slot is not None:
                where.append(f" {SLOT_WORDS.get(m.slot, m.slot)}", style="dim")
            handled = row.handled_at is not None
            cells = (
                self._when(row, now, m.lid in chosen),
                Text(number_of(m), style="dim" if handled else "bold"),
                why,
                where,
                note_text(row, retries),
            )
            self.add_row(*cells, key=str(m.lid), height=max(str(c).count("\n") + 1 for c in cells))
        self.rows_shown = list(rows)
        lids = [r.message.lid for r in rows]
        if keep in lids:
            self.move_cursor(row=lids.index(keep))
        elif rows:
            self.move_cursor(row=min(max(index, 0), len(rows) - 1))  # the row after one marked handled
