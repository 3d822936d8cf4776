"""Login: success, wrong password, unreachable server, gateway refusal, stored token skips it."""

from __future__ import annotations

import httpx
from textual.widgets import Input
from ui_helpers import build_app, login_session, threads_shown, wait_for

from smstui.core.session import open_session
from smstui.simulator.testing import TestSimulator
from smstui.tui.screens.conversations import ConversationsScreen
from smstui.tui.screens.login import LoginScreen


def _login_ready(app) -> bool:  # type: ignore[no-untyped-def]
    return isinstance(app.screen, LoginScreen) and bool(app.screen.query("#login-button"))


def _message(app) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one("#login-message").render())


async def _fill(pilot, email: str, password: str) -> None:  # type: ignore[no-untyped-def]
    screen = pilot.app.screen
    screen.query_one("#login-email", Input).value = email
    screen.query_one("#login-password", Input).focus()
    await pilot.press(*password)


async def test_login_ok_opens_conversations_and_syncs(sim: TestSimulator) -> None:
    session = open_session(api_url=sim.url, clock=sim.clock)
    app = build_app(session, sim, sync=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: _login_ready(app), "the login screen")
        # The API URL defaults to what the session was opened with; nothing else to fill in.
        assert app.screen.query_one("#login-url", Input).value == sim.url
        assert app.screen.query_one("#login-password", Input).password is True
        await _fill(pilot, sim.email, sim.password)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationsScreen), "the conversations")
        # The first sync fills the list from the gateway.
        await wait_for(pilot, lambda: threads_shown(app) > 5, "threads from sync")
        assert session.tokens.load(session.profile.name) is not None
    await session.aclose()


async def test_wrong_password_keeps_input_and_says_so(sim: TestSimulator) -> None:
    session = open_session(api_url=sim.url, clock=sim.clock)
    app = build_app(session, sim)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: _login_ready(app), "the login screen")
        await _fill(pilot, sim.email, "not-the-password")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "Check the email and password" in _message(app), "the error message")
        assert isinstance(app.screen, LoginScreen)
        assert app.screen.query_one("#login-email", Input).value == sim.email
        assert app.screen.query_one("#login-password", Input).value == "not-the-password"
        assert "not-the-password" not in _message(app)
    await session.aclose()


async def test_unreachable_server_is_explained(sim: TestSimulator) -> None:
    url = sim.url
    sim.stop()  # nothing listens on that port any more
    session = open_session(api_url=url, clock=sim.clock)
    app = build_app(session, sim)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: _login_ready(app), "the login screen")
        await _fill(pilot, "demo@smstui.dev", "demo")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "Cannot reach the gateway" in _message(app), "the error message")
        assert app.screen.query_one("#login-password", Input).value == "demo"
    await session.aclose()


async def test_gateway_refusal_shows_the_gateways_words() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"error": 1, "message": "Account suspended: contact support"})

    session = open_session(api_url="http://gateway.invalid/getdata/", transport=httpx.MockTransport(handler))
    app = build_app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: _login_ready(app), "the login screen")
        await _fill(pilot, "me@example.com", "secret")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "Account suspended" in _message(app), "the gateway's message")
        assert "secret" not in _message(app)
    await session.aclose()


async def test_stored_token_skips_login_and_shows_the_store(sim: TestSimulator) -> None:
    first = await login_session(sim)
    await first.aclose()
    sim.stop()  # offline: the app must still open on what the store holds
    session = open_session(api_url=sim.url, clock=sim.clock)
    assert session.logged_in
    app = build_app(session, sim)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationsScreen), "the conversations")
        await wait_for(pilot, lambda: threads_shown(app) > 5, "stored threads")
    await session.aclose()


async def test_autologin_opens_conversations_directly(sim: TestSimulator) -> None:
    """What ``smstui --demo`` does: credentials given, no login screen."""
    session = open_session(api_url=sim.url, clock=sim.clock)
    app = build_app(session, sim, sync=True, demo=True, autologin=sim.credentials)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationsScreen), "the conversations")
        await wait_for(pilot, lambda: threads_shown(app) > 5, "threads from the first sync")
        assert any(n.title == "smstui demo" for n in app._notifications)
    await session.aclose()


async def test_switch_profile_logs_in_to_another_profile(sim: TestSimulator) -> None:
    session = await login_session(sim)
    app = build_app(session, sim)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: threads_shown(app) > 5, "the first profile's threads")
        app.action_switch_profile()
        await wait_for(pilot, lambda: _login_ready(app), "the login screen")
        # Escape goes back when there is a session to go back to.
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationsScreen), "back to the conversations")
        app.action_switch_profile()
        await wait_for(pilot, lambda: _login_ready(app), "the login screen again")
        app.screen.query_one("#login-profile", Input).value = "work"
        await _fill(pilot, sim.email, sim.password)
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, ConversationsScreen) and app.session is not session,
            "the new profile's conversations",
        )
        assert app.session.profile.name == "work"
        assert app.session.store.path.name == "work.sqlite3"
        # The new profile's store starts empty (sync is off in this test).
        assert threads_shown(app) == 0
    await app.session.aclose()


async def test_unreachable_url_puts_the_cursor_in_the_url_and_says_it_once(sim: TestSimulator) -> None:
    """Issue 13 item 8: the cursor jumped to Password whatever was wrong, and the message named
    the URL twice ("Cannot reach the server at X: Cannot reach the gateway at X. ...")."""
    dead = "http://127.0.0.1:1/getdata/"  # nothing listens on port 1: the connection is refused
    session = open_session(api_url=dead, clock=sim.clock)
    app = build_app(session, sim)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: _login_ready(app), "the login screen")
        await _fill(pilot, sim.email, sim.password)
        await pilot.press("enter")
        await wait_for(pilot, lambda: "Cannot reach" in _message(app), "the error message")
        message = _message(app)
        assert message.count(dead) == 1 and message.count("Cannot reach") == 1, message
        assert app.focused is app.screen.query_one("#login-url", Input)
        # Typing goes where the fix is: the URL is corrected in place and the login goes through.
        await pilot.press("ctrl+u", *sim.url, "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationsScreen), "the conversations")
    await app.session.aclose()


async def test_wrong_password_puts_the_cursor_in_the_password(sim: TestSimulator) -> None:
    session = open_session(api_url=sim.url, clock=sim.clock)
    app = build_app(session, sim)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: _login_ready(app), "the login screen")
        await _fill(pilot, sim.email, "not-the-password")
        app.screen.query_one("#login-url", Input).focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: "Check the email and password" in _message(app), "the error message")
        assert app.focused is app.screen.query_one("#login-password", Input)
    await session.aclose()


async def test_a_url_that_is_no_url_is_refused_before_any_request(sim: TestSimulator) -> None:
    session = open_session(api_url=sim.url, clock=sim.clock)
    app = build_app(session, sim)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: _login_ready(app), "the login screen")
        app.screen.query_one("#login-url", Input).value = "smsgateway24.com"
        await _fill(pilot, sim.email, sim.password)
        await pilot.press("enter")
        await wait_for(pilot, lambda: "not an http(s) URL" in _message(app), "the error message")
        assert app.focused is app.screen.query_one("#login-url", Input)
        assert isinstance(app.screen, LoginScreen)
    await session.aclose()


def _footer(app) -> dict[str, str]:  # type: ignore[no-untyped-def]
    from textual.widgets._footer import FooterKey

    return {key.key_display: key.description for key in app.screen.query(FooterKey)}


async def test_switch_profile_footer_says_esc_goes_back(sim: TestSimulator) -> None:
    """Issue 13 item 8: the profile switcher's footer said "esc Quit" while Esc went back."""
    session = await login_session(sim)
    app = build_app(session, sim)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: threads_shown(app) > 5, "the conversations")
        await pilot.press("ctrl+l")
        await wait_for(pilot, lambda: _login_ready(app), "the login screen")
        await pilot.pause()
        assert _footer(app).get("esc") == "Back"
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationsScreen), "back to the conversations")
        assert app.is_running
    await session.aclose()


async def test_first_login_footer_says_esc_quits(sim: TestSimulator) -> None:
    session = open_session(api_url=sim.url, clock=sim.clock)
    app = build_app(session, sim)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: _login_ready(app), "the login screen")
        await pilot.pause()
        assert _footer(app).get("esc") == "Quit"
        await pilot.press("escape")
        await pilot.pause()
        assert not app.is_running
    await session.aclose()
