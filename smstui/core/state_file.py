"""What smstui learns, kept in a file of its own: the user's ``config.toml`` is only ever read.

The state file (:func:`smstui.core.paths.state_file`, ``state.toml``, 0600 since it names accounts)::

    last_profile = "work"            # the profile last logged in to
    [profiles.work]
    email = "ops@example.com"        # the email last logged in with
    api_url = "http://..."           # a URL given at login (--api-url, the login screen)
    remember_password = true         # the login's "remember me"
    account_zone = "Europe/Paris"    # the gateway account's time zone, once learnt

Each value is used only where the config file does not set it (:func:`apply_state`): the user's
file always wins, and ``last_profile`` applies only when the file names no ``default_profile``.

Reading never raises: an unreadable or invalid file, or a bad value in it, counts as not learnt
(a warning goes to the log), since all of it can be learnt again. Writing is atomic (a 0600 temp
file, then ``os.replace``) and re-reads the file under a lock first, so another smstui process's
changes and keys this version does not know survive.

API (for the CLI, the app and the core alike)::

    state = load_state()
    state.last_profile, state.profile("work").account_zone
    save_state("work", account_zone="Europe/Paris")   # None removes a value
    save_state("work", make_last=True, email="ops@example.com")
"""

import logging
import os
import tomllib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any, NamedTuple, TypedDict

from smstui.core import paths
from smstui.core.config import Config, ConfigError, Profile, normalize_api_url

log = logging.getLogger("smstui.core.state_file")


class ProfileState(NamedTuple):
    """What was learnt about one profile; None: nothing learnt."""

    email: str | None = None
    api_url: str | None = None
    remember_password: bool | None = None
    account_zone: str | None = None


_NO_PROFILE = ProfileState()


class State(NamedTuple):
    last_profile: str | None = None
    profiles: Mapping[str, ProfileState] = {}

    def profile(self, name: str) -> ProfileState:
        return self.profiles.get(name, _NO_PROFILE)


def _check_url(value: Any) -> str:
    try:
        return normalize_api_url(value)
    except ConfigError as exc:
        raise ValueError(str(exc)) from None


def _check_type(kind: type) -> Any:
    def check(value: Any) -> Any:
        if not isinstance(value, kind):
            raise ValueError(f"must be {kind.__name__}")
        return value

    return check


_CHECKS = {
    "email": _check_type(str),
    "api_url": _check_url,
    "remember_password": _check_type(bool),
    "account_zone": _check_type(str),
}
assert set(_CHECKS) == set(ProfileState._fields)


def _file(path: Path | str | None, *, create_dir: bool = False) -> Path:
    return Path(path) if path is not None else paths.state_file(create_dir=create_dir)


def _read_raw(file: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(file.read_bytes().decode("utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        log.warning("%s: ignored, cannot be read (%s)", file, exc)
        return {}


def _parse(raw: dict[str, Any], file: Path) -> State:
    last = raw.get("last_profile")
    try:
        last = paths.validate_profile_name(last) if last is not None else None
    except ValueError:
        log.warning("%s: last_profile %r ignored", file, last)
        last = None
    profiles: dict[str, ProfileState] = {}
    tables = raw.get("profiles")
    for name, table in tables.items() if isinstance(tables, dict) else ():
        try:
            paths.validate_profile_name(name)
        except ValueError:
            log.warning("%s: profile %r ignored", file, name)
            continue
        values: dict[str, Any] = {}
        for key, value in table.items() if isinstance(table, dict) else ():
            if key not in _CHECKS:
                continue  # a newer version's: kept in the file, not used here
            try:
                values[key] = _CHECKS[key](value)
            except ValueError as exc:
                log.warning("%s: profiles.%s.%s ignored (%s)", file, name, key, exc)
        profiles[name] = ProfileState(**values)
    return State(last, profiles)


def load_state(path: Path | str | None = None) -> State:
    """What smstui learnt so far (empty when there is no state file); never raises."""
    file = _file(path)
    return _parse(_read_raw(file), file)


def save_state(profile: str, *, make_last: bool = False, path: Path | str | None = None, **changes: Any) -> State:
    """Record what was learnt about ``profile`` (fields of :class:`ProfileState`; None removes
    one), and with ``make_last`` that it is the last profile used. Returns the new state.

    Raises ValueError for an unknown field or a bad value, OSError when the file cannot be written.
    """
    paths.validate_profile_name(profile)
    for key, value in changes.items():
        if key not in _CHECKS:
            raise ValueError(f"unknown state field {key!r}; known: {', '.join(_CHECKS)}")
        if value is not None:
            changes[key] = _CHECKS[key](value)
    file = _file(path, create_dir=True)
    with _locked(file):
        raw = _read_raw(file)
        if make_last:
            raw["last_profile"] = profile
        tables = raw.get("profiles")
        if not isinstance(tables, dict):
            tables = raw["profiles"] = {}
        table = tables.get(profile)
        if not isinstance(table, dict):
            table = tables[profile] = {}
        for key, value in changes.items():
            if value is None:
                table.pop(key, None)
            else:
                table[key] = value
        _write(file, raw)
        return _parse(raw, file)


@contextmanager
def _locked(file: Path) -> Iterator[None]:
    """An advisory lock around read-modify-write, so two smstui processes do not lose updates."""
    try:
        import fcntl
    except ImportError:  # Windows: atomic replace only
        yield
        return
    fd = os.open(file.with_name(file.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def _write(file: Path, doc: dict[str, Any]) -> None:
    import tomli_w  # only when writing

    payload = tomli_w.dumps(doc).encode("utf-8")
    paths.write_private(file, payload)


class _LearntFields(TypedDict, total=False):
    """The profile fields a state may fill in (where the user's file does not say)."""

    email: str
    api_url: str
    remember_password: bool


def apply_state(config: Config, state: State) -> Config:
    """``config`` with what was learnt filled in wherever the user's file does not say.

    Profiles known only from the state (logged in to, never written in the file) are added.
    """
    profiles = dict(config.profiles)
    for name, learnt in state.profiles.items():
        base = profiles.get(name)
        free = {key for key in _LearntFields.__annotations__ if f"profiles.{name}.{key}" not in config.explicit}
        fill: _LearntFields = {}
        if learnt.email is not None and "email" in free:
            fill["email"] = learnt.email
        if learnt.api_url is not None and "api_url" in free:
            fill["api_url"] = learnt.api_url
        if learnt.remember_password is not None and "remember_password" in free:
            fill["remember_password"] = learnt.remember_password
        try:
            profiles[name] = replace(base, **fill) if base is not None else Profile(name=name, **fill)
        except (ConfigError, ValueError) as exc:  # checked on load; a profile name gone bad
            log.warning("learnt values of profile %r ignored (%s)", name, exc)
    default = config.default_profile
    if "default_profile" not in config.explicit:
        if state.last_profile in profiles:
            default = state.last_profile
        elif profiles and default not in profiles:
            default = "default" if "default" in profiles else sorted(profiles)[0]
    if profiles == config.profiles and default == config.default_profile:
        return config
    return replace(config, profiles=profiles, default_profile=default)


__all__ = ["ProfileState", "State", "apply_state", "load_state", "save_state"]
