"""The dashboard's table: one row per phone and slot of the window, the phone's state beside it.

Rows come from a :class:`~smstui.core.oncall.health.HealthReport` (:func:`delivery_rows`). A phone's
first row carries its title, id and state: offline and outdated phones say so in words and
symbols (``○ OFFLINE``, ``⬆ app outdated``), the colour only repeats it. When the rows stay the
same, :meth:`DeliveryTable.show` repaints only the lines of the rows whose cells changed (a
refresh that moved one count repaints one row), and lays the rows out anew otherwise.
"""

from __future__ import annotations

from typing import ClassVar, NamedTuple

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import BindingType
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from smstui.core.oncall.health import Counts, DeviceHealth, HealthReport, describe_duration, percent
from smstui.tui.widgets.format import clean
from smstui.tui.widgets.row_cursor import CURSOR_BINDINGS, RowCursor

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


class DeliveryTable(RowCursor, ScrollView, can_focus=True):
    """Keyed by ``device:slot``; :meth:`show` repaints only what changed (see the module docstring).

    A Line-API view, like the conversation list: the rows' lines are built as segments once per
    :meth:`show` (column widths from the cells' text), never measured by a layout pass; the first
    line is the header. A DataTable measured and rendered every cell of its rows on each change
    (50 ms for the eight rows of the demo), a third of the dashboard's budget for opening.
    """

    ALLOW_SELECT = False
    BINDINGS: ClassVar[list[BindingType]] = [*CURSOR_BINDINGS]
    DEFAULT_CSS = """
    DeliveryTable {
        height: 1fr;
        background: $surface;
        scrollbar-size-vertical: 1;
        scrollbar-size-horizontal: 1;
        & > .delivery-table--header { color: $foreground; background: $panel; text-style: bold; }
        & > .delivery-table--cursor {
            color: $block-cursor-blurred-foreground;
            background: $block-cursor-blurred-background;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus > .delivery-table--cursor {
            color: $block-cursor-foreground;
            background: $block-cursor-background;
            text-style: $block-cursor-text-style;
        }
    }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {"delivery-table--header", "delivery-table--cursor"}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows_shown: list[DeliveryRow] = []
        self.cursor_row = 0
        self.cells_changed = 0  # by the last show(): what a refresh repainted
        self.cells_repainted = 0  # every show()'s, added up
        self.rebuilds = 0  # shows that rebuilt every row (the rows changed)
        self._widths: list[int] = [cell_len(label) for label, _ in COLUMNS]
        self._tops: list[int] = []  # each row's first line (below the header)
        self._lines: list[tuple[int, list[Segment]]] = []  # (row index, segments) per line

    # ------------------------------------------------------------------ cursor

    def _row_count(self) -> int:
        return len(self.rows_shown)

    @property
    def cursor(self) -> int | None:
        return self.cursor_row if self.rows_shown else None

    @cursor.setter
    def cursor(self, index: int | None) -> None:
        if index is None or not self.rows_shown:
            return
        self.move_to(index)

    def move_to(self, index: int) -> None:
        """Put the cursor on row ``index`` (clamped) and scroll it into view."""
        old, self.cursor_row = self.cursor_row, max(0, min(len(self.rows_shown) - 1, index))
        if old != self.cursor_row:
            self._refresh_rows({old, self.cursor_row})
        if self.rows_shown:
            top = self._tops[self.cursor_row]
            height = self.rows_shown[self.cursor_row].height
            self.scroll_to_region(Region(0, top, 1, height), animate=False, immediate=True)

    def action_cursor_down(self) -> None:
        self.move_cursor(1, start=0)

    def action_cursor_up(self) -> None:
        self.move_cursor(-1, start=-1)

    @property
    def highlighted_row(self) -> DeliveryRow | None:
        if not self.rows_shown or not (0 <= self.cursor_row < len(self.rows_shown)):
            return None
        return self.rows_shown[self.cursor_row]

    # ------------------------------------------------------------------ rows

    def show(self, rows: list[DeliveryRow]) -> None:
        old = self.rows_shown
        same_shape = bool(old) and [(r.key, r.height) for r in old] == [(r.key, r.height) for r in rows]
        widths = [cell_len(label) for label, _ in COLUMNS]
        for row in rows:
            for index, cell in enumerate(row.cells):
                widths[index] = max(widths[index], *(cell_len(line) for line in cell.plain.split("\n")))
        if same_shape and widths == self._widths:
            changed_rows = set()
            changed = 0
            for index, (before, after) in enumerate(zip(old, rows, strict=True)):
                moved = sum(
                    a.plain != b.plain or a.spans != b.spans or a.style != b.style
                    for a, b in zip(before.cells, after.cells, strict=True)
                )
                if moved:
                    changed_rows.add(index)
                    changed += moved
            self.rows_shown = rows
            self._build()
            self._refresh_rows(changed_rows)
            self.cells_changed = changed
            self.cells_repainted += changed
            return
        keep = self.highlighted_row.key if self.highlighted_row is not None else None
        self.rows_shown = rows
        self._widths = widths
        self._build()
        keys = [r.key for r in rows]
        self.cursor_row = keys.index(keep) if keep in keys else min(self.cursor_row, max(0, len(rows) - 1))
        self.cells_changed = sum(len(r.cells) for r in rows)
        self.cells_repainted += self.cells_changed
        self.rebuilds += 1
        self.virtual_size = Size(self._total_width(), len(self._lines) + 1)
        self.refresh()

    def _total_width(self) -> int:
        return sum(self._widths) + 2 * len(self._widths)

    def _build(self) -> None:
        """Every row's lines as segments, each cell padded to its column (numbers to the right)."""
        console = self.app.console
        self._tops, self._lines = [], []
        for index, row in enumerate(self.rows_shown):
            self._tops.append(len(self._lines) + 1)
            parts = [cell.split("\n", allow_blank=True) for cell in row.cells]
            for line in range(row.height):
                segments: list[Segment] = []
                for column, cell_lines in enumerate(parts):
                    text = cell_lines[line].copy() if line < len(cell_lines) else Text("")
                    width = self._widths[column]
                    pad = width - text.cell_len
                    right = column >= 2 and row.cells[column].justify == "right"
                    segments.append(Segment(" " * (1 + (pad if right else 0))))
                    # Text.render leaves the Text's own style out (its console rendering adds it).
                    base = console.get_style(text.style) if text.style else None
                    segments.extend(Segment.apply_style(text.render(console), base))
                    segments.append(Segment(" " * (1 + (0 if right else pad))))
                self._lines.append((index, segments))

    def _refresh_rows(self, indexes: set[int]) -> None:
        if not self.is_mounted:
            return
        for index in indexes:
            if 0 <= index < len(self._tops):
                self.refresh_lines(self._tops[index] - self.scroll_offset.y, self.rows_shown[index].height)

    # ------------------------------------------------------------------ rendering

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        scroll_x = self.scroll_offset.x
        if y == 0:
            header = self.get_component_rich_style("delivery-table--header")
            segments: list[Segment] = []
            for column, (label, _) in enumerate(COLUMNS):
                pad = self._widths[column] - cell_len(label)
                right = column >= 2
                segments.append(Segment(" " * (1 + (pad if right else 0)) + label + " " * (1 + (0 if right else pad))))
            return Strip(segments).crop_extend(scroll_x, scroll_x + width, base + header).apply_style(base + header)
        line = self.scroll_offset.y + y - 1
        if not 0 <= line < len(self._lines):
            return Strip.blank(width, base)
        index, segments = self._lines[line]
        strip = Strip(segments).crop_extend(scroll_x, scroll_x + width, base)
        if index == self.cursor_row:
            cursor = self.get_component_rich_style("delivery-table--cursor")
            strip = Strip([Segment(s.text, (s.style or Style()) + cursor, s.control) for s in strip])
        else:
            strip = strip.apply_style(base)
        return strip
