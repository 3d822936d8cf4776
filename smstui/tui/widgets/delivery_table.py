"""The dashboard's table: one row per phone and slot of the window, the phone's state beside it.

Rows come from a :class:`~smstui.core.health.HealthReport` (:func:`delivery_rows`). A phone's
first row carries its title, id and state: offline and outdated phones say so in words and
symbols (``○ OFFLINE``, ``⬆ app outdated``), the colour only repeats it. :meth:`DeliveryTable.show`
changes only the cells whose text changed when the rows stay the same (a refresh that moved
one count repaints one cell), and rebuilds the rows otherwise.
"""

from __future__ import annotations

from typing import NamedTuple

from rich.text import Text
from textual.widgets import DataTable
from textual.widgets.data_table import RowKey

from smstui.core.health import Counts, DeviceHealth, HealthReport, describe_duration, percent
from smstui.tui.widgets.format import clean

COLUMNS = (
    ("Phone", "phone"),
    ("Slot", "slot"),
    ("Deliv", "delivered"),
    ("Sent", "sent"),
    ("Failed", "failed"),
    ("Fail%", "rate"),
    ("Unclr", "unknown"),
    ("Wait", "queued"),
)
# Short enough for the column at 80 columns ("WhatsApp Business" is not).
SLOT_WORDS = {0: "SMS 1", 1: "SMS 2", 2: "WA Biz", 3: "WhatsApp", 4: "RCS 1", 5: "RCS 2"}
TITLE_WIDTH = 22


class DeliveryRow(NamedTuple):
    key: str  # "device:all" for a phone's row, "device:slot" for one of its slots ("-": no slot)
    device_id: int | None
    slot: int | None  # None on a phone's row that sums several slots (or messages without one)
    cells: tuple[Text, ...]

    @property
    def height(self) -> int:
        return max(str(cell).count("\n") + 1 for cell in self.cells)


def phone_cell(device: DeviceHealth | None, device_id: int | None) -> Text:
    """Title, then ``#id`` and the state; an offline phone also says since when it is silent."""
    if device is None:
        return Text("no phone", style="dim")
    title = clean(device.title, single_line=True) or f"device {device.id}"
    if len(title) > TITLE_WIDTH:
        title = title[: TITLE_WIDTH - 1] + "…"
    text = Text(title, style="bold red" if device.offline else "bold")
    text.append(f"\n#{device.id} ", style="dim")
    if not device.known:
        text.append("not on the account", style="dim")
    elif device.offline:
        text.append("○ OFFLINE", style="bold red")
        if device.silent_for is not None:
            text.append(f"\n  seen {describe_duration(device.silent_for)} ago", style="red")
    elif device.online is False:
        text.append("◐ silent", style="yellow")
    elif device.online is None and device.last_seen is None:
        text.append("? unknown", style="dim")
    else:
        text.append("● online", style="green")
    if device.outdated:
        text.append("\n⬆ app outdated", style="bold yellow")
    return text


def _number(value: int, style: str = "") -> Text:
    return Text(str(value), style=style if value else "dim", justify="right")


def _count_cells(counts: Counts) -> tuple[Text, ...]:
    failed = Text(str(counts.failed), style="bold red" if counts.failed else "dim", justify="right")
    if counts.failed:
        failed.append(" ✗", style="red")  # the plain weight: some fonts have no bold ✗
    rate = Text(percent(counts.failed_rate), justify="right", style="bold red" if counts.failed else "dim")
    return (
        _number(counts.delivered, "green"),
        _number(counts.sent),
        failed,
        rate,
        _number(counts.unknown, "yellow"),
        _number(counts.queued),
    )


def _slot_word(slot: int | None) -> str:
    return "no slot" if slot is None else SLOT_WORDS.get(slot, f"slot {slot}")


def delivery_rows(report: HealthReport) -> list[DeliveryRow]:
    """The table's rows: per phone a row with its state and its window's totals (named by its
    slot when it used one), then a row per slot when it used several. Offline phones first:
    where it is broken is what the screen is for; else the store's order."""
    rows: list[DeliveryRow] = []
    for device in sorted(report.devices, key=lambda d: not d.offline):
        slots = report.slots_of(device.id)
        label = Text(_slot_word(slots[0].slot)) if len(slots) == 1 else Text("all", style="dim")
        if not slots:
            label = Text("—", style="dim")
        rows.append(
            DeliveryRow(
                f"{device.id}:all",
                device.id,
                slots[0].slot if len(slots) == 1 else None,
                (phone_cell(device, device.id), label, *_count_cells(device.counts)),
            )
        )
        if len(slots) > 1:
            for entry in slots:
                rows.append(
                    DeliveryRow(
                        f"{device.id}:{'-' if entry.slot is None else entry.slot}",
                        device.id,
                        entry.slot,
                        (Text(""), Text(f"  {_slot_word(entry.slot)}"), *_count_cells(entry.counts)),
                    )
                )
    return rows


class DeliveryTable(DataTable[Text]):
    """Keyed by ``device:slot``; :meth:`show` repaints only what changed (see the module docstring)."""

    DEFAULT_CSS = """
    DeliveryTable { height: 1fr; scrollbar-size-vertical: 1; scrollbar-size-horizontal: 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=False)
        self.rows_shown: list[DeliveryRow] = []
        self.cells_changed = 0  # by the last show(): what a refresh repainted
        self.cells_repainted = 0  # every show()'s, added up
        self.rebuilds = 0  # shows that rebuilt every row (the rows changed)

    def on_mount(self) -> None:
        for label, key in COLUMNS:
            self.add_column(label, key=key)

    @property
    def highlighted_row(self) -> DeliveryRow | None:
        if not self.rows_shown or not (0 <= self.cursor_row < self.row_count):
            return None
        return self.rows_shown[self.cursor_row]

    def show(self, rows: list[DeliveryRow]) -> None:
        old = self.rows_shown
        same_shape = [(r.key, r.height) for r in old] == [(r.key, r.height) for r in rows]
        if same_shape and old:
            changed = 0
            for before, after in zip(old, rows, strict=True):
                for (_, column), a, b in zip(COLUMNS, before.cells, after.cells, strict=True):
                    if a.plain != b.plain or a.spans != b.spans or a.style != b.style:
                        self.update_cell(RowKey(after.key), column, b)
                        changed += 1
            self.cells_changed = changed
            self.cells_repainted += changed
            self.rows_shown = rows
            return
        keep = self.highlighted_row.key if self.highlighted_row is not None else None
        self.clear()
        for row in rows:
            self.add_row(*row.cells, key=row.key, height=row.height)
        self.rows_shown = rows
        self.cells_changed = sum(len(r.cells) for r in rows)
        self.cells_repainted += self.cells_changed
        self.rebuilds += 1
        keys = [r.key for r in rows]
        if keep in keys:
            self.move_cursor(row=keys.index(keep))
