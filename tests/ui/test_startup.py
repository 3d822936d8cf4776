"""Start-up: what the cold-start work relies on (first read, stylesheet, collector) still holds."""

from __future__ import annotations

import gc
from datetime import timedelta

import pytest
from textual.app import App
from ui_helpers import build_app, settle, threads_shown, wait_for

from smstui.core import startup
from smstui.core.gateway_messages import Message
from smstui.core.session import Session, open_session
from smstui.simulator.testing import TestSimulator
from smstui.tui.screens.conversations import FIRST_READ, ConversationsScreen
from smstui.tui.screens.devices import DevicesScreen
from smstui.tui.screens.login import LoginScreen


@pytest.fixture
def collector_held():  # type: ignore[no-untyped-def]
    """The collector switched off as the console script does, and on again whatever happens."""
    startup.hold_collector()
    assert not gc.isenabled()
    yield
    startup.release_collector()
    gc.enable()


async def test_screens_need_no_stylesheet_refresh(session: Session, sim: TestSimulator, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # Textual re-parses every stylesheet when a mode's screen is first shown, unless the app
    # marks it as styled already (smstui.tui.textual_internals.styled_now); that is ~15 ms of the cold start.
    refreshes: list[int] = []
    original = App.refresh_css

    def counting(self: App, animate: bool = True) -> None:  # type: ignore[type-arg]
        refreshes.append(1)
        original(self, animate)

    monkeypatch.setattr(App, "refresh_css", counting)
    app = build_app(session, sim)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: threads_shown(app), "the conversation list")
        await pilot.press("f3")
        await wait_for(pilot, lambda: isinstance(app.screen, DevicesScreen), "the devices screen")
        await pilot.press("f2")
        await settle(pilot)
        assert refreshes == []
        # ... and yet they are styled by the app's stylesheet.
        assert isinstance(app.screen, ConversationsScreen)
        assert app.screen.query_one("#sidebar").styles.border_right[0] == "vkey"
        # A theme change still restyles everything.
        before = app.screen.query_one("#thread-header").styles.background
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert refreshes and app.screen.query_one("#thread-header").styles.background != before


async def test_collector_comes_back_after_the_first_frame(session: Session, sim: TestSimulator, collector_held) -> None:  # type: ignore[no-untyped-def]
    app = build_app(session, sim)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: threads_shown(app), "the conversation list")
        await wait_for(pilot, gc.isenabled, "the collector to be switched back on")
        assert not startup.collector_held()


async def test_collector_comes_back_on_the_login_screen_too(sim: TestSimulator, collector_held) -> None:  # type: ignore[no-untyped-def]
    app = build_app(open_session(api_url=sim.url, clock=sim.clock), sim)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, LoginScreen), "the login screen")
        await wait_for(pilot, gc.isenabled, "the collector to be switched back on")


async def test_first_frame_lists_a_few_screens_then_the_rest(session: Session, sim: TestSimulator) -> None:
    base = max(t.last_created for t in session.store.threads())
    many = [
        Message(
            id=9_000_000 + i,
            phone=f"+4915200{i:06d}",
            body=f"hello {i}",
            status=7,
            device_id=None,
            slot=0,
            created=base + timedelta(minutes=i + 1),
        )
        for i in range(FIRST_READ + 50)
    ]
    session.store.upsert_messages(many, mark_unseen=False)
    total = session.store.thread_count()
    app = build_app(session, sim)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: threads_shown(app) == total, "every conversation")
        title = str(app.screen.query_one("#list-title").render())
        assert title.endswith(f"· {total}")
        # The newest is still highlighted after the rest arrived.
        assert app.screen.query_one("#threads").highlighted == 0


async def test_an_unreadable_store_at_start_is_reported_not_raised(
    session: Session, sim: TestSimulator, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from smstui.core.store.connection import StoreError
    from smstui.tui.app import SmsTuiApp

    def broken(self: SmsTuiApp) -> None:
        raise StoreError("database disk image is malformed")

    monkeypatch.setattr(SmsTuiApp, "_read_session_start", broken)
    app = build_app(session, sim)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ConversationsScreen)  # still usable: palette, other screens, quit
        messages = [n.message for n in app._notifications]
        assert any("malformed" in m for m in messages), messages


async def test_the_configured_theme_is_in_the_first_frame(session: Session, sim: TestSimulator, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    session.config = replace(session.config, ui=session.config.ui._replace(theme="nord"))
    first: list[tuple[str, object]] = []
    display = App._display

    def record(self: App, screen, renderable) -> None:  # type: ignore[no-untyped-def, type-arg]
        if renderable is not None and not first:
            first.append((self.theme, screen.styles.background))
        display(self, screen, renderable)

    monkeypatch.setattr(App, "_display", record)
    app = build_app(session, sim)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: threads_shown(app), "the conversation list")
        nord_surface = app.get_theme("nord").surface
        assert first and first[0][0] == "nord"  # no frame in the default theme first
        assert first[0][1] == app.screen.styles.background and nord_surface is not None


async def test_a_configured_theme_is_parsed_once_at_start(session: Session, sim: TestSimulator, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # The start theme (configured, or ansi-dark in 16 colours) is set in on_load, before anything
    # is styled; the re-parse its watcher queues would parse the same CSS again (~8 ms of a cold start).
    from dataclasses import replace

    from textual.css.stylesheet import Stylesheet

    reparses: list[int] = []
    original = Stylesheet.reparse

    def counting(self: Stylesheet) -> None:
        reparses.append(1)
        original(self)

    monkeypatch.setattr(Stylesheet, "reparse", counting)
    session.config = replace(session.config, ui=session.config.ui._replace(theme="nord"))
    app = build_app(session, sim)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: threads_shown(app), "the conversation list")
        await settle(pilot)
        assert app.theme == "nord" and reparses == []
        before = app.screen.query_one("#thread-header").styles.background
        await pilot.press("ctrl+t")  # a theme change later still re-parses and restyles
        await pilot.pause()
        assert reparses and app.screen.query_one("#thread-header").styles.background != before


async def test_a_new_mode_screen_is_not_restyled_at_once_but_later_resumes_are(
    session: Session, sim: TestSimulator, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    # Its widgets were styled as they mounted (smstui.tui.screens._styled): ~6 ms of the cold start.
    from textual.dom import DOMNode

    restyled: list[str] = []
    original = DOMNode.update_node_styles

    def counting(self: DOMNode, animate: bool = True) -> None:
        if isinstance(self, (ConversationsScreen, DevicesScreen)):
            restyled.append(type(self).__name__)
        original(self, animate)

    monkeypatch.setattr(DOMNode, "update_node_styles", counting)
    app = build_app(session, sim)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: threads_shown(app), "the conversation list")
        await pilot.press("f3")
        await wait_for(pilot, lambda: isinstance(app.screen, DevicesScreen), "the devices screen")
        await settle(pilot)
        assert restyled == []
        await pilot.press("f2")  # back: a resume that may follow a theme change restyles
        await settle(pilot)
        assert restyled == ["ConversationsScreen"]
