"""Text from files and the network reaches the user literally, in notifications too."""

from __future__ import annotations

import tomllib

import tomli_w

from smstui.session import open_session
from smstui.simulator.testing import TestSimulator
from ui_helpers import build_app, login_session


async def test_config_problem_with_brackets_is_shown_literally(sim: TestSimulator, isolated_dirs) -> None:
    session = await login_session(sim, sync=False)
    await session.aclose()
    config = isolated_dirs / "config" / "smstui" / "config.toml"
    data = tomllib.loads(config.read_text()) if config.exists() else {}  # a login writes none
    data.setdefault("ui", {})["colour"] = 3  # an unknown key: its problem names the table "[ui]"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(tomli_w.dumps(data))
    session = open_session(api_url=sim.url, clock=sim.clock)
    try:
        app = build_app(session, sim)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            messages = [n.message for n in app._notifications]
            problem = next(m for m in messages if "colour" in m)
            assert "in [ui]" in problem
            assert all(not n.markup for n in app._notifications)
    finally:
        await session.aclose()


async def test_notification_from_a_gateway_message_is_not_markup(sim: TestSimulator) -> None:
    session = await login_session(sim, sync=False)
    try:
        app = build_app(session, sim)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            app.screen.notify("[bold]Wrong token[/bold] [link=x]y[/link]")
            await pilot.pause()
            last = list(app._notifications)[-1]
            assert last.message == "[bold]Wrong token[/bold] [link=x]y[/link]" and not last.markup
    finally:
        await session.aclose()
