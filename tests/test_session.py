"""open_session and login: config resolution, config errors, secrets at rest (0600), no leaks."""

from __future__ import annotations

import logging
import os
import stat
import tomllib

import pytest

from smstui.core import paths
from smstui.core.api.errors import AuthError
from smstui.core.config import ConfigError
from smstui.core.secrets import Secret
from smstui.core.session import open_session
from tests.core_helpers import config_file, dead_url, write_config


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_defaults_without_config() -> None:
    session = open_session()
    try:
        assert session.profile.name == "default"
        assert session.profile.api_url == "https://smsgateway24.com/getdata/"
        assert not session.logged_in and session.config_problems == []
        assert session.store.path == paths.profile_db_path("default")
        assert mode(session.store.path) == 0o600
    finally:
        session.store.close()


def test_flag_beats_env_beats_file(monkeypatch) -> None:
    write_config('[profiles.work]\napi_url = "http://file.example/getdata/"\n[profiles.default]\n')
    monkeypatch.setenv("SMSTUI_PROFILE", "work")
    session = open_session()
    assert session.profile.name == "work" and session.profile.api_url == "http://file.example/getdata/"
    session.store.close()
    monkeypatch.setenv("SMSTUI_API_URL", "http://env.example/getdata")
    session = open_session()
    assert session.client.base_url == "http://env.example/getdata/"
    session.store.close()
    session = open_session(profile="default", api_url="http://flag.example/getdata/")
    assert session.profile.name == "default" and session.client.base_url == "http://flag.example/getdata/"
    session.store.close()


def test_config_errors_are_kept_not_fatal() -> None:
    write_config('[ui]\nrefresh_interval = "soon"\n[profiles.default]\ntimeout = 0\n')
    session = open_session()
    try:
        text = " | ".join(str(p) for p in session.config_problems)
        assert "refresh_interval" in text and "timeout" in text
        assert session.refresh_interval == 15 and session.profile.timeout == 20
    finally:
        session.store.close()
    write_config("this is = = not toml")
    session = open_session()
    assert any("not valid TOML" in str(p) for p in session.config_problems)
    session.store.close()


def test_bad_explicit_choices_raise_clear_errors() -> None:
    write_config("[profiles.home]\n")
    with pytest.raises(ConfigError, match="unknown profile 'nope'.*home"):
        open_session(profile="nope")
    with pytest.raises(ConfigError, match="not an http"):
        open_session(api_url="ftp://example.com/")
    with pytest.raises(ConfigError, match="invalid profile name"):
        open_session(profile="../etc")


EMAIL, PASSWORD = "ops@example.com", "s3cret-Pa55word"


async def test_login_saves_token_0600_and_profile(sim, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    sim.state.add_account(EMAIL, PASSWORD)
    session = open_session(api_url=sim.url, clock=sim.clock)
    try:
        with pytest.raises(AuthError, match="Check the email and password") as failed:
            await session.login(EMAIL, Secret("wrong-Pa55"))
        assert "wrong-Pa55" not in str(failed.value)
        assert not paths.token_path("default").exists() and not config_file().exists()
        await session.login(EMAIL, Secret(PASSWORD), api_url=sim.url)
        token_file = paths.token_path("default")
        state_file = paths.state_file()
        assert mode(token_file) == 0o600 and mode(state_file) == 0o600
        assert not config_file().exists()  # what a login learns goes to the state file
        assert not paths.password_path("default").exists()  # not asked to remember it
        saved = tomllib.loads(state_file.read_text())
        assert saved["profiles"]["default"]["email"] == EMAIL
        assert saved["profiles"]["default"]["api_url"] == sim.url
        token = token_file.read_text()
        for text in (repr(session), repr(session.client), caplog.text, state_file.read_text()):
            assert token not in text and PASSWORD not in text
    finally:
        await session.aclose()

    # The next run is logged in with the saved token: no gettoken request.
    sim.stats.reset()
    session = open_session(clock=sim.clock)
    try:
        assert session.logged_in and session.profile.email == EMAIL
        await session.syncer.sync()
        assert sim.stats.requests["gettoken"] == 0
        await session.logout()
        assert not session.logged_in and not paths.token_path("default").exists()
    finally:
        await session.aclose()


async def test_remembered_password_renews_expired_tokens(sim) -> None:
    session = open_session(api_url=sim.url, clock=sim.clock)
    await session.login(sim.email, sim.password, remember=True, api_url=sim.url)
    assert mode(paths.password_path("default")) == 0o600
    old_token = paths.token_path("default").read_text()
    await session.aclose()

    sim.state.expire_tokens()
    session = open_session(clock=sim.clock)
    try:
        assert session.profile.remember_password
        await session.syncer.sync()  # the refused token is renewed with the remembered password
        new_token = paths.token_path("default").read_text()
        assert new_token != old_token and mode(paths.token_path("default")) == 0o600
    finally:
        await session.aclose()


async def test_login_does_not_overwrite_a_broken_config(sim) -> None:
    original = f'[profiles.default]\napi_url = "{sim.url}"\ntimeout = "fast"\n'
    write_config(original)
    session = open_session(clock=sim.clock)
    try:
        await session.login(sim.email, sim.password)
        assert config_file().read_text() == original
        assert session.logged_in
    finally:
        await session.aclose()
    # What the login learnt is remembered all the same, in the state file.
    session = open_session(clock=sim.clock)
    try:
        assert session.profile.email == sim.email
    finally:
        await session.aclose()


async def test_login_when_offline_is_a_typed_error() -> None:
    from smstui.core.api.errors import TransportError

    session = open_session(api_url=dead_url())
    try:
        with pytest.raises(TransportError, match="Cannot reach"):
            await session.login("me@example.com", Secret("pw"))
        assert not session.logged_in
    finally:
        await session.aclose()


def test_fake_clock_drives_the_store(sim) -> None:
    session = open_session(clock=sim.clock)
    try:
        assert session.store.now() == sim.clock().timestamp()
        sim.advance(100)
        assert session.clock() == sim.clock().timestamp()
    finally:
        session.store.close()


async def test_ensure_zone_learns_the_account_zone(sim) -> None:
    from tests.core_helpers import open_sim_session

    session = open_sim_session(sim)
    try:
        assert await session.ensure_zone()
        assert getattr(session.client.gateway_tz, "key", None) == "Europe/Berlin"
        sim.stats.reset()
        assert await session.ensure_zone() and sim.stats.total_requests == 0
    finally:
        await session.aclose()


async def test_outbox_passes_run_on_the_network_loop_whoever_awaits_them(sim) -> None:
    """The outbox's lock is per loop: with a network loop, every pass runs there."""
    import threading

    from tests.core_helpers import open_sim_session

    session = open_sim_session(sim)
    seen: list[str] = []
    real_pass = type(session.outbox).__mro__[1]._pass

    async def spy(self, only):  # type: ignore[no-untyped-def]
        seen.append(threading.current_thread().name)
        return await real_pass(self, only)

    session.outbox._pass = spy.__get__(session.outbox)  # type: ignore[method-assign]
    try:
        await session.outbox.process()  # no network loop yet: runs right here
        assert seen == [threading.current_thread().name]
        network = session.start_network()
        from smstui.simulator.seed import OFFICE_PHONE

        lids = session.outbox.queue(["+4915752982212"], "hello", OFFICE_PHONE, 0)
        report = await session.outbox.send(lids)
        assert seen[-1] == network._thread.name != threading.current_thread().name
        assert report is not None
    finally:
        await session.aclose()
    assert not network._thread.is_alive() and session.network is None


async def test_client_keeps_one_connection_pool_per_loop(sim) -> None:
    """A request from a second event loop (another thread) works beside the first loop's pool."""
    from tests.core_helpers import open_sim_session

    session = open_sim_session(sim)
    try:
        first = await session.client.devices()
        network = session.start_network()
        second = await network.run(session.client.devices())
        assert [d.id for d in first] == [d.id for d in second]
        assert len(session.client._pools) == 2
    finally:
        await session.aclose()
    assert len(session.client._pools) == 0


async def test_another_account_in_the_same_profile_starts_clean_and_loses_nothing_written(sim) -> None:
    session = open_session(api_url=sim.url, clock=sim.clock)
    try:
        await session.login(sim.email, sim.password)
        await session.syncer.sync()
        assert session.store.message_count() > 100 and session.store.devices()
        (lid,) = session.outbox.queue(["+4915123456781"], "not sent yet", device_id=11231, slot=0)
        sim.state.add_account("other@example.com", "other-pass")

        await session.login("other@example.com", "other-pass")

        assert session.store.devices() == [] and session.store.tags() == []
        kept = session.store.message(lid)
        assert kept is not None and kept.body == "not sent yet" and kept.outbox == "cancelled"
        assert "retry it" in (kept.outbox_error or "")
        assert session.store.message_count() == 1
        assert [t.phone_key for t in session.store.threads()] == [kept.phone_key]
    finally:
        await session.aclose()


def test_opening_a_session_imports_no_http_sync_or_outbox_code() -> None:
    # Cold start: the app's first frame must not wait for these; they are made on first use.
    import json
    import subprocess
    import sys

    code = (
        "import json, sys\n"
        "from smstui.core.session import open_session\n"
        "s = open_session()\n"
        "heavy = ('httpx', 'smstui.core.api.client', 'smstui.core.outbox', 'smstui.core.sync')\n"
        "before = sorted(m for m in heavy if m in sys.modules)\n"
        "logged_in = s.logged_in\n"
        "same = s.outbox is s.outbox and s.syncer is s.syncer and s.syncer.client is s.client\n"
        "after = sorted(m for m in heavy if m in sys.modules)\n"
        "s.store.close()\n"
        "print(json.dumps([before, logged_in, same, after]))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    before, logged_in, same, after = json.loads(result.stdout)
    assert before == [] and logged_in is False and same is True
    assert after == ["smstui.core.api.client", "smstui.core.outbox", "smstui.core.sync"]  # httpx: on first request


@pytest.mark.parametrize("remember", [False, True])
async def test_logged_in_before_the_client_is_made_agrees_with_the_client(sim, remember) -> None:
    sim.state.add_account(EMAIL, PASSWORD)
    session = open_session(api_url=sim.url, clock=sim.clock)
    await session.login(EMAIL, Secret(PASSWORD), remember=remember, api_url=sim.url)
    await session.aclose()
    if remember:
        session.tokens.clear("default")  # only the remembered password is left
    again = open_session(clock=sim.clock)
    try:
        assert again._client is None  # not made yet
        early = again.logged_in
        assert early is True and again.client.has_token != remember and again.logged_in is early
    finally:
        await again.aclose()
