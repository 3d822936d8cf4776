"""``smstui doctor [--repair]``: check the profile's local store; replace it when damaged."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from smstui.cli import output as out
from smstui.cli.common import CliError, Globals, emit_json, json_option, warn


def _store_path(g: Globals) -> tuple[Path, str | None]:
    """The profile's database file, found without opening it (opening is what may fail)."""
    from smstui.core import paths
    from smstui.core.config import load_config, resolve_profile
    from smstui.core.state_file import apply_state, load_state

    loaded = load_config(g.config_path)
    config = apply_state(loaded.config, load_state())
    profile = resolve_profile(config, g.profile, g.api_url)
    return paths.profile_db_path(profile.name), profile.region


@click.command()
@click.option("--repair", is_flag=True, help="If the store is damaged: keep it as a backup and start a fresh one.")
@json_option
@click.pass_context
def doctor(ctx: click.Context, repair: bool, as_json: bool) -> None:
    """Check the local store of the profile (SQLite quick_check).

    With --repair, a damaged store is moved aside (FILE.damaged-DATE, next to it) and a fresh one
    created; messages never sent, drafts and templates are copied over as far as they can still
    be read, and the next `smstui sync` brings the history back from the gateway.

    \b
    JSON: {"store", "ok", "problems", "repaired", "backup", "requeued", "drafts", "templates",
           "unconfirmed": [{"phone", "body"}], "unreadable"}
    Exit code: 0 the store is fine (or was repaired); 1 it is damaged (run with --repair).
    """
    from smstui.core.store.doctor import check, repair as do_repair

    g: Globals = ctx.find_object(Globals)  # type: ignore[assignment]
    path, region = _store_path(g)
    health = check(path)
    doc: dict[str, Any] = {
        "store": str(path),
        "ok": health.ok,
        "problems": health.problems,
        "repaired": False,
        "backup": None,
        "requeued": 0,
        "drafts": 0,
        "templates": 0,
        "unconfirmed": [],
        "unreadable": [],
    }
    if not health.ok and repair:
        try:
            fixed = do_repair(path, region=region)
        except OSError as exc:
            raise CliError(
                f"cannot replace {path}: {exc.strerror or exc}; nothing was changed", out.EXIT_REFUSED
            ) from None
        doc.update(
            repaired=True,
            backup=str(fixed.backup),
            requeued=fixed.requeued,
            drafts=fixed.drafts,
            templates=fixed.templates,
            unreadable=fixed.unreadable,
            unconfirmed=[{"phone": p, "body": b} for p, b in fixed.unconfirmed],
        )
    if as_json:
        emit_json(doc)
    else:
        _print(doc)
    if not health.ok and not doc["repaired"]:
        ctx.exit(out.EXIT_REFUSED)


def _print(doc: dict[str, Any]) -> None:
    if doc["ok"]:
        click.echo(f"The local store {doc['store']} is fine.")
        return
    if not doc["repaired"]:
        warn(f"The local store {doc['store']} is damaged: {'; '.join(doc['problems'][:3])}")
        warn(
            "Run `smstui doctor --repair` to keep it as a backup and start a fresh store "
            "(messages not yet sent, drafts and templates are copied over)."
        )
        return
    click.echo(f"The damaged store was moved to {doc['backup']}; a fresh store replaces it.")
    click.echo(
        f"Salvaged: {doc['requeued']} message(s) not yet sent (queued again), "
        f"{doc['drafts']} draft(s), {doc['templates']} template(s)."
    )
    for item in doc["unconfirmed"]:
        warn(
            f"not re-queued, may already be on the gateway: to {item['phone']}: {item['body'][:60]!r} "
            "- check it after the sync, send it again if it is missing"
        )
    for what in doc["unreadable"]:
        warn(f"could not be read: {what}")
    click.echo("Run `smstui sync` to bring the history back from the gateway.")
