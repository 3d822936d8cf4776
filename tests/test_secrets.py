"""Secret redaction and the per-profile token/password stores (file and keyring backends)."""

from __future__ import annotations

import copy
import logging
import os
import pickle
import stat
import sys
import types
from pathlib import Path

import pytest

from smstui.core import paths
from smstui.core.secrets import (
    PasswordStore,
    Secret,
    SecretStoreError,
    TokenStore,
    keyring_requested,
)

TOKEN = "tok-3f9a7c1e0b2d4455"


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SMSTUI_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("SMSTUI_KEYRING", raising=False)
    return tmp_path


# --- Secret ----------------------------------------------------------------------------------


def test_secret_is_redacted_everywhere() -> None:
    secret = Secret(TOKEN)
    for shown in (
        repr(secret),
        str(secret),
        f"{secret}",
        f"{secret!r}",
        "%s" % secret,  # noqa: UP031 - the old formatting path is one of the cases
        repr([secret]),
        repr({"token": secret}),
    ):
        assert TOKEN not in shown
    assert repr(secret) == "Secret('********')"
    assert str(secret) == "Secret('********')"
    assert secret.reveal() == TOKEN


def test_secret_equality_and_hash() -> None:
    assert Secret(TOKEN) == Secret(TOKEN)
    assert Secret(TOKEN) != Secret(TOKEN + "x")
    assert Secret(TOKEN) != TOKEN  # a plain str never equals a Secret
    assert len({Secret(TOKEN), Secret(TOKEN)}) == 1
    assert Secret(Secret(TOKEN)) == Secret(TOKEN)


def test_secret_not_picklable_and_immutable() -> None:
    secret = Secret(TOKEN)
    with pytest.raises(TypeError, match="not picklable"):
        pickle.dumps(secret)
    with pytest.raises(AttributeError):
        secret._value = "other"  # type: ignore[misc]
    assert copy.deepcopy(secret) == secret


def test_secret_rejects_non_str() -> None:
    with pytest.raises(TypeError):
        Secret(123)  # type: ignore[arg-type]


def test_secret_redacted_in_logs(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("test").info("token is %s / %r", Secret(TOKEN), Secret(TOKEN))
    assert TOKEN not in caplog.text


# --- file backend ----------------------------------------------------------------------------


def test_token_roundtrip_file_0600(isolated: Path, caplog: pytest.LogCaptureFixture) -> None:
    store = TokenStore(use_keyring=False)
    assert store.backend == "file"
    assert store.load("default") is None
    with caplog.at_level(logging.DEBUG, logger="smstui"):
        store.save("default", TOKEN)
    path = paths.token_path("default")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    assert store.load("default") == Secret(TOKEN)
    assert TOKEN not in caplog.text
    assert sorted(p.name for p in path.parent.iterdir()) == ["default.token"]
    store.clear("default")
    assert store.load("default") is None
    store.clear("default")  # clearing twice is fine


def test_file_created_0600_even_with_permissive_umask() -> None:
    old = os.umask(0)
    try:
        TokenStore(use_keyring=False).save("p", TOKEN)
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(paths.token_path("p")).st_mode) == 0o600


def test_save_overwrites_and_profiles_are_separate() -> None:
    store = TokenStore(use_keyring=False)
    store.save("a", "one")
    store.save("b", "two")
    store.save("a", Secret("three"))
    assert store.load("a") == Secret("three")
    assert store.load("b") == Secret("two")


def test_password_store_is_separate_from_tokens() -> None:
    TokenStore(use_keyring=False).save("default", TOKEN)
    passwords = PasswordStore(use_keyring=False)
    assert passwords.load("default") is None
    passwords.save("default", "hunter2")
    assert passwords.load("default") == Secret("hunter2")
    assert stat.S_IMODE(os.stat(paths.password_path("default")).st_mode) == 0o600
    assert TokenStore(use_keyring=False).load("default") == Secret(TOKEN)


def test_empty_secret_refused() -> None:
    with pytest.raises(SecretStoreError, match="empty"):
        TokenStore(use_keyring=False).save("default", "")


def test_unreadable_token_file_error_has_no_value(isolated: Path) -> None:
    path = paths.token_path("default")
    path.write_bytes(b"\xff\xfe" + TOKEN.encode())
    with pytest.raises(SecretStoreError) as info:
        TokenStore(use_keyring=False).load("default")
    assert TOKEN not in str(info.value)
    assert "delete it" in str(info.value)


def test_bad_profile_name_rejected() -> None:
    with pytest.raises(ValueError, match="invalid profile name"):
        TokenStore(use_keyring=False).save("../x", TOKEN)


# --- keyring backend -------------------------------------------------------------------------


class FakeKeyring(types.ModuleType):
    def __init__(self) -> None:
        super().__init__("keyring")
        self.data: dict[tuple[str, str], str] = {}
        self.fail = False

    def get_password(self, service: str, user: str) -> str | None:
        if self.fail:
            raise RuntimeError(f"backend broke for {service}/{user}")
        return self.data.get((service, user))

    def set_password(self, service: str, user: str, value: str) -> None:
        if self.fail:
            raise RuntimeError(f"backend refused {value}")  # a careless backend echoing the value
        self.data[(service, user)] = value

    def delete_password(self, service: str, user: str) -> None:
        if (service, user) not in self.data:
            raise type("PasswordDeleteError", (Exception,), {})("nothing stored")
        del self.data[(service, user)]


@pytest.fixture
def fake_keyring(monkeypatch: pytest.MonkeyPatch) -> FakeKeyring:
    fake = FakeKeyring()
    monkeypatch.setitem(sys.modules, "keyring", fake)
    return fake


def test_keyring_requested_by_env_or_config(monkeypatch: pytest.MonkeyPatch) -> None:
    assert keyring_requested() is False
    assert keyring_requested(config_flag=True) is True
    monkeypatch.setenv("SMSTUI_KEYRING", "1")
    assert keyring_requested() is True
    monkeypatch.setenv("SMSTUI_KEYRING", "0")
    assert keyring_requested(config_flag=True) is False


def test_keyring_used_when_env_asks(fake_keyring: FakeKeyring, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMSTUI_KEYRING", "1")
    store = TokenStore()
    assert store.backend == "keyring"
    store.save("default", TOKEN)
    assert fake_keyring.data == {("smstui", "default:token"): TOKEN}
    assert not paths.token_path("default").exists()
    assert store.load("default") == Secret(TOKEN)
    store.clear("default")
    assert store.load("default") is None
    store.clear("default")  # PasswordDeleteError is swallowed


def test_keyring_not_used_unless_asked(fake_keyring: FakeKeyring) -> None:
    TokenStore().save("default", TOKEN)
    assert fake_keyring.data == {}
    assert paths.token_path("default").exists()


def test_keyring_errors_are_typed_and_redacted(fake_keyring: FakeKeyring) -> None:
    fake_keyring.fail = True
    store = TokenStore(use_keyring=True)
    with pytest.raises(SecretStoreError) as info:
        store.save("default", TOKEN)
    assert TOKEN not in str(info.value)
    assert info.value.__cause__ is None and info.value.__suppress_context__
    with pytest.raises(SecretStoreError, match="0600 file"):
        store.load("default")


def test_keyring_requested_but_missing_falls_back_to_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "keyring", None)  # makes `import keyring` fail
    store = TokenStore(use_keyring=True)
    assert store.backend == "file"
    store.save("default", TOKEN)
    assert store.load("default") == Secret(TOKEN)
