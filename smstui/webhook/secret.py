"""The receiver's secret: the unguessable path the gateway posts to, one per profile.

The vendor's webhooks carry no signature, so the URL is the key: 32 random bytes
(``secrets.token_urlsafe``, 43 characters), kept in a 0600 file beside the profile's token
(``<data dir>/<profile>.webhook``, written atomically by ``paths.write_private``). It is made
on the first ``smstui webhook serve`` and replaced by ``smstui webhook rotate``; a running
receiver reads the file again when it changes (:class:`SecretFile`), so after a rotation the
old URL stops working at once. The value is held as a :class:`smstui.core.secrets.Secret`, so
no repr or log line shows it.
"""

from __future__ import annotations

import os
import re
import secrets as _random
from pathlib import Path

from smstui.core import paths
from smstui.core.secrets import Secret

_SHAPE = re.compile(r"[A-Za-z0-9_-]{32,128}")


class SecretFileError(Exception):
    """The secret file cannot be read or written; the message says which file and what to do."""


def new_secret() -> Secret:
    return Secret(_random.token_urlsafe(32))


def secret_path(profile: str) -> Path:
    return paths.webhook_secret_path(profile)


def load(path: Path) -> Secret | None:
    """The secret in ``path``; None when there is none yet."""
    try:
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise SecretFileError(
            f"cannot read the webhook secret {path}: {_why(exc)}; run `smstui webhook rotate`"
        ) from None
    if not _SHAPE.fullmatch(text):
        raise SecretFileError(
            f"the webhook secret {path} is damaged (not a secret smstui wrote); run `smstui webhook rotate` "
            "and paste the new URL into the vendor's device settings"
        )
    return Secret(text)


def save(path: Path, secret: Secret) -> None:
    try:
        paths.write_private(path, (secret.reveal() + "\n").encode("ascii"))
    except OSError as exc:
        raise SecretFileError(f"cannot write the webhook secret {path}: {_why(exc)}") from None


def load_or_create(path: Path) -> tuple[Secret, bool]:
    """The secret in ``path``, made and saved when there is none; (secret, made now)."""
    found = load(path)
    if found is not None:
        return found, False
    made = new_secret()
    save(path, made)
    return made, True


def rotate(path: Path) -> Secret:
    """Replace the secret (the old URL stops working); returns the new one."""
    made = new_secret()
    save(path, made)
    return made


class SecretFile:
    """The current secret of a file, read again when the file changes (a rotation while the
    receiver runs). A file gone or damaged meanwhile answers "" (no path matches) until it is
    fixed: better no webhook than one accepted on a secret the user meant to revoke."""

    def __init__(self, path: Path, secret: Secret) -> None:
        self.path = path
        self._secret = secret
        self._stamp = self._stat()

    def __repr__(self) -> str:
        return f"SecretFile({str(self.path)!r})"

    def _stat(self) -> tuple[int, int, int] | None:
        try:
            st = os.stat(self.path)
        except OSError:
            return None
        return (st.st_mtime_ns, st.st_ino, st.st_size)

    def __call__(self) -> str:
        stamp = self._stat()
        if stamp != self._stamp:
            self._stamp = stamp
            try:
                found = load(self.path)
            except SecretFileError:
                found = None
            self._secret = found if found is not None else Secret("")
        return self._secret.reveal()


def _why(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc)


__all__ = ["SecretFile", "SecretFileError", "load", "load_or_create", "new_secret", "rotate", "save", "secret_path"]
