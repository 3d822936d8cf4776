"""The device table: one row per phone, SIMs stacked in one cell, offline or stale phones marked."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, tzinfo

from rich.text import Text
from textual.widgets import DataTable

from smstui.core.phone import InvalidNumber, format_display, normalize
from smstui.core.store.devices import StoredDevice
from smstui.tui.widgets.format import absolute, ago, clean

# A phone polls every few seconds; silence longer than this means something is wrong.
STALE_AFTER = timedelta(minutes=10)

COLUMNS = (
    ("Device", "device"),
    ("Status", "status"),
    ("Last seen", "seen"),
    ("SIMs", "sims"),
    ("App", "app"),
    ("Delays", "delays"),
    ("Plan", "plan"),
)


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


def sim_lines(stored: StoredDevice) -> Text:
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
        extra = " ".join(
            part for part in (clean(sim.carrier, single_line=True), (sim.country or "").upper()) if part
        )
        if extra:
            text.append(f" {extra}", style="dim")
        if sim.roaming:
            text.append(" roaming", style="bold yellow")
    return text


class DeviceTable(DataTable):
    """Keyed by device id; :meth:`show` diffs by rebuilding only when rows changed."""

    DEFAULT_CSS = """
    DeviceTable { height: 1fr; scrollbar-size-horizontal: 1; scrollbar-size-vertical: 1; }
    """

    def __init__(self, *, clock: Callable[[], datetime], tz: tzinfo | None, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=False)
        self._clock = clock
        self._tz = tz
        self.devices: list[StoredDevice] = []
        self._rendered: dict[int, tuple] = {}

    def on_mount(self) -> None:
        for label, key in COLUMNS:
            self.add_column(label, key=key)

    @property
    def highlighted_device(self) -> StoredDevice | None:
        if not self.devices or self.cursor_row is None or not (0 <= self.cursor_row < self.row_count):
            return None
        key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
        return next((d for d in self.devices if str(d.device.id) == key), None)

    def _cells(self, stored: StoredDevice, highlighted: bool) -> tuple:
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
        if highlighted:
            seen = Text(absolute(device.last_seen, self._tz, "%Y-%m-%d %H:%M:%S"))
        else:
            seen = Text(ago(device.last_seen, now))
        if health in ("offline", "stale"):
            seen.stylize("bold yellow" if health == "stale" else "bold red")
        app = Text(clean(device.app_version, single_line=True) or "?")
        if device.app_version_current is False:
            app.append("\n⬆ update", style="bold yellow")
        delays = Text(
            f"sms {_seconds(device.delay_between_sms)}\npoll {_seconds(device.delay_between_requests)}"
        )
        plan = {True: Text("paid"), False: Text("free", style="dim"), None: Text("?", style="dim")}[
            device.subscription
        ]
        return (title, status, seen, sim_lines(stored), app, delays, plan)

    def show(self, devices: Sequence[StoredDevice], *, keep: int | None = None) -> None:
        keep_id = keep if keep is not None else (
            self.highlighted_device.device.id if self.highlighted_device else None
        )
        self.devices = list(devices)
        self.clear()
        self._rendered.clear()
        for stored in self.devices:
            cells = self._cells(stored, False)
            height = max(2, len(stored.device.sims))
            self.add_row(*cells, key=str(stored.device.id), height=height)
        if keep_id is not None:
            ids = [d.device.id for d in self.devices]
            if keep_id in ids:
                self.move_cursor(row=ids.index(keep_id))
        self._mark_highlight()

    def _mark_highlight(self) -> None:
        current = self.highlighted_device
        for stored in self.devices:
            highlighted = current is not None and stored.device.id == current.device.id
            seen = self._cells(stored, highlighted)[2]
            self.update_cell(str(stored.device.id), "seen", seen)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._mark_highlight()

    def redraw(self) -> None:
        self.show(self.devices)
