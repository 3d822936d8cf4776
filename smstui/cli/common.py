"""What every ``smstui`` subcommand shares: errors and exit codes, the session runner, output.

Kept apart from :mod:`smstui.main` so command modules (``cli_contacts``) can use it without a
circular import.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from smstui.cli import output as out
from smstui.cli.args import ArgError

if TYPE_CHECKING:
    from smstui.core.session import Session

T = TypeVar("T")

ENV_EMAIL = "SMSTUI_EMAIL"
ENV_PASSWORD = "SMSTUI_PASSWORD"
ENV_DEBUG = "SMSTUI_DEBUG"


# ------------------------------------------------------------------ errors and exit codes


class CliError(click.ClickException):
    """A failure with a message for the user and a documented exit code."""

    def __init__(self, message: str, exit_code: int = out.EXIT_REFUSED) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def usage_error(message: str) -> NoReturn:
    raise CliError(message, out.EXIT_USAGE)


def translate(exc: BaseException) -> CliError:
    """Turn any error of the core into a one-line message and its exit code."""
    from smstui.core.api.errors import ApiError, AuthError, GatewayError, TransportError

    if isinstance(exc, ArgError):
        return CliError(str(exc), out.EXIT_USAGE)
    if isinstance(exc, AuthError):
        return CliError(str(exc), out.EXIT_AUTH)
    if isinstance(exc, TransportError):
        return CliError(str(exc), out.EXIT_NETWORK)
    if isinstance(exc, (GatewayError, ApiError)):
        return CliError(str(exc), out.EXIT_REFUSED)
    name = type(exc).__name__
    if name in (
        "ConfigError",
        "InvalidProfileName",
        "InvalidNumber",
        "WhenError",
        "ContactError",
        "CsvError",
        "TemplateError",
        "BulkError",
        "OutboxError",
    ):
        return CliError(str(exc), out.EXIT_USAGE)
    if name in ("StoreError", "SecretStoreError"):
        return CliError(str(exc), out.EXIT_REFUSED)
    if isinstance(exc, OSError):
        return CliError(f"{exc.strerror or exc}{': ' + str(exc.filename) if exc.filename else ''}", out.EXIT_REFUSED)
    import logging

    from smstui.core.logs import see_the_log

    logging.getLogger("smstui.main").error("unexpected error", exc_info=exc)
    return CliError(
        f"unexpected error ({name}): {exc}. For details {see_the_log()} (or run again with "
        f"{ENV_DEBUG}=1); please report it.",
        out.EXIT_REFUSED,
    )


class SmstuiGroup(click.Group):
    """The root group: catches whatever a command raises and maps it to an exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as exc:
            if os.environ.get(ENV_DEBUG, "").strip() not in ("", "0"):
                raise
            raise translate(exc) from None


# ------------------------------------------------------------------ shared state


@dataclass
class Globals:
    profile: str | None
    api_url: str | None
    config_path: Path | None

    def open(self) -> Session:
        from smstui.core.session import open_session

        session = open_session(config_path=self.config_path, profile=self.profile, api_url=self.api_url)
        for problem in getattr(session, "config_problems", ()) or ():
            warn(f"config: {problem}")
        return session


def warn(message: str) -> None:
    click.echo(message, err=True)


def emit_json(document: Any) -> None:
    click.echo(out.dumps(document))


def run(ctx: click.Context, body: Callable[[Session], Awaitable[T]], *, needs_login: bool = True) -> T:
    """Open the session, run ``body`` on one event loop, always close the session."""
    g: Globals = ctx.find_object(Globals)  # type: ignore[assignment]

    async def main() -> T:
        session = g.open()
        try:
            if needs_login:
                require_login(session)
            return await body(session)
        finally:
            await session.aclose()

    return asyncio.run(main())


def require_login(session: Session) -> None:
    """Use a saved token, or SMSTUI_EMAIL/SMSTUI_PASSWORD for scripts; else exit 3."""
    email = os.environ.get(ENV_EMAIL, "").strip()
    password = os.environ.get(ENV_PASSWORD, "")
    if email and password:
        from smstui.core.secrets import Secret

        session.client.set_credentials(email, Secret(password))
        return
    if not session.logged_in:
        raise CliError(
            f"not logged in (profile {session.profile.name!r}). Run `smstui login` first, "
            f"or set {ENV_EMAIL} and {ENV_PASSWORD} for scripts.",
            out.EXIT_AUTH,
        )


def json_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--json", "as_json", is_flag=True, help="Print one JSON document (fields in `smstui --help`).")(
        fn
    )


def limit_option(default: int) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--limit N`` of the commands that list messages (messages, search): one wording, one type."""
    return click.option(
        "--limit",
        type=click.IntRange(min=0),
        default=default,
        show_default=True,
        help="At most N messages, newest first (0: all).",
    )


SLOT_CHOICES = ["sms1", "sms2", "wa-business", "wa", "rcs1", "rcs2"]


class ProgressBar:
    """click's progress bar on stderr, only when stderr is a terminal (never when piped or --json).

    Use as a context manager; ``update(done)`` (or ``update(done, total)``, the shape of the
    core's progress callbacks) moves it to ``done``.
    """

    def __init__(self, total: int, label: str, *, enabled: bool = True) -> None:
        self.total = total
        self.label = label
        self.enabled = enabled and total > 0 and sys.stderr.isatty()
        self._bar: Any = None
        self._done = 0

    def __enter__(self) -> ProgressBar:
        if self.enabled:
            self._bar = click.progressbar(length=self.total, label=self.label, file=sys.stderr)
            self._bar.__enter__()
        return self

    def update(self, done: int, total: int | None = None) -> None:
        if self._bar is not None and done > self._done:
            self._bar.update(done - self._done)
            self._done = done

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(*exc)


def limit_warnings(session: Session, planned: dict[tuple[int, int], int]) -> list[str]:
    """The SIM limits (config [limits]) that ``planned`` more messages per (device, slot) would
    pass, with the numbers; the command warns on stderr (and in its JSON) and sends anyway."""
    from datetime import UTC, datetime

    from smstui.cli.args import local_zone
    from smstui.core.send_limits import check_limits

    store = session.store
    names = {d.device.id: out.safe_text(d.device.title) for d in store.devices()}
    return check_limits(store, session.config.limits, planned, datetime.now(UTC), local_zone(), names)
