"""Text from files and the network reaches the user literally, in notifications too."""

from __future__ import annotations

import tomllib

import tomli_w
from ui_helpers import build_app, login_session

from smstui.core.session import open_session
from smstui.simulator.testing import TestSimulator


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


async def test_ansi_escapes_are_made_visible_in_the_list_and_the_thread(session, sim) -> None:  # type: ignore[no-untyped-def]
    """``red \\x1b[31m copied`` showed as ``red  copied``: the escape is made visible, ``␛[31m``, as
    the CLI shows it (issue 13, item 8)."""
    from ui_helpers import build_app, threads_shown, wait_for

    from smstui.core.gateway_messages import Message
    from smstui.simulator.seed import OFFICE_PHONE
    from smstui.tui.widgets.thread_list import ThreadList
    from smstui.tui.widgets.thread_view import ThreadView

    phone = "+4915550000003"
    session.store.upsert_messages(
        [
            Message(
                id=20_000_002,
                phone=phone,
                body="red \x1b[31m copied",
                status=5,
                device_id=OFFICE_PHONE,
                slot=0,
                created=sim.clock(),
            )
        ],
        mark_unseen=False,
    )
    app = build_app(session, sim)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: threads_shown(app), "the conversation list")
        thread_list = app.screen.query_one(ThreadList)
        listed = "\n".join(thread_list.render_line(y).text for y in range(thread_list.size.height))
        assert "red ␛[31m copied" in listed and "\x1b" not in listed
        app.screen.show_thread(app.screen.query_one(ThreadList).thread(phone).phone_key)
        view = app.screen.query_one(ThreadView)
        await wait_for(pilot, lambda: view.messages and view.messages[-1].body.startswith("red"), "the thread")
        await pilot.pause()
        shown = "\n".join(view.render_line(y).text for y in range(view.size.height))
        assert "red ␛[31m copied" in shown and "\x1b" not in shown
