"""Every file and directory smstui uses, in one place.

Locations come from platformdirs (app name ``smstui``) unless an environment variable points
elsewhere, which is how tests and side-by-side installs stay isolated:

- ``SMSTUI_CONFIG``: the config file (default ``<user_config_dir>/config.toml``).
- ``SMSTUI_DATA_DIR``: the data directory holding one SQLite database and one token file per
  profile (default ``<user_data_dir>``); when set, the state file and the logs live there too.

Directories are created lazily, only by the functions that hand out paths inside them; the data
directory is created 0700 because it holds tokens and message history.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import platformdirs

APP_NAME = "smstui"
ENV_CONFIG = "SMSTUI_CONFIG"
ENV_DATA_DIR = "SMSTUI_DATA_DIR"

# Profile names become file names: keep them to a portable, unsurprising alphabet.
_PROFILE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class InvalidProfileName(ValueError):
    """A profile name that cannot safely be used as a file name."""


def validate_profile_name(name: str) -> str:
    """Return ``name`` if it is a safe profile name, else raise :class:`InvalidProfileName`."""
    if not isinstance(name, str) or not _PROFILE_RE.match(name) or name.endswith("."):
        raise InvalidProfileName(
            f"invalid profile name {name!r}: use 1-64 letters, digits, '_', '-' or '.', starting with a letter or digit"
        )
    return name


def _env_path(var: str) -> Path | None:
    value = os.environ.get(var, "").strip()
    return Path(value).expanduser() if value else None


def config_file() -> Path:
    """The config file path (not created; a missing file means defaults)."""
    override = _env_path(ENV_CONFIG)
    if override is not None:
        return override
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "config.toml"


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) if missing; the leaf is created 0700."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def data_dir(create: bool = True) -> Path:
    """The data directory (databases, token files); created 0700 on first use."""
    override = _env_path(ENV_DATA_DIR)
    path = override if override is not None else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    return ensure_private_dir(path) if create else path


def profile_db_path(profile: str) -> Path:
    """The SQLite database of one profile."""
    return data_dir() / f"{validate_profile_name(profile)}.sqlite3"


def token_path(profile: str) -> Path:
    """The file that holds a profile's API token (when the keyring is not used)."""
    return data_dir() / f"{validate_profile_name(profile)}.token"


def password_path(profile: str) -> Path:
    """The file that holds a profile's remembered password (only if the profile asks)."""
    return data_dir() / f"{validate_profile_name(profile)}.password"


def webhook_secret_path(profile: str) -> Path:
    """The file that holds the secret path of a profile's webhook receiver (smstui.webhook.secret)."""
    return data_dir() / f"{validate_profile_name(profile)}.webhook"


def state_file(create_dir: bool = False) -> Path:
    """The state file: what smstui learns (last profile, remembered email...), never the config.

    Next to the databases when ``SMSTUI_DATA_DIR`` is set (isolation, as for the logs), else in
    platformdirs' user state dir. The directory is made 0700 only when ``create_dir`` (writing).
    """
    override = _env_path(ENV_DATA_DIR)
    if override is not None:
        directory = data_dir(create=create_dir)
    else:
        directory = Path(platformdirs.user_state_dir(APP_NAME, appauthor=False))
        if create_dir:
            ensure_private_dir(directory)
    return directory / "state.toml"


def log_dir() -> Path:
    """The log directory; inside the data dir when ``SMSTUI_DATA_DIR`` is set, for isolation."""
    override = _env_path(ENV_DATA_DIR)
    if override is not None:
        return ensure_private_dir(data_dir() / "logs")
    return ensure_private_dir(Path(platformdirs.user_log_dir(APP_NAME, appauthor=False)))


def write_private(file: Path, payload: bytes) -> None:
    """Replace ``file`` with ``payload`` atomically; the file is 0600 from its first byte
    (mkstemp), so its content is never readable by others, even for an instant."""
    import tempfile  # only when writing

    fd, tmp = tempfile.mkstemp(prefix=f".{file.name}.", suffix=".tmp", dir=file.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, file)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
