"""``smstui webhook serve`` / ``smstui webhook rotate``: the receiver for the gateway's pushes.

The receiver itself is smstui.webhook (no click there); this module only reads the options,
opens the profile's session, prints the URL once and maps failures to exit codes.
"""

from __future__ import annotations

import asyncio
import signal
import sys
import threading
from typing import TYPE_CHECKING

import click

from smstui.cli import output as out
from smstui.cli.common import CliError, Globals, require_login, usage_error, warn

if TYPE_CHECKING:
    from smstui.core.session import Session

EXIT_LISTEN = 5  # cannot listen on --listen (port in use, not this machine's address)

WEBHOOK_EXIT_CODES_HELP = f"""\b
Exit codes:
  0  stopped by Ctrl+C or SIGTERM (or `rotate`: done)
  1  the receiver stopped by itself on an error (said on stderr)
  2  usage: bad --listen, unknown profile
  3  not logged in (run `smstui login`), or the secret file or the
     local store cannot be used
  {EXIT_LISTEN}  cannot listen: the port is in use, or the host is not an
     address of this machine"""

SERVE_HELP = f"""Receive the gateway's webhooks: delivery statuses and incoming messages.

Prints the URL to paste into the vendor's device settings (each phone's webhook
fields, for the delivery-status and the incoming-message webhook) once, on stdout;
it is the only place the URL's secret appears. What arrives is written into the
profile's local store (the app shows it at once); a status smstui cannot place is
confirmed with the gateway first. Keep the app's polling on: a lost webhook is
found by the next sync.

On the internet, run it behind a reverse proxy with TLS (Caddy, nginx) listening
on 127.0.0.1, and pass --trust-proxy so the rate limit sees the callers'
addresses (X-Forwarded-For, the last entry).

{WEBHOOK_EXIT_CODES_HELP}
"""

ROTATE_HELP = f"""Replace the webhook secret: the old URL stops working at once.

Prints the new path; a running `smstui webhook serve` takes it without a restart.
Paste the new URL into the vendor's device settings of every phone.

{WEBHOOK_EXIT_CODES_HELP}
"""


@click.group()
def webhook() -> None:
    """Receive the gateway's webhooks (push instead of poll): `serve`, `rotate`."""


def _listen(ctx: click.Context, param: click.Parameter, value: str) -> tuple[str, int]:
    from smstui.webhook.serve import parse_listen

    try:
        return parse_listen(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@webhook.command(help=SERVE_HELP)
@click.option(
    "--listen",
    default="127.0.0.1:8787",
    show_default=True,
    metavar="HOST:PORT",
    callback=_listen,
    help="Where to listen; port 0 picks a free port (the printed URL names it).",
)
@click.option("--profile", "profile_opt", metavar="NAME", help="Profile (same as the global --profile).")
@click.option(
    "--trust-proxy", is_flag=True, help="Behind a reverse proxy: take the caller's address from X-Forwarded-For."
)
@click.pass_context
def serve(ctx: click.Context, listen: tuple[str, int], profile_opt: str | None, trust_proxy: bool) -> None:
    from smstui.webhook.secret import SecretFileError
    from smstui.webhook.serve import ListenError, ReceiverThread, make_receiver

    session = _open(ctx, profile_opt)
    try:
        try:
            require_login(session)
        except CliError as exc:
            raise CliError(str(exc), out.EXIT_AUTH) from None
        host, port = listen
        try:
            app, applier, secret = make_receiver(session, trust_proxy=trust_proxy)
        except SecretFileError as exc:
            raise CliError(str(exc), out.EXIT_AUTH) from None
        receiver = ReceiverThread(app, host, port)
        try:
            receiver.start()
        except ListenError as exc:
            raise CliError(str(exc), EXIT_LISTEN) from None
        click.echo(receiver.url(secret))  # the one place the secret is shown
        sys.stdout.flush()
        warn(
            f"Listening for profile {session.profile.name!r}. Paste the URL above into the webhook "
            "settings of each phone in the vendor's dashboard; Ctrl+C stops."
        )
        if host in ("0.0.0.0", "::", ""):
            warn(
                f"{host} means every address of this machine: in the URL you paste, put the name or "
                "address the vendor's servers reach it by (or your reverse proxy's https:// URL)."
            )
        _wait_for_a_signal(receiver.done)
        receiver.stop()
        if receiver.error is not None:
            raise CliError(f"the webhook receiver stopped: {receiver.error!r}", out.EXIT_REFUSED)
        accepted, rejected = session.store.webhook_counts()
        warn(f"Stopped. Webhooks in this profile so far: {accepted} taken, {rejected} turned away.")
    finally:
        asyncio.run(session.aclose())  # the client, its pool and the store


def _wait_for_a_signal(ended: threading.Event) -> None:
    """Until Ctrl+C, SIGTERM or the receiver's thread ending by itself (``ended``)."""
    stop = threading.Event()
    handlers = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        # Woken by the handlers at once; the timeout notices a thread that ended by itself.
        while not stop.wait(1.0) and not ended.is_set():
            pass
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)


@webhook.command(help=ROTATE_HELP)
@click.option("--profile", "profile_opt", metavar="NAME", help="Profile (same as the global --profile).")
@click.pass_context
def rotate(ctx: click.Context, profile_opt: str | None) -> None:
    from smstui.webhook import secret as secrets

    session = _open(ctx, profile_opt)
    try:
        path = secrets.secret_path(session.profile.name)
        try:
            new = secrets.rotate(path)
        except secrets.SecretFileError as exc:
            raise CliError(str(exc), out.EXIT_AUTH) from None
        click.echo(f"/{new.reveal()}")
        warn(
            "The old webhook URL no longer works. The new one is http(s)://<your host>:<port> followed by "
            "the path above (`smstui webhook serve` prints it in full); paste it into each phone's webhook "
            "settings in the vendor's dashboard."
        )
    finally:
        session.store.close()


def _open(ctx: click.Context, profile_opt: str | None) -> Session:
    g: Globals = ctx.find_object(Globals)  # type: ignore[assignment]
    if profile_opt:
        g = Globals(profile=profile_opt, api_url=g.api_url, config_path=g.config_path)
    try:
        return g.open()
    except Exception as exc:
        name = type(exc).__name__
        if name in ("ConfigError", "InvalidProfileName"):
            usage_error(str(exc))
        if name in ("StoreError", "SecretStoreError"):
            raise CliError(str(exc), out.EXIT_AUTH) from None
        raise
