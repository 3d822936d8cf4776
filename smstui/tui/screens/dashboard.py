"""The on-call dashboard (F10): is messaging healthy, and if not, where is it broken?

For a window (1: the last hour, 2: 24 hours, 3: 7 days) it shows the counts and rates of
delivered, sent-without-report, failed, unclear and waiting messages, in total and per phone and
slot (:class:`~smstui.tui.widgets.delivery_table.DeliveryTable`), sparklines of sends and
failures over the window, the queue and its oldest message, and the phones that are offline or
run an outdated app, said in words, not colour alone. Everything comes from the local store
(:func:`smstui.core.oncall.health.compute_health`, in a thread worker), so it opens at once and works
offline; the refresh worker's events recompute it while it is shown (and mark it stale while it
is not), and only the lines that changed are repainted. ``f`` opens the failure triage, Enter the failures
of the highlighted phone and slot.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Static

from smstui.tui import app_messages as msgs
from smstui.tui.screen_base import SmsScreen
from smstui.tui.widgets.delivery_table import DeliveryTable, delivery_rows
from smstui.tui.widgets.format import clean
from smstui.tui.widgets.status_line import StatusLine
from smstui.tui.widgets.timeline_chart import TimelineChart
from smstui.tui.workers import store_read, task

if TYPE_CHECKING:
    from smstui.core.oncall.health import HealthReport, Thresholds

WINDOW_WORDS = {"1h": "last hour", "24h": "last 24 hours", "7d": "last 7 days"}
RECHECK_SECONDS = 30.0  # the window slides and "seen … ago" ages even when nothing syncs


class DashboardScreen(SmsScreen):
    DEFAULT_CSS = """
    #dash-summary {
        height: auto;
        padding: 0 1;
    }
    """
    BINDINGS = [
        Binding("1", "window('1h')", "Hour", id="dashboard.hour"),
        Binding("2", "window('24h')", "Day", id="dashboard.day"),
        Binding("3", "window('7d')", "Week", id="dashboard.week"),
        Binding("f", "failures", "Failures", id="dashboard.failures"),
        Binding("enter", "phone_failures", "Its failures", id="dashboard.phone_failures", priority=False),
        Binding("escape", "app.switch_mode('messages')", "Back", show=False, id="dashboard.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.window = "1h"
        self.report: HealthReport | None = None
        self._stale = False
        self._shown: dict[str, Any] = {}  # what each part shows, to repaint only what changed
        self.repaints: list[str] = []  # the parts the last apply repainted (tests, the bench)

    def compose(self) -> ComposeResult:
        app = self.smsapp
        yield Static("", id="dash-title", classes="screen-title")
        yield Static("", id="dash-summary")
        yield TimelineChart(id="dash-chart")
        yield DeliveryTable(id="dash-table")
        yield StatusLine(clock=app.clock, tz=app.tz, id="status-line")
        yield Footer()

    def on_mount(self) -> None:
        app = self.smsapp
        configured = app.session.config.oncall.window
        self.window = configured if configured in WINDOW_WORDS else "1h"
        self.follow_app(self._on_core, lambda _device: None)
        self._title()
        self.query_one(DeliveryTable).focus()
        # Read before the first frame, as the conversations screen does: the screen is painted
        # whole at once (a few ms of indexed reads, see bench/dashboard.py) rather than empty
        # and then again. Later reads run in a worker.
        try:
            self._apply(self._read())
        except Exception:  # a damaged store: the worker reads again and reports what failed
            self.load()
        self.set_interval(RECHECK_SECONDS, self._recheck, name="dashboard-recheck")

    # ------------------------------------------------------------------ data

    @property
    def thresholds(self) -> Thresholds:
        from smstui.core.oncall.health import Thresholds

        return Thresholds.from_settings(self.smsapp.session.config.oncall)

    def _read(self) -> HealthReport:
        from smstui.core.config import ONCALL_WINDOWS
        from smstui.core.oncall.health import compute_health

        app = self.smsapp
        return compute_health(
            app.store,
            app.clock().timestamp(),
            ONCALL_WINDOWS[self.window],
            window_name=self.window,
            max_offline=self.thresholds.max_offline,
        )

    @store_read("dashboard", "read the delivery counts from the store", name="dashboard")
    def load(self) -> None:
        report = self._read()
        self.app.call_from_thread(self._apply, report)

    def _on_core(self, message: msgs.CoreMessage | msgs.Queued) -> None:
        if isinstance(
            message, (msgs.CoreMessagesChanged, msgs.CoreOutboxChanged, msgs.CoreDevicesChanged, msgs.Queued)
        ):
            if self.is_current:
                self.load()
            else:
                self._stale = True  # read again when shown: no work for a screen nobody sees

    def on_screen_resume(self) -> None:
        if self._stale:
            self._stale = False
            self.load()

    def _recheck(self) -> None:
        if self.is_current:
            self.load()
        else:
            self._stale = True

    # ------------------------------------------------------------------ painting

    def _changed(self, part: str, value: Any) -> bool:
        if self._shown.get(part) == value:
            return False
        self._shown[part] = value
        self.repaints.append(part)
        return True

    def _apply(self, report: HealthReport) -> None:
        if not report.window_name == self.window:
            return  # a read for the window before the last key: the next one is on its way
        self.report = report
        self.repaints = []
        summary = self._summary(report)
        if self._changed("summary", (summary.plain, tuple(summary.spans))):
            self.query_one("#dash-summary", Static).update(summary)
        sends = [float(sent) for sent, _ in report.timeline]
        failures = [float(failed) for _, failed in report.timeline]
        bucket = report.window / max(1, len(report.timeline))
        if self._changed("chart", (sends, failures, bucket)):
            self.query_one(TimelineChart).show(sends, failures, bucket)
        table = self.query_one(DeliveryTable)
        table.show(delivery_rows(report))
        if table.cells_changed:
            self.repaints.append("table")

    def _title(self) -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append("Dashboard", style="bold")
        text.append(f" · {WINDOW_WORDS[self.window]}")
        text.append("   1 2 3: hour, day, week · f: failures · enter: a phone's failures", style="dim")
        self.query_one("#dash-title", Static).update(text)

    def _summary(self, report: HealthReport) -> Text:
        """Two lines: the window's counts, then the queue and the phones; what is past its
        threshold says so in words (and in colour)."""
        from smstui.core.oncall.health import describe_duration, percent

        limits = self.thresholds
        totals = report.totals
        text = Text(overflow="fold")
        text.append(f"{WINDOW_WORDS.get(report.window_name, report.window_name).capitalize()}: ", style="bold")
        text.append(f"{totals.total} sent, ")
        text.append(f"{totals.delivered} delivered", style="green" if totals.delivered else "")
        if totals.finished:
            text.append(f" ({percent(totals.delivered_rate)})")
        text.append(f", {totals.sent} no report, ")
        text.append(f"{totals.failed} failed", style="bold red" if totals.failed else "")
        if totals.finished:
            text.append(f" ({percent(totals.failed_rate)})", style="bold red" if totals.failed else "")
        if totals.failed_rate is not None and totals.failed_rate > limits.max_failed_rate:
            text.append(f" over {percent(limits.max_failed_rate)}", style="bold red")
        text.append(f", {totals.unknown} unclear, {totals.queued} queued\n")
        queue = report.queue
        text.append("Queue: ", style="bold")
        if not queue.size:
            text.append("empty")
        else:
            over = queue.size > limits.max_queue
            text.append(f"{queue.size} due to leave", style="bold yellow" if over else "")
            if over:
                text.append(f" (over {limits.max_queue})", style="bold yellow")
            if queue.oldest_age is not None:
                old = queue.oldest_age > limits.max_queue_age
                text.append(", oldest ")
                text.append(describe_duration(queue.oldest_age), style="bold yellow" if old else "")
                if old:
                    text.append(f" (over {describe_duration(limits.max_queue_age)})", style="bold yellow")
        phones = [d for d in report.devices if d.known]
        text.append(" · ")
        text.append("Phones: ", style="bold")
        text.append(f"{len(phones)}")
        if report.offline:
            names = ", ".join(clean(d.title, single_line=True) or f"#{d.id}" for d in report.offline)
            text.append(f", {len(report.offline)} OFFLINE ({names})", style="bold red")
        if report.outdated:
            text.append(f", {len(report.outdated)} app outdated", style="bold yellow")
        return text

    # ------------------------------------------------------------------ keys

    def action_window(self, window: str) -> None:
        if window not in WINDOW_WORDS or window == self.window:
            return
        self.window = window
        self._title()
        self.load()

    def action_failures(self) -> None:
        self._open_failures(None, None, all_slots=True)

    def action_phone_failures(self) -> None:
        row = self.query_one(DeliveryTable).highlighted_row
        if row is None:
            self.action_failures()
            return
        self._open_failures(row.device_id, row.slot, all_slots=row.slot is None)

    @task("navigate", "open the failure triage", name="open-failures", exclusive=True)
    async def _open_failures(self, device_id: int | None, slot: int | None, *, all_slots: bool) -> None:
        from smstui.tui.screens.triage import TriageScreen

        app = self.app
        TriageScreen.request(device_id=device_id, slot=None if all_slots else slot, window=self.window)
        await app.switch_mode("failures")
        screen = app.screen
        if isinstance(screen, TriageScreen):
            screen.apply_request()  # made before: shown again with the new filters
