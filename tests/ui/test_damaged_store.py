"""The app started on a store with damaged pages (header intact) says which file and what to do,
and stays up (issue 12)."""

from __future__ import annotations

import sqlite3

from ui_helpers import build_app, login_session, settle

from smstui.core.session import open_session
from smstui.simulator.testing import TestSimulator
from smstui.tui.screens.conversations import ConversationsScreen


async def test_a_damaged_store_at_start_is_reported_with_the_repair(sim: TestSimulator) -> None:
    first = await login_session(sim)
    path = first.store.path
    await first.aclose()
    db = sqlite3.connect(path)
    page = db.execute("PRAGMA page_size").fetchone()[0]
    roots = [
        r
        for (r,) in db.execute(
            "SELECT rootpage FROM sqlite_master WHERE name IN ('devices', 'threads') OR tbl_name = 'threads'"
        )
    ]
    db.close()
    with path.open("r+b") as f:  # header and schema intact: it opens, then reading fails
        for root in roots:
            f.seek((root - 1) * page)
            f.write(b"\xde\xad\xbe\xef" * (page // 4))
    session = open_session(api_url=sim.url, clock=sim.clock)
    try:
        app = build_app(session, sim)
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            assert app.is_running and isinstance(app.screen, ConversationsScreen)
            messages = [n.message for n in app._notifications]
            assert any(str(path) in m and "smstui doctor --repair" in m for m in messages), messages
            assert not any("unexpected" in m.lower() for m in messages), messages
    finally:
        await session.aclose()
