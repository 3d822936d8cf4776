"""``smstui optouts``: the numbers that replied STOP (or were added by hand), and editing them.

Bulk sends and newsletters skip these numbers (``smstui bulk --include-opted-out`` overrides);
a START or Anmelden reply, or ``smstui optouts remove``, lifts an opt-out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from smstui.cli import output as out
from smstui.cli.common import emit_json, json_option, run, usage_error, warn

if TYPE_CHECKING:
    from smstui.core.session import Session
    from smstui.core.store.optouts import Optout


def optout_doc(optout: Optout) -> dict[str, Any]:
    return {"phone": optout.phone, "at": optout.at.isoformat(), "reply": optout.reply, "source": optout.source}


def _number(session: Session, raw: str) -> str:
    from smstui.core.phone import InvalidNumber, normalize

    try:
        return normalize(raw, session.region)
    except InvalidNumber as exc:
        usage_error(str(exc))


@click.group(invoke_without_command=True)
@json_option
@click.pass_context
def optouts(ctx: click.Context, as_json: bool) -> None:
    """List the numbers that opted out (newest first); bulk sends and newsletters skip them.

    \b
    JSON: {"optouts": [{"phone", "at", "reply", "source": "reply" | "manual"}]}
    """
    if ctx.invoked_subcommand is not None:
        return

    async def body(session: Session) -> list[Optout]:
        return session.store.optouts()

    found = run(ctx, body, needs_login=False)
    if as_json:
        emit_json({"optouts": [optout_doc(o) for o in found]})
        return
    if not found:
        warn("No number has opted out.")
        return
    click.echo(
        out.table(
            ["PHONE", "SINCE", "HOW"],
            [
                (
                    o.phone,
                    o.at.astimezone().strftime("%Y-%m-%d %H:%M"),
                    f"replied {o.reply!r}" if o.reply else "by hand",
                )
                for o in found
            ],
            wide=2,
        )
    )


@optouts.command("add")
@click.argument("number")
@click.pass_context
def optouts_add(ctx: click.Context, number: str) -> None:
    """Put NUMBER on the suppression list (as if it had replied STOP)."""

    phone, changed = _set(ctx, number, opted_out=True)
    click.echo(f"{phone} opted out." if changed else f"{phone} had already opted out.")


@optouts.command("remove")
@click.argument("number")
@click.pass_context
def optouts_remove(ctx: click.Context, number: str) -> None:
    """Lift NUMBER's opt-out (only when the customer asked for messages again)."""

    phone, changed = _set(ctx, number, opted_out=False)
    if not changed:
        warn(f"{phone} had not opted out.")
        ctx.exit(1)
    click.echo(f"{phone} may be sent to again.")


def _set(ctx: click.Context, number: str, *, opted_out: bool) -> tuple[str, bool]:
    """Opt NUMBER out (or back in) in the local store: (its international form, whether it changed)."""

    async def body(session: Session) -> tuple[str, bool]:
        phone = _number(session, number)
        return phone, session.store.set_optout(phone, opted_out)

    return run(ctx, body, needs_login=False)
