"""Secrets that cannot leak by accident, and where they are kept.

:class:`Secret` wraps a string so that ``repr``, ``str``, f-strings, logging and tracebacks show
``Secret('********')``; only :meth:`Secret.reveal` gives the value, and it refuses to be pickled.

:class:`TokenStore` keeps one API token per profile, :class:`PasswordStore` one password per
profile (used only when the profile says ``remember_password``). Both store either

- in a file under the data dir, created 0600 from the first byte (``os.open(..., 0o600)`` on a
  temporary name, then ``os.replace``), or
- in the OS keyring, when the optional ``keyring`` package is importable and the config
  (``[secrets] keyring = true``) or the environment (``SMSTUI_KEYRING=1``) asks for it.

Nothing here ever logs or raises with a secret value in it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any, NoReturn

from smstui.core import paths

log = logging.getLogger(__name__)

ENV_KEYRING = "SMSTUI_KEYRING"
KEYRING_SERVICE = "smstui"
_MASK = "********"


class Secret:
    """A string that hides itself. Compare with ``==``; read with :meth:`reveal`."""

    __slots__ = ("_value",)
    _value: str  # set once in __init__ (past the __setattr__ that refuses every change)

    def __init__(self, value: str) -> None:
        if isinstance(value, Secret):
            value = value.reveal()
        if not isinstance(value, str):
            raise TypeError(f"Secret wraps a str, not {type(value).__name__}")
        object.__setattr__(self, "_value", value)

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"Secret('{_MASK}')"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return repr(self)

    def __setattr__(self, name: str, value: Any) -> NoReturn:
        raise AttributeError("Secret is immutable")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        # Constant-time, so comparing tokens does not leak them through timing.
        import hmac  # not at start-up: ~1.5 ms, for a comparison the app rarely makes

        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash((Secret, self._value))

    def __bool__(self) -> bool:
        return bool(self._value)

    def __len__(self) -> int:
        return len(self._value)

    def __reduce_ex__(self, protocol: object) -> NoReturn:
        raise TypeError("Secret values are not picklable; store them with TokenStore/PasswordStore")

    def __copy__(self) -> Secret:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Secret:
        return self


class SecretStoreError(RuntimeError):
    """A secret could not be read or written (the message never contains the secret)."""


def keyring_requested(config_flag: bool = False) -> bool:
    """Whether the config or ``SMSTUI_KEYRING`` asks for the OS keyring."""
    env = os.environ.get(ENV_KEYRING, "").strip().lower()
    if env in ("1", "true", "yes", "on"):
        return True
    if env in ("0", "false", "no", "off"):
        return False
    return config_flag


def _import_keyring() -> ModuleType | None:
    # By name: the optional package may be absent, and a plain import of it would need a
    # type-checker exception that turns wrong once it is installed.
    import importlib

    try:
        return importlib.import_module("keyring")
    except ImportError:
        return None


class _SecretStore:
    """Per-profile storage of one kind of secret (see module docstring)."""

    kind = "secret"
    _path_for: Callable[[str], Path] = staticmethod(paths.token_path)

    def __init__(self, use_keyring: bool | None = None, *, config_flag: bool = False) -> None:
        wanted = keyring_requested(config_flag) if use_keyring is None else use_keyring
        self._keyring = _import_keyring() if wanted else None
        if wanted and self._keyring is None:
            log.warning(
                "the OS keyring was requested but the 'keyring' package is not installed; "
                "storing %ss in 0600 files instead (pip install 'smstui[keyring]')",
                self.kind,
            )

    @property
    def backend(self) -> str:
        return "keyring" if self._keyring is not None else "file"

    def location(self, profile: str) -> str:
        """Where the secret of ``profile`` lives, for messages (never the value)."""
        if self._keyring is not None:
            return f"OS keyring ({KEYRING_SERVICE}/{self._username(profile)})"
        return str(self._path_for(profile))

    def _username(self, profile: str) -> str:
        return f"{paths.validate_profile_name(profile)}:{self.kind}"

    def load(self, profile: str) -> Secret | None:
        if self._keyring is not None:
            value = self._keyring_call("read", self._keyring.get_password, KEYRING_SERVICE, self._username(profile))
            return Secret(value) if value else None
        path = self._path_for(profile)
        try:
            value = paths.read_private(path)
        except (OSError, UnicodeDecodeError) as exc:
            raise SecretStoreError(
                f"cannot read the {self.kind} file {path} ({paths.os_reason(exc)}); "
                "fix its permissions or delete it and log in again"
            ) from None
        return Secret(value) if value else None

    def save(self, profile: str, value: Secret | str) -> None:
        secret = value if isinstance(value, Secret) else Secret(value)
        if not secret:
            raise SecretStoreError(f"refusing to save an empty {self.kind}")
        if self._keyring is not None:
            self._keyring_call(
                "save", self._keyring.set_password, KEYRING_SERVICE, self._username(profile), secret.reveal()
            )
        else:
            _write_private(self._path_for(profile), secret.reveal(), self.kind)
        log.info("saved the %s of profile %r (%s)", self.kind, profile, self.backend)

    def clear(self, profile: str) -> None:
        if self._keyring is not None:
            try:
                self._keyring.delete_password(KEYRING_SERVICE, self._username(profile))
            except Exception as exc:  # keyring raises PasswordDeleteError when nothing is stored
                if type(exc).__name__ != "PasswordDeleteError":
                    raise SecretStoreError(
                        f"cannot remove the {self.kind} from the OS keyring: {type(exc).__name__}"
                    ) from None
        # Also remove a file left over from before the keyring was switched on.
        try:
            self._path_for(profile).unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise SecretStoreError(f"cannot delete {self._path_for(profile)} ({paths.os_reason(exc)})") from None
        log.info("cleared the %s of profile %r", self.kind, profile)

    def _keyring_call(self, action: str, fn: Callable[..., Any], *args: Any) -> Any:
        try:
            return fn(*args)
        except Exception as exc:  # backends raise many types; the message may echo arguments
            raise SecretStoreError(
                f"cannot {action} the {self.kind} in the OS keyring ({type(exc).__name__}); "
                f"unset {ENV_KEYRING} / [secrets] keyring to use a 0600 file instead"
            ) from None


class TokenStore(_SecretStore):
    kind = "token"
    _path_for = staticmethod(paths.token_path)


class PasswordStore(_SecretStore):
    """Only used when the profile says ``remember_password = true``."""

    kind = "password"
    _path_for = staticmethod(paths.password_path)


def _write_private(path: Path, value: str, kind: str) -> None:
    """Write ``value`` to ``path`` atomically; the file is 0600 from creation, not chmod-after."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        try:
            tmp.unlink()  # a stale temp from a crash; O_EXCL below must create a fresh file
        except FileNotFoundError:
            pass
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(value)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        try:
            tmp.unlink()
        except OSError:
            pass
        raise SecretStoreError(f"cannot write the {kind} file {path} ({paths.os_reason(exc)})") from None
