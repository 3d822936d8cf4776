"""Open the full-screen app over a session (``smstui`` without a command). No click here.

Shared by the click group and the console script's fast path (:func:`smstui.main.main`), which
skips click and every command module when there is nothing to parse.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any


def open_tui(*, config_path: Path | str | None = None, profile: str | None = None, api_url: str | None = None) -> None:
    from smstui.core.session import open_session

    # Config problems are shown inside the app (session.config_problems), so nothing is printed.
    run_app(open_session(config_path=config_path, profile=profile, api_url=api_url))


def run_app(session: Any) -> None:
    """Run the app over ``session``, then close whichever session it ended with."""
    from smstui.core.logs import hold_records, set_up_logging
    from smstui.core.startup import hold_collector, release_collector

    app: Any = None
    hold_collector()  # until the app's first frame (smstui.core.startup); no-op if the script did
    hold_records()  # the log file is opened after the first frame (smstui.core.logs)
    try:
        from smstui.tui.app import make_app

        app = make_app(session)
        app.run()
    finally:
        release_collector()
        set_up_logging()  # if the app ended before doing it: what it logged is not lost
        # The app may have switched profiles: close whichever session it ended with.
        final = getattr(app, "session", None) or session
        asyncio.run(_close_quietly(final, session))
    code = getattr(app, "return_code", None)
    if code:
        sys.exit(code)


async def _close_quietly(*sessions: Any) -> None:
    for item in dict.fromkeys(sessions):
        try:
            await item.aclose()
        except Exception:  # closing twice or a closed store must not mask the app's own outcome
            pass
