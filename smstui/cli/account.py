"""``smstui login`` and ``smstui logout``: the profile's session token (and, with --remember, its password)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import click

from smstui.cli import output as out
from smstui.cli.common import ENV_EMAIL, ENV_PASSWORD, CliError, Globals, run, warn

if TYPE_CHECKING:
    from smstui.core.session import Session


@click.command()
@click.option("--email", metavar="EMAIL", help=f"Account email (default: ${ENV_EMAIL}, the profile's, or a prompt).")
@click.option("--remember", is_flag=True, help="Also keep the password (0600 file or keyring) to renew the session.")
@click.pass_context
def login(ctx: click.Context, email: str | None, remember: bool) -> None:
    """Log in and keep the session token for this profile.

    Prompts for the email and password, or reads SMSTUI_EMAIL and SMSTUI_PASSWORD.
    """
    g: Globals = ctx.obj

    async def body(session: Session) -> None:
        from smstui.core.secrets import Secret

        address = email or os.environ.get(ENV_EMAIL, "").strip()
        if not address:
            address = prompt("Email", default=session.profile.email or None)
        password = os.environ.get(ENV_PASSWORD, "")
        if not password:
            password = prompt("Password", hide_input=True)
        if not address.strip() or not password:
            raise CliError("an email and a password are needed to log in", out.EXIT_USAGE)
        await session.login(address.strip(), Secret(password), remember=remember, api_url=g.api_url)
        click.echo(f"Logged in as {address.strip()} (profile {session.profile.name}).")
        from smstui.cli.region import login_lines
        from smstui.core.api.errors import ApiError

        try:
            await session.learn_region()  # the phones' SIMs tell the region when the profile sets none
        except ApiError as exc:  # the login itself worked; the next sync learns it
            warn(f"The phones could not be listed to learn the region ({exc}); `smstui sync` will.")
            return
        for line in login_lines(session):
            click.echo(line)

    run(ctx, body, needs_login=False)


def prompt(text: str, *, default: str | None = None, hide_input: bool = False) -> str:
    try:
        return click.prompt(text, default=default, hide_input=hide_input, err=True)
    except click.exceptions.Abort:
        raise CliError(
            f"no {text.lower()} given; type it at the prompt or set {ENV_EMAIL} and {ENV_PASSWORD}",
            out.EXIT_USAGE,
        ) from None


@click.command()
@click.pass_context
def logout(ctx: click.Context) -> None:
    """Forget this profile's session token (and a remembered password)."""

    async def body(session: Session) -> None:
        await session.logout()
        click.echo(f"Logged out (profile {session.profile.name}).")

    run(ctx, body, needs_login=False)
