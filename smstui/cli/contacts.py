"""``smstui tag``, ``contact`` and ``newsletter``: the gateway's address book from the command line.

Thin wrappers over :mod:`smstui.core.contacts` (the same service functions the app's screens use).
Every id printed or accepted here is the gateway's, the one the vendor's dashboard shows; smstui's
own row ids never leave the store. A tag id smstui has never seen (a tag made on the dashboard:
the API cannot list tags) is accepted and recorded; ``smstui tag name ID TITLE`` gives it a title.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from smstui.cli import output as out
from smstui.cli.args import DEVICE_ID, TAG_ID, local_zone, parse_id_list, sheet_options
from smstui.cli.common import ProgressBar, emit_json, json_option, limit_warnings, require_login, run, usage_error, warn

if TYPE_CHECKING:
    from smstui.core.session import Session


def tag_doc(t: Any) -> dict[str, Any]:
    # "tag_id" and "gateway_id" are both the gateway's id (null while pending): the local id is internal.
    return {
        "tag_id": t.gateway_id,
        "gateway_id": t.gateway_id,
        "title": t.title or None,
        "contacts": t.contact_count,
        "pending": t.gateway_id is None,
    }


def tag_cell(t: Any) -> str:
    from smstui.core.contacts import untitled_hint

    return t.title or untitled_hint(t)


# ------------------------------------------------------------------ tags


@click.group()
def tag() -> None:
    """Tags: named groups of contacts that newsletters are sent to."""


@tag.command("add")
@click.argument("title")
@json_option
@click.pass_context
def tag_add(ctx: click.Context, title: str, as_json: bool) -> None:
    """Create tag TITLE on the gateway; prints the gateway's tag id (for --tag).

    A tag of the same title that smstui already knows is reused, not created twice; one still
    pending (its creation was not confirmed) is saved on the gateway now.
    """
    from smstui.core.contacts import create_tag

    async def body(session: Session) -> Any:
        return await create_tag(session.store, session.client, title)

    created = run(ctx, body)
    if as_json:
        emit_json(tag_doc(created))
        return
    click.echo(created.gateway_id)
    warn(f"Tag {created.title!r}: id {created.gateway_id}.")


@tag.command("name")
@click.argument("tag_id", metavar="ID", type=TAG_ID)
@click.argument("title")
@json_option
@click.pass_context
def tag_name(ctx: click.Context, tag_id: int, title: str, as_json: bool) -> None:
    """Give the tag with gateway id ID the title TITLE (e.g. a tag made on the vendor's dashboard).

    The title is smstui's own: the gateway has no call that renames a tag.
    """
    from smstui.core.contacts import name_tag, recorded_tags

    async def body(session: Session) -> Any:
        async with recorded_tags(session.store, [tag_id]) as (found,):
            return name_tag(session.store, found, title)

    named = run(ctx, body, needs_login=False)
    if as_json:
        emit_json(tag_doc(named))
        return
    warn(f"Tag {named.gateway_id} is now called {named.title!r} in smstui (the gateway keeps its own title).")


@tag.command("list")
@json_option
@click.pass_context
def tag_list(ctx: click.Context, as_json: bool) -> None:
    """The tags smstui knows (the gateway has no call that lists them); ids are the gateway's."""

    async def body(session: Session) -> list[Any]:
        return session.store.tags()

    tags = run(ctx, body, needs_login=False)
    if as_json:
        emit_json({"tags": [tag_doc(t) for t in tags]})
        return
    if not tags:
        warn("No tags yet: create one with `smstui tag add TITLE`, or use a tag made on the dashboard by its id.")
        return
    rows = [(t.gateway_id if t.gateway_id is not None else "pending", tag_cell(t), t.contact_count) for t in tags]
    click.echo(out.table(["ID", "TITLE", "CONTACTS"], rows, wide=1))
    pending = [t for t in tags if t.gateway_id is None]
    if pending:
        warn(
            f"{len(pending)} tag(s) pending: not confirmed by the gateway yet; "
            "`smstui tag add TITLE` saves one there and prints its id."
        )


# ------------------------------------------------------------------ contacts


@click.group()
def contact() -> None:
    """Contacts: phone numbers in tags."""


def contact_doc(c: Any) -> dict[str, Any]:
    # Gateway ids: "contact_id" and "gateway_id" are the contact's, "tag_id" its tag's.
    return {
        "contact_id": c.gateway_id,
        "gateway_id": c.gateway_id,
        "tag_id": c.tag_gateway_id,
        "phone": c.phone,
        "name": c.name,
    }


@contact.command("add")
@click.option(
    "--tag", "tag_id", type=TAG_ID, required=True, metavar="ID", help="The gateway's tag id (see `smstui tag list`)."
)
@click.option("--phone", required=True, metavar="P", help="The number, e.g. +4915752982212.")
@click.option("--name", default="", metavar="N", help="The contact's name.")
@json_option
@click.pass_context
def contact_add(ctx: click.Context, tag_id: int, phone: str, name: str, as_json: bool) -> None:
    """Add a contact to a tag; prints the gateway's contact id. Adding the same number again changes nothing.

    A tag id smstui has never seen (made on the dashboard) is recorded; name it with `smstui tag name`.
    """
    from smstui.core.contacts import add_contact, recorded_tags

    async def body(session: Session) -> Any:
        async with recorded_tags(session.store, [tag_id]) as (found,):
            return await add_contact(session.store, session.client, found, phone, name)

    saved = run(ctx, body)
    if as_json:
        emit_json(contact_doc(saved))
    else:
        click.echo(saved.gateway_id)


@contact.command("list")
@click.option("--tag", "tag_id", type=TAG_ID, metavar="ID", help="Only the contacts of this tag (gateway id).")
@json_option
@click.pass_context
def contact_list(ctx: click.Context, tag_id: int | None, as_json: bool) -> None:
    """The contacts smstui saved (the gateway has no call that lists them); ids are the gateway's."""

    async def body(session: Session) -> list[Any]:
        if tag_id is None:
            return session.store.contacts()
        found = session.store.tag_by_gateway_id(tag_id)
        return [] if found is None else session.store.contacts(found.id)

    contacts = run(ctx, body, needs_login=False)
    if as_json:
        emit_json({"contacts": [contact_doc(c) for c in contacts]})
        return
    if not contacts:
        warn("No contacts" + (f" of tag {tag_id}" if tag_id is not None else "") + " known to smstui.")
        return
    click.echo(
        out.table(
            ["ID", "PHONE", "NAME", "TAG"],
            [
                (c.gateway_id if c.gateway_id is not None else "not saved", c.phone, c.name, c.tag_gateway_id)
                for c in contacts
            ],
            wide=2,
        )
    )


@contact.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--tag", "tag_id", type=TAG_ID, metavar="ID", help="Tag (gateway id) for rows without a tag column.")
@click.option("--dry-run", is_flag=True, help="Only check the file and show what would be imported.")
@sheet_options
@json_option
@click.pass_context
def contact_import(
    ctx: click.Context,
    file: Path,
    tag_id: int | None,
    dry_run: bool,
    encoding: str | None,
    sheet: str | None,
    mapping: dict[str, str] | None,
    as_json: bool,
) -> None:
    """Import contacts from a CSV, .xlsx or .ods file (columns: phone, name, tag; a header row
    is optional; German headers like Telefon, Handy, Kunde work too).

    A tag cell is a title (a new one is created on the gateway) or #ID, the gateway's id of a tag.
    Prints the gateway's contact id of each row now in its tag, then a summary. Safe to run again: numbers already saved in their tag are skipped. Exit code 0 when every
    row is in its tag, 1 when some rows were invalid or refused, 4 when the import stopped
    early (network); the rows not done are listed on stderr.
    """
    from smstui.core.contacts import check_tag_id, forget_unused_tags, import_contacts
    from smstui.core.sheets.csv_import import read_csv

    async def body(session: Session) -> tuple[Any, Any]:
        # Rows without a tag go to --tag, named "#ID" (the gateway's id, never a title lookup).
        default_tag = None if tag_id is None else f"#{check_tag_id(tag_id)}"
        preview = read_csv(
            file,
            kind="contacts",
            region=session.region,
            default_tag=default_tag,
            encoding=encoding,
            sheet=sheet,
            mapping=mapping,
        )
        if dry_run:
            return preview, None
        require_login(session)
        new = [tag_id] if tag_id is not None and session.store.tag_by_gateway_id(tag_id) is None else []
        try:
            with ProgressBar(len(preview.valid_rows), "Importing", enabled=not as_json) as bar:
                report = await import_contacts(
                    session.store,
                    session.client,
                    preview.valid_rows,
                    default_tag=default_tag,
                    progress=bar.update,
                )
        finally:
            forget_unused_tags(session.store, new)  # an id the gateway refused leaves no phantom tag
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
            for r in preview.repaired:
                warn(f"line {r.line}: {r.phone} ({r.note})")
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
        "contacts": [
            {"line": getattr(r, "line", None), "phone": c.phone, "contact_id": c.gateway_id, "tag_id": c.tag_gateway_id}
            for r, c in report.contacts
        ],
    }
    if as_json:
        emit_json(doc)
    else:
        if report.contacts:
            click.echo(
                out.table(
                    ["CONTACT ID", "PHONE", "TAG", "LINE"],
                    [(c.gateway_id, c.phone, c.tag_gateway_id, getattr(r, "line", None)) for r, c in report.contacts],
                )
            )
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
@click.option("--device", "device_id", type=DEVICE_ID, required=True, metavar="ID", help="The phone that sends it.")
@click.option(
    "--sim", type=click.IntRange(0, 5), default=0, show_default=True, help="Slot: 0/1 SMS, 2/3 WhatsApp, 4/5 RCS."
)
@click.option(
    "--tags", required=True, metavar="ID,ID", help="The gateway's tag ids, e.g. 8303,8304 (see `smstui tag list`)."
)
@click.option(
    "--at", "at", metavar="WHEN", help="Start time: 'YYYY-MM-DD HH:MM' (local), +2h, 'tomorrow 9:00'; default now."
)
@json_option
@click.argument("body")
@click.pass_context
def newsletter_create(
    ctx: click.Context,
    title: str,
    device_id: int,
    sim: int,
    tags: str,
    at: str | None,
    as_json: bool,
    body: str,
) -> None:
    """Create a newsletter with text BODY (`-` reads stdin); prints the gateway's newsletter id.

    The gateway sends this one text, unchanged, to every contact of the tags: {placeholders} are
    not filled in (a BODY with them is refused; use `smstui bulk --template`). The gateway only
    stores it: start it in the SMSGateway24 app on the phone.
    """
    from smstui.cli.args import read_body
    from smstui.core.contacts import START_REMINDER, create_newsletter, recipients_count, recorded_tags
    from smstui.core.suppression import newsletter_warning, split_opted_out
    from smstui.core.timeparse import WhenError, parse_schedule

    tag_ids = parse_id_list(tags, "tag ids (the gateway's, see `smstui tag list`)")
    text = read_body(body, sys.stdin)
    from smstui.core.newsletter_text import placeholder_problem

    problem = placeholder_problem(text, cli=True)
    if problem:
        usage_error(problem)
    try:
        send_at = parse_schedule(at or "", datetime.now(UTC), local_zone())
    except WhenError as exc:
        usage_error(f"--at: {exc}")

    async def work(session: Session) -> Any:
        async with recorded_tags(session.store, tag_ids) as chosen:
            recipients = recipients_count(session.store, [t.id for t in chosen])
            for line in limit_warnings(session, {(device_id, sim): recipients}) if recipients else []:
                warn(f"warning: {line}")  # the phone sends it to every contact of the tags
            _, opted_out = split_opted_out(session.store, session.store.recipients_of_tags([t.id for t in chosen]))
            if opted_out:
                warn(f"warning: {newsletter_warning(opted_out)} (`smstui optouts` lists them)")
            return await create_newsletter(
                session.store,
                session.client,
                title=title,
                device_id=device_id,
                body=text,
                tags=chosen,
                slot=sim,
                send_at=send_at,
            )

    created = run(ctx, work)
    if as_json:
        emit_json(newsletter_doc(created))
    else:
        click.echo(created.gateway_id)
    warn(START_REMINDER)


def newsletter_doc(letter: Any, state: str | None = None) -> dict[str, Any]:
    # Gateway ids: "newsletter_id" is the paket id (null when unconfirmed), "tags" the tags' ids.
    doc = {
        "newsletter_id": letter.gateway_id,
        "gateway_id": letter.gateway_id,
        "title": letter.title,
        "tags": list(letter.tag_ids),
        "send_at": out.iso(letter.send_at),
    }
    if state is not None:
        doc["state"] = state
    return doc


@newsletter.command("list")
@json_option
@click.pass_context
def newsletter_list(ctx: click.Context, as_json: bool) -> None:
    """The newsletters smstui created (the gateway has no call that lists them), newest first."""
    from smstui.core.contacts import newsletter_state, newsletter_stats

    async def body(session: Session) -> list[tuple[Any, str]]:
        return [(n, newsletter_state(n, newsletter_stats(session.store, n))) for n in session.store.newsletters()]

    letters = run(ctx, body, needs_login=False)
    if as_json:
        emit_json({"newsletters": [newsletter_doc(n, state) for n, state in letters]})
        return
    if not letters:
        warn("No newsletters yet: create one with `smstui newsletter create`.")
        return
    click.echo(
        out.table(
            ["ID", "TITLE", "TAGS", "SEND AT", "STATE"],
            [
                (
                    n.gateway_id if n.gateway_id is not None else "unconfirmed",
                    n.title,
                    ",".join(map(str, n.tag_ids)),
                    "now" if n.send_at is None else out.local_time(n.send_at),
                    state,
                )
                for n, state in letters
            ],
            wide=1,
        )
    )


__all__ = ["contact", "newsletter", "tag"]
