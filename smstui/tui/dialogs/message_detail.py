"""The message detail dialog (Enter or i on a message): every field the gateway gave, and the
outbox's history of the send.

On call the question is "what happened to this one": its ids, the status with what it means, the
device and slot, every time in the user's zone and the account's (the gateway reads and writes
times on the account's clock, see smstui.core.gateway_time), the customer id and newsletter, and for a
message written here how the outbox handled it (attempts, errors, lookups of a lost answer,
re-sends and second copies). Everything from the network is shown literally (``clean``). It
follows the message live: a status that changes while it is open is shown at once.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any, NamedTuple

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from smstui.core.models import STATUS_HINTS, status_title
from smstui.core.store.schema import CANCELLED, QUEUED, REJECTED, SENDING, SUBMITTED, UNKNOWN
from smstui.tui.app_interface import SmsAppBase, sms_app
from smstui.tui.textual_internals import QuietFocus
from smstui.tui.widgets.format import clean, display_number, slot_label, status_parts
from smstui.tui.widgets.quiet_footer import QuietFooter
from smstui.tui.workers import store_read

if TYPE_CHECKING:
    from smstui.core.store.records import MessageExtras, StoredMessage

# What each status means, in plain words (api.md); failures say what most likely went wrong.
STATUS_MEANINGS: dict[int, str] = {
    1: "waiting on the gateway: the phone has not taken it yet",
    2: "the phone took it from the gateway",
    3: "queued on the phone, about to be sent",
    5: "a message the phone received",
    6: "the phone sent it; no delivery report yet",
    7: "the delivery report came back",
    8: "the carrier reported it could not be delivered",
    **STATUS_HINTS,
}
OUTBOX_MEANINGS: dict[str, str] = {
    QUEUED: "in smstui's outbox, not handed to the gateway yet",
    SENDING: "being handed to the gateway right now",
    UNKNOWN: "sent, but the gateway's answer was lost: smstui is checking whether it arrived",
    REJECTED: "the gateway refused it",
    CANCELLED: "cancelled: it will not be sent",
}
DASH = "—"
STAMP = "%Y-%m-%d %H:%M:%S %Z"


class Zones(NamedTuple):
    """The user's zone and the gateway account's (None while smstui has not learnt it)."""

    user: tzinfo
    account: tzinfo | None


def zone_label(zone: tzinfo) -> str:
    return getattr(zone, "key", None) or str(zone)


def when(moment: datetime | None, zones: Zones) -> Text:
    """A time in the user's zone and, on a second line, on the account's clock when that differs."""
    if moment is None:
        return Text(DASH, style="dim")
    mine = moment.astimezone(zones.user)
    text = Text(mine.strftime(STAMP))
    if zones.account is None:
        return text
    theirs = moment.astimezone(zones.account)
    if theirs.utcoffset() == mine.utcoffset():
        text.append("  yours and the account's", style="dim")
    else:
        text.append("  yours", style="dim")
        text.append(f"\n{theirs.strftime(STAMP)}")
        text.append("  the account's", style="dim")
    return text


def zones_text(zones: Zones) -> Text:
    text = Text(f"yours {zone_label(zones.user)}")
    if zones.account is None:
        text.append(" · the account's is not known yet (smstui learns it from the gateway's dates)", style="dim")
    else:
        text.append(f" · the account's {zone_label(zones.account)}")
    return text


def _local(moment: datetime | None, zones: Zones) -> str:
    return DASH if moment is None else moment.astimezone(zones.user).strftime(STAMP)


def _words(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def status_text(msg: StoredMessage, now: datetime, zones: Zones) -> Text:
    """Code, title and what it means; the gateway's own title when it says something else."""
    text = Text()
    symbol, _, kind = status_parts(msg, now, zones.user)
    style = {"bad": "bold red", "warn": "bold yellow", "ok": "green"}.get(kind, "")
    if msg.status is not None:
        title = status_title(msg.status, msg.status_title)
        text.append(f"{symbol} {msg.status} {title}".strip(), style=style)
        server = clean(msg.status_title, single_line=True)
        if server and _words(server) != _words(title):  # "Not sent - Generic failure" says nothing new
            text.append(f" (the gateway says “{server}”)")
        meaning = STATUS_MEANINGS.get(msg.status)
        text.append(f"\n{meaning}" if meaning else "\na status smstui does not know; the gateway's title above")
    if msg.outbox is not None and msg.outbox != SUBMITTED:
        if text:
            text.append("\n")
        text.append(
            f"{symbol} {msg.outbox}".strip() if msg.status is None else msg.outbox,
            style=style if msg.status is None else "",
        )
        text.append(f": {OUTBOX_MEANINGS.get(msg.outbox, msg.outbox)}")
    if not text:
        text.append("no status yet", style="dim")
    return text


def outbox_text(msg: StoredMessage, extras: MessageExtras | None, zones: Zones) -> Text:
    """The send's history, for messages written in smstui; second copies for any message."""
    lines: list[tuple[str, str]] = []
    if msg.outbox is None:
        lines.append(
            (
                "came from the gateway (written elsewhere, or received)"
                if not msg.incoming
                else "received: smstui did not send it",
                "dim",
            )
        )
    else:
        # ``attempts`` counts the requests that did not succeed (smstui.core.outbox), not the one that did.
        failed = (
            f"{msg.attempts} request{'s' if msg.attempts != 1 else ''} failed" if msg.attempts else "no request failed"
        )
        lines.append((f"{msg.outbox} · {failed}", ""))
        lines.append((f"last request  {_local(msg.attempted_at, zones)}", ""))
        if extras is not None and extras.submitted_at is not None:
            lines.append((f"accepted      {_local(extras.submitted_at, zones)}", ""))
        if msg.next_attempt is not None:
            label = "next lookup " if msg.outbox == UNKNOWN else "next attempt"
            lines.append((f"{label}  {_local(msg.next_attempt, zones)}", ""))
        if msg.recon_misses:
            lines.append(
                (
                    f"{msg.recon_misses} lookup{'s' if msg.recon_misses != 1 else ''} on the gateway "
                    "found nothing (after two it is sent again)",
                    "yellow",
                )
            )
        if msg.outbox_error:
            lines.append((f"error: {clean(msg.outbox_error, single_line=True)}", "red"))
        if msg.resent:
            lines.append(("sent again after the gateway proved it absent", "yellow"))
    if msg.duplicate_of is not None:
        original = extras.duplicate_of_sms_id if extras is not None else None
        lines.append(
            (
                f"a second copy on the gateway of local message #{msg.duplicate_of}"
                + (f" (gateway id {original})" if original is not None else "")
                + ": the recipient may get it twice",
                "bold yellow",
            )
        )
    for lid, sms_id in extras.copies if extras is not None else ():
        lines.append(
            (
                f"has a second copy on the gateway: local #{lid}"
                + (f", gateway id {sms_id}" if sms_id is not None else ""),
                "bold yellow",
            )
        )
    text = Text()
    for index, (line, style) in enumerate(lines):
        text.append(("\n" if index else "") + line, style=style)
    return text


def detail_rows(
    msg: StoredMessage,
    extras: MessageExtras | None,
    *,
    device_title: str | None,
    zones: Zones,
    now: datetime,
    links: tuple[StoredMessage | None, list[StoredMessage]] = (None, []),
) -> list[tuple[str, Text]]:
    """(label, value) of every field, in the dialog's order; ``links``: the failed message this
    one sends again and the messages sending it again (the failure triage's retries)."""

    def plain(value: object, empty: bool = False) -> Text:
        return Text(DASH, style="dim") if empty or value is None else Text(str(value))

    if msg.phone_key.startswith("+"):
        number = display_number(msg.phone_key)
    else:
        number = clean(msg.phone, single_line=True)
    party = Text(f"{'incoming, from' if msg.incoming else 'outgoing, to'} {number}")
    raw = clean(msg.phone, single_line=True)
    if raw.replace(" ", "") != msg.phone_key and raw != number:
        party.append(f" (as the gateway wrote it: {raw})", style="dim")
    device = Text(DASH, style="dim")
    if msg.device_id is not None:
        device = Text(f"#{msg.device_id}")
        device.append(f" {clean(device_title, single_line=True)}" if device_title else " (not among your devices)")
    paket = plain(None, True)
    if msg.paket_id is not None:
        paket = Text(f"#{msg.paket_id}")
        title = clean(extras.paket_title if extras else None, single_line=True)
        if title:
            paket.append(f" {title}")
    body = clean(msg.body) or ""
    if msg.image_path:
        body = (body + "\n" if body else "") + f"[image] {clean(msg.image_path, single_line=True)}"
    rows: list[tuple[str, Text]] = [
        (
            "Gateway id",
            Text(str(msg.sms_id), style="bold")
            if msg.sms_id is not None
            else Text("none yet: the gateway has not accepted it", style="dim"),
        ),
        ("Local id", Text(str(msg.lid))),
        ("Direction", party),
        ("Status", status_text(msg, now, zones)),
        ("Device", device),
        ("Slot", Text(f"{slot_label(msg.slot)} (sim {msg.slot})") if msg.slot is not None else plain(None)),
        ("Zones", zones_text(zones)),
        ("Created", when(msg.created, zones)),
        ("Sent", when(msg.sent_at, zones)),
        ("Scheduled", when(msg.scheduled_at, zones)),
        ("Customer id", plain(msg.customer_id)),
        ("Urgent", Text("yes" if msg.urgent else "no")),
        ("Newsletter", paket),
    ]
    if msg.batch:
        rows.append(("Bulk job", Text(clean(msg.batch, single_line=True))))
    rows.append(("Outbox", outbox_text(msg, extras, zones)))
    original, retries = links
    if original is not None:  # sent again from the failure triage (smstui.core.store.triage)
        rows.append(("Retry of", _retry_text(original, "the failed message")))
    for retry in retries:
        rows.append(("Sent again", _retry_text(retry, "as")))
    if extras is not None and extras.updated is not None:
        rows.append(("Stored", Text(f"last changed {_local(extras.updated, zones)}", style="dim")))
    rows.append(("Text", Text(body) if body else Text("(empty)", style="dim")))
    return rows


def _retry_text(other: StoredMessage, words: str) -> Text:
    ident = f"gateway #{other.sms_id}" if other.sms_id is not None else f"local #{other.lid}"
    return Text(f"{words} {ident}: {clean(other.display_status, single_line=True)}")


def detail_table(rows: list[tuple[str, Text]]) -> Table:
    table = Table.grid(padding=(0, 2), expand=True)
    table.add_column(no_wrap=True, style="bold")
    table.add_column(ratio=1, overflow="fold")
    for label, value in rows:
        table.add_row(Text(label), value)
    return table


class MessageDetailScreen(QuietFocus, ModalScreen[None]):
    """Every field of one message; g copies its gateway id, Esc closes."""

    DEFAULT_CSS = """
    MessageDetailScreen { align: center middle; }
    MessageDetailScreen > Vertical {
        width: 90%; max-width: 100; height: auto; max-height: 90%;
        border: round $primary; padding: 0 1; background: $surface;
    }
    MessageDetailScreen > Vertical { border-title-style: bold; border-title-color: $foreground; }
    MessageDetailScreen #detail-scroll { height: auto; max-height: 100%; }
    """
    BINDINGS = [
        Binding("escape,q", "close", "Close", id="message_detail.close"),
        Binding("g", "copy_id", "Copy gateway id", id="message_detail.copy_id"),
    ]

    def __init__(self, message: StoredMessage) -> None:
        super().__init__()
        self.message = message
        self.extras: MessageExtras | None = None
        self.links: tuple[StoredMessage | None, list[StoredMessage]] = (None, [])
        self._zones: Zones | None = None
        self.rows: list[tuple[str, Text]] = []  # what is shown: (label, value)

    @property
    def smsapp(self) -> SmsAppBase:
        return sms_app(self.app)

    def compose(self) -> ComposeResult:
        with Vertical(id="detail-box") as box:
            # The heading is the border's: the scrolled fields get the whole height.
            box.border_title = "Message details"
            with VerticalScroll(id="detail-scroll"):
                yield Static("", id="detail-body")
        yield QuietFooter()

    def on_mount(self) -> None:
        self.query_one("#detail-scroll").focus()
        self._show()  # what the thread had, at once; the store's full row follows
        self.smsapp.core_signal.subscribe(self, self._on_core)
        self.load()

    @store_read("message-detail", "read a message's details", name="load-message-detail")
    def load(self) -> None:
        app = self.smsapp
        msg = app.store.message(self.message.lid) or self.message
        extras = app.store.message_extras(msg.lid, msg.phone_key)
        links = app.store.retry_links(msg.lid)
        zones = self._zones or Zones(app.tz or _user_zone(), _account_zone(app))
        self.app.call_from_thread(self._loaded, msg, extras, zones, links)

    def _loaded(
        self,
        msg: StoredMessage,
        extras: MessageExtras | None,
        zones: Zones,
        links: tuple[StoredMessage | None, list[StoredMessage]] = (None, []),
    ) -> None:
        self.message, self.extras, self._zones, self.links = msg, extras, zones, links
        self._show()

    @property
    def plain(self) -> str:
        """The dialog's text, one field per line (what a screen reader or a test reads)."""
        return "\n".join(f"{label}: {value.plain}" for label, value in self.rows)

    def _show(self) -> None:
        app = self.smsapp
        zones = self._zones or Zones(app.tz or _user_zone(), None)
        msg = self.message
        title = app.device_names().get(msg.device_id) if msg.device_id is not None else None
        self.rows = detail_rows(msg, self.extras, device_title=title, zones=zones, now=app.clock(), links=self.links)
        self.query_one("#detail-body", Static).update(detail_table(self.rows))
        self.query_one("#detail-box").border_title = Text(
            f"Message details · #{msg.sms_id}" if msg.sms_id is not None else f"Message details · local #{msg.lid}"
        )

    def _on_core(self, message: Any) -> None:
        # By attribute, not class: the message types of smstui.tui.app_messages carry these.
        keys = getattr(message, "phone_keys", ())
        lids = getattr(message, "lids", ())
        if self.message.phone_key in keys or self.message.lid in lids:
            self.load()

    def action_copy_id(self) -> None:
        if self.message.sms_id is None:
            self.notify(
                "It has no gateway id yet: the gateway has not accepted it.",
                title="Nothing to copy",
                severity="warning",
                timeout=4,
            )
            return
        self.smsapp.copy_text(str(self.message.sms_id), "gateway id")

    def action_close(self) -> None:
        self.dismiss(None)


def _user_zone() -> tzinfo:
    from smstui.core.gateway_time import (
        local_zone,  # the configured [ui] timezone, else the system's
    )

    return local_zone()


def _account_zone(app: SmsAppBase) -> tzinfo | None:
    # In the worker: the first use of the client imports httpx, which must not hold up a frame.
    try:
        return app.session.client.zone.zone
    except Exception:  # no client can be made (no profile URL...): the zone is simply unknown
        return None
