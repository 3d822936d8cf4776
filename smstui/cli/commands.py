"""The ``smstui`` command's click group: the TUI without arguments, subcommands for scripts.

``smstui.main.main`` is the console script; it comes here for anything but a plain ``smstui``.

Every subcommand builds the same :class:`smstui.core.session.Session` as the TUI (config, profile,
local store, token, outbox), so a message sent here shows up in the app and vice versa.

Startup stays fast: Textual and the app are imported only when the TUI opens, httpx and the core
only inside the commands that use them.

Output contract (see ``smstui --help``): human tables on stdout; with ``--json`` exactly one JSON
document on stdout; warnings and errors on stderr; exit codes in :mod:`smstui.cli.output`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from smstui.cli import output as out
from smstui.cli.common import Globals, SmstuiGroup, usage_error

if TYPE_CHECKING:
    pass


# ------------------------------------------------------------------ root

ROOT_HELP = f"""Keyboard-driven terminal client for SMSGateway24.

Without a command, opens the full-screen app; with --demo, opens it on a built-in
simulated gateway (no account needed). The commands below share the app's config,
profiles, local store and outbox.

\b
Environment:
  SMSTUI_CONFIG     config file (same as --config)
  SMSTUI_API_URL    gateway base URL (same as --api-url)
  SMSTUI_PROFILE    profile to use (same as --profile)
  SMSTUI_DATA_DIR   where the local store and token files live
  SMSTUI_EMAIL, SMSTUI_PASSWORD   credentials for `login` and for scripts
  SMSTUI_DEBUG=1    show tracebacks of unexpected errors

{out.EXIT_CODES_HELP}

{out.HEALTH_EXIT_CODES_HELP}

{out.JSON_FIELDS_HELP}
"""


@click.group(
    cls=SmstuiGroup,
    invoke_without_command=True,
    help=ROOT_HELP,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.option("--profile", metavar="NAME", help="Profile (account) from the config file.")
@click.option(
    "--api-url", metavar="URL", envvar="SMSTUI_API_URL", help="Gateway base URL, e.g. https://smsgateway24.com/getdata/"
)
@click.option(
    "--config",
    "config_path",
    metavar="PATH",
    envvar="SMSTUI_CONFIG",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Config file to use.",
)
@click.option("--demo", is_flag=True, help="Open the app on a simulated gateway with sample data.")
@click.version_option(package_name="smstui", prog_name="smstui")
@click.pass_context
def cli(ctx: click.Context, profile: str | None, api_url: str | None, config_path: Path | None, demo: bool) -> None:
    from smstui.core.logs import set_up_logging

    set_up_logging()  # every command logs to the rotating file (smstui.core.logs)
    ctx.obj = Globals(profile=profile, api_url=api_url, config_path=config_path)
    if ctx.invoked_subcommand is not None:
        if demo:
            usage_error("--demo opens the app; it cannot be combined with a command")
        return
    if demo:
        from smstui.demo import run_demo

        run_demo()
        return
    open_tui(ctx.obj)


def open_tui(g: Globals) -> None:
    from smstui.tui.launch import open_tui as run

    run(config_path=g.config_path, profile=g.profile, api_url=g.api_url)


def _register_commands() -> None:
    # Each command group lives in its own module (one per concern); the root only collects them.
    from smstui.cli.account import login, logout
    from smstui.cli.bulk import bulk
    from smstui.cli.contacts import contact, newsletter, tag
    from smstui.cli.devices import devices
    from smstui.cli.doctor import doctor
    from smstui.cli.health import health
    from smstui.cli.messages import messages
    from smstui.cli.optouts import optouts
    from smstui.cli.send import send, status
    from smstui.cli.sync import sync

    for command in (login, logout, devices, send, status, messages, sync, bulk, doctor, tag, contact, newsletter):
        cli.add_command(command)
    from smstui.cli.watch import watch

    for command in (health, watch):  # the on-call commands
        cli.add_command(command)
    cli.add_command(optouts)  # the suppression list (issue 20)
    from smstui.cli.webhook import webhook

    cli.add_command(webhook)  # the receiver for the gateway's pushes (issue 18)


_register_commands()

from smstui.cli.search import register as _register_search_commands  # noqa: E402

_register_search_commands(cli)


def main() -> None:
    """Run the click group (``smstui.main.main`` is the console script)."""
    cli.main(prog_name="smstui")
