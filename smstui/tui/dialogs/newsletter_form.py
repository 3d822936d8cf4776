"""The new-newsletter modal: title, device, slot, text with its counter, tags, send time.

Tags are listed by title and the gateway's id ("pending" for one the gateway has not confirmed
yet: it is saved there before the newsletter, which only takes gateway ids).
Shows how many numbers the chosen tags hold locally (the recipients count) and reminds the user
that the phone's app must start the newsletter. Creating it runs in a named worker; the modal
dismisses with the stored :class:`~smstui.core.store.records.Newsletter`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, tzinfo
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Input, Label, Select, SelectionList, Static, TextArea

from smstui.core.api.errors import ApiError
from smstui.core.contacts import (
    START_REMINDER,
    ContactError,
    create_newsletter,
    recipients_count,
    tag_label,
)
from smstui.core.models import Slot
from smstui.core.newsletter_text import ONE_TEXT, placeholder_problem
from smstui.core.store.devices import StoredDevice
from smstui.core.store.records import Newsletter, Tag
from smstui.core.suppression import newsletter_warning, split_opted_out
from smstui.core.timeparse import WhenError, parse_schedule
from smstui.tui.dialogs.form_dialog import FormDialog
from smstui.tui.widgets.bulk_counter import counter_text
from smstui.tui.widgets.device_choice import (
    device_options,
    remember_last_device,
    warning_text,
)
from smstui.tui.widgets.format import clean, to_local
from smstui.tui.widgets.input_order import after_pending_input
from smstui.tui.workers import task


class NewsletterDialog(FormDialog[Newsletter | None]):
    DEFAULT_CSS = """
    NewsletterDialog > VerticalScroll { max-width: 100; height: 100%; max-height: 34; }
    NewsletterDialog #nl-device { width: 1fr; }
    NewsletterDialog #nl-device SelectCurrent #label { text-wrap: nowrap; text-overflow: ellipsis; }
    NewsletterDialog #nl-slot { width: 24; }
    NewsletterDialog #nl-when { width: 1fr; }
    NewsletterDialog #nl-body { height: 5; }
    NewsletterDialog #nl-tags { height: 6; }
    NewsletterDialog #nl-counter, NewsletterDialog #nl-when-check { height: 1; color: $foreground-muted; }
    NewsletterDialog #nl-recipients { height: auto; max-height: 3; color: $foreground-muted; }
    NewsletterDialog #nl-reminder { color: $warning; height: auto; }
    NewsletterDialog #nl-errors { color: $error; height: auto; }
    NewsletterDialog #nl-one-text { color: $foreground-muted; height: auto; }
    NewsletterDialog #nl-placeholders { color: $warning; text-style: bold; height: auto; }
    NewsletterDialog #nl-device-warning { height: auto; }
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="newsletter_form.cancel"),
        Binding("ctrl+s", "submit", "Create", id="newsletter_form.create", priority=True),
        Binding("ctrl+b", "use_bulk", "Bulk send instead", id="newsletter_form.bulk", priority=True),
    ]

    def __init__(
        self,
        store: Any,
        client: Any,
        *,
        devices: Sequence[StoredDevice],
        clock: Callable[[], datetime],
        tz: tzinfo,
        device_id: int | None = None,
        limit_warnings: Callable[[Mapping[tuple[int, int], int]], list[str]] | None = None,
    ) -> None:
        super().__init__()
        self.store = store
        self._limit_warnings = limit_warnings
        self.client = client
        self.device_list = list(devices)
        self.clock = clock
        self.zone = tz
        self.initial_device = device_id if device_id is not None else (devices[0].device.id if devices else None)
        self.created: Newsletter | None = None
        self._busy = False

    def compose(self) -> ComposeResult:
        tags = self.store.tags()
        with VerticalScroll():
            yield Static("New newsletter", classes="dialog-title")
            yield Input(placeholder="Title (for you; e.g. Summer sale)", id="nl-title", max_length=100)
            with Horizontal():
                yield Select(
                    device_options(self.device_list),
                    value=self.initial_device if self.initial_device is not None else Select.NULL,
                    allow_blank=self.initial_device is None,
                    prompt="Device",
                    id="nl-device",
                )
                yield Select(self._slot_options(self.initial_device), value=0, allow_blank=False, id="nl-slot")
            yield Static(ONE_TEXT + " ctrl+b: Bulk send, which fills them per recipient.", id="nl-one-text")
            yield TextArea(id="nl-body", soft_wrap=True, show_line_numbers=False)
            yield Static("", id="nl-placeholders")
            yield Static("", id="nl-device-warning")
            yield Static("", id="nl-counter")
            yield Label("Send to the contacts of these tags (space to choose):")
            yield SelectionList[int](*[(_tag_prompt(t), t.id) for t in tags], id="nl-tags")
            yield Static("", id="nl-recipients")
            yield Input("now", placeholder="When: now, +2h, tomorrow 9:00, 2026-06-01 10:00", id="nl-when")
            yield Static("", id="nl-when-check")
            yield Static(START_REMINDER, id="nl-reminder")
            yield Static("", id="nl-errors")
            yield Static("ctrl+s: create on the gateway · esc: cancel", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#nl-title", Input).focus()
        self._refresh_info()

    def _slot_options(self, device_id: int | None) -> list[tuple[Text, int]]:
        device = next((d.device for d in self.device_list if d.device.id == device_id), None)
        slots = device.slots if device is not None else tuple(Slot)
        return [(Text(s.label), int(s)) for s in slots]

    # ------------------------------------------------------------------ reading the form

    @property
    def device_id(self) -> int | None:
        value = self.query_one("#nl-device", Select).value
        return value if isinstance(value, int) else None

    @property
    def slot(self) -> int:
        value = self.query_one("#nl-slot", Select).value
        return value if isinstance(value, int) else 0

    @property
    def tag_ids(self) -> list[int]:
        """The chosen tags' local ids (the list's values; never shown)."""
        return list(self.query_one("#nl-tags", SelectionList).selected)

    def chosen_tags(self) -> list[Tag]:
        return [t for t in map(self.store.tag, self.tag_ids) if t is not None]

    @property
    def body(self) -> str:
        return self.query_one("#nl-body", TextArea).text

    def _when(self) -> datetime | None:
        return parse_schedule(self.query_one("#nl-when", Input).value, self.clock(), self.zone)

    # ------------------------------------------------------------------ live feedback

    @on(Select.Changed, "#nl-device")
    def _device_changed(self) -> None:
        slot_select = self.query_one("#nl-slot", Select)
        slot_select.set_options(self._slot_options(self.device_id))
        slot_select.value = 0
        self._refresh_info()

    @on(Select.Changed, "#nl-slot")
    @on(TextArea.Changed)
    @on(SelectionList.SelectedChanged)
    @on(Input.Changed, "#nl-when")
    def _changed(self) -> None:
        self._refresh_info()

    def _refresh_info(self) -> None:
        problem = placeholder_problem(self.body, cli=False)
        flag = self.query_one("#nl-placeholders", Static)
        flag.update(Text(f"⚠ {problem} (ctrl+b)") if problem else Text(""))
        flag.display = bool(problem)
        stored = next((d for d in self.device_list if d.device.id == self.device_id), None)
        recipients = recipients_count(self.store, self.tag_ids)
        warning = self.query_one("#nl-device-warning", Static)
        text = warning_text(stored, self.slot)
        if self._limit_warnings is not None and recipients and self.device_id is not None:
            # The phone sends it to every contact of the tags: each one counts on this SIM.
            for line in self._limit_warnings({(self.device_id, self.slot): recipients}):
                text.append(("\n" if text else "") + f"⚠ {line} (ctrl+s still creates it)", style="bold yellow")
        warning.update(text)
        warning.display = bool(text)
        self.query_one("#nl-counter", Static).update(counter_text(self.body, self.slot, recipients or None))
        chosen = len(self.tag_ids)
        shown = Text(
            f"{recipients} number(s) in the chosen tags, as far as smstui knows" if chosen else "No tags chosen yet."
        )
        _, opted_out = split_opted_out(self.store, self.store.recipients_of_tags(self.tag_ids)) if chosen else ([], [])
        if opted_out:
            shown.append(f"\n⚠ {newsletter_warning(opted_out)}", style="bold yellow")
        self.query_one("#nl-recipients", Static).update(shown)
        check = self.query_one("#nl-when-check", Static)
        try:
            when = self._when()
        except WhenError as exc:
            check.update(Text(str(exc), style="yellow"))
        else:
            check.update(
                "sends as soon as the phone's app starts it"
                if when is None
                else f"sends at {to_local(when, self.zone).strftime('%a %d %b %Y %H:%M')}"
            )

    # ------------------------------------------------------------------ submitting

    def _errors(self) -> list[str]:
        errors = []
        if not self.query_one("#nl-title", Input).value.strip():
            errors.append("Give the newsletter a title.")
        if self.device_id is None:
            errors.append("Choose the device that sends it.")
        if not self.body.strip():
            errors.append("Write the text.")
        problem = placeholder_problem(self.body, cli=False)
        if problem:
            errors.append(problem[0].upper() + problem[1:] + " (ctrl+b).")
        if not self.tag_ids:
            errors.append("Choose at least one tag.")
        try:
            self._when()
        except WhenError as exc:
            errors.append(str(exc))
        return errors

    def action_submit(self) -> None:
        # After the keys and pastes that came before ctrl+s: create what the form shows.
        after_pending_input(self, self._submit_now)

    def _submit_now(self) -> None:
        if self._busy:
            return
        errors = self._errors()
        self.query_one("#nl-errors", Static).update(Text("\n".join(errors)))
        if errors:
            return
        assert self.device_id is not None
        # Read once, now: what is typed while the request runs is not part of this newsletter.
        self._busy = True
        remember_last_device(self.store, "newsletter", self.device_id)
        self.create(
            dict(
                title=self.query_one("#nl-title", Input).value,
                device_id=self.device_id,
                body=self.body,
                tags=self.chosen_tags(),
                slot=self.slot,
                send_at=self._when(),
                now=self.clock(),
            )
        )

    @task("newsletter-create", "create a newsletter", name="create-newsletter", exclusive=True)
    async def create(self, fields: dict[str, Any]) -> None:
        self._busy = True
        try:
            letter = await create_newsletter(self.store, self.client, **fields)
        except (ContactError, WhenError) as exc:
            self.query_one("#nl-errors", Static).update(Text(str(exc)))
            return
        except ApiError as exc:
            self.query_one("#nl-errors", Static).update(Text(str(exc)))
            self.notify(str(exc), title="Newsletter not created", severity="error")
            return
        finally:
            self._busy = False
        self.created = letter
        self.notify(START_REMINDER, title="Newsletter created", timeout=12)
        self.dismiss(letter)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_use_bulk(self) -> None:
        """Leave for the Bulk screen with this text, where {placeholders} are filled per recipient."""
        body = self.body
        app = self.app
        self.dismiss(None)

        def fill() -> None:
            try:
                app.screen.query_one("#bulk-body", TextArea).text = body
            except Exception:  # the bulk screen is still composing: the text stays with the user
                return

        app.switch_mode("bulk")
        app.call_after_refresh(fill)


def _tag_prompt(tag: Tag) -> Text:
    text = Text(f"{clean(tag_label(tag), single_line=True)} ({tag.contact_count})")
    text.append(f"  #{tag.gateway_id}" if tag.gateway_id is not None else "  pending", style="dim")
    return text
