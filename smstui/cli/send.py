"""``smstui send`` (saved to the outbox first, then submitted) and ``smstui status`` (one message, optionally waited on)."""

from __future__ import annotations

import asyncio
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from smstui.cli import output as out
from smstui.cli.args import CUSTOMER_ID, DEVICE_ID, SMS_ID, local_zone, parse_slot, read_body
from smstui.cli.common import SLOT_CHOICES, emit_json, json_option, require_login, run, usage_error, warn

if TYPE_CHECKING:
    from smstui.core.session import Session


@click.command()
@click.option("--to", "to", required=True, metavar="NUMBER[,NUMBER...]", help="Recipients, comma separated.")
@click.option("--device", type=DEVICE_ID, metavar="ID", help="Device id (default: the profile's default_device).")
@click.option(
    "--sim", type=click.IntRange(0, 5), help="Slot number: 0/1 SMS, 2 WhatsApp Business, 3 WhatsApp, 4/5 RCS."
)
@click.option("--slot", type=click.Choice(SLOT_CHOICES), help="Slot by name (instead of --sim).")
@click.option(
    "--at", "at", metavar="WHEN", help="Schedule: 'YYYY-MM-DD HH:MM' (local time), HH:MM, +30m, +2h, 'tomorrow 9:00'."
)
@click.option("--urgent", is_flag=True, help="Ask the phone to send it before other queued messages.")
@click.option("--customer-id", type=CUSTOMER_ID, metavar="N", help="Your own reference number, kept with the message.")
@click.option(
    "--image",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Image (JPEG/PNG/WebP/GIF, WhatsApp slots).",
)
@click.option(
    "--keep-queued",
    is_flag=True,
    help="If the gateway cannot be reached, leave the message in the outbox for the app to send later "
    "(default: drop it, so running the command again cannot send it twice).",
)
@json_option
@click.argument("body")
@click.pass_context
def send(
    ctx: click.Context,
    to: str,
    device: int | None,
    sim: int | None,
    slot: str | None,
    at: str | None,
    urgent: bool,
    customer_id: int | None,
    image: Path | None,
    keep_queued: bool,
    as_json: bool,
    body: str,
) -> None:
    """Send BODY (`-` reads it from stdin); prints one sms id per recipient.

    The message goes through the outbox like in the app: it is saved locally first, then
    submitted. If the answer is lost, it is kept as "unknown" and checked on the gateway
    later, never resent blindly (exit code 4).
    """
    from smstui.core.api.client import ImageUpload
    from smstui.core.models import Slot
    from smstui.core.phone import parse_recipients, unique_numbers
    from smstui.core.store import schema as st
    from smstui.core.timeparse import WhenError, parse_when

    text = read_body(body, sys.stdin)
    chosen = parse_slot(sim, slot) or Slot.SMS1
    if image is not None:
        try:
            ImageUpload.from_path(image)
        except ValueError as exc:
            usage_error(f"--image: {exc}")
        if not chosen.is_whatsapp:
            usage_error("--image needs a WhatsApp slot: add --slot wa or --slot wa-business")
    elif not text.strip():
        usage_error("the message is empty: give the text as BODY, or `-` to read it from stdin")

    async def work(session: Session) -> tuple[list[dict[str, Any]], int]:
        checks = parse_recipients(to, session.region)
        bad = [c for c in checks if not c.ok]
        if bad:
            usage_error("; ".join(f"{c.error}" for c in bad))
        numbers = unique_numbers(checks)
        if not numbers:
            usage_error("no recipient: give --to +4915752982212 (comma-separate several)")
        device_id = device if device is not None else session.profile.default_device
        if device_id is None:
            usage_error(
                "which phone sends it? Give --device ID (see `smstui devices`) or set default_device in the profile"
            )
        scheduled = None
        if at is not None:
            try:
                scheduled = parse_when(at, datetime.now(UTC), local_zone())
            except WhenError as exc:
                usage_error(f"--at: {exc}")
        require_login(session)

        lids = session.outbox.queue(
            numbers,
            text,
            device_id,
            chosen,
            scheduled_at=scheduled,
            customer_id=customer_id,
            urgent=urgent,
            image_path=str(image) if image is not None else None,
        )
        report = await session.outbox.send(lids)
        docs = _send_results(session, lids, report.error, keep_queued, st)
        return docs, out.EXIT_AUTH if report.auth_needed else out.EXIT_NETWORK

    docs, failure_code = run(ctx, work, needs_login=False)
    states = {d["state"] for d in docs}
    code = out.EXIT_OK
    if "rejected" in states:
        code = out.EXIT_REFUSED
    if states & {"unknown", "not_sent", "queued"}:
        code = failure_code if failure_code == out.EXIT_AUTH else out.EXIT_NETWORK
    if as_json:
        emit_json({"ok": code == out.EXIT_OK, "messages": docs})
    for d in docs:
        if d["state"] == "submitted":
            if not as_json:
                click.echo(d["sms_id"])
        elif d["state"] == "rejected":
            warn(f"{d['phone']}: refused: {d['error']}")
        elif d["state"] == "unknown":
            warn(
                f"{d['phone']}: outcome unknown ({d['error'] or 'no answer'}). The message is saved "
                f"(local id {d['lid']}) and is checked against the gateway by `smstui sync` and the app; "
                "it is re-sent only once smstui is sure the gateway does not have it. Do not send it "
                f"again yourself; see `smstui messages --offline --phone {d['phone']}`."
            )
        elif d["state"] == "queued":
            warn(
                f"{d['phone']}: not sent ({d['error']}); kept in the outbox (local id {d['lid']}), the app will send it."
            )
        else:
            warn(f"{d['phone']}: not sent ({d['error']}); nothing was queued, it is safe to run the command again.")
    if code != out.EXIT_OK:
        ctx.exit(code)


def _send_results(
    session: Session, lids: list[int], failure: str | None, keep_queued: bool, st: Any
) -> list[dict[str, Any]]:
    docs = []
    for lid in lids:
        row = session.store.message(lid)
        if row is None:  # pragma: no cover - a row we just wrote cannot vanish
            continue
        state = {
            st.SUBMITTED: "submitted",
            st.REJECTED: "rejected",
            st.UNKNOWN: "unknown",
            st.SENDING: "unknown",
            st.CANCELLED: "not_sent",
            st.QUEUED: "queued" if keep_queued else "not_sent",
        }.get(row.outbox or "", "submitted" if row.sms_id else "unknown")
        if row.sms_id is not None and state != "rejected":
            state = "submitted"
        if state == "submitted":
            error = None
        elif state == "not_sent":
            # The outbox's own text speaks of retrying later, which the CLI does not do.
            error = failure or row.outbox_error or "not attempted"
        else:
            error = row.outbox_error or failure or "no answer"
        if state == "not_sent" and row.outbox == st.QUEUED:
            # Drop it: a script that retries must not also get the old copy sent later.
            session.outbox.cancel(lid)
        docs.append({"lid": lid, "phone": row.phone, "sms_id": row.sms_id, "state": state, "error": error})
    return docs


@click.command()
@click.argument("sms_id", type=SMS_ID)
@click.option("--wait", is_flag=True, help="Poll until the status is final; the exit code tells the outcome.")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0),
    default=300.0,
    show_default=True,
    help="Give up waiting after S seconds (exit 4).",
)
@click.option(
    "--interval", type=click.FloatRange(min=0.01), default=2.0, show_default=True, help="Seconds between polls."
)
@json_option
@click.pass_context
def status(ctx: click.Context, sms_id: int, wait: bool, timeout: float, interval: float, as_json: bool) -> None:
    """Show the status of message SMS_ID ("did message 123 arrive?").

    With --wait: exit 0 when delivered (or another non-failure final status), 5 when it
    failed, 4 when still not final after --timeout.
    """
    from smstui.core.api.errors import TransportError
    from smstui.core.models import is_failed

    async def body(session: Session) -> tuple[Any, bool]:
        deadline = time.monotonic() + timeout
        current = None
        while True:
            try:
                current = await session.client.sms_status(sms_id)
            except TransportError:
                # While waiting, a network blip is not an answer: keep trying until the deadline.
                if current is None or not wait or time.monotonic() >= deadline:
                    raise
            else:
                session.store.update_status(sms_id, current.status, current.description)
                if current.final or not wait:
                    return current, False
            if time.monotonic() + interval > deadline:
                return current, True
            await asyncio.sleep(interval)

    current, timed_out = run(ctx, body)
    if as_json:
        emit_json(out.status_doc(current, timed_out=timed_out))
    else:
        click.echo(out.status_line(current))
    if not wait:
        return
    if timed_out:
        warn(f"still not final after {timeout:g} s (status {current.status}: {current.title})")
        ctx.exit(out.EXIT_NETWORK)
    if is_failed(current.status):
        ctx.exit(out.EXIT_FAILED)
