"""The compose form: recipients, body, device, slot, schedule and extras, checked as you type.

Used twice: as the pane under an open thread (recipient fixed to that thread) and inside the
new-message modal (recipients typed). It never sends anything itself: a valid form posts
:class:`ComposeForm.Submitted` with a :class:`Outgoing`, and the screen queues it in the outbox.
What is typed is saved as a draft (debounced, in a worker) so it survives closing and restarts.

Sending reads the fields once, after the keys and pastes that came before ctrl+s (see
:mod:`smstui.tui.widgets.input_order`), cancels the pending draft save and empties the fields at
once; the outbox write deletes the draft in its own transaction (``clear_draft``), and draft
writes go through the app's ordered store writer, so no save can land after it and bring the
sent text back. If queueing fails, the text comes back into the empty fields.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.message import Message
from textual.reactive import reactive
from textual.timer import Timer
from textual.widgets import Checkbox, Input, Select, Static, TextArea

from smstui.core.models import Slot
from smstui.core.phone import (
    RecipientCheck,
    format_display,
    parse_recipients,
    unique_numbers,
)
from smstui.core.send_limits import SendLimits
from smstui.core.smstext import analyze
from smstui.core.store.database import Store
from smstui.core.store.devices import StoredDevice
from smstui.core.timeparse import WhenError, parse_schedule
from smstui.tui.widgets.bulk_counter import cost_suffix
from smstui.tui.widgets.device_choice import (
    default_for,
    device_label,
    device_options,
    device_title,
    warning_text,
)
from smstui.tui.widgets.format import clean, to_local
from smstui.tui.widgets.input_order import after_pending_input
from smstui.tui.widgets.quiet import update_static
from smstui.tui.widgets.send_counter import SendCounter

MAX_BODY_CHARS = 4000


@dataclass(frozen=True)
class Outgoing:
    """A checked message ready for the outbox."""

    recipients: list[str]
    body: str
    device_id: int
    slot: Slot
    scheduled_at: datetime | None = None
    customer_id: int | None = None
    urgent: bool = False
    image_path: str | None = None


@dataclass
class Check:
    """The result of checking the form: what is wrong (errors) and what it would send."""

    errors: list[str] = field(default_factory=list)
    outgoing: Outgoing | None = None


def _image_problem(path_text: str, slot: Slot | None) -> str | None:
    path_text = path_text.strip()
    if not path_text:
        return None
    if slot is not None and not slot.is_whatsapp:
        return "images can only be sent over WhatsApp: pick a WhatsApp slot or clear the image"
    from smstui.core.api.client import ImageUpload  # late: pulls in httpx

    try:
        ImageUpload.from_path(path_text)
    except ValueError as exc:
        return f"image: {exc}"
    except OSError as exc:
        return f"image: cannot read {Path(path_text).name} ({exc.strerror or exc})"
    return None


class ComposeForm(Vertical):
    """See module docstring. ``recipient`` fixes the recipient (the thread's number)."""

    DEFAULT_CSS = """
    ComposeForm { height: auto; }
    ComposeForm .compose-row { height: 1; margin-top: 1; }
    ComposeForm #compose-body { height: 4; min-height: 3; }
    ComposeForm #compose-device { width: 1fr; margin-right: 1; }
    ComposeForm #compose-slot { width: 22; margin-right: 1; }
    ComposeForm #compose-when { width: 1fr; }
    ComposeForm #compose-customer { width: 18; margin-right: 1; }
    ComposeForm #compose-image { width: 1fr; }
    ComposeForm Checkbox { border: none; padding: 0; height: 1; margin-right: 1; background: transparent; }
    ComposeForm #compose-info { height: 1; color: $foreground-muted; }
    ComposeForm #compose-recipients-check { height: auto; max-height: 4; color: $foreground-muted; }
    ComposeForm #compose-errors { height: auto; color: $error; }
    ComposeForm #compose-warning { height: auto; color: $warning; }
    ComposeForm #compose-device-info { height: 1; color: $foreground-muted; }
    ComposeForm #compose-extras { display: none; height: 1; margin-top: 1; }
    ComposeForm.-extras #compose-extras { display: block; }
    """

    BINDINGS = [
        Binding("ctrl+s", "submit", "Send", id="compose.send", priority=True),
        Binding("ctrl+o", "toggle_extras", "More options", id="compose.options"),
        Binding("ctrl+f", "edit_in_editor", "Editor", id="compose.editor"),
    ]

    show_extras: reactive[bool] = reactive(False)

    class Submitted(Message):
        """A checked message; the form is already empty. ``typed`` is what it held (for
        :meth:`ComposeForm.restore` if queueing fails), ``draft_key`` the draft the send consumes."""

        def __init__(
            self,
            form: ComposeForm,
            outgoing: Outgoing,
            typed: dict[str, Any] | None = None,
            draft_key: str | None = None,
        ) -> None:
            super().__init__()
            self.form = form
            self.outgoing = outgoing
            self.typed = typed or {}
            self.draft_key = draft_key

        @property
        def control(self) -> ComposeForm:
            return self.form

    def __init__(
        self,
        *,
        store: Store,
        devices: Sequence[StoredDevice],
        region: str | None,
        clock: Callable[[], datetime],
        tz: tzinfo | None,
        recipient: str | None = None,
        device_id: int | None = None,
        draft_key: str | None = None,
        show_extras: bool = False,
        limits: SendLimits | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self._store = store
        self._sent = SendCounter(store, clock, tz, limits)
        self._checked: tuple[tuple[str, str | None], list[RecipientCheck]] | None = None
        self._cost_sms = 0  # SMS the message as typed would cost, shown beside the SIM's counter
        self._devices = list(devices)
        self._region = region
        self._clock = clock
        self._tz = tz
        self.recipient = recipient
        self.draft_key = draft_key
        self._default_device = device_id
        self._save_timer: Timer | None = None
        self._last_data: dict[str, Any] = {}
        # What the device and slot choices show now (set_devices and _update_slots compare).
        self._shown_options = self._device_options()
        self._shown_slots: list[tuple[str, int]] = []
        self.set_reactive(ComposeForm.show_extras, show_extras)

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        if self.recipient is None:
            yield Input(placeholder="To: +4915123456781, +4917012345673 …", id="compose-recipients", compact=True)
            yield Static("", id="compose-recipients-check")
        yield TextArea(
            "",
            id="compose-body",
            soft_wrap=True,
            tab_behavior="focus",
            compact=True,
            placeholder="Write a message… (ctrl+s sends)",
        )
        with Horizontal(classes="compose-row"):
            yield Select(self._shown_options, id="compose-device", compact=True, allow_blank=True, prompt="device")
            yield Select([], id="compose-slot", compact=True, allow_blank=True, prompt="slot")
            yield Input(placeholder="when: now (+2h, tomorrow 9:00, YYYY-MM-DD HH:MM)", id="compose-when", compact=True)
        with Horizontal(id="compose-extras"):
            yield Checkbox("urgent", id="compose-urgent", compact=True)
            yield Input(placeholder="customer id", id="compose-customer", compact=True, type="integer")
            yield Input(placeholder="image file (WhatsApp only)", id="compose-image", compact=True)
        yield Static("", id="compose-errors")
        yield Static("", id="compose-device-info")
        yield Static("", id="compose-warning")
        yield Static("", id="compose-info")

    def on_mount(self) -> None:
        self.query_one("#compose-errors", Static).display = False
        self.query_one("#compose-warning", Static).display = False
        self.set_class(self.show_extras, "-extras")
        try:
            self._apply_default_device()
        except NoMatches:
            # The app is closing while this pane mounts (it is built just after the first
            # frame) and the select's parts are already gone: nothing left to show.
            return
        self._update_info()

    def watch_show_extras(self, value: bool) -> None:
        self.set_class(value, "-extras")

    def _device_options(self) -> list[tuple[Text, int]]:
        # Text, not str: a Select reads a str prompt as markup, and titles come from the gateway.
        # Each choice shows its #id, online state and SIMs (smstui.tui.widgets.device_choice).
        return device_options(self._devices)

    def _apply_default_device(self) -> None:
        select = self.query_one("#compose-device", Select)
        ids = [s.device.id for s in self._devices]
        wanted = self._default_device if self._default_device in ids else (ids[0] if len(ids) == 1 else None)
        if wanted is None and ids:
            # Not the alphabetically first: the form's last device, else the online one that sent last.
            wanted = default_for(self._store, self._devices, "compose", profile_default=None)
        if wanted is not None:
            select.value = wanted
        self._update_slots()

    def set_devices(self, devices: Sequence[StoredDevice], default: int | None = None) -> None:
        """New device list (after a sync); keeps the chosen device when it still exists."""
        current = self.device_id
        self._devices = list(devices)
        select = self.query_one("#compose-device", Select)
        options = self._device_options()
        with self.prevent(Select.Changed):
            # A device refresh that changed nothing the form shows (a phone's last-seen time)
            # must not rebuild the choices: that reflows and repaints the screen (issue 19).
            if options != self._shown_options:
                self._shown_options = options
                select.set_options(options)
            ids = [s.device.id for s in self._devices]
            keep = current if current in ids else (default if default in ids else None)
            if keep is not None:
                select.value = keep
        if keep is None:
            self._default_device = default
            self._apply_default_device()
        else:
            self._update_slots()

    def set_default_device(self, device_id: int | None) -> None:
        self._default_device = device_id
        if device_id is not None and any(s.device.id == device_id for s in self._devices):
            self.query_one("#compose-device", Select).value = device_id

    def _update_slots(self) -> None:
        slot_select = self.query_one("#compose-slot", Select)
        current = slot_select.value
        device = self.device
        slots = device.device.slots if device is not None else ()
        with self.prevent(Select.Changed):
            choices = [(s.label, int(s)) for s in slots]
            if choices != self._shown_slots:
                self._shown_slots = choices
                slot_select.set_options(choices)
            if current in [int(s) for s in slots]:
                slot_select.value = current
            elif slots:
                slot_select.value = int(slots[0])
        self._update_warning()
        self._update_info()

    def _update_warning(self) -> None:
        """Offline phone or no SIM for the slot: said before ctrl+s, which still sends."""
        if not self.is_mounted:
            return
        device = self.device
        # The narrow select shows the title; this line the rest: #id, online state, SIMs.
        about = Text("", no_wrap=True, overflow="ellipsis")
        if device is not None:
            slot = self.slot
            counted = self._sent.line(device.device.id, int(slot) if slot is not None else None)
            if counted:  # first: the device details after it may be cut at the right
                cost = self._cost_sms
                about.append(counted + (f" · this send +{cost} SMS" if cost else "") + " · ")
            about.append("from ").append_text(device_label(device))
        update_static(self.query_one("#compose-device-info", Static), about)
        text = warning_text(device, self.slot)
        for line in self._limit_warnings():
            text.append(("\n" if text else "") + f"⚠ {line} (ctrl+s still sends)", style="bold yellow")
        if text.plain == getattr(self, "_shown_warning", None):
            return
        self._shown_warning = text.plain
        box = self.query_one("#compose-warning", Static)
        box.update(text)
        box.display = bool(text)

    # ------------------------------------------------------------------ values

    @property
    def device_id(self) -> int | None:
        value = self.query_one("#compose-device", Select).value
        return value if isinstance(value, int) else None

    @property
    def device(self) -> StoredDevice | None:
        device_id = self.device_id
        return next((s for s in self._devices if s.device.id == device_id), None)

    @property
    def slot(self) -> Slot | None:
        value = self.query_one("#compose-slot", Select).value
        return Slot(value) if isinstance(value, int) else None

    @property
    def body(self) -> str:
        return self.query_one("#compose-body", TextArea).text

    def set_region(self, region: str | None) -> None:
        """The profile's region was learnt or chosen: national numbers read with it from now on."""
        if region == self._region:
            return
        self._region = region
        if self.is_mounted and self.recipient is None:
            self._update_recipient_marks()

    def _recipient_checks(self) -> list[RecipientCheck]:
        # Asked several times per keystroke (the cost, the marks, the SIM limits): parsed once
        # per text and region.
        text = self.recipient if self.recipient is not None else self.query_one("#compose-recipients", Input).value
        key = (text, self._region)
        if self._checked is None or self._checked[0] != key:
            self._checked = (key, parse_recipients(text, self._region))
        return self._checked[1]

    def _input(self, name: str) -> str:
        return self.query_one(f"#compose-{name}", Input).value

    def set_field(self, name: str, value: Any) -> None:
        """Set one field by name (used by tests and by 'reply'/'resend' actions)."""
        if name == "body":
            self.query_one("#compose-body", TextArea).text = value
        elif name == "device":
            self.query_one("#compose-device", Select).value = value
        elif name == "slot":
            self.query_one("#compose-slot", Select).value = int(value)
        elif name == "urgent":
            self.query_one("#compose-urgent", Checkbox).value = bool(value)
        else:
            self.query_one(f"#compose-{name}", Input).value = str(value)

    def check(self) -> Check:
        """Everything wrong with the form, or the message it would send."""
        result = Check()
        checks = self._recipient_checks()
        numbers = unique_numbers(checks)
        if not checks:
            result.errors.append("add a recipient (a number with +country code)")
        for bad in (c for c in checks if not c.ok):
            result.errors.append(clean(bad.error or f"{bad.raw}: not a phone number", single_line=True))
        body = self.body
        image = self._input("image").strip()
        if not body.strip() and not image:
            result.errors.append("write a message first")
        if len(body) > MAX_BODY_CHARS:
            result.errors.append(f"the message is too long ({len(body)} characters; at most {MAX_BODY_CHARS})")
        device_id = self.device_id
        if device_id is None:
            result.errors.append(
                "pick a device to send from" if self._devices else "no devices yet: sync first (ctrl+r)"
            )
        slot = self.slot
        if slot is None and device_id is not None:
            result.errors.append("pick a slot")
        when: datetime | None = None
        try:
            when = parse_schedule(self._input("when"), self._clock(), self._zone())
        except WhenError as exc:
            result.errors.append(f"when: {exc}")
        customer_text = self._input("customer").strip()
        customer: int | None = None
        if customer_text:
            try:
                customer = int(customer_text)
                if customer < 0:
                    raise ValueError
            except ValueError:
                result.errors.append("customer id must be a whole number ≥ 0")
        problem = _image_problem(image, slot)
        if problem:
            result.errors.append(problem)
        if not result.errors and device_id is not None and slot is not None:
            result.outgoing = Outgoing(
                recipients=numbers,
                body=body,
                device_id=device_id,
                slot=slot,
                scheduled_at=when,
                customer_id=customer,
                urgent=self.query_one("#compose-urgent", Checkbox).value,
                image_path=str(Path(image).expanduser()) if image else None,
            )
        return result

    def _zone(self) -> tzinfo:
        if self._tz is not None:
            return self._tz
        from smstui.core.gateway_time import (
            local_zone,  # the user's IANA zone, with its DST rules
        )

        return local_zone()

    # ------------------------------------------------------------------ live feedback

    def _update_info(self) -> None:
        if not self.is_mounted:
            return
        body = self.body
        slot = self.slot
        info = Text(no_wrap=True, overflow="ellipsis")
        if slot is None or slot.is_sms:
            sms = analyze(body)
            info.append(f"{sms.chars} chars · {sms.encoding} · ")
            parts = f"{sms.parts} SMS" if sms.parts != 1 else "1 SMS"
            info.append(parts, style="bold" if sms.parts > 1 else "")
            if sms.parts:
                info.append(f" ({sms.remaining_in_part} left in part)")
            # Many recipients: what the carrier will count; and the character that added parts.
            recipients = 1 if self.recipient is not None else sum(1 for c in self._recipient_checks() if c.ok)
            suffix, sms_total = cost_suffix(body, recipients)
            info.append_text(suffix)
            if sms_total != self._cost_sms:
                self._cost_sms = sms_total
                self._update_warning()  # the cost stands beside the SIM's counter
        else:
            info.append(f"{len(body)} chars · {slot.label}")
        when_text = self._input("when").strip()
        if when_text:
            try:
                when = parse_schedule(when_text, self._clock(), self._zone())
            except WhenError:
                pass
            else:
                if when is not None:
                    info.append(f" · ⏲ {to_local(when, self._tz).strftime('%a %d %b %H:%M')}")
        # One fixed-height line: no layout pass on every keystroke.
        self.query_one("#compose-info", Static).update(info, layout=False)
        if self.recipient is None:
            self._update_recipient_marks()

    def _limit_warnings(self) -> list[str]:
        """A SIM limit (config [limits]) this message would pass, counting each recipient."""
        if not self._sent.limits.any or self.device is None or self.slot is None:
            return []
        recipients = max(1, sum(1 for c in self._recipient_checks() if c.ok))
        device = self.device.device
        names = {device.id: device_title(self.device)}
        return self._sent.warnings({(device.id, int(self.slot)): recipients}, names)

    def _update_recipient_marks(self) -> None:
        checks = self._recipient_checks()
        text = Text(overflow="fold")
        first_error = next((c.error for c in checks if not c.ok and c.error), None)
        for check in checks:
            if text:
                text.append("  ")
            if check.ok:
                text.append("✓ ", style="green")
                text.append(format_display(check.e164 or ""))
            else:
                text.append("✗ ", style="bold red")
                text.append(clean(check.raw, single_line=True), style="red")
        if first_error:
            # Say why, not just that: the first problem, in the words of smstui.core.phone.
            text.append("\n" + clean(first_error, single_line=True), style="red")
        self.query_one("#compose-recipients-check", Static).update(text)
        if self._sent.limits.any:
            self._update_warning()  # more recipients may pass a SIM's limit

    def show_errors(self, errors: Sequence[str]) -> None:
        if list(errors) == getattr(self, "_shown_errors", None):
            return  # cleared on every keystroke: skip the layout pass when nothing changes
        self._shown_errors = list(errors)
        text = Text("\n".join(f"✗ {e}" for e in errors))
        box = self.query_one("#compose-errors", Static)
        box.update(text)
        box.display = bool(errors)

    @on(TextArea.Changed)
    @on(Input.Changed)
    @on(Checkbox.Changed)
    def _changed(self) -> None:
        self.show_errors([])
        self._update_info()
        self._schedule_save()

    @on(Select.Changed, "#compose-device")
    def _device_changed(self) -> None:
        self._update_slots()
        self._schedule_save()

    @on(Select.Changed, "#compose-slot")
    def _slot_changed(self) -> None:
        self._update_warning()
        self._update_info()
        self._schedule_save()

    def action_edit_in_editor(self) -> None:
        """Write the message in $VISUAL/$EDITOR (the app is suspended meanwhile)."""
        from smstui.tui.editor import edit_in_editor

        self.save_draft_now()  # whatever happens while the editor runs, what was typed is kept
        edited = edit_in_editor(self.app, self.body)
        if edited.problem is not None:
            self.notify(edited.problem, title="Editor", severity="warning", timeout=6)
        if edited.text is not None and edited.text != self.body:
            self.set_field("body", edited.text)  # TextArea.Changed: counters and the draft follow
        self.focus_body()

    def action_toggle_extras(self) -> None:
        self.show_extras = not self.show_extras

    def action_submit(self) -> None:
        # Not now: after the keys and pastes that reached the fields before ctrl+s (a paste
        # then ctrl+s arrive together), and before anything typed after it.
        after_pending_input(self, self._submit_now)

    def _submit_now(self) -> None:
        if not self.is_mounted:
            return
        result = self.check()
        if result.errors:
            self.show_errors(result.errors)
            self.app.bell()
            return
        assert result.outgoing is not None
        typed = self.draft_data()
        draft_key = self.draft_key
        # The draft is this message now: no pending save may write it back after the send.
        self._cancel_pending_save()
        self.clear_body()  # (its cost line redrawn from the figures read before this send)
        self._sent.forget()  # this send counts from now on: read again once it is saved
        self.post_message(self.Submitted(self, result.outgoing, typed, draft_key))

    def clear_body(self) -> None:
        """After a send: the body, schedule and image go; device and slot stay.

        It does not touch the stored draft: the send that consumed it deletes it (in the
        outbox write's transaction)."""
        with self.prevent(TextArea.Changed, Input.Changed):
            self.query_one("#compose-body", TextArea).text = ""
            self.query_one("#compose-when", Input).value = ""
            self.query_one("#compose-image", Input).value = ""
            if self.recipient is None:
                self.query_one("#compose-recipients", Input).value = ""
        self._last_data = {}
        self.show_errors([])
        self._update_info()

    def restore(self, typed: dict[str, Any], error: str) -> None:
        """Queueing failed: put the text back (unless something new was typed) and say why."""
        if not self.is_mounted:
            return
        untouched = not self.body and (self.recipient is not None or not self._input("recipients"))
        if untouched and typed:
            self.load_draft(typed)
            self._schedule_save()
        self.show_errors([error])

    def retarget(self, recipient: str, draft_key: str | None) -> None:
        """Point the pane at another conversation: its fields start empty (then load its draft)."""
        if self._save_timer is not None:
            self.save_draft_now()
        self.recipient = recipient
        self.draft_key = draft_key
        with self.prevent(TextArea.Changed, Input.Changed, Checkbox.Changed):
            self.query_one("#compose-body", TextArea).text = ""
            for name in ("when", "customer", "image"):
                self.query_one(f"#compose-{name}", Input).value = ""
            self.query_one("#compose-urgent", Checkbox).value = False
        self.show_extras = False
        self.show_errors([])
        self._update_info()

    def focus_body(self) -> None:
        self.query_one("#compose-body", TextArea).focus()

    def focus_first(self) -> None:
        if self.recipient is None:
            self.query_one("#compose-recipients", Input).focus()
        else:
            self.focus_body()

    # ------------------------------------------------------------------ drafts

    def draft_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "body": self.body,
            "when": self._input("when"),
            "customer": self._input("customer"),
            "image": self._input("image"),
        }
        if self.recipient is None:
            data["recipients"] = self._input("recipients")
        # Device and slot only matter alongside something typed; they are not a draft alone.
        if any(data.values()):
            data["device"] = self.device_id
            data["slot"] = int(self.slot) if self.slot is not None else None
            data["urgent"] = self.query_one("#compose-urgent", Checkbox).value
        return data

    def load_draft(self, data: dict[str, Any] | None) -> None:
        if not data:
            return
        with self.prevent(TextArea.Changed, Input.Changed, Checkbox.Changed, Select.Changed):
            self.query_one("#compose-body", TextArea).text = str(data.get("body") or "")
            for name in ("when", "customer", "image"):
                self.query_one(f"#compose-{name}", Input).value = str(data.get(name) or "")
            if self.recipient is None:
                self.query_one("#compose-recipients", Input).value = str(data.get("recipients") or "")
            if data.get("urgent"):
                self.query_one("#compose-urgent", Checkbox).value = True
            device = data.get("device")
            if device is not None and any(s.device.id == device for s in self._devices):
                self.query_one("#compose-device", Select).value = device
        self._update_slots()
        slot = data.get("slot")
        if slot is not None:
            with self.prevent(Select.Changed):
                try:
                    self.query_one("#compose-slot", Select).value = int(slot)
                except Exception:  # a slot the device no longer offers
                    pass
        if data.get("customer") or data.get("image") or data.get("urgent"):
            self.show_extras = True
        self._update_info()

    def _schedule_save(self) -> None:
        if not self.draft_key:
            return
        self._last_data = self.draft_data()
        if self._save_timer is not None:
            self._save_timer.stop()
        self._save_timer = self.set_timer(0.4, self.save_draft_now, name="draft-save")

    def _cancel_pending_save(self) -> None:
        if self._save_timer is not None:
            self._save_timer.stop()
            self._save_timer = None

    def save_draft_now(self) -> None:
        if self._save_timer is not None:
            self._save_timer.stop()
            self._save_timer = None
        if self.draft_key and self.is_mounted:
            self._save_draft(self.draft_key, self.draft_data())

    def on_unmount(self) -> None:
        # A pending debounced save must not be lost when the pane closes.
        if self._save_timer is not None and self.draft_key:
            self._save_timer.stop()
            self._save_timer = None
            self._save_draft(self.draft_key, self._last_data)

    def _save_draft(self, key: str, data: dict[str, Any]) -> None:
        # The app owns the worker so the save outlives this form (closing the pane saves).
        store = self._store
        writes = getattr(self.app, "store_writes", None)
        if writes is not None:
            # In order with the other draft writes and the sends that delete drafts.
            future = writes.submit(store.save_draft, key, data)
            self.app.run_worker(
                writes.wait(future),
                group="draft",
                name=f"draft:{key}",
                description="save draft",
                exit_on_error=False,
            )
            return
        self.app.run_worker(
            lambda: store.save_draft(key, data),
            thread=True,
            group="draft",
            name=f"draft:{key}",
            description="save draft",
            exit_on_error=False,
        )
