"""The device table: one row per phone, SIMs stacked in one cell, offline or stale phones marked."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, tzinfo

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import DataTable

from smstui.core.phone import InvalidNumber, format_display, normalize
from smstui.core.store.devices import StoredDevice
from smstui.tui.widgets.format import ago, clean

# A phone polls every few seconds; silence longer than this means something is wrong.
STALE_AFTER = timedelta(minutes=10)

# Layouts from the widest to the narrowest; the table uses the first that fits its width, so
# at 80 or 100 columns nothing is cut off at the right (carrier and roaming were, issue 13 item 8):
# "wide" gives each SIM one line, "sims" folds a SIM's carrier onto a second line, "folded" also
# stacks last seen under the status and delays and plan under the app version.
_EVERY_COLUMN = (
    ("Device", "device"),
    ("Status", "status"),
    ("Last seen", "seen"),
    ("SIMs", "sims"),
    ("App", "app"),
    ("Delays", "delays"),
    ("Plan", "plan"),
)
LAYOUTS: dict[str, tuple[tuple[str, str], ...]] = {
    "wide": _EVERY_COLUMN,
    "sims": _EVERY_COLUMN,  # the same columns; only the SIM cells fold
    "folded": (("Device", "device"), ("Status", "status"), ("SIMs", "sims"), ("App", "app")),
}
COLUMNS = LAYOUTS["wide"]
CELL_PADDING = 1  # DataTable's default, each side of every column


def device_health(stored: StoredDevice, now: datetime) -> str:
    """``online``, ``stale`` (online but silent for a while), ``offline`` or ``unknown``."""
    seen = stored.device.last_seen
    if stored.online is False:
        return "offline"
    if seen is not None and now - seen > STALE_AFTER:
        return "stale"
    if stored.online is None:
        return "unknown"
    return "online"


def sim_number(raw: str | None, country: str | None) -> str:
    """A SIM's number for display. Phones report it with or without the ``+`` (api.md shows
    `` 15555215554``), so try it as international first, then in the SIM's own country."""
    number = clean(raw, single_line=True).strip()
    if not number:
        return "no number"
    candidates = [number] if number.startswith("+") else [f"+{number}", number]
    for candidate in candidates:
        try:
            return format_display(normalize(candidate, country))
        except InvalidNumber:
            continue
    return number


def _seconds(value: int | None) -> str:
    return "—" if value is None else f"{value}s"


def sim_lines(stored: StoredDevice, *, fold: bool = False) -> Text:
    """Each SIM on a line (``fold``: its carrier, country and roaming on a second, indented)."""
    device = stored.device
    text = Text()
    if not device.sims:
        text.append("no SIM info", style="dim")
        return text
    for index, sim in enumerate(sorted(device.sims, key=lambda s: s.slot)):
        if index:
            text.append("\n")
        text.append(f"SIM {sim.slot + 1} ", style="bold")
        text.append(sim_number(sim.number, sim.country))
        extra = " ".join(part for part in (clean(sim.carrier, single_line=True), (sim.country or "").upper()) if part)
        if fold:
            text.append("\n  ")
        if extra:
            text.append(f"{'' if fold else ' '}{extra}", style="dim")
        if sim.roaming:
            text.append(" roaming" if extra or not fold else "roaming", style="bold yellow")
    return text


def _width(cell: Text | str) -> int:
    return max((cell_len(line) for line in str(cell).split("\n")), default=0)


def _stack(*parts: Text) -> Text:
    text = Text()
    for index, part in enumerate(parts):
        if index:
            text.append("\n")
        text.append_text(part)
    return text


class DeviceTable(DataTable):
    """Keyed by device id; :meth:`show` rebuilds the rows, in the widest layout that fits."""

    DEFAULT_CSS = """
    DeviceTable { height: 1fr; scrollbar-size-horizontal: 1; scrollbar-size-vertical: 1; }
    """

    def __init__(self, *, clock: Callable[[], datetime], tz: tzinfo | None, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=False)
        self._clock = clock
        self._tz = tz
        self.devices: list[StoredDevice] = []
        self.layout_name: str | None = None  # which of LAYOUTS the columns are in
        self._shown: tuple[str, list[tuple[str, tuple[Text, ...]]]] | None = None  # layout and rows shown

    @property
    def highlighted_device(self) -> StoredDevice | None:
        if not self.devices or self.cursor_row is None or not (0 <= self.cursor_row < self.row_count):
            return None
        key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
        return next((d for d in self.devices if str(d.device.id) == key), None)

    def _cells(self, stored: StoredDevice, layout: str) -> tuple[Text, ...]:
        now = self._clock()
        device = stored.device
        health = device_health(stored, now)
        title_style = {"offline": "bold red", "stale": "bold yellow"}.get(health, "bold")
        title = Text(clean(device.title, single_line=True) or f"device {device.id}", style=title_style)
        title.append(f"\n#{device.id}", style="dim")
        status = {
            "online": Text("● online", style="green"),
            "stale": Text("◐ stale", style="bold yellow"),
            "offline": Text("○ offline", style="bold red"),
            "unknown": Text("? unknown", style="dim"),
        }[health]
        # Relative for every row (the highlighted one used to turn absolute); the detail pane
        # under the table gives the highlighted phone's exact time.
        seen = Text(ago(device.last_seen, now))
        if health in ("offline", "stale"):
            seen.stylize("bold yellow" if health == "stale" else "bold red")
        app = Text(clean(device.app_version, single_line=True) or "?")
        if device.app_version_current is False:
            app.append("\n⬆ update", style="bold yellow")
        delays = Text(f"sms {_seconds(device.delay_between_sms)}\npoll {_seconds(device.delay_between_requests)}")
        plan = {True: Text("paid"), False: Text("free", style="dim"), None: Text("?", style="dim")}[device.subscription]
        sims = sim_lines(stored, fold=layout != "wide")
        if layout != "folded":
            return (title, status, seen, sims, app, delays, plan)
        version = Text(clean(device.app_version, single_line=True) or "?")
        if device.app_version_current is False:
            version.append(" ⬆ update", style="bold yellow")
        timing = Text(f"sms {_seconds(device.delay_between_sms)} · poll {_seconds(device.delay_between_requests)}")
        plan = Text("plan ", style="dim").append_text(plan)  # alone in a stack, "free" needs its name
        return (title, _stack(status, seen), sims, _stack(version, timing, plan))

    def _fits(self, layout: str, width: int) -> bool:
        columns = LAYOUTS[layout]
        widths = [cell_len(label) for label, _ in columns]
        for stored in self.devices:
            for index, cell in enumerate(self._cells(stored, layout)):
                widths[index] = max(widths[index], _width(cell))
        return sum(widths) + 2 * CELL_PADDING * len(columns) <= width

    def _choose_layout(self) -> str:
        width = self.scrollable_content_region.width
        if width <= 0:  # not laid out yet: on_resize chooses again
            return self.layout_name or "wide"
        # A vertical scrollbar may take a column of its own once the rows are in.
        width -= 1
        return next((name for name in LAYOUTS if self._fits(name, width)), "folded")

    def show(self, devices: Sequence[StoredDevice], *, keep: int | None = None) -> None:
        keep_id = keep if keep is not None else (self.highlighted_device.device.id if self.highlighted_device else None)
        self.devices = list(devices)
        layout = self._choose_layout()
        rows = [(str(stored.device.id), self._cells(stored, layout)) for stored in self.devices]
        if (layout, rows) == self._shown and keep is None:
            # A device refresh or the clock's tick that changed nothing shown (a phone's
            # last-seen time moved within "just now"): rebuilding would repaint the whole
            # table, over SSH a few KB for nothing (issue 19).
            return
        self._shown = (layout, rows)
        if layout != self.layout_name:
            self.clear(columns=True)
            for label, key in LAYOUTS[layout]:
                self.add_column(label, key=key)
            self.layout_name = layout
        else:
            self.clear()
        for key, cells in rows:
            height = max(_lines(cell) for cell in cells)
            self.add_row(*cells, key=key, height=max(2, height))
        if keep_id is not None:
            ids = [d.device.id for d in self.devices]
            if keep_id in ids:
                self.move_cursor(row=ids.index(keep_id))

    def on_resize(self) -> None:
        if self.devices and self._choose_layout() != self.layout_name:
            self.show(self.devices)

    def redraw(self) -> None:
        self.show(self.devices)


def _lines(cell: Text) -> int:
    return str(cell).count("\n") + 1
