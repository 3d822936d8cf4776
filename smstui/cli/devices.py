"""``smstui devices``: the account's phones, their SIMs and whether they are online."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import click

from smstui.cli import output as out
from smstui.cli.common import emit_json, json_option, run, warn

if TYPE_CHECKING:
    from smstui.core.session import Session


@click.command()
@json_option
@click.pass_context
def devices(ctx: click.Context, as_json: bool) -> None:
    """List the phones of the account: SIM cards, last seen, online."""

    async def body(session: Session) -> list[dict[str, Any]]:
        client = session.client
        found = await client.devices()
        statuses = await asyncio.gather(*(client.device_status(d.id) for d in found), return_exceptions=True)
        from smstui.core.api.errors import AuthError

        session.store.save_devices(found)
        from smstui.cli.region import news_lines

        for line in news_lines(session, session.regions.learn(found)):
            warn(line)  # stderr: stdout is the table or the JSON document
        docs = []
        for device, status in zip(found, statuses, strict=True):
            if isinstance(status, AuthError):
                raise status
            if isinstance(status, BaseException):
                warn(f"device {device.id}: online state unknown ({status})")
                docs.append(out.device_doc(device, None, None))
                continue
            session.store.save_device_status(status)
            if status.last_seen is not None:
                device = device._replace(last_seen=status.last_seen)
            docs.append(out.device_doc(device, status.online, status.seconds_since_seen))
        return docs

    docs = run(ctx, body)
    if as_json:
        emit_json({"devices": docs})
        return
    if not docs:
        warn("No devices on this account. Install the SMSGateway24 app on a phone and log in there.")
        return
    rows = []
    for d in docs:
        sims = "; ".join(
            f"{s['slot']}: {' '.join(x for x in (s['carrier'], s['number']) if x) or '?'}{' (roaming)' if s['roaming'] else ''}"
            for s in d["sims"]
        )
        online = {True: "online", False: "offline", None: "?"}[d["online"]]
        seen = out.doc_time(d["last_seen"])
        rows.append((d["id"], d["title"], online, seen, sims or "-", d["app_version"] or "-"))
    click.echo(out.table(["ID", "TITLE", "STATE", "LAST SEEN", "SIMS", "APP"], rows, wide=4))
