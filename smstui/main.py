"""The ``smstui`` console script.

A plain ``smstui`` opens the app straight away: click, the output helpers and every command
module (~20 ms of imports) are only loaded when there are arguments to parse
(:mod:`smstui.cli.commands` holds the click group). The click group is ``smstui.cli.commands.cli``.
"""

from __future__ import annotations

import os
import sys
from typing import Any


def _tui_without_parsing() -> bool:
    """No arguments, and nothing in the environment that click would have to check first."""
    if len(sys.argv) > 1:
        return False
    config = os.environ.get("SMSTUI_CONFIG")
    return not (config and os.path.isdir(config))  # click reports a directory as a usage error


def main() -> None:
    """Console-script entry point (``smstui``)."""
    if _tui_without_parsing():
        from smstui.core.startup import hold_collector, release_collector

        hold_collector()  # until the app's first frame (smstui.core.startup)
        try:
            from smstui.core.logs import hold_records
            from smstui.core.session import open_session

            hold_records()  # in memory until the app opens the log file (smstui.core.logs)

            try:
                # The same options click reads from the environment (empty means unset, as in click).
                session = open_session(
                    config_path=os.environ.get("SMSTUI_CONFIG") or None,
                    api_url=os.environ.get("SMSTUI_API_URL") or None,
                )
            except Exception:
                pass  # the click path opens it again and reports the problem the usual way
            else:
                _run_app(session)
                return
        finally:
            release_collector()
    from smstui.cli.commands import main as click_main

    click_main()


def _run_app(session: Any) -> None:
    from smstui.tui.launch import run_app

    try:
        run_app(session)
    except Exception as exc:  # as the click group does: a sentence and an exit code, no traceback
        if os.environ.get("SMSTUI_DEBUG", "").strip() not in ("", "0"):
            raise
        from smstui.cli.common import translate

        error = translate(exc)
        error.show()
        sys.exit(error.exit_code)


def __getattr__(name: str) -> Any:
    # The click group and the rest of the old module, for callers and tests (``cli``). Not for
    # dunders: the import machinery probes those (``__path__``) and must not load click.
    if name.startswith("__"):
        raise AttributeError(f"module 'smstui.main' has no attribute {name!r}")
    from smstui.cli import commands as cli_commands

    try:
        return getattr(cli_commands, name)
    except AttributeError:
        raise AttributeError(f"module 'smstui.main' has no attribute {name!r}") from None


if __name__ == "__main__":  # pragma: no cover
    main()
