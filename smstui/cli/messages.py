"""``smstui messages``: the stored history, filtered, after a sync (or ``--offline``)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import click

from smstui.cli import output as out
from smstui.cli.args import CUSTOMER_ID, DEVICE_ID, parse_past, parse_status
from smstui.cli.common import emit_json, json_option, limit_option, require_login, run, usage_error, warn

if TYPE_CHECKING:
    from smstui.core.session import Session


@click.command()
@click.option("--phone", metavar="P", help="Only messages to or from this number.")
@click.option("--device", type=DEVICE_ID, metavar="ID", help="Only this device.")
@click.option(
    "--status",
    "status_",
    metavar="N|NAME",
    help="Only this status: a code or new, sent, delivered, incoming, ...; failed: every failure.",
)
@click.option(
    "--since", metavar="DATE", help="From this time: YYYY-MM-DD[ HH:MM], today, yesterday, or an age: 2h, 7d."
)
@click.option("--until", metavar="DATE", help="Up to this time (same forms as --since).")
@click.option("--sim", type=click.IntRange(0, 5), help="Only this slot (0-5).")
@click.option("--customer-id", type=CUSTOMER_ID, metavar="N", help="Only messages with this customer id.")
@click.option("--count", is_flag=True, help="Print only the number of matching messages.")
@limit_option(100)
@click.option("--offline", is_flag=True, help="Read the local store instead of the gateway (works without network).")
@json_option
@click.pass_context
def messages(
    ctx: click.Context,
    phone: str | None,
    device: int | None,
    status_: str | None,
    since: str | None,
    until: str | None,
    sim: int | None,
    customer_id: int | None,
    count: bool,
    limit: int,
    offline: bool,
    as_json: bool,
) -> None:
    """List messages, sent and received, newest first."""
    now = datetime.now(UTC)
    codes = parse_status(status_) if status_ is not None else None
    begin = parse_past(since, now) if since else None
    end = parse_past(until, now) if until else None
    if begin and end and begin > end:
        usage_error("--since is after --until")

    async def body(session: Session) -> tuple[int, list[dict[str, Any]], str]:
        from smstui.core.phone import InvalidNumber, normalize

        number = None
        if phone is not None:
            try:
                number = normalize(phone, session.region)
            except InvalidNumber as exc:
                usage_error(f"--phone: {exc}")
        if offline:
            rows = session.store.messages(
                phone_key=session.store.phone_key(number) if number else None,
                device_id=device,
                status=codes,
                since=begin,
                until=end,
                slot=sim,
                customer_id=customer_id,
                limit=None if count or not limit else limit,
            )
            if count:
                return len(rows), [], "local"
            return len(rows), [out.stored_message_doc(r) for r in rows], "local"
        require_login(session)
        from smstui.core.gateway_messages import MessageFilter

        # The client names the zone of begin/end itself (gateway_time: UTC, always).
        # getallsms filters by one status: a group (``failed``) is one request per code in it.
        filters = [
            MessageFilter(
                device_id=device,
                status=code,
                begin=begin,
                end=end,
                slot=sim,
                customer_id=customer_id,
                phone=number,
                order_desc=True,
            )
            for code in (codes or (None,))
        ]
        if count:
            counts = await asyncio.gather(*(session.client.count_messages(f) for f in filters))
            return sum(counts), [], "gateway"
        results = await asyncio.gather(*(session.client.list_messages(f) for f in filters))
        unique = {m.id: m for result in results for m in result.messages}
        found = sorted(unique.values(), key=lambda m: (m.created is not None, m.created or now, m.id), reverse=True)
        if limit:
            found = found[:limit]
        stored = session.store.messages_by_sms_ids(m.id for m in found)
        docs = [out.message_doc(m, getattr(stored.get(m.id), "duplicate_of", None)) for m in found]
        return sum(r.count for r in results), docs, "gateway"

    total, docs, source = run(ctx, body, needs_login=False)
    if count:
        if as_json:
            emit_json({"count": total})
        else:
            click.echo(total)
        return
    if as_json:
        emit_json({"count": total, "source": source, "messages": docs})
        return
    if not docs:
        warn("No messages match.")
        return
    rows = [
        (
            out.doc_ref(d),
            out.doc_time(d["created"]),
            "in" if d["direction"] == "in" else "out",
            d["phone"],
            d["device_id"],
            out.slot_name(d["sim"]),
            d["status_title"] + (" · second copy" if d.get("duplicate_of") else ""),
            d["body"],
        )
        for d in docs
    ]
    click.echo(out.table(["ID", "TIME", "DIR", "PHONE", "DEVICE", "SIM", "STATUS", "BODY"], rows, wide=7))
    if total > len(docs):
        warn(f"Showing {len(docs)} of {total}; use --limit 0 for all.")
