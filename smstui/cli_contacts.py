"""``smstui tag``, ``contact`` and ``newsletter``: the gateway's address book from the command line.

Thin wrappers over :mod:`smstui.contacts` (the same service functions the app's screens use).
Tag ids on the command line are smstui's own ids (``smstui tag list``): the gateway cannot list
tags, so the local store is the record of them.
"""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from smstui import cli_output as out
from smstui.cli_args import local_zone, parse_id_list
from smstui.cli_common import ProgressBar, emit_json, json_option, require_login, run, usage_error, warn

if TYPE_CHECKING:
    from smstui.session import Session


def register(root: click.Group) -> None:
    from smstui.cli_bulk import bulk

    root.add_command(bulk)
    root.add_command(tag)
    root.add_command(contact)
    root.add_command(newsletter)


def tag_doc(t: Any) -> dict[str, Any]:
    return {"tag_id": t.id, "gateway_id": t.gateway_id, "title": t.title, "contacts": t.contact_count}


# ------------------------------------------------------------------ tags


@click.group()
def tag() -> None:
    """Tags: named groups of contacts that newsletters are sent to."""


@tag.command("add")
@click.argument("title")
@json_option
@click.pass_context
def tag_add(ctx: click.Context, title: str, as_json: bool) -> None:
    """Create tag TITLE on the gateway; prints its id (for --tag).

    A tag of the same title that smstui already knows is reused, not created twice.
    """
    from smstui.contacts import create_tag

    async def body(session: "Session") -> Any:
        return await create_tag(session.store, session.client, title)

    created = run(ctx, body)
    if as_json:
        emit_json(tag_doc(created))
        return
    click.echo(created.id)
    warn(f"Tag {created.title!r}: id {created.id} (gateway id {created.gateway_id}).")


@tag.command("list")
@json_option
@click.pass_context
def tag_list(ctx: click.Context, as_json: bool) -> None:
    """The tags smstui created (the gateway has no call that lists them)."""

    async def body(session: "Session") -> list[Any]:
        return session.store.tags()

    tags = run(ctx, body, needs_login=False)
    if as_json:
        emit_json({"tags": [tag_doc(t) for t in tags]})
        return
    if not tags:
        warn("No tags yet: create one with `smstui tag add TITLE`.")
        return
    click.echo(out.table(["ID", "TITLE", "CONTACTS", "GATEWAY ID"], [(t.id, t.title, t.contact_count, t.gateway_id) for t in tags], wide=1))


# ------------------------------------------------------------------ contacts


@click.group()
def contact() -> None:
    """Contacts: phone numbers in tags."""


def contact_doc(c: Any) -> dict[str, Any]:
    return {"contact_id": c.id, "gateway_id": c.gateway_id, "tag_id": c.tag_id, "phone": c.phone, "name": c.name}


@contact.command("add")
@click.option("--tag", "tag_id", type=int, required=True, metavar="ID", help="Tag id (see `smstui tag list`).")
@click.option("--phone", required=True, metavar="P", help="The number, e.g. +4915752982212.")
@click.option("--name", default="", metavar="N", help="The contact's name.")
@json_option
@click.pass_context
def contact_add(ctx: click.Context, tag_id: int, phone: str, name: str, as_json: bool) -> None:
    """Add a contact to a tag; prints its id. Adding the same number again changes nothing."""
    from smstui.contacts import add_contact

    async def body(session: "Session") -> Any:
        return await add_contact(session.store, session.client, tag_id, phone, name)

    saved = run(ctx, body)
    if as_json:
        emit_json(contact_doc(saved))
    else:
        click.echo(saved.id)


@contact.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--tag", "tag_id", type=int, metavar="ID", help="Tag for rows without a tag column (see `smstui tag list`).")
@click.option("--dry-run", is_flag=True, help="Only check the file and show what would be imported.")
@json_option
@click.pass_context
def contact_import(ctx: click.Context, file: Path, tag_id: int | None, dry_run: bool, as_json: bool) -> None:
    """Import contacts from a CSV file (columns: phone, name, tag; a header row is optional).

    Safe to run again: numbers already saved in their tag are skipped. Exit code 0 when every
    row is in its tag, 1 when some rows were invalid or refused, 4 when the import stopped
    early (network); the rows not done are listed on stderr.
    """
    from smstui.contacts import import_contacts
    from smstui.csv_import import read_csv

    async def body(session: "Session") -> tuple[Any, Any]:
        default_tag = None
        if tag_id is not None:
            found = session.store.tag(tag_id)
            if found is None:
                usage_error(f"there is no tag with id {tag_id}; see `smstui tag list` or create one with `smstui tag add`")
            default_tag = found.title
        preview = read_csv(file, kind="contacts", region=session.region, default_tag=default_tag)
        if dry_run:
            return preview, None
        require_login(session)
        with ProgressBar(len(preview.valid_rows), "Importing", enabled=not as_json) as bar:
            report = await import_contacts(
                session.store, session.client, preview.valid_rows, default_tag=default_tag, progress=bar.update,
            )
        return preview, report

    preview, report = run(ctx, body, needs_login=False)
    invalid = [{"line": r.line, "reason": r.reason} for r in preview.invalid_rows]
    if report is None:
        doc = {"total": preview.total, "valid": len(preview.valid_rows), "invalid": invalid}
        if as_json:
            emit_json(doc)
        else:
            click.echo(preview.summary)
            for r in preview.invalid_rows:
                warn(f"line {r.line}: {r.reason}")
        ctx.exit(0 if not invalid else 1)
    doc = {
        "total": preview.total,
        "saved": len(report.saved),
        "already_there": len(report.skipped_existing),
        "failed": [{"line": getattr(r, "line", None), "phone": r.phone, "reason": why} for r, why in report.failed],
        "invalid": invalid,
        "not_tried": [{"line": getattr(r, "line", None), "phone": r.phone} for r in report.not_attempted],
        "tags_created": report.tags_created,
        "stopped": report.stopped,
    }
    if as_json:
        emit_json(doc)
    else:
        click.echo(report.summary)
    for r in preview.invalid_rows:
        warn(f"line {r.line}: {r.reason}")
    for line in report.details():
        warn(line)
    if report.stopped:
        ctx.exit(4)
    if report.failed or invalid:
        ctx.exit(1)


# ------------------------------------------------------------------ newsletters


@click.group()
def newsletter() -> None:
    """Newsletters: one text sent to every contact of some tags."""


@newsletter.command("create")
@click.option("--title", required=True, metavar="T", help="A name for the newsletter.")
@click.option("--device", "device_id", type=int, required=True, metavar="ID", help="The phone that sends it.")
@click.option("--sim", type=click.IntRange(0, 5), default=0, show_default=True, help="Slot: 0/1 SMS, 2/3 WhatsApp, 4/5 RCS.")
@click.option("--tags", required=True, metavar="1,2", help="Tag ids (see `smstui tag list`).")
@click.option("--at", "at", metavar="WHEN", help="Start time: 'YYYY-MM-DD HH:MM' (local), +2h, 'tomorrow 9:00'; default now.")
@json_option
@click.argument("body")
@click.pass_context
def newsletter_create(
    ctx: click.Context, title: str, device_id: int, sim: int, tags: str, at: str | None, as_json: bool, body: str,
) -> None:
    """Create a newsletter with text BODY (`-` reads stdin); prints its id.

    The gateway only stores it: start it in the SMSGateway24 app on the phone.
    """
    from smstui.cli_args import read_body
    from smstui.contacts import START_REMINDER, create_newsletter
    from smstui.timeparse import WhenError, parse_schedule

    tag_ids = parse_id_list(tags, "tag ids")
    text = read_body(body, sys.stdin)
    try:
        send_at = parse_schedule(at or "", datetime.now(timezone.utc), local_zone())
    except WhenError as exc:
        usage_error(f"--at: {exc}")

    async def work(session: "Session") -> Any:
        return await create_newsletter(
            session.store, session.client, title=title, device_id=device_id, body=text, tag_ids=tag_ids,
            slot=sim, send_at=send_at,
        )

    created = run(ctx, work)
    if as_json:
        emit_json({
            "newsletter_id": created.id,
            "gateway_id": created.gateway_id,
            "title": created.title,
            "tags": list(created.tag_ids),
            "send_at": out.iso(created.send_at),
        })
    else:
        click.echo(created.id)
    warn(START_REMINDER)


__all__ = ["register"]
