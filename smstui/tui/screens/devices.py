"""Devices: every phone with its SIMs, health and app version; picking one filters conversations."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from smstui.core.store.devices import StoredDevice
from smstui.tui import app_messages as msgs
from smstui.tui.screen_base import SmsScreen
from smstui.tui.widgets.device_table import DeviceTable, device_health, sim_lines
from smstui.tui.widgets.format import absolute, ago, clean
from smstui.tui.widgets.quiet import update_static
from smstui.tui.widgets.quiet_footer import QuietFooter
from smstui.tui.widgets.send_counter import SendCounter
from smstui.tui.widgets.status_line import StatusLine
from smstui.tui.workers import task


class DevicesScreen(SmsScreen):
    DEFAULT_CSS = """
    #device-detail { max-height: 7; }
    """
    BINDINGS = [
        Binding("enter", "choose", "Show its chats", id="devices.choose", priority=False),
        Binding("a", "all", "All devices", id="devices.all"),
        Binding("s", "check_status", "Check status", id="devices.status"),
        Binding("escape", "app.switch_mode('messages')", "Back", show=False, id="devices.back"),
    ]

    _send_counter: SendCounter | None = None

    def compose(self) -> ComposeResult:
        app = self.smsapp
        yield Static("", id="devices-title", classes="screen-title")
        yield DeviceTable(clock=app.clock, tz=app.tz, id="device-table")
        yield Static("", id="device-detail", classes="screen-detail")
        yield StatusLine(clock=app.clock, tz=app.tz, id="status-line")
        yield QuietFooter()

    def on_mount(self) -> None:
        app = self.smsapp
        self.follow_app(self._on_core, lambda _device: self._update_title())
        self.query_one(DeviceTable).show(app.devices, keep=app.device_filter)
        self._update_title()
        self._update_detail()
        self.query_one(DeviceTable).focus()
        self.set_interval(30, self.query_one(DeviceTable).redraw, name="relative-times")

    def _update_title(self) -> None:
        app = self.smsapp
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(f"Devices ({len(app.devices)})", style="bold")
        if app.device_filter is not None:
            text.append(f" · showing chats of {clean(app.device_name(app.device_filter), single_line=True)}")
        text.append("  enter: show its chats · a: all devices", style="dim")
        update_static(self.query_one("#devices-title", Static), text)

    def _update_detail(self) -> None:
        stored = self.query_one(DeviceTable).highlighted_device
        detail = self.query_one("#device-detail", Static)
        if stored is None:
            update_static(
                detail,
                Text("No devices yet. Press ctrl+r to sync, or add a phone on the gateway's site.", style="italic"),
            )
            return
        update_static(detail, self._detail(stored))

    def _detail(self, stored: StoredDevice) -> Text:
        now = self.smsapp.clock()
        tz = self.smsapp.tz
        device = stored.device
        health = device_health(stored, now)
        text = Text(overflow="fold")
        text.append(clean(device.title, single_line=True), style="bold")
        text.append(f"  #{device.id}  ")
        text.append(
            {"online": "online", "stale": "online but silent", "offline": "OFFLINE", "unknown": "status unknown"}[
                health
            ],
            style={"offline": "bold red", "stale": "bold yellow", "online": "green"}.get(health, "dim"),
        )
        text.append(f"\nlast seen {absolute(device.last_seen, tz, '%Y-%m-%d %H:%M:%S')} ({ago(device.last_seen, now)})")
        if stored.status_checked is not None:
            text.append(f" · status checked {ago(stored.status_checked, now)}", style="dim")
        text.append("\n")
        text.append_text(sim_lines(stored))
        text.append("\n" + self._sent_line(stored))
        version = clean(device.app_version, single_line=True) or "?"
        text.append(f"\napp {version}")
        if device.app_version_current is False:
            text.append("  update available", style="bold yellow")
        if device.imei and device.imei != "null":
            text.append(f" · IMEI {clean(device.imei, single_line=True)}", style="dim")
        return text

    def _sent_line(self, stored: StoredDevice) -> str:
        """``sent: SMS 1: 12 today, 3 in the last hour · SMS 2: … (limit 500 a day)``: the SIMs
        that sent today or have a limit (config [limits]); the rest would only say 0."""
        counter = self._counter()
        counts = counter.counts()
        device_id = stored.device.id
        slots = sorted({int(s) for s in stored.device.slots} | {slot for (dev, slot) in counts if dev == device_id})
        parts = []
        for slot in slots:
            limit = counter.limits.for_sim(device_id, slot)
            if (device_id, slot) not in counts and not any(limit):
                continue
            caps = ([f"{limit.daily} a day"] if limit.daily else []) + (
                [f"{limit.hourly} an hour"] if limit.hourly else []
            )
            parts.append(counter.line(device_id, slot) + (f" (limit {', '.join(caps)})" if caps else ""))
        return "sent: " + (" · ".join(parts) if parts else "nothing today")

    def _counter(self) -> SendCounter:
        if self._send_counter is None:
            app = self.smsapp
            self._send_counter = SendCounter(app.store, app.clock, app.tz, app.session.config.limits)
        return self._send_counter

    @on(DataTable.RowHighlighted)
    def _row_highlighted(self) -> None:
        self._update_detail()

    @on(DataTable.RowSelected)
    def _row_selected(self) -> None:
        self.action_choose()

    def action_choose(self) -> None:
        stored = self.query_one(DeviceTable).highlighted_device
        if stored is None:
            return
        self.smsapp.set_device_filter(stored.device.id)
        self.app.switch_mode("messages")

    def action_all(self) -> None:
        self.smsapp.set_device_filter(None)
        self._update_title()

    def action_check_status(self) -> None:
        self.smsapp.action_refresh_devices()

    def _on_core(self, message: msgs.CoreMessage) -> None:
        if isinstance(message, msgs.CoreDevicesChanged):
            self._reload()
        elif isinstance(message, (msgs.CoreMessagesChanged, msgs.CoreOutboxChanged)) and self._send_counter:
            self._send_counter.forget()  # read again when the detail is next drawn

    @task("devices-ui", "show the devices", name="show-devices", exclusive=True)
    async def _reload(self) -> None:
        self.query_one(DeviceTable).show(self.smsapp.devices)
        self._update_title()
        self._update_detail()
