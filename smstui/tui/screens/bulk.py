"""Bulk send: one text (or template) to many numbers, or a CSV of messages, via addalotofsms.

Three tabs: *Message* (where the numbers come from, the text or template with its counter,
device, slot, batch size), *Preview* (every message as it will be sent, and the rows that will
not, with the reason) and *Jobs* (progress with pause/resume and cancel, and every bulk job the
store remembers, resumable after a restart). Sending is :class:`smstui.core.bulk.runner.BulkJob`: every
message is in the store before any request, and each is tracked in its conversation.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import (
    Button,
    DataTable,
    Input,
    Label,
    ProgressBar,
    Select,
    Static,
    TabbedContent,
    TabPane,
    TextArea,
)

from smstui.core.bulk.jobs import (
    CANCELLED_JOB,
    DONE,
    BulkProgress,
    JobInfo,
    job_counts,
    list_jobs,
)
from smstui.core.bulk.plan import (
    MAX_BATCH_SIZE,
    BulkError,
    BulkEstimate,
    BulkRow,
    estimate,
    rows_for_numbers,
    rows_from_preview,
)
from smstui.core.bulk.runner import BulkJob
from smstui.core.phone import format_display
from smstui.core.sheets.column_map import MappingError
from smstui.core.sheets.csv_import import CsvError, InvalidRow, read_csv
from smstui.core.suppression import Skipped, skipped_text, split_opted_out
from smstui.core.templates import (
    TemplateError,
    list_templates,
    placeholders,
    save_template,
)
from smstui.tui.screens.session_screen import SessionScreen
from smstui.tui.widgets.bulk_counter import cost_lines, counter_text
from smstui.tui.widgets.device_choice import (
    device_options,
    remember_last_device,
    slot_options,
    warning_text,
)
from smstui.tui.widgets.file_options import FileOptions
from smstui.tui.widgets.format import clean, to_local
from smstui.tui.widgets.input_order import after_pending_input
from smstui.tui.widgets.quiet_footer import QuietFooter
from smstui.tui.widgets.send_counter import SendCounter
from smstui.tui.widgets.tab_keys import TAB_KEYS_HINT, TabKeys, show_pane, tab_bindings
from smstui.tui.workers import store_read, task

MAX_SHOWN = 1000


def _cell(text: str | None, limit: int = 70) -> Text:
    value = clean(text, single_line=True)
    return Text(value if len(value) <= limit else value[: limit - 1] + "…")


class BulkScreen(TabKeys, SessionScreen):
    DEFAULT_CSS = """
    BulkScreen TabbedContent { height: 1fr; }
    BulkScreen Horizontal { height: auto; }
    BulkScreen Label { padding: 1 1 0 0; }
    BulkScreen #bulk-numbers { height: 4; }
    BulkScreen #bulk-body { height: 5; }
    BulkScreen #bulk-template { width: 1fr; }
    BulkScreen #bulk-template-name { width: 24; }
    BulkScreen #bulk-device { width: 1fr; }
    BulkScreen #bulk-device SelectCurrent #label { text-wrap: nowrap; text-overflow: ellipsis; }
    BulkScreen #bulk-slot { width: 24; }
    BulkScreen #bulk-batch { width: 10; }
    BulkScreen #bulk-counter { height: 1; color: $foreground-muted; }
    BulkScreen #bulk-errors { height: auto; color: $error; }
    BulkScreen #bulk-device-warning { height: auto; }
    BulkScreen #bulk-summary, BulkScreen #bulk-job-counts, BulkScreen #bulk-job-title { height: auto; }
    BulkScreen #bulk-preview { height: 2fr; }
    BulkScreen #bulk-invalid { height: 1fr; }
    BulkScreen #bulk-jobs { height: 1fr; }
    BulkScreen Button { margin-right: 1; min-width: 10; }
    BulkScreen .hint { color: $foreground-muted; }
    """

    BINDINGS = [
        Binding("ctrl+s", "preview", "Preview", id="bulk.preview", priority=True),
        Binding("ctrl+g", "send", "Send", id="bulk.send", priority=True),
        Binding("f8", "pause_resume", "Pause/resume", id="bulk.pause"),
        Binding("f9", "cancel_job", "Cancel job", id="bulk.cancel"),
        Binding("escape", "back", "Back", show=False, id="bulk.back"),
        *tab_bindings("bulk"),
    ]

    def __init__(self, session: Any = None, *, job_options: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(session, **kwargs)
        #: Passed to BulkJob (settle_seconds, retry_delays, ...): tests make waits zero.
        # The profile's settle margin (smstui.core.send_rule) unless the caller (a test) says otherwise.
        margin = getattr(getattr(session, "profile", None), "settle_margin", None)
        self.job_options = {"settle_margin": margin, **(job_options or {})}
        self.rows: list[BulkRow] | None = None  # the previewed messages; None = no current preview
        self._previewed: tuple[Any, ...] | None = None  # the form as it was when previewed
        self.invalid: list[InvalidRow] = []
        #: Previewed rows to numbers that opted out: left out of ``rows`` unless the user confirms.
        self.opted_out: list[BulkRow] = []
        self._skipped: list[Skipped] = []
        self._source = ""  # how the previewed file was read
        self._counter: SendCounter | None = None  # today's sends per SIM, read when a preview shows
        self.job: BulkJob | None = None
        self._jobs: dict[str, JobInfo] = {}

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        devices = self.devices()
        default_device = self.default_device()
        with TabbedContent(id="bulk-tabs"):
            with TabPane("Message", id="bulk-message-pane"):
                # Not a Tab stop: it scrolls to whichever field has focus (issue 13 item 8).
                with VerticalScroll(can_focus=False):
                    yield Input(
                        placeholder="CSV/.xlsx/.ods file (phone, body, time, slot, customer_id, any columns) — or leave empty",
                        id="bulk-csv",
                    )
                    yield FileOptions("bulk", id="bulk-file-options")
                    yield Label("…or numbers, one per line or comma-separated:")
                    yield TextArea(id="bulk-numbers", soft_wrap=True)
                    yield Label(
                        "Text, or a template with {name}, {phone} and CSV columns (empty: the CSV's body column):"
                    )
                    yield TextArea(id="bulk-body", soft_wrap=True)
                    yield Static("", id="bulk-counter")
                    with Horizontal():
                        yield Select([], prompt="Use a saved template", id="bulk-template")
                        yield Input(placeholder="Save text as…", id="bulk-template-name", max_length=60)
                        yield Button("Save template", id="bulk-save-template")
                    with Horizontal():
                        yield Select(
                            device_options(devices),
                            prompt="Device",
                            id="bulk-device",
                            value=default_device if default_device is not None else Select.NULL,
                            allow_blank=default_device is None,
                        )
                        yield Select(slot_options(devices, default_device), value=0, allow_blank=False, id="bulk-slot")
                        yield Input(str(self.batch_size), placeholder="batch", id="bulk-batch", type="integer")
                    yield Static("", id="bulk-device-warning")
                    yield Static("", id="bulk-errors")
                    yield Static(f"ctrl+s: preview every message before sending · {TAB_KEYS_HINT}", classes="hint")
            with TabPane("Preview", id="bulk-preview-pane"):
                yield Static("Press ctrl+s on the Message tab to preview.", id="bulk-summary")
                yield DataTable(id="bulk-preview", cursor_type="row", zebra_stripes=True)
                yield DataTable(id="bulk-invalid", cursor_type="row", zebra_stripes=True)
                with Horizontal():
                    yield Button("Send", id="bulk-send", variant="primary", disabled=True)
                    yield Button("Include opted-out…", id="bulk-include-optouts", variant="warning")
                    yield Static(f"ctrl+g: send · {TAB_KEYS_HINT}", classes="hint")
            with TabPane("Jobs", id="bulk-jobs-pane"):
                yield Static("No job running.", id="bulk-job-title")
                yield ProgressBar(total=1, id="bulk-progress", show_eta=False)
                yield Static("", id="bulk-job-counts")
                with Horizontal():
                    yield Button("Pause", id="bulk-pause", disabled=True)
                    yield Button("Cancel job", id="bulk-cancel", variant="error", disabled=True)
                    yield Button("Check unknown", id="bulk-reconcile", disabled=True)
                yield DataTable(id="bulk-jobs", cursor_type="row", zebra_stripes=True)
                yield Static(
                    f"enter on a job: resume it · f8: pause/resume · f9: cancel · {TAB_KEYS_HINT}", classes="hint"
                )
        yield QuietFooter()

    def on_mount(self) -> None:
        self.query_one("#bulk-preview", DataTable).add_columns("Line", "Phone", "Message")
        self.query_one("#bulk-invalid", DataTable).add_columns("Line", "Row", "Not sent because")
        self.query_one("#bulk-jobs", DataTable).add_columns(
            "Job", "Created", "State", "Accepted", "Unknown", "Refused", "Deliv.", "Failed"
        )
        self.query_one("#bulk-include-optouts", Button).display = False
        self._load_templates()
        self._update_counter()
        self._update_device_warning()
        self.subscribe_core(self._on_core)
        self.load_jobs(notify_unfinished=True)
        # Typing starts in the form's first field, not on the tab bar (Tab then walks the fields).
        self.query_one("#bulk-csv", Input).focus()

    def _on_core(self, message: Any) -> None:
        if type(message).__name__ in ("MessagesChanged", "OutboxChanged"):
            self.load_jobs()

    # ------------------------------------------------------------------ form

    def _text(self, selector: str) -> str:
        widget = self.query_one(selector)
        return widget.text if isinstance(widget, TextArea) else widget.value  # type: ignore[attr-defined]

    @property
    def device_id(self) -> int | None:
        value = self.query_one("#bulk-device", Select).value
        return value if isinstance(value, int) else None

    @property
    def slot(self) -> int:
        value = self.query_one("#bulk-slot", Select).value
        return value if isinstance(value, int) else 0

    def _load_templates(self) -> None:
        select = self.query_one("#bulk-template", Select)
        select.set_options([(Text(clean(t.name, single_line=True)), t.body) for t in list_templates(self.store)])

    @on(Select.Changed, "#bulk-template")
    def _template_chosen(self, event: Select.Changed) -> None:
        if isinstance(event.value, str):
            self.query_one("#bulk-body", TextArea).text = event.value

    @on(Button.Pressed, "#bulk-save-template")
    def _save_template(self) -> None:
        try:
            saved = save_template(self.store, self._text("#bulk-template-name"), self._text("#bulk-body"))
        except TemplateError as exc:
            self.notify(str(exc), title="Template not saved", severity="error")
            return
        self._load_templates()
        self.notify(f"Template {clean(saved.name, single_line=True)} saved.")

    @on(Select.Changed, "#bulk-device")
    def _device_changed(self) -> None:
        slot = self.query_one("#bulk-slot", Select)
        slot.set_options(slot_options(self.devices(), self.device_id))
        slot.value = 0
        self._update_device_warning()
        self._form_changed()

    def _device_warning(self) -> Text:
        stored = next((d for d in self.devices() if d.device.id == self.device_id), None)
        return warning_text(stored, self.slot)

    def _update_device_warning(self) -> None:
        """Offline phone or no SIM for the slot: shown before ctrl+s / ctrl+g (which still send)."""
        box = self.query_one("#bulk-device-warning", Static)
        text = self._device_warning()
        box.update(text)
        box.display = bool(text)

    @on(Select.Changed, "#bulk-slot")
    def _slot_changed(self) -> None:
        self._update_device_warning()
        self._form_changed()

    @on(TextArea.Changed)
    @on(Input.Changed)
    def _form_changed(self) -> None:
        self._update_counter()
        if self.rows is not None and self._form_state() != self._previewed:
            # The preview no longer shows what would be sent.
            self.rows = None
            self.query_one("#bulk-send", Button).disabled = True
            self.query_one("#bulk-summary", Static).update("The form changed: press ctrl+s to preview again.")

    def _form_state(self) -> tuple[Any, ...]:
        return (
            self._text("#bulk-csv").strip(),
            self.query_one(FileOptions).state(),
            self._text("#bulk-numbers"),
            self._text("#bulk-body"),
            self.device_id,
            self.slot,
            self._batch_size(),
        )

    def _update_counter(self) -> None:
        body = self._text("#bulk-body")
        counter = counter_text(body, self.slot)
        try:
            names = placeholders(body)
        except TemplateError as exc:
            counter = Text(str(exc), style="yellow")
        else:
            if names:
                counter.append(" · template: " + ", ".join("{" + n + "}" for n in names))
        self.query_one("#bulk-counter", Static).update(counter)

    # ------------------------------------------------------------------ preview

    def action_preview(self) -> None:
        # After the keys and pastes that came before ctrl+s: preview what the fields show.
        after_pending_input(self, self._preview_now)

    def _preview_now(self) -> None:
        errors = []
        if self.device_id is None:
            errors.append("Choose the device that sends the messages.")
        batch = self._batch_size()
        if batch is None:
            errors.append(f"The batch size must be a number from 1 to {MAX_BATCH_SIZE}.")
        if not self._text("#bulk-csv").strip() and not self._text("#bulk-numbers").strip():
            errors.append("Give a CSV file or type some numbers.")
        self.query_one("#bulk-errors", Static).update(Text("\n".join(errors)))
        if errors:
            return
        self._previewed = self._form_state()
        try:
            options = self.query_one(FileOptions).read_options()
        except MappingError as exc:
            self.query_one("#bulk-errors", Static).update(Text(str(exc)))
            return
        self.build_preview(
            self._text("#bulk-csv").strip(), self._text("#bulk-numbers"), self._text("#bulk-body"), options
        )

    def _batch_size(self) -> int | None:
        try:
            value = int(self._text("#bulk-batch").strip() or self.batch_size)
        except ValueError:
            return None
        return value if 1 <= value <= MAX_BATCH_SIZE else None

    @store_read("bulk-preview", "check the bulk file")
    def build_preview(self, csv_path: str, numbers: str, body: str, options: dict[str, Any] | None = None) -> None:
        store = self.store
        region = self.phone_region

        def names(e164: str) -> str | None:
            return store.contact_name(store.phone_key(e164))

        try:
            template = body if body.strip() and placeholders(body) else None
            plain_body = body if body.strip() and template is None else None
            if csv_path:
                preview = read_csv(
                    csv_path,
                    kind="bulk",
                    region=region,
                    body_required=not body.strip(),
                    now=self.now(),
                    tz=self.tz,
                    **(options or {}),
                )
                rows, invalid = rows_from_preview(preview, body=plain_body, template=template, names=names)
                source = preview.summary
            else:
                if not body.strip():
                    raise BulkError("Write the text to send.")
                rows, bad = rows_for_numbers(numbers, plain_body or "", region=region, template=template, names=names)
                invalid = [InvalidRow(0, (raw,), reason) for raw, reason in bad]
                source = ""
        except (CsvError, TemplateError, BulkError) as exc:
            self.app.call_from_thread(self._preview_failed, str(exc))
            return
        kept, skipped = split_opted_out(store, rows)
        opted_out = {s.phone for s in skipped}
        self.app.call_from_thread(self._show_opted_out, [r for r in rows if r.phone in opted_out], skipped)
        self.app.call_from_thread(self._show_preview, kept, invalid, source)

    def _preview_failed(self, text: str) -> None:
        self.rows = None
        self.query_one("#bulk-errors", Static).update(Text(text))
        self.query_one("#bulk-send", Button).disabled = True
        self.notify(text, title="Nothing to preview", severity="error")

    def _show_opted_out(self, rows: list[BulkRow], skipped: list[Skipped]) -> None:
        self.opted_out, self._skipped = rows, skipped

    @on(Button.Pressed, "#bulk-include-optouts")
    def _include_opted_out(self) -> None:
        if not self.opted_out or self.rows is None:
            return
        from smstui.tui.dialogs.confirm import ConfirmDialog

        text = (
            f"{skipped_text(self._skipped)}.\n\nThey replied STOP (or were added to the suppression list). "
            "Carriers and the law expect a sender to honour that. Send to them anyway?"
        )

        def answered(yes: bool | None) -> None:
            if yes and self.rows is not None and self.opted_out:
                rows, self.opted_out, self._skipped = [*self.rows, *self.opted_out], [], []
                self._show_preview(rows, self.invalid, self._source, included=len(rows) - len(self.rows))

        self.app.push_screen(ConfirmDialog("Send to opted-out numbers?", text, yes="Send to them too"), answered)

    def _show_preview(
        self, rows: list[BulkRow], invalid: list[InvalidRow], source: str = "", *, included: int = 0
    ) -> None:
        self._source = source
        self.rows = rows
        self.invalid = invalid
        batch = self._batch_size() or self.batch_size
        est = estimate(rows, batch) if rows else BulkEstimate(0, 0, 0, 0)
        summary = Text()
        summary.append(
            f"{est.messages} message(s) to {est.recipients} number(s) in {est.batches} batch(es)", style="bold"
        )
        summary.append(f", {est.sms_parts} SMS part(s)")
        if rows:
            summary.append_text(self._cost_lines(rows))
        if invalid:
            summary.append(f"; {len(invalid)} row(s) will not be sent (below)", style="yellow")
        summary.append(f" · from {self.device_label(self.device_id or 0)}")
        warning = self._device_warning()
        if warning:
            summary.append("\n")
            summary.append_text(warning)
        if rows and self.device_id is not None:
            for line in self.limit_warnings({(self.device_id, self.slot): len(rows)}):
                summary.append(f"\n⚠ {line} (the send is not stopped)", style="bold yellow")
        scheduled = sum(1 for r in rows if r.scheduled_at)
        if scheduled:
            summary.append(f" · {scheduled} scheduled")
        if self.opted_out:
            summary.append(f"\n⚠ {skipped_text(self._skipped)}", style="bold yellow")
        elif included:
            summary.append(f"\n⚠ including {included} number(s) that opted out", style="bold yellow")
        if source:
            summary.append(f"\nThe file: {clean(source)}", style="dim")
        self.query_one("#bulk-summary", Static).update(summary)
        table = self.query_one("#bulk-preview", DataTable)
        table.clear()
        table.add_rows((str(r.line or ""), format_display(r.phone), _cell(r.body)) for r in rows[:MAX_SHOWN])
        bad = self.query_one("#bulk-invalid", DataTable)
        bad.clear()
        bad.add_rows((str(r.line or ""), _cell(r.text, 30), _cell(r.reason, 80)) for r in invalid[:MAX_SHOWN])
        send = self.query_one("#bulk-send", Button)
        send.label = f"Send {len(rows)} message(s)"
        send.disabled = not rows
        self.query_one("#bulk-include-optouts", Button).display = bool(self.opted_out)
        self.query_one("#bulk-errors", Static).update("")
        self._show_pane("bulk-preview-pane", send if rows else table)

    def _cost_lines(self, rows: list[BulkRow]) -> Text:
        if self._counter is None:
            limits = getattr(getattr(self.session, "config", None), "limits", None)
            self._counter = SendCounter(self.store, self.now, self.tz, limits)
        sims = [(self.device_id or 0, r.slot if r.slot is not None else self.slot) for r in rows]
        return cost_lines([r.body for r in rows], sims, self._counter)

    def _show_pane(self, pane_id: str, focus: Any = None) -> None:
        show_pane(self.query_one(TabbedContent), pane_id, focus)

    # ------------------------------------------------------------------ sending

    @on(Button.Pressed, "#bulk-send")
    def action_send(self) -> None:
        after_pending_input(self, self._send_now)

    def _send_now(self) -> None:
        if self.job is not None and self.job.running:
            self.notify("A bulk job is running; pause or cancel it first.", severity="warning")
            self._show_pane("bulk-jobs-pane", self.query_one("#bulk-pause", Button))
            return
        if self.rows is not None and self._form_state() != self._previewed:
            # Typed after the preview (the change may not have been reported yet): never send
            # something other than what the form shows.
            self._form_changed()
            self.notify("The form changed after the preview: press ctrl+s to preview again.", severity="warning")
            return
        if not self.rows:
            self.notify("Preview the messages first (ctrl+s).", severity="warning")
            return
        tabs = self.query_one(TabbedContent)
        if tabs.active != "bulk-preview-pane":
            # ctrl+g from another tab: show what would go out first; the next ctrl+g sends it.
            self._show_pane("bulk-preview-pane", self.query_one("#bulk-send", Button))
            self.notify("Check the preview, then press ctrl+g again to send.", timeout=4)
            return
        assert self.device_id is not None
        rows, device_id, slot = self.rows, self.device_id, self.slot
        batch = self._batch_size() or self.batch_size
        self.rows = None
        self.query_one("#bulk-send", Button).disabled = True
        remember_last_device(self.store, "bulk", device_id)
        self.start_job(rows, device_id, slot, batch)

    @task("bulk-run", "send a bulk job", name="bulk-send", exclusive=True)
    async def start_job(self, rows: list[BulkRow], device_id: int, slot: int, batch: int) -> None:
        try:
            job = await asyncio.to_thread(
                BulkJob.create,
                self.store,
                self.client,
                rows,
                device_id=device_id,
                slot=slot,
                batch_size=batch,
                **self.job_options,
            )
        except BulkError as exc:
            self.notify(str(exc), title="Not sent", severity="error")
            return
        await self._run(job)

    @task("bulk-run", "resume a bulk job", name="bulk-resume", exclusive=True)
    async def resume_job(self, job_id: str) -> None:
        try:
            job = BulkJob.load(self.store, self.client, job_id, **self.job_options)
        except BulkError as exc:
            self.notify(str(exc), severity="error")
            return
        await self._run(job)

    async def _run(self, job: BulkJob) -> None:
        self.job = job
        self._set_controls(running=True)
        self._show_progress(BulkProgress(job.id, job.counts(), 0, len(job.info.batches), "starting"))
        # Progress, pause and cancel in sight, and focus on them (f8 / f9 work from anywhere).
        self._show_pane("bulk-jobs-pane", self.query_one("#bulk-pause", Button))
        try:
            report = await job.run(self._show_progress)
        except Exception as exc:  # noqa: BLE001 - a notification, never a traceback
            self.notify(f"The bulk job stopped: {exc}", severity="error")
            return
        finally:
            self._set_controls(running=False)
            if isinstance(self.focused, Button) and self.focused.id in ("bulk-pause", "bulk-cancel"):
                # Pause just went disabled: rest on the job list, never on "Cancel job".
                self.set_focus(self.query_one("#bulk-jobs", DataTable))
            self.load_jobs()
        severity = "information" if report.state == DONE and not report.counts.unknown else "warning"
        self.notify(report.summary, title=f"Bulk job {report.state}", severity=severity, timeout=10)
        self._show_progress(
            BulkProgress(
                job.id, report.counts, len(job.info.batches), len(job.info.batches), report.error or report.state
            )
        )

    def _show_progress(self, progress: BulkProgress) -> None:
        counts = progress.counts
        bar = self.query_one("#bulk-progress", ProgressBar)
        bar.update(total=max(counts.total, 1), progress=counts.finished)
        title = Text()
        job = self.job
        if job is not None:
            title.append(clean(job.info.title, single_line=True), style="bold")
            title.append(f"  batch {progress.batch}/{progress.batches}")
        if progress.note:
            title.append(f" · {clean(progress.note, single_line=True)}", style="dim")
        self.query_one("#bulk-job-title", Static).update(title)
        line = Text(f"{counts.submitted}/{counts.total} accepted")
        if counts.remaining:
            line.append(f" · {counts.remaining} to send")
        if counts.unknown:
            line.append(f" · {counts.unknown} unknown — check before resending", style="bold yellow")
        if counts.rejected:
            line.append(f" · {counts.rejected} refused", style="red")
        if counts.cancelled:
            line.append(f" · {counts.cancelled} cancelled")
        line.append(f" · {counts.delivered} delivered, {counts.failed} failed")
        self.query_one("#bulk-job-counts", Static).update(line)

    def _set_controls(self, *, running: bool) -> None:
        job = self.job
        pause = self.query_one("#bulk-pause", Button)
        pause.label = "Pause" if running else "Resume"
        can_resume = job is not None and job.info.state not in (DONE, CANCELLED_JOB)
        pause.disabled = not (running or can_resume)
        self.query_one("#bulk-cancel", Button).disabled = job is None or job.info.state == CANCELLED_JOB
        self.query_one("#bulk-reconcile", Button).disabled = running or job is None

    @on(Button.Pressed, "#bulk-pause")
    def action_pause_resume(self) -> None:
        job = self.job
        if job is None:
            return
        if job.running:
            job.pause()
            self.notify("Pausing after the request under way…")
        elif job.info.state not in (DONE, CANCELLED_JOB):
            self.resume_job(job.id)

    @on(Button.Pressed, "#bulk-cancel")
    def action_cancel_job(self) -> None:
        job = self.job
        if job is None:
            return
        job.cancel()
        if not job.running:
            self._set_controls(running=False)
            self._show_progress(BulkProgress(job.id, job.counts(), 0, len(job.info.batches), "cancelled"))
            self.load_jobs()
        self.notify("Cancelling: messages not yet sent will not be sent.")

    @on(Button.Pressed, "#bulk-reconcile")
    def _reconcile_pressed(self) -> None:
        self.reconcile()

    @task("bulk-run", "check a bulk job's messages on the gateway", name="bulk-reconcile", exclusive=True)
    async def reconcile(self) -> None:
        job = self.job
        if job is None:
            return
        try:
            report = await job.reconcile()
        except Exception as exc:  # noqa: BLE001
            self.notify(f"Could not check: {exc}", severity="error")
            return
        self._show_progress(BulkProgress(job.id, report.counts, 0, len(job.info.batches), "checked"))
        self.load_jobs()

    # ------------------------------------------------------------------ job list

    @task("bulk-jobs", "read the bulk jobs", exclusive=True)
    async def load_jobs(self, notify_unfinished: bool = False) -> None:
        def load() -> list[tuple[JobInfo, Any]]:
            return [(info, job_counts(self.store, info.id)) for info in list_jobs(self.store)]

        jobs = await asyncio.to_thread(load)
        self._jobs = {info.id: info for info, _ in jobs}
        table = self.query_one("#bulk-jobs", DataTable)
        table.clear()
        for info, counts in jobs:
            created = to_local(datetime.fromtimestamp(info.created, UTC), self.tz).strftime("%d %b %H:%M")
            table.add_row(
                _cell(info.title, 30),
                created,
                info.state,
                f"{counts.submitted}/{counts.total}",
                Text(str(counts.unknown), style="bold yellow" if counts.unknown else ""),
                str(counts.rejected),
                str(counts.delivered),
                Text(str(counts.failed), style="red" if counts.failed else ""),
                key=info.id,
            )
        if notify_unfinished:
            waiting = [info for info, counts in jobs if counts.remaining and info.state != CANCELLED_JOB]
            if waiting:
                self.notify(
                    f"{len(waiting)} bulk job(s) did not finish. Open the Jobs tab and press enter on one to resume it.",
                    title="Bulk send",
                    severity="warning",
                    timeout=10,
                )

    @on(DataTable.RowSelected, "#bulk-jobs")
    def _job_selected(self, event: DataTable.RowSelected) -> None:
        job_id = event.row_key.value
        if job_id is None:
            return
        if self.job is not None and self.job.running:
            self.notify("A bulk job is running; pause it first.", severity="warning")
            return
        info = self._jobs.get(job_id)
        if info is None:
            return
        self.job = BulkJob.load(self.store, self.client, job_id, **self.job_options)
        if info.state in (DONE, CANCELLED_JOB):
            self._set_controls(running=False)
            self._show_progress(BulkProgress(job_id, self.job.counts(), 0, len(info.batches), info.state))
            return
        self.resume_job(job_id)
