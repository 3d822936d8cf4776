"""Typed settings: read with tomllib. smstui never rewrites the user's file.

What smstui learns (the last profile, a remembered email) lives in its own state file
(:mod:`smstui.core.state_file`) and fills in only what this file leaves out. :func:`smstui.core.config_save.save_config`
writes a whole file with tomli-w, for tools and tests; nothing in the app or the CLI calls it.

The file lives at :func:`smstui.core.paths.config_file` (``SMSTUI_CONFIG`` points elsewhere). Every key is
optional; :data:`DEFAULT_CONFIG_TOML` below is the whole shape, with the defaults and what each key
means (``smstui --help`` and the README show the same). Tables: ``[ui]``, ``[sync]``, ``[bulk]``,
``[oncall]`` (the dashboard, health, watch and alerts), ``[optouts]``, ``[secrets]``, ``[keymap]``
(binding id -> keys), ``[limits]`` (messages per SIM, ``"DEVICE:SLOT"`` for one SIM's own) and one
``[profiles.NAME]`` per account.

``region`` has no default here on purpose: a wrong guess silently sends to another country. When
the profile sets none, :mod:`smstui.core.region` learns it from the phones' SIMs (all agreeing) or
asks the user, and says so; until then every number must be written internationally
(``+49...``). With ``region = "DE"`` a number like ``0157 52982212`` is read as German.

Loading never raises on a bad file: :func:`load_config` returns the defaults for whatever is wrong
together with :class:`ConfigProblem` entries that name the key, its line and what to do.
"""

import os
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from functools import cached_property
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from smstui.core import paths
from smstui.core.config_values import (
    Check,
    boolean as _bool,
    choice as _choice,
    command as _command,
    integer as _int,
    nonempty_text as _nonempty_str,
    number as _number,
    show as _show,
    string as _str,
    time_format as _time_format,
    words as _words,
    zone_name as _zone_name,
)
from smstui.core.send_limits import SendLimits, SimLimit

DEFAULT_API_URL = "https://smsgateway24.com/getdata/"
ENV_API_URL = "SMSTUI_API_URL"
ENV_PROFILE = "SMSTUI_PROFILE"

DEFAULT_CONFIG_TOML = """\
# smstui configuration. Every key is optional; these are the defaults.
default_profile = "default"

[ui]
theme = "textual-dark"        # any Textual theme name
refresh_interval = 15         # seconds between background syncs (>=2)
time_format = "%Y-%m-%d %H:%M"
# timezone = "Europe/Berlin"  # your zone for times you type; default: the system's zone
home = "conversations"        # or "dashboard": the screen the app opens on
webhook_refresh_interval = 120  # seconds between syncs while the gateway pushes webhooks (>=2)
webhook_quiet_after = 300     # seconds without a webhook before polling as usual again (>=30)
# webhook_listen = "127.0.0.1:8787"  # run the webhook receiver inside the app (HOST:PORT, 0 = any)

[sync]
overlap_minutes = 10          # re-list window behind the cursor
device_interval = 60          # seconds between device refreshes
first_sync_days = 90          # how far back a first sync reaches

[bulk]
batch_size = 100

[oncall]
max_offline = 15              # minutes a phone may go unseen before it counts as offline
max_queue = 50                # messages waiting to leave before the queue alerts
max_queue_age = 30            # minutes the oldest waiting message may wait
max_failed_rate = 0.2         # share of the window's finished messages that may fail (0-1)
window = "1h"                 # 1h, 24h or 7d
bell = false                  # ring the terminal bell with each alert
# command = ["notify-send", "smstui"]  # run with each alert as JSON on stdin, without a shell
command_timeout = 10          # seconds

[optouts]
detect = true                 # STOP/START replies change the suppression list (`smstui optouts`)
# stop_words = ["nicht mehr"] # added to the built-in words; start_words likewise
[secrets]
keyring = false               # OS keyring instead of 0600 files (needs `keyring`; or SMSTUI_KEYRING=1)

[keymap]                      # binding id -> keys, passed to App.set_keymap
"app.refresh" = "ctrl+r"

[limits]                      # warn before a send would pass a SIM's limit (0: no limit)
daily = 0
hourly = 0
# "1576:1" = { daily = 500 }  # one SIM's own limits: "DEVICE:SLOT"

[profiles.default]
api_url = "https://smsgateway24.com/getdata/"
email = "me@example.com"
region = "DE"                 # default region for numbers without +country; omit = international only
default_device = 1576         # optional
timeout = 20                  # seconds (optional)
remember_password = false
# account_timezone = "Europe/Paris"  # the account's zone at the gateway; default: learnt from it
settle_margin = 60            # a lost send is re-sent only timeout + this many seconds after it
"""


class ConfigError(ValueError):
    """A configuration request that cannot be satisfied (unknown profile, bad URL, ...)."""


class ConfigProblem(NamedTuple):
    """One thing wrong with the config file; the rest of the file still applies.

    This and the settings tables are NamedTuples, Profile and Config dataclasses (they validate
    and copy themselves): a NamedTuple is ~10x cheaper to define, and the config is read before
    the first frame.
    """

    message: str
    key: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        return self.message


class UiSettings(NamedTuple):
    theme: str = "textual-dark"
    refresh_interval: float = 15
    time_format: str = "%Y-%m-%d %H:%M"
    timezone: str = ""  # the user's zone (IANA name); empty: the system's (gateway_time.local_zone)
    home: str = "conversations"  # the screen the app opens on: "conversations" or "dashboard"
    # While webhooks flow (smstui.webhook), polling is the safety net: this long between polls,
    # until none came for webhook_quiet_after seconds (smstui.core.service.RefreshService).
    webhook_refresh_interval: float = 120
    webhook_quiet_after: float = 300
    webhook_listen: str = ""  # HOST:PORT of the app's own webhook receiver; empty: none


class SyncSettings(NamedTuple):
    overlap_minutes: int = 10
    device_interval: float = 60
    first_sync_days: int = 90


class BulkSettings(NamedTuple):
    batch_size: int = 100


#: The on-call windows by name (seconds): the dashboard's keys, ``smstui health --window``.
ONCALL_WINDOWS: dict[str, float] = {"1h": 3600.0, "24h": 86_400.0, "7d": 604_800.0}


class OnCallSettings(NamedTuple):
    """Thresholds of the dashboard, ``smstui health`` and the alerts (times in minutes), and what
    an alert does besides its notification (:mod:`smstui.core.oncall.alerts`)."""

    max_offline: float = 15
    max_queue: int = 50
    max_queue_age: float = 30
    max_failed_rate: float = 0.2
    window: str = "1h"
    bell: bool = False
    command: tuple[str, ...] = ()  # argv, run without a shell; empty: none
    command_timeout: float = 10


class OptoutSettings(NamedTuple):
    """Which incoming replies opt a number out or back in (smstui.core.optout): the built-in
    words plus these."""

    detect: bool = True
    stop_words: tuple[str, ...] = ()
    start_words: tuple[str, ...] = ()


class SecretsSettings(NamedTuple):
    keyring: bool = False  # store tokens/passwords in the OS keyring (needs the keyring package)


@dataclass(frozen=True)
class Profile:
    """One account on one gateway. ``region=None`` means numbers must be international."""

    name: str = "default"
    api_url: str = DEFAULT_API_URL
    email: str = ""
    region: str | None = None
    default_device: int | None = None
    timeout: float = 20
    remember_password: bool = False
    # The gateway account's zone (IANA name) when it should not be learnt from the gateway's dates.
    account_timezone: str | None = None
    # Seconds past the timeout a request may still be processed (smstui.core.send_rule): only after
    # timeout + settle_margin does "not found on the gateway" prove a lost send did not arrive.
    settle_margin: float = 60

    def __post_init__(self) -> None:
        paths.validate_profile_name(self.name)
        object.__setattr__(self, "api_url", normalize_api_url(self.api_url))
        if self.region is not None:
            object.__setattr__(self, "region", normalize_region(self.region))


@dataclass(frozen=True)
class Config:
    """The whole config file, read; the profiles and every table's settings."""

    default_profile: str = "default"
    ui: UiSettings = field(default_factory=UiSettings)
    sync: SyncSettings = field(default_factory=SyncSettings)
    bulk: BulkSettings = field(default_factory=BulkSettings)
    oncall: OnCallSettings = field(default_factory=OnCallSettings)
    optouts: OptoutSettings = field(default_factory=OptoutSettings)
    secrets: SecretsSettings = field(default_factory=SecretsSettings)
    keymap: dict[str, str] = field(default_factory=dict)
    limits: SendLimits = field(default_factory=SendLimits)
    profiles: dict[str, Profile] = field(default_factory=dict)
    # Dotted keys the file itself set (``default_profile``, ``profiles.work.email``): what smstui
    # learnt (smstui.core.state_file) fills in only what the user's file leaves out.
    explicit: frozenset[str] = field(default=frozenset(), compare=False, repr=False)

    def profile(self, name: str | None = None) -> Profile:
        """The named profile (default: ``default_profile``).

        With no profiles at all the default profile is a blank one, so a first run can log in and
        save it; otherwise an unknown name raises :class:`ConfigError` listing the known ones.
        """
        named = name is not None
        name = name or self.default_profile
        if name in self.profiles:
            return self.profiles[name]
        if not self.profiles and name == self.default_profile:
            return Profile(name=name)
        known = ", ".join(sorted(self.profiles)) or "none"
        if not named and "default_profile" in self.explicit:
            raise ConfigError(
                f"the config file's default_profile {name!r} names no profile (known profiles: {known}); "
                f"set default_profile to a known one, add a [profiles.{name}] table, or give --profile"
            )
        raise ConfigError(
            f"unknown profile {name!r} (known profiles: {known}); "
            f"add a [profiles.{name}] table to the config file or pick a known one"
        )

    def new_default_problem(self, profile: Profile) -> ConfigProblem | None:
        """Said when the file's ``default_profile`` opens a profile nothing knows (no table, never
        logged in to): a typo there would otherwise show an empty account without a word."""
        if profile.name in self.profiles or "default_profile" not in self.explicit:
            return None
        if profile.name != self.default_profile:
            return None
        return ConfigProblem(
            f"default_profile {profile.name!r} is not a [profiles.{profile.name}] table in the config "
            f"file and was never logged in to, so it starts empty; if that is a typo, fix "
            f"default_profile, else log in (`smstui login`) to set it up",
            "default_profile",
        )

    def with_profile(self, profile: Profile, *, make_default: bool = False) -> "Config":
        """A copy with ``profile`` added or replaced (by name)."""
        profiles = dict(self.profiles)
        profiles[profile.name] = profile
        default = profile.name if make_default else self.default_profile
        return replace(self, profiles=profiles, default_profile=default)

    def update_profile(self, name: str, **changes: Any) -> "Config":
        """A copy with some fields of profile ``name`` changed (created if missing)."""
        base = self.profiles.get(name) or Profile(name=name)
        return self.with_profile(replace(base, **changes))

    def without_profile(self, name: str) -> "Config":
        profiles = {k: v for k, v in self.profiles.items() if k != name}
        return replace(self, profiles=profiles)


class LoadedConfig(NamedTuple):
    config: Config
    problems: list[ConfigProblem]
    path: Path | None = None


# --- value checks ----------------------------------------------------------------------------


def normalize_api_url(url: str) -> str:
    """Validate an http(s) URL and make it end with "/" (endpoint names are appended)."""
    if not isinstance(url, str):
        raise ConfigError(f"api_url must be a string, got {type(url).__name__}")
    text = url.strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"api_url {url!r} is not an http(s) URL; use e.g. {DEFAULT_API_URL!r}")
    if parts.query or parts.fragment:
        raise ConfigError(f"api_url {url!r} must not contain '?' or '#'")
    return text if text.endswith("/") else text + "/"


def known_region(code: str) -> bool:
    """Whether phonenumbers has metadata for region ``code`` (upper case), without importing it.

    Importing phonenumbers costs ~12 ms, and the config is read before the first frame. Its
    data package holds one ``region_XX`` module per supported region, which is what
    ``phonenumbers.SUPPORTED_REGIONS`` is built from; when that layout is not found, ask it.
    """
    if len(code) != 2 or not (code.isascii() and code.isalpha()):
        return False
    import importlib.util

    spec = importlib.util.find_spec("phonenumbers")  # finds the package without running it
    for base in (spec.submodule_search_locations or []) if spec else []:
        data = Path(base) / "data"
        if (data / "__init__.py").is_file():
            return (data / f"region_{code}.py").is_file()
    import phonenumbers

    return code in phonenumbers.SUPPORTED_REGIONS


def normalize_region(region: str) -> str:
    """An ISO 3166 alpha-2 code that phonenumbers knows (``de`` -> ``DE``)."""
    if not isinstance(region, str):
        raise ConfigError(f'region must be a string like "DE", got {type(region).__name__}')
    code = region.strip().upper()
    if not known_region(code):
        raise ConfigError(f'region {region!r} is not a known two-letter country code (e.g. "DE", "US", "GB")')
    return code


def _wrap_config_error(fn: Callable[[Any], Any]) -> Check:
    def check(value: Any) -> Any:
        try:
            return fn(value)
        except ConfigError as exc:
            raise ValueError(str(exc)) from None

    return check


def _listen(value: Any) -> str:
    """``HOST:PORT``, ``[v6]:PORT`` or ``PORT`` (0 = any free port); "" = no receiver in the app.
    Only the shape: whether the address can be listened on is said when the app tries."""
    text = _str(value).strip()
    if not text:
        return ""
    host, sep, port = text.rpartition(":")
    if not sep:
        host, port = "", text
    if host.startswith("["):
        host = host[1:-1] if host.endswith("]") else ""
        if not host:
            raise ValueError(f"{text!r} is not HOST:PORT, e.g. 127.0.0.1:8787 or [::1]:8787")
    elif ":" in host:
        raise ValueError(f"{text!r} is not HOST:PORT: write an IPv6 host in brackets, e.g. [::1]:8787")
    if not port.isdigit() or int(port) > 65535:
        raise ValueError(f"{text!r} does not end in a port 0-65535, e.g. 127.0.0.1:8787 (0 = any free port)")
    return text


_Table = UiSettings | SyncSettings | BulkSettings | OnCallSettings | OptoutSettings | SecretsSettings
_TABLE_SCHEMAS: dict[str, tuple[type[_Table], dict[str, Check]]] = {
    "ui": (
        UiSettings,
        {
            "theme": _nonempty_str,
            "refresh_interval": _number(minimum=2),
            "time_format": _time_format,
            "timezone": _zone_name,
            "home": _choice("conversations", "dashboard"),
            "webhook_refresh_interval": _number(minimum=2),
            "webhook_quiet_after": _number(minimum=30),
            "webhook_listen": _listen,
        },
    ),
    "sync": (
        SyncSettings,
        {
            "overlap_minutes": _int(minimum=0, maximum=24 * 60),
            "device_interval": _number(minimum=5),
            "first_sync_days": _int(minimum=1, maximum=3650),
        },
    ),
    "bulk": (BulkSettings, {"batch_size": _int(minimum=1, maximum=2000)}),
    "oncall": (
        OnCallSettings,
        {
            "max_offline": _number(minimum=0),
            "max_queue": _int(minimum=0),
            "max_queue_age": _number(minimum=0),
            "max_failed_rate": _number(minimum=0, maximum=1),
            "window": _choice(*ONCALL_WINDOWS),
            "bell": _bool,
            "command": _command,
            "command_timeout": _number(minimum=1, maximum=600),
        },
    ),
    "optouts": (OptoutSettings, {"detect": _bool, "stop_words": _words, "start_words": _words}),
    "secrets": (SecretsSettings, {"keyring": _bool}),
}

_PROFILE_SCHEMA: dict[str, Check] = {
    "api_url": _wrap_config_error(normalize_api_url),
    "email": _str,
    "region": _wrap_config_error(normalize_region),
    "default_device": _int(minimum=1),
    "timeout": _number(minimum=1, maximum=600),
    "remember_password": _bool,
    "account_timezone": _zone_name,
    "settle_margin": _number(minimum=0, maximum=3600),
}

TABLES = tuple(_TABLE_SCHEMAS)  # the settings tables, each a field of Config
_TOP_LEVEL_KEYS = ("default_profile", *TABLES, "keymap", "limits", "profiles")


# --- loading ---------------------------------------------------------------------------------


def load_config(path: Path | str | None = None) -> LoadedConfig:
    """Read the config file; never raises for a bad or missing file (see module docstring)."""
    file = Path(path) if path is not None else paths.config_file()
    try:
        text = file.read_bytes().decode("utf-8")
    except FileNotFoundError:
        return LoadedConfig(Config(), [], file)
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return LoadedConfig(
            Config(),
            [
                ConfigProblem(
                    f"{file}: cannot read the config file ({reason}); using defaults. "
                    "Fix its permissions/encoding (UTF-8) or delete it."
                )
            ],
            file,
        )
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        return LoadedConfig(
            Config(),
            [
                ConfigProblem(
                    f"{file}: not valid TOML: {exc}. Fix that line or delete the file; using the defaults for now.",
                    line=int(match.group(1)) if match else None,
                )
            ],
            file,
        )
    builder = _Builder(file, text)
    return LoadedConfig(builder.build(data), builder.problems, file)


class _Builder:
    def __init__(self, file: Path, text: str) -> None:
        self.file = file
        self.lines = _KeyLines(text)
        self.problems: list[ConfigProblem] = []
        self.explicit: set[str] = set()

    def problem(self, path: tuple[str, ...], what: str) -> None:
        line = self.lines.find(path)
        where = f"{self.file} line {line}" if line else str(self.file)
        self.problems.append(ConfigProblem(f"{where}: {what}", ".".join(path), line))

    def unknown(self, path: tuple[str, ...], known: tuple[str, ...] | list[str]) -> None:
        table = ".".join(path[:-1])
        scope = f"in [{table}]" if table else "at the top level"
        self.problem(
            path,
            f"unknown key {'.'.join(path)!r} ignored; known keys {scope}: {', '.join(known)}",
        )

    def build(self, data: dict[str, Any]) -> "Config":
        for key in data:
            if key not in _TOP_LEVEL_KEYS:
                self.unknown((key,), _TOP_LEVEL_KEYS)
        kwargs: dict[str, Any] = {}
        for table, (cls, schema) in _TABLE_SCHEMAS.items():
            kwargs[table] = cls(**self.table((table,), data.get(table, {}), schema))
        kwargs["keymap"] = self.keymap(data.get("keymap", {}))
        kwargs["limits"] = self.limits(data.get("limits", {}))
        profiles = self.profiles(data.get("profiles", {}))
        kwargs["profiles"] = profiles
        default = "default"
        if "default_profile" in data:
            value = data["default_profile"]
            try:
                default = paths.validate_profile_name(_str(value))
            except ValueError as exc:
                self.problem(("default_profile",), f"default_profile {exc}; using 'default'")
            else:
                self.explicit.add("default_profile")
                if profiles and default not in profiles:
                    fallback = "default" if "default" in profiles else sorted(profiles)[0]
                    self.problem(
                        ("default_profile",),
                        f"default_profile {default!r} has no [profiles.{default}] table; "
                        f"using {fallback!r} (known: {', '.join(sorted(profiles))})",
                    )
                    default = fallback
        elif profiles and default not in profiles:
            default = sorted(profiles)[0]
        kwargs["default_profile"] = default
        return Config(**kwargs, explicit=frozenset(self.explicit))

    def table(self, path: tuple[str, ...], raw: Any, schema: dict[str, Check]) -> dict[str, Any]:
        if not isinstance(raw, dict):
            self.problem(path, f"{'.'.join(path)} must be a table, got {_show(raw)}; using defaults")
            return {}
        values: dict[str, Any] = {}
        for key, value in raw.items():
            if key not in schema:
                self.unknown((*path, key), list(schema))
                continue
            try:
                values[key] = schema[key](value)
            except ValueError as exc:
                self.problem(
                    (*path, key),
                    f"{'.'.join((*path, key))} {exc}; using the default" + self._default_hint(path, key),
                )
        return values

    @staticmethod
    def _default_hint(path: tuple[str, ...], key: str) -> str:
        if path[0] in _TABLE_SCHEMAS:
            defaults = _TABLE_SCHEMAS[path[0]][0]._field_defaults
        else:
            defaults = {f.name: f.default for f in fields(Profile)}
        return f" ({defaults[key]!r})" if key in defaults else ""

    def keymap(self, raw: Any) -> dict[str, str]:
        if not isinstance(raw, dict):
            self.problem(("keymap",), f"keymap must be a table, got {_show(raw)}; ignored")
            return {}
        keymap: dict[str, str] = {}
        for key, value in raw.items():
            if isinstance(value, str) and value.strip():
                keymap[key] = value.strip()
            else:
                self.problem(
                    ("keymap", key),
                    f'keymap.{key} must be a non-empty string of keys like "ctrl+r", got {_show(value)}; ignored',
                )
        return keymap

    def limits(self, raw: Any) -> SendLimits:
        if not isinstance(raw, dict):
            self.problem(("limits",), f"limits must be a table, got {_show(raw)}; no limits")
            return SendLimits()
        count = _int(0, 1_000_000)
        schema = {"daily": count, "hourly": count}
        default = SimLimit(**self.table(("limits",), {k: v for k, v in raw.items() if k in schema}, schema))
        sims: dict[tuple[int, int], SimLimit] = {}
        for key, value in raw.items():
            if key in schema:
                continue
            match = re.fullmatch(r"\s*(\d{1,18})\s*:\s*([0-5])\s*", key)
            if match is None:
                self.problem(
                    ("limits", key),
                    f'limits.{key} is not daily, hourly or a SIM written "DEVICE:SLOT" (like "1576:1"); ignored',
                )
                continue
            own = self.table(("limits", key), value, schema)
            sims[(int(match[1]), int(match[2]))] = default._replace(**own)
        return SendLimits(default, sims)

    def profiles(self, raw: Any) -> dict[str, Profile]:
        if not isinstance(raw, dict):
            self.problem(("profiles",), "profiles must be tables like [profiles.default]; ignored")
            return {}
        profiles: dict[str, Profile] = {}
        for name, table in raw.items():
            try:
                paths.validate_profile_name(name)
            except ValueError as exc:
                self.problem(("profiles", name), f"{exc}; profile ignored")
                continue
            values = self.table(("profiles", name), table, _PROFILE_SCHEMA)
            self.explicit.update(f"profiles.{name}.{key}" for key in values)
            profiles[name] = Profile(name=name, **values)
        return profiles


class _KeyLines:
    """Maps dotted key paths to 1-based line numbers by scanning the TOML text.

    tomllib keeps no positions, so this is a light re-scan that understands table headers,
    quoted keys and dotted keys; good enough to point a human at the right line. Done on the
    first problem only: a good config (every start of the app) is not scanned twice.
    """

    _HEADER = r"^\s*\[\[?\s*(?P<name>[^\]]*?)\s*\]\]?\s*(#.*)?$"
    _KEY = r"""^\s*(?P<key>(?:"[^"]*"|'[^']*'|[A-Za-z0-9_.\- \t"'])+?)\s*="""

    def __init__(self, text: str) -> None:
        self._text = text

    @cached_property
    def index(self) -> dict[tuple[str, ...], int]:
        index: dict[tuple[str, ...], int] = {}
        table: tuple[str, ...] = ()
        for number, line in enumerate(self._text.splitlines(), start=1):
            header = re.match(self._HEADER, line)
            if header:
                table = _split_dotted(header.group("name"))
                index.setdefault(table, number)
                continue
            key = re.match(self._KEY, line)
            if key:
                index.setdefault((*table, *_split_dotted(key.group("key"))), number)
        return index

    def find(self, path: tuple[str, ...]) -> int | None:
        # Fall back to the enclosing table's header when the key itself was not found.
        for end in range(len(path), 0, -1):
            if path[:end] in self.index:
                return self.index[path[:end]]
        return None


def located_problem(file: Path | None, path: tuple[str, ...], what: str) -> ConfigProblem:
    """A problem found after loading (the keymap's, checked by the app), with the key's line as
    the loader gives it: ``<file> line N: what``. The file is read again, only for a problem."""
    line = None
    if file is not None:
        try:
            line = _KeyLines(file.read_bytes().decode("utf-8")).find(path)
        except (OSError, UnicodeDecodeError):
            pass
    where = f"{file} line {line}" if line else str(file) if file is not None else "config"
    return ConfigProblem(f"{where}: {what}", ".".join(path), line)


def _split_dotted(text: str) -> tuple[str, ...]:
    parts: list[str] = []
    for match in re.finditer(r"""\s*("(?:[^"\\]|\\.)*"|'[^']*'|[^.'"]+)\s*(?:\.|$)""", text):
        part = match.group(1).strip()
        if len(part) >= 2 and part[0] == part[-1] and part[0] in "\"'":
            part = part[1:-1]
        parts.append(part)
    return tuple(parts)


# --- resolution ------------------------------------------------------------------------------


def resolve_profile(config: Config, name: str | None = None, api_url: str | None = None) -> Profile:
    """The profile to use, with overrides applied: CLI flag > environment > config file.

    ``name``: flag, else ``SMSTUI_PROFILE``, else ``config.default_profile``.
    ``api_url``: flag, else ``SMSTUI_API_URL``, else the profile's own.
    """
    chosen = name or os.environ.get(ENV_PROFILE, "").strip() or None
    if chosen is not None:
        try:
            paths.validate_profile_name(chosen)
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
    profile = config.profile(chosen)
    override = api_url or os.environ.get(ENV_API_URL, "").strip() or None
    if override is not None:
        profile = replace(profile, api_url=normalize_api_url(override))
    return profile
