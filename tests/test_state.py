"""smstui never rewrites the user's config.toml: what it learns lives in its own state file."""

from __future__ import annotations

import stat
import tomllib
from pathlib import Path

import pytest

from smstui.core import paths
from smstui.core.session import open_session
from smstui.core.state_file import ProfileState, load_state, save_state
from smstui.simulator.testing import TestSimulator
from smstui.tui.session_flow import default_opener
from tests.cli_helpers import DEMO_EMAIL, DEMO_PASSWORD, Cli
from tests.core_helpers import config_file, write_config

COMMENTED = """\
# My smstui settings. Keep these comments!
[ui]
refresh_interval = 30   # slow link

[profiles.default]
api_url = "{url}"       # the office gateway
region = "DE"
"""


EMAIL, PASSWORD = "ops@example.com", "s3cret-Pa55word"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_commented_config_survives_a_login_byte_for_byte(sim_empty: TestSimulator) -> None:
    config = write_config(COMMENTED.format(url=sim_empty.url))
    before = config.read_bytes()
    sim_empty.state.add_account(EMAIL, PASSWORD)
    cli = Cli(sim_empty.url)
    run = cli("login", "--remember", env={"SMSTUI_EMAIL": EMAIL, "SMSTUI_PASSWORD": PASSWORD})
    assert run.exit_code == 0, run.output
    assert config.read_bytes() == before

    state = paths.state_file()
    assert mode(state) == 0o600
    text = state.read_text()
    assert PASSWORD not in text and paths.token_path("default").read_text().strip() not in text
    learnt = load_state()
    assert learnt.last_profile == "default"
    assert learnt.profile("default") == ProfileState(email=EMAIL, api_url=sim_empty.url, remember_password=True)

    # The next run knows the account from the state file; the config's own values still apply.
    session = open_session()
    try:
        assert session.profile.email == EMAIL and session.profile.remember_password
        assert session.profile.region == "DE" and session.config.ui.refresh_interval == 30
    finally:
        session.store.close()
    assert cli("devices", "--json").exit_code == 0
    assert config.read_bytes() == before


async def test_the_config_file_wins_over_what_was_learnt(sim: TestSimulator) -> None:
    sim.state.add_account("other@example.com", "0ther-Pa55")
    config = write_config(f'[profiles.default]\napi_url = "{sim.url}"\nemail = "{sim.email}"\n')
    before = config.read_bytes()
    session = open_session(clock=sim.clock)
    try:
        await session.login("other@example.com", "0ther-Pa55")
        assert session.profile.email == "other@example.com"  # this session goes on as logged in
    finally:
        await session.aclose()
    assert config.read_bytes() == before
    assert load_state().profile("default").email == "other@example.com"
    session = open_session(clock=sim.clock)
    try:
        assert session.profile.email == sim.email  # the user's file says so
    finally:
        session.store.close()


async def test_the_last_profile_applies_only_when_the_config_names_no_default(sim: TestSimulator) -> None:
    write_config(f'[profiles.home]\napi_url = "{sim.url}"\n')
    # A profile the file does not know (added as the app's profile switch does), logged in to.
    save_state("work", api_url=sim.url)
    session = open_session(profile="work", clock=sim.clock)
    try:
        await session.login(sim.email, sim.password)
    finally:
        await session.aclose()
    chosen = open_session(clock=sim.clock)
    assert chosen.profile.name == "work"
    chosen.store.close()

    write_config(f'default_profile = "home"\n[profiles.home]\napi_url = "{sim.url}"\n')
    chosen = open_session(clock=sim.clock)
    assert chosen.profile.name == "home"
    chosen.store.close()


def test_switching_to_a_new_profile_in_the_app_leaves_the_config_alone(sim_empty: TestSimulator) -> None:
    config = write_config(COMMENTED.format(url=sim_empty.url))
    before = config.read_bytes()
    first = open_session()
    try:
        new = default_opener(first)("work", sim_empty.url)
        try:
            assert new.profile.name == "work" and new.profile.api_url == sim_empty.url
        finally:
            new.store.close()
    finally:
        first.store.close()
    assert config.read_bytes() == before
    assert load_state().profile("work").api_url == sim_empty.url


def test_state_api_round_trip_keeps_unknown_keys(tmp_path: Path) -> None:
    file = tmp_path / "state.toml"
    file.write_text('future = 1\n[profiles.default]\nfuture_key = "x"\n')
    state = save_state("default", path=file, account_zone="Europe/Paris", email="a@b.c")
    assert state.profile("default") == ProfileState(email="a@b.c", account_zone="Europe/Paris")
    assert state.last_profile is None
    save_state("default", path=file, make_last=True, email=None)
    raw = tomllib.loads(file.read_text())
    assert raw == {
        "future": 1,
        "last_profile": "default",
        "profiles": {"default": {"future_key": "x", "account_zone": "Europe/Paris"}},
    }
    assert load_state(file).profile("default") == ProfileState(account_zone="Europe/Paris")
    assert load_state(file).profile("unknown") == ProfileState()
    assert mode(file) == 0o600
    with pytest.raises(ValueError, match="unknown state field"):
        save_state("default", path=file, zone="UTC")
    with pytest.raises(ValueError):
        save_state("default", path=file, remember_password="yes")
    with pytest.raises(ValueError, match="invalid profile name"):
        save_state("../etc", path=file)


@pytest.mark.parametrize(
    "text",
    [
        "not = [valid toml",
        'last_profile = "../etc"\nprofiles = 3\n',
        '[profiles.default]\napi_url = "ftp://nope"\nremember_password = "yes"\nemail = 5\n',
        "\udcff",
    ],
)
def test_a_bad_state_file_is_ignored(text: str, sim_empty: TestSimulator) -> None:
    state = paths.state_file(create_dir=True)
    state.write_bytes(text.encode("utf-8", "surrogateescape"))
    assert load_state().profile("default") == ProfileState()
    cli = Cli(sim_empty.url)
    run = cli("login", env={"SMSTUI_EMAIL": DEMO_EMAIL, "SMSTUI_PASSWORD": DEMO_PASSWORD})
    assert run.exit_code == 0 and "Traceback" not in run.output, run.output
    assert load_state().profile("default").email == DEMO_EMAIL
    assert not config_file().exists()
