"""Config loading/saving, problems with line numbers, env overrides, and paths."""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from smstui.core import paths
from smstui.core.config import (
    DEFAULT_API_URL,
    DEFAULT_CONFIG_TOML,
    Config,
    ConfigError,
    Profile,
    known_region,
    load_config,
    resolve_profile,
)
from smstui.core.config_save import save_config


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SMSTUI_CONFIG", str(tmp_path / "cfg" / "config.toml"))
    monkeypatch.setenv("SMSTUI_DATA_DIR", str(tmp_path / "data"))
    for var in ("SMSTUI_API_URL", "SMSTUI_PROFILE", "SMSTUI_KEYRING"):
        monkeypatch.delenv(var, raising=False)
    return tmp_path


def write(tmp_path: Path, text: str) -> Path:
    file = tmp_path / "config.toml"
    file.write_text(text, encoding="utf-8")
    return file


# --- paths -----------------------------------------------------------------------------------


def test_config_file_env_override(isolated: Path) -> None:
    assert paths.config_file() == isolated / "cfg" / "config.toml"
    assert not (isolated / "cfg").exists(), "config_file() must not create anything"


def test_config_file_default_uses_platformdirs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SMSTUI_CONFIG")
    assert paths.config_file().name == "config.toml"
    assert "smstui" in str(paths.config_file())


def test_data_dir_created_lazily_0700(isolated: Path) -> None:
    target = isolated / "data"
    assert not target.exists()
    assert paths.data_dir() == target
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o700


def test_profile_paths(isolated: Path) -> None:
    assert paths.profile_db_path("work") == isolated / "data" / "work.sqlite3"
    assert paths.token_path("work") == isolated / "data" / "work.token"
    assert paths.log_dir().is_dir()


@pytest.mark.parametrize("bad", ["", "../etc", "a/b", ".hidden", "x" * 65, "with space", "a.", "é"])
def test_unsafe_profile_names_rejected(bad: str) -> None:
    with pytest.raises(paths.InvalidProfileName, match="invalid profile name"):
        paths.token_path(bad)


# --- loading ---------------------------------------------------------------------------------


def test_missing_file_gives_defaults(tmp_path: Path) -> None:
    loaded = load_config(tmp_path / "nope.toml")
    assert loaded.config == Config()
    assert loaded.problems == []


def test_default_path_comes_from_env(isolated: Path) -> None:
    file = isolated / "cfg" / "config.toml"
    file.parent.mkdir()
    file.write_text("[ui]\nrefresh_interval = 30\n")
    assert load_config().config.ui.refresh_interval == 30


def test_example_config_loads_cleanly(tmp_path: Path) -> None:
    loaded = load_config(write(tmp_path, DEFAULT_CONFIG_TOML))
    assert loaded.problems == []
    cfg = loaded.config
    assert cfg.ui.theme == "textual-dark"
    assert cfg.keymap == {"app.refresh": "ctrl+r"}
    profile = cfg.profile()
    assert profile.name == "default"
    assert profile.region == "DE"
    assert profile.default_device == 1576
    assert profile.api_url == DEFAULT_API_URL


def test_profile_defaults_have_no_region() -> None:
    assert Profile().region is None


def test_invalid_toml_gives_defaults_and_line(tmp_path: Path) -> None:
    loaded = load_config(write(tmp_path, 'default_profile = "x"\n[ui\ntheme = 1\n'))
    assert loaded.config == Config()
    [problem] = loaded.problems
    assert problem.line == 2
    assert "line 2" in problem.message
    assert "not valid TOML" in problem.message
    assert "delete" in problem.message  # says what to do


def test_unreadable_file_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    file = tmp_path / "config.toml"
    file.write_bytes(b"\xff\xfe not utf-8")
    loaded = load_config(file)
    assert loaded.config == Config()
    assert "cannot read" in loaded.problems[0].message


def test_unknown_keys_named_with_line_numbers(tmp_path: Path) -> None:
    text = (
        'default_profile = "default"\n'  # 1
        "colour = 3\n"  # 2
        "[ui]\n"  # 3
        'theme = "nord"\n'  # 4
        "refresh = 5\n"  # 5
        "[profiles.default]\n"  # 6
        'email = "a@b.c"\n'  # 7
        'pasword = "x"\n'  # 8
        "[extras]\n"  # 9
        "a = 1\n"  # 10
    )
    loaded = load_config(write(tmp_path, text))
    by_key = {p.key: p for p in loaded.problems}
    assert set(by_key) == {"colour", "ui.refresh", "profiles.default.pasword", "extras"}
    assert by_key["colour"].line == 2
    assert by_key["ui.refresh"].line == 5
    assert "line 5" in by_key["ui.refresh"].message
    assert "'ui.refresh'" in by_key["ui.refresh"].message
    assert "refresh_interval" in by_key["ui.refresh"].message  # lists the known keys
    assert by_key["profiles.default.pasword"].line == 8
    assert by_key["extras"].line == 9
    # The good keys still apply.
    assert loaded.config.ui.theme == "nord"
    assert loaded.config.profile().email == "a@b.c"


def test_bad_values_fall_back_per_key(tmp_path: Path) -> None:
    text = (
        "[ui]\n"  # 1
        "refresh_interval = 1\n"  # 2  below minimum
        'time_format = "%H:%M"\n'  # 3  fine
        "[sync]\n"  # 4
        'overlap_minutes = "ten"\n'  # 5  wrong type
        "first_sync_days = 30\n"  # 6  fine
        "[bulk]\n"  # 7
        "batch_size = true\n"  # 8  bool is not an int
        "[profiles.default]\n"  # 9
        'api_url = "ftp://example.com"\n'  # 10
        'region = "XX"\n'  # 11
        "timeout = 0\n"  # 12
        "remember_password = 1\n"  # 13
        "default_device = 7\n"  # 14 fine
    )
    loaded = load_config(write(tmp_path, text))
    lines = {p.key: p.line for p in loaded.problems}
    assert lines == {
        "ui.refresh_interval": 2,
        "sync.overlap_minutes": 5,
        "bulk.batch_size": 8,
        "profiles.default.api_url": 10,
        "profiles.default.region": 11,
        "profiles.default.timeout": 12,
        "profiles.default.remember_password": 13,
    }
    cfg = loaded.config
    assert cfg.ui.refresh_interval == 15 and cfg.ui.time_format == "%H:%M"
    assert cfg.sync.overlap_minutes == 10 and cfg.sync.first_sync_days == 30
    assert cfg.bulk.batch_size == 100
    profile = cfg.profile()
    assert profile.api_url == DEFAULT_API_URL
    assert profile.region is None
    assert profile.timeout == 20
    assert profile.remember_password is False
    assert profile.default_device == 7
    message = next(p.message for p in loaded.problems if p.key == "ui.refresh_interval")
    assert "at least 2" in message and "default" in message


def test_dotted_and_quoted_keys_get_lines(tmp_path: Path) -> None:
    text = 'ui.refresh_interval = 0\n[profiles."work"]\nregion = "nowhere"\n'
    loaded = load_config(write(tmp_path, text))
    lines = {p.key: p.line for p in loaded.problems}
    assert lines == {"ui.refresh_interval": 1, "profiles.work.region": 3}


def test_region_normalised_and_url_gets_slash(tmp_path: Path) -> None:
    text = '[profiles.home]\nregion = "de"\napi_url = "http://127.0.0.1:8080/getdata"\n'
    loaded = load_config(write(tmp_path, text))
    assert loaded.problems == []
    profile = loaded.config.profile("home")
    assert profile.region == "DE"
    assert profile.api_url == "http://127.0.0.1:8080/getdata/"
    # The only profile becomes the default even though it is not called "default".
    assert loaded.config.default_profile == "home"


def test_known_region_agrees_with_phonenumbers() -> None:
    # The config checks regions without importing phonenumbers (it is slow to import); the
    # answer must be phonenumbers' own for every two-letter code.
    import itertools
    import string

    import phonenumbers

    for pair in itertools.product(string.ascii_uppercase, repeat=2):
        code = "".join(pair)
        assert known_region(code) == (code in phonenumbers.SUPPORTED_REGIONS), code
    for odd in ("", "D", "DEU", "001", "1A", "ÄÖ", "de"):
        assert not known_region(odd)


def test_default_profile_pointing_nowhere(tmp_path: Path) -> None:
    text = 'default_profile = "gone"\n[profiles.a]\n[profiles.b]\n'
    loaded = load_config(write(tmp_path, text))
    [problem] = loaded.problems
    assert problem.key == "default_profile" and problem.line == 1
    assert loaded.config.default_profile == "a"


def test_bad_profile_name_skipped(tmp_path: Path) -> None:
    loaded = load_config(write(tmp_path, '[profiles."../evil"]\nemail = "x"\n'))
    assert loaded.config.profiles == {}
    assert loaded.problems[0].line == 1


def test_wrong_shapes_do_not_raise(tmp_path: Path) -> None:
    text = 'ui = 3\nkeymap = "x"\nprofiles = [1]\n'
    loaded = load_config(write(tmp_path, text))
    assert loaded.config == Config()
    assert {p.key for p in loaded.problems} == {"ui", "keymap", "profiles"}


def test_keymap_bad_value(tmp_path: Path) -> None:
    loaded = load_config(write(tmp_path, '[keymap]\n"app.quit" = 5\n"app.refresh" = "f5"\n'))
    assert loaded.config.keymap == {"app.refresh": "f5"}
    assert loaded.problems[0].key == "keymap.app.quit"
    assert loaded.problems[0].line == 2


# --- profiles --------------------------------------------------------------------------------


def test_unknown_profile_lists_known() -> None:
    cfg = Config().with_profile(Profile(name="work")).with_profile(Profile(name="home"))
    with pytest.raises(ConfigError, match="known profiles: home, work"):
        cfg.profile("play")


def test_blank_default_profile_when_none_configured() -> None:
    assert Config().profile() == Profile(name="default")
    with pytest.raises(ConfigError):
        Config().profile("other")


def test_update_profile_helpers() -> None:
    cfg = Config().update_profile("work", email="a@b.c", region="gb")
    assert cfg.profile("work").region == "GB"
    cfg = cfg.update_profile("work", default_device=5)
    assert cfg.profile("work").email == "a@b.c" and cfg.profile("work").default_device == 5
    cfg = cfg.with_profile(Profile(name="home"), make_default=True)
    assert cfg.default_profile == "home"
    assert "work" not in cfg.without_profile("work").profiles


def test_profile_rejects_bad_url() -> None:
    with pytest.raises(ConfigError, match="not an http"):
        Profile(api_url="smsgateway24.com")


# --- saving ----------------------------------------------------------------------------------


def test_save_roundtrip_atomic_0600(isolated: Path) -> None:
    cfg = (
        Config(keymap={"app.refresh": "f5"})
        .update_profile("default", email="me@example.com", region="DE", default_device=1576)
        .update_profile("lab", api_url="http://127.0.0.1:9000/getdata")
    )
    written = save_config(cfg)
    assert written == isolated / "cfg" / "config.toml"
    assert stat.S_IMODE(os.stat(written).st_mode) == 0o600
    assert [p.name for p in written.parent.iterdir()] == ["config.toml"], "no temp files left"
    loaded = load_config()
    assert loaded.problems == []
    assert loaded.config == cfg
    # None values are omitted (TOML has no null), so region-less profiles round-trip too.
    assert "region" not in tomllib.loads(written.read_text())["profiles"]["lab"]


def test_save_replaces_existing_file_keeps_0600(tmp_path: Path) -> None:
    file = tmp_path / "c.toml"
    file.write_text("junk")
    os.chmod(file, 0o644)
    save_config(Config(), file)
    assert stat.S_IMODE(os.stat(file).st_mode) == 0o600
    assert load_config(file).config == Config()


# --- resolution ------------------------------------------------------------------------------


def test_resolve_profile_precedence(monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = Config().update_profile("default", api_url="https://file.example/getdata/")
    cfg = cfg.update_profile("other", api_url="https://other.example/")
    assert resolve_profile(cfg).api_url == "https://file.example/getdata/"
    monkeypatch.setenv("SMSTUI_API_URL", "http://env.example:8000/getdata")
    assert resolve_profile(cfg).api_url == "http://env.example:8000/getdata/"
    assert resolve_profile(cfg, api_url="http://flag.example/").api_url == "http://flag.example/"
    monkeypatch.setenv("SMSTUI_PROFILE", "other")
    assert resolve_profile(cfg).name == "other"
    assert resolve_profile(cfg, name="default").name == "default"


def test_resolve_profile_bad_env_url_is_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMSTUI_API_URL", "not a url")
    with pytest.raises(ConfigError, match="not an http"):
        resolve_profile(Config())


def test_resolve_profile_bad_name() -> None:
    with pytest.raises(ConfigError, match="invalid profile name"):
        resolve_profile(Config(), name="../x")


# --- robustness ------------------------------------------------------------------------------

_TOMLISH = st.text(alphabet="[].\"=\n #abcdefgilmnoprstuy_0123456789-:/'", max_size=200)
_VALUES = st.sampled_from(
    ["1", "0", "-5", "1.5", '"x"', '""', "true", "[1, 2]", "{ a = 1 }", '"../x"', "1e9", '"ftp://x"']
)


@st.composite
def mutated_example(draw: st.DrawFn) -> str:
    lines = DEFAULT_CONFIG_TOML.splitlines()
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        index = draw(st.integers(min_value=0, max_value=len(lines) - 1))
        if "=" in lines[index] and not lines[index].lstrip().startswith("#"):
            key = lines[index].split("=", 1)[0]
            lines[index] = f"{key}= {draw(_VALUES)}"
    return "\n".join(lines) + "\n"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(_TOMLISH, mutated_example()))
def test_load_config_never_raises(tmp_path: Path, text: str) -> None:
    loaded = load_config(write(tmp_path, text))
    assert isinstance(loaded.config, Config)
    for problem in loaded.problems:
        assert problem.message
        if problem.key is not None and "not valid TOML" not in problem.message:
            assert problem.line is not None, problem
