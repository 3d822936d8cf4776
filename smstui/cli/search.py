"""``smstui search`` and ``smstui export``: the local store's full-text search and its exports.

Both read only the local store (what the last sync brought; `smstui sync` first for the latest)
and take the same filters as ``messages --offline``. The meaning of a query is
:mod:`smstui.core.search`'s; the files are :mod:`smstui.core.export`'s.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from smstui.cli import output as out
from smstui.cli.args import DEVICE_ID, parse_past, parse_slot, parse_status
from smstui.cli.common import (
    SLOT_CHOICES,
    CliError,
    ProgressBar,
    emit_json,
    json_option,
    limit_option,
    run,
    usage_error,
    warn,
)

if TYPE_CHECKING:
    from smstui.core.filters import MessageFilters
    from smstui.core.session import Session


def register(root: click.Group) -> None:
    root.add_command(search)
    root.add_command(export)


def filter_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The filters ``search`` and ``export`` share (those of ``messages --offline``, and direction)."""
    options = [
        click.option("--phone", metavar="P", help="Only the conversation with this number."),
        click.option("--device", type=DEVICE_ID, metavar="ID", help="Only this device."),
        click.option("--sim", type=click.IntRange(0, 5), help="Only this slot (0-5)."),
        click.option("--slot", type=click.Choice(SLOT_CHOICES), help="Only this slot, by name (instead of --sim)."),
        click.option(
            "--status",
            "status_",
            metavar="N|NAME",
            help="Only this status: a code or new, sent, delivered, incoming, ...; failed: every failure.",
        ),
        click.option("--direction", type=click.Choice(["in", "out"]), help="Only received (in) or sent (out)."),
        click.option("--since", metavar="DATE", help="From this time: YYYY-MM-DD[ HH:MM], today, or an age: 2h, 7d."),
        click.option("--until", metavar="DATE", help="Up to this time (same forms as --since)."),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def _filters(session: Session, given: dict[str, Any]) -> MessageFilters:
    from smstui.core.filters import MessageFilters
    from smstui.core.phone import InvalidNumber, normalize

    now = datetime.now(UTC)
    slot = parse_slot(given["sim"], given["slot"])
    since = parse_past(given["since"], now) if given["since"] else None
    until = parse_past(given["until"], now) if given["until"] else None
    if since and until and since > until:
        usage_error("--since is after --until")
    key = None
    if given["phone"] is not None:
        try:
            key = session.store.phone_key(normalize(given["phone"], session.region))
        except InvalidNumber as exc:
            usage_error(f"--phone: {exc}")
    return MessageFilters(
        phone_key=key,
        device_id=given["device"],
        slot=None if slot is None else int(slot),
        statuses=parse_status(given["status_"]) if given["status_"] is not None else (),
        direction=given["direction"],
        since=since,
        until=until,
    )


def _check_values(given: dict[str, Any]) -> None:
    """Bad filter values are usage errors before the session opens (no store is touched)."""
    now = datetime.now(UTC)
    parse_slot(given["sim"], given["slot"])
    if given["status_"] is not None:
        parse_status(given["status_"])
    for name in ("since", "until"):
        if given[name]:
            parse_past(given[name], now)


# ------------------------------------------------------------------ search


@click.command()
@click.argument("query")
@filter_options
@limit_option(50)
@json_option
@click.pass_context
def search(ctx: click.Context, query: str, limit: int, as_json: bool, **given: Any) -> None:
    """Find stored messages whose text, number or contact name matches QUERY, newest first.

    Every word must match: the start of a word of the message (`deliv` finds "delivered"),
    its number (in national or international form, `0151 2345`), or its contact's name.
    Quotes, `*` and words like AND are plain text. Reads the local store only.
    """
    from smstui.core.search import SearchQuery, query_words

    _check_values(given)
    if not query_words(query):
        usage_error("QUERY has no letters or digits to search for; give a word, a number or a name")

    async def body(session: Session) -> tuple[int, list[dict[str, Any]], dict[str, str]]:
        asked = SearchQuery(query, _filters(session, given))
        store = session.store
        if limit:
            page = store.search_messages(asked, limit=limit)
            rows, names = page.messages, page.names
            total = len(rows) if not page.more else store.count_messages(asked)
        else:
            rows = list(store.iter_messages(asked))
            names = store.contact_names({m.phone_key for m in rows})
            total = len(rows)
        from smstui.core.message_docs import stored_message_doc

        return total, [stored_message_doc(m) | {"name": names.get(m.phone_key)} for m in rows], names

    total, docs, _names = run(ctx, body, needs_login=False)
    if as_json:
        emit_json({"count": total, "source": "local", "query": query, "messages": docs})
        return
    if not docs:
        warn("No stored messages match. (`smstui sync` brings the latest from the gateway.)")
        return
    rows = [
        (
            out.doc_ref(d),
            out.doc_time(d["created"]),
            d["direction"],
            d["phone"],
            d["name"] or "-",
            d["status_title"],
            d["body"],
        )
        for d in docs
    ]
    click.echo(out.table(["ID", "TIME", "DIR", "PHONE", "NAME", "STATUS", "BODY"], rows, wide=6))
    if total > len(docs):
        warn(f"Showing the newest {len(docs)} of {total}; use --limit 0 for all.")


# ------------------------------------------------------------------ export


@click.command()
@click.option("--search", "text", metavar="QUERY", help="Only the messages this search finds (as `smstui search`).")
@filter_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "jsonl", "txt"]),
    help="File format (default: from the file's suffix, else csv).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Write to FILE (replaced only once complete; readable by you only). Default: stdout.",
)
@click.pass_context
def export(ctx: click.Context, text: str | None, fmt: str | None, output: Path | None, **given: Any) -> None:
    """Export stored messages (a conversation, a search, any filters) to CSV, JSON Lines or text.

    Streams row by row, so any number of messages fits in memory; a progress bar shows on a
    terminal. JSON Lines has one document per line, shaped as `messages --json`'s messages; in
    CSV, cells that a spreadsheet would run as a formula (=, +, -, @) start with a '.
    """
    from smstui.core.export import FORMATS, SUFFIXES, ExportError, export_to_path, write_messages
    from smstui.core.search import SearchQuery, query_words

    _check_values(given)
    if text is not None and not query_words(text):
        usage_error("--search has no letters or digits to search for; give a word, a number or a name")
    to_stdout = output is None or str(output) == "-"
    chosen = fmt or next(
        (f for f in FORMATS if not to_stdout and output is not None and output.suffix.lower() == SUFFIXES[f]), "csv"
    )

    async def body(session: Session) -> int:
        from smstui.core.export import NameCache
        from smstui.core.gateway_time import local_zone

        asked = SearchQuery(text or "", _filters(session, given))
        store = session.store
        shown = sys.stderr.isatty() and (not to_stdout or not sys.stdout.isatty())
        total = store.count_messages(asked) if shown else 0
        with ProgressBar(total, "Exporting", enabled=shown) as bar:
            if to_stdout:
                stream = sys.stdout
                try:
                    count = write_messages(
                        store.iter_messages(asked),
                        stream,
                        chosen,  # type: ignore[arg-type]
                        names=NameCache(store),
                        zone=local_zone(),
                        progress=bar.update,
                    )
                    stream.flush()
                except BrokenPipeError:  # `smstui export | head`: the reader had enough
                    _quiet_stdout()
                    return -1
                return count
            assert output is not None
            try:
                return export_to_path(
                    store,
                    asked,
                    chosen,  # type: ignore[arg-type]
                    output,
                    zone=local_zone(),
                    progress=bar.update,
                )
            except ExportError as exc:
                raise CliError(str(exc), out.EXIT_USAGE) from None

    count = run(ctx, body, needs_login=False)
    if count < 0:
        return
    if not to_stdout:
        warn(f"Exported {count} message{'s' if count != 1 else ''} to {output} ({chosen}).")
    elif count == 0:
        warn("No stored messages match.")


def _quiet_stdout() -> None:
    """Point stdout at /dev/null: the pipe's reader is gone, and the flush at exit must not fail."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
