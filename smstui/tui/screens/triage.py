"""Failure triage: every failed, refused and unclear message, to open, send again or mark handled.

Reached from the dashboard (``f``, or Enter on a phone's row for its failures) and the palette.
Each row says when, to whom, through which phone and slot, and why in plain words
(:mod:`smstui.core.oncall.triage`); the line under the list explains the highlighted one. Filters cycle
through what the list holds: ``d`` phone, ``s`` slot, ``r`` reason, ``w`` window (all time, the
last hour, 24 hours, 7 days); Esc clears them. Enter opens the conversation at the message, ``i``
its details, ``R`` sends it again from the same or another phone and slot (a new message through
the outbox, linked to the failed one, which is then handled), ``h`` marks it handled (kept in the
store, hidden here; ``H`` shows handled ones, ``h`` on one of them brings it back) and ``u``
undoes the last mark. It follows the refresh worker's events while shown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Static

from smstui.core.oncall.triage import BY_KEY, REASONS, explain, reason_of
from smstui.tui import app_messages as msgs
from smstui.tui.screen_base import SmsScreen
from smstui.tui.widgets.delivery_table import SLOT_WORDS
from smstui.tui.widgets.format import clean
from smstui.tui.widgets.status_line import StatusLine
from smstui.tui.widgets.triage_table import TriageTable, number_of
from smstui.tui.workers import store_read

if TYPE_CHECKING:
    from smstui.core.store.records import StoredMessage
    from smstui.core.store.triage import TriageRow

LIMIT = 500
WINDOWS: tuple[str | None, ...] = (None, "1h", "24h", "7d")
WINDOW_WORDS = {None: "all time", "1h": "last hour", "24h": "last 24 hours", "7d": "last 7 days"}


class Filters(NamedTuple):
    device: int | None = None
    slot: int | None = None
    reason: str | None = None  # a key of smstui.core.oncall.triage.BY_KEY
    window: str | None = None  # None: all time
    handled: bool = False  # show the handled ones too

    @property
    def narrowed(self) -> bool:
        return (self.device, self.slot, self.reason, self.window) != (None, None, None, None)


class Facets(NamedTuple):
    """What the list holds without its phone, slot and reason filters (what they cycle through)."""

    devices: tuple[int, ...] = ()
    slots: tuple[int, ...] = ()
    reasons: tuple[str, ...] = ()
    total: int = 0


def facets_of(rows: list[tuple[Any, ...]], device: int | None) -> Facets:
    devices = sorted({r[0] for r in rows if r[0] is not None})
    slots = sorted({r[1] for r in rows if r[1] is not None and (device is None or r[0] == device)})
    present = set()
    for _, _, status, outbox, _ in rows:
        for reason in REASONS:
            if status in reason.statuses or outbox in reason.outbox:
                present.add(reason.key)
    reasons = [r.key for r in REASONS if r.key in present]
    return Facets(tuple(devices), tuple(slots), tuple(reasons), sum(int(r[4]) for r in rows))


def _next(options: tuple[Any, ...], current: Any) -> Any:
    """The value after ``current`` in None, *options, None..."""
    cycle = (None, *options)
    return cycle[(cycle.index(current) + 1) % len(cycle)] if current in cycle else None


class TriageScreen(SmsScreen):
    DEFAULT_CSS = """
    #triage-detail { max-height: 6; }
    """
    BINDINGS = [
        Binding("enter", "open", "Open", id="triage.open", priority=False),
        Binding("R", "retry", "Send again", id="triage.retry"),
        Binding("space", "choose", "Select", id="triage.select"),
        Binding("a", "choose_all", "Select all", show=False, id="triage.select_all"),
        Binding("h", "handled", "Handled", id="triage.handled"),
        Binding("u", "undo", "Undo", id="triage.undo"),
        Binding("i", "details", "Details", id="triage.details", show=False),
        Binding("H", "show_handled", "Show handled", id="triage.show_handled", show=False),
        Binding("d", "cycle('device')", "Filter by phone", id="triage.device", show=False),
        Binding("s", "cycle('slot')", "Filter by slot", id="triage.slot", show=False),
        Binding("r", "cycle('reason')", "Filter by reason", id="triage.reason", show=False),
        Binding("w", "cycle('window')", "Filter by time", id="triage.window", show=False),
        Binding("escape", "back", "Clear filters / back", show=False, id="triage.back"),
    ]

    #: Filters asked for before the screen was shown (the dashboard's f and Enter), applied by the
    #: screen's first read instead of a second one: one read, whatever the order of events.
    requested: ClassVar[Filters | None] = None

    def __init__(self) -> None:
        super().__init__()
        self.filters = Filters()
        self.facets = Facets()
        self.undo_stack: list[list[int]] = []  # lids marked handled, the last mark last
        self._retries: dict[int, StoredMessage] = {}  # the messages sending the listed ones again
        self.chosen: set[int] = set()  # lids selected with space: R acts on all of them
        self._stale = False
        self._loaded = 0  # reads applied so far (tests wait on it)

    def compose(self) -> ComposeResult:
        app = self.smsapp
        yield Static("", id="triage-title", classes="screen-title")
        yield TriageTable(clock=app.clock, tz=app.tz, id="triage-table")
        yield Static("", id="triage-detail", classes="screen-detail")
        yield StatusLine(clock=app.clock, tz=app.tz, id="status-line")
        yield Footer()

    def on_mount(self) -> None:
        self.follow_app(self._on_core, lambda _device: None)
        if TriageScreen.requested is not None:
            self.filters, TriageScreen.requested = TriageScreen.requested, None
        self._title()
        self.query_one(TriageTable).focus()
        self.load()

    # ------------------------------------------------------------------ data

    @staticmethod
    def request(*, device_id: int | None = None, slot: int | None = None, window: str | None = None) -> Filters:
        """Ask for the failures of one phone (and slot) in one window (the dashboard's Enter);
        the screen applies it when shown (:meth:`apply_request` once it is up)."""
        filters = Filters(device_id, slot, None, window if window in WINDOWS else None)
        TriageScreen.requested = filters
        return filters

    def apply_request(self) -> None:
        """Apply a request made while this screen was already made (it is shown again)."""
        wanted, TriageScreen.requested = TriageScreen.requested, None
        if wanted is not None and wanted._replace(handled=self.filters.handled) != self.filters:
            self.filters = wanted._replace(handled=self.filters.handled)
            self._title()
            self.load()

    @store_read("triage", "read the failed messages from the store", name="triage")
    def load(self) -> None:
        from smstui.core.config import ONCALL_WINDOWS

        app = self.smsapp
        f = self.filters
        since = None if f.window is None else app.clock().timestamp() - ONCALL_WINDOWS[f.window]
        reason = BY_KEY.get(f.reason) if f.reason is not None else None
        # Waiting longer than the on-call queue age allows counts as stuck ([oncall] max_queue_age).
        stuck_before = app.clock().timestamp() - float(app.session.config.oncall.max_queue_age) * 60
        rows = app.store.triage_rows(
            stuck_before=stuck_before,
            since=since,
            device_id=f.device,
            slot=f.slot,
            statuses=reason.statuses if reason is not None else None,
            outbox=reason.outbox if reason is not None else None,
            handled=f.handled,
            limit=LIMIT,
        )
        facets = facets_of(app.store.triage_facets(since=since, handled=f.handled, stuck_before=stuck_before), f.device)
        retries = app.store.messages_by_lids(r.retried_as for r in rows if r.retried_as is not None)
        self.app.call_from_thread(self._show, f, rows, facets, retries)

    def _show(self, filters: Filters, rows: list[TriageRow], facets: Facets, retries: dict[int, StoredMessage]) -> None:
        if filters != self.filters:
            return  # a read for filters changed since: the newer read follows
        self.facets = facets
        self.chosen &= {r.message.lid for r in rows}  # a chosen row gone from the list is not acted on
        self.query_one(TriageTable).show(rows, self.smsapp.device_names(), retries, frozenset(self.chosen))
        self._retries = retries
        self._title(len(rows))
        self._detail()
        self._loaded += 1

    def _on_core(self, message: Any) -> None:
        if isinstance(message, (msgs.CoreMessagesChanged, msgs.CoreOutboxChanged, msgs.Queued)):
            if self.is_current:
                self.load()
            else:
                self._stale = True

    def on_screen_resume(self) -> None:
        if self._stale:
            self._stale = False
            self.load()

    # ------------------------------------------------------------------ painting

    def _title(self, shown: int | None = None) -> None:
        f = self.filters
        app = self.smsapp
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append("Failures", style="bold")
        if shown is not None:
            text.append(f" ({shown}{'+' if shown >= LIMIT else ''}")
            text.append(f" of {self.facets.total})" if f.device is not None or f.slot is not None or f.reason else ")")
        phone = "all" if f.device is None else clean(app.device_name(f.device), single_line=True)
        slot = "all" if f.slot is None else SLOT_WORDS.get(f.slot, str(f.slot))
        reason = "all" if f.reason is None else BY_KEY[f.reason].title
        text.append(f" · phone: {phone} · slot: {slot} · why: {reason} · {WINDOW_WORDS[f.window]}")
        if f.handled:
            text.append(" · handled shown", style="bold")
        text.append("   d s r w: filter · esc: clear · H: handled", style="dim")
        self.query_one("#triage-title", Static).update(text)

    def _detail(self) -> None:
        row = self.query_one(TriageTable).highlighted
        detail = self.query_one("#triage-detail", Static)
        if row is None:
            f = self.filters
            if f.narrowed:
                words = f"Nothing failed in the {WINDOW_WORDS[f.window]}" if f.window else "Nothing failed"
                more = " that the filters let through. w widens the window, esc clears the filters."
            else:
                words, more = "Nothing failed", ". f10: the dashboard."
            detail.update(Text(words + more, style="italic"))
            return
        m = row.message
        reason = reason_of(m)
        text = Text(overflow="fold")
        text.append(f"{reason.title}: ", style="bold red" if reason.key != "unknown" else "bold yellow")
        text.append(f"{explain(m)}.")
        ident = f"gateway #{m.sms_id}" if m.sms_id is not None else f"local #{m.lid}"
        text.append(f"\nTo {number_of(m)} · {ident}", style="dim")
        if m.device_id is not None:
            text.append(
                f" · from {clean(self.smsapp.device_name(m.device_id), single_line=True)} #{m.device_id}", style="dim"
            )
        body = clean(m.body, single_line=True)
        text.append("\n")
        text.append(body if len(body) <= 160 else body[:159] + "…")
        retry = self._retries.get(row.retried_as) if row.retried_as is not None else None
        if retry is not None:
            sent = f"gateway #{retry.sms_id}" if retry.sms_id is not None else f"local #{retry.lid}"
            text.append(f"\nSent again as {sent}: {clean(retry.display_status, single_line=True)}", style="cyan")
        elif row.handled_at is not None:
            text.append("\nHandled: hidden from the list (h brings it back)", style="dim")
        if row.retry_of is not None:
            text.append(f"\nThis is a retry of local #{row.retry_of}", style="dim")
        detail.update(text)

    @on(DataTable.RowHighlighted)
    def _highlighted(self) -> None:
        self._detail()

    @on(DataTable.RowSelected)
    def _selected(self) -> None:
        self.action_open()

    # ------------------------------------------------------------------ keys

    def _current(self) -> TriageRow | None:
        return self.query_one(TriageTable).highlighted

    def action_open(self) -> None:
        row = self._current()
        if row is not None:
            self.smsapp.go_to_message(row.message.phone_key, row.message.lid)

    def action_details(self) -> None:
        row = self._current()
        if row is not None:
            from smstui.tui.dialogs.message_detail import MessageDetailScreen

            self.app.push_screen(MessageDetailScreen(row.message))

    def action_cycle(self, kind: str) -> None:
        f, facets = self.filters, self.facets
        if kind == "device":
            f = f._replace(device=_next(facets.devices, f.device), slot=None)
        elif kind == "slot":
            f = f._replace(slot=_next(facets.slots, f.slot))
        elif kind == "reason":
            f = f._replace(reason=_next(facets.reasons, f.reason))
        elif kind == "window":
            f = f._replace(window=_next(WINDOWS[1:], f.window))
        self.filters = f
        self._title()
        self.load()

    def action_show_handled(self) -> None:
        self.filters = self.filters._replace(handled=not self.filters.handled)
        self._title()
        self.load()

    def action_back(self) -> None:
        if self.filters.narrowed:
            self.filters = Filters(handled=self.filters.handled)
            self._title()
            self.load()
        else:
            self.app.switch_mode("dashboard")

    def action_handled(self) -> None:
        row = self._current()
        if row is not None:
            self._mark([row.message.lid], handled=row.handled_at is None)

    def action_undo(self) -> None:
        if not self.undo_stack:
            self.notify("Nothing to undo.", timeout=2)
            return
        self._mark(self.undo_stack.pop(), handled=False, undo=True)

    @store_read("triage-mark", "mark failures handled", name="triage-mark", exclusive=False)
    def _mark(self, lids: list[int], *, handled: bool, undo: bool = False) -> None:
        changed = self.smsapp.store.mark_handled(lids, handled=handled)

        def done() -> None:
            if handled and changed:
                self.undo_stack.append(changed)
                self.notify(
                    f"Marked handled{'' if len(changed) == 1 else f' ({len(changed)})'}: u undoes it.", timeout=3
                )
            elif changed:
                # Brought back by hand: nothing left to undo for those.
                left = [[lid for lid in mark if lid not in changed] for mark in self.undo_stack]
                self.undo_stack = [mark for mark in left if mark]
                self.notify(
                    "Back in the list." if undo or not self.filters.handled else "No longer handled.", timeout=3
                )
            self.load()

        self.app.call_from_thread(done)

    def action_choose(self) -> None:
        """Space: select the highlighted message (or no longer); R then sends every chosen one."""
        row = self._current()
        if row is None:
            return
        self.chosen ^= {row.message.lid}
        self._repaint_choice()
        table = self.query_one(TriageTable)
        if table.cursor_row < table.row_count - 1:
            table.move_cursor(row=table.cursor_row + 1)

    def action_choose_all(self) -> None:
        shown = {r.message.lid for r in self.query_one(TriageTable).rows_shown}
        self.chosen = set() if shown <= self.chosen else shown
        self._repaint_choice()

    def _repaint_choice(self) -> None:
        table = self.query_one(TriageTable)
        table.mark_chosen(frozenset(self.chosen))
        self._title(len(table.rows_shown))

    def action_retry(self) -> None:
        table = self.query_one(TriageTable)
        targets = [r.message for r in table.rows_shown if r.message.lid in self.chosen]
        row = self._current()
        if not targets and row is not None:
            targets = [row.message]
        if not targets:
            return
        from smstui.tui.dialogs.retry import RetryDialog

        app = self.smsapp
        first = targets[0]

        def chosen(choice: tuple[int, int] | None) -> None:
            if choice is None:
                return
            if len(targets) == 1:
                self._send_again(first, *choice)
            else:
                self._confirm_many(targets, *choice)

        app.push_screen(RetryDialog(first, list(app.devices), number_of(first), count=len(targets)), chosen)

    def _confirm_many(self, targets: list[StoredMessage], device_id: int, slot: int) -> None:
        from smstui.core.models import Slot
        from smstui.core.oncall.triage import reason_of
        from smstui.tui.dialogs.confirm import ConfirmDialog

        where = f"{clean(self.smsapp.device_name(device_id), single_line=True)} (#{device_id}), {Slot(slot).label}"
        numbers = len({m.phone_key for m in targets})
        text = f"Each goes out as a new message from {where}, linked to the one it replaces, to {numbers} number(s)."
        risky = sum(1 for m in targets if reason_of(m).key in ("unknown", "stuck"))
        if risky:
            text += f" {risky} of them may still arrive from the first send: those can reach them twice."

        def answered(yes: bool | None) -> None:
            if yes:
                for message in targets:
                    self._send_again(message, device_id, slot)
                self.chosen.clear()
                self._repaint_choice()

        self.app.push_screen(
            ConfirmDialog(f"Send {len(targets)} messages again?", text, yes=f"Send {len(targets)}"), answered
        )

    def _send_again(self, message: StoredMessage, device_id: int, slot: int) -> None:
        from smstui.core.models import Slot
        from smstui.tui.widgets.compose_form import Outgoing

        app = self.smsapp
        outgoing = Outgoing(
            recipients=[message.phone],
            body=message.body,
            device_id=device_id,
            slot=Slot(slot),
            customer_id=message.customer_id,
            urgent=message.urgent,
            image_path=message.image_path,
        )

        def done(lids: list[int] | None, error: str | None) -> None:
            if error is not None or not lids:
                self.notify(error or "Nothing was queued.", title="Not sent again", severity="error", timeout=8)
                return
            where = f"{clean(app.device_name(device_id), single_line=True)}, {Slot(slot).label}"
            self.notify(f"Queued again as a new message from {where}.", title="Sending again", timeout=4)
            self._link(message.lid, lids)

        app.queue_outgoing(outgoing, done)

    @store_read("triage-mark", "link a message sent again to the failed one", name="triage-link", exclusive=False)
    def _link(self, original: int, lids: list[int]) -> None:
        self.smsapp.store.link_retry(original, lids)

        def done() -> None:
            self.undo_stack.append([original])  # u brings the failed one back to the list
            self.load()

        self.app.call_from_thread(done)
