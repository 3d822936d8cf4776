"""One session = one profile's config, store, credentials, client, outbox and syncer.

:func:`open_session` is the single factory the CLI, the TUI and the tests share (posting's
``make_posting`` idea), so they all read the same config the same way. It makes no request: the
app must open instantly on what the store already knows, online or not.

Resolution order for the profile: the ``profile`` argument (``--profile``), else
``SMSTUI_PROFILE``, else the config's ``default_profile``; for the API URL: the ``api_url``
argument (``--api-url``), else ``SMSTUI_API_URL``, else the profile's. Problems in the config file
do not stop the session: the defaults apply and :attr:`Session.config_problems` lists what was
wrong for the UI to show. An unknown profile or a bad URL given explicitly raises
:class:`smstui.config.ConfigError` with a sentence saying what to fix.

Secrets: the token (and the password, only when the profile says ``remember_password``) come from
:class:`smstui.secrets.TokenStore`/``PasswordStore`` (0600 files or the OS keyring). Every new token
the client fetches is saved through ``on_token``. Nothing here logs or shows a secret.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from smstui import paths
from smstui.api.client import GatewayClient
from smstui.config import (
    Config,
    ConfigError,
    ConfigProblem,
    LoadedConfig,
    Profile,
    load_config,
    normalize_api_url,
    resolve_profile,
    save_config,
)
from smstui.outbox import Outbox
from smstui.secrets import PasswordStore, Secret, SecretStoreError, TokenStore
from smstui.store import Store
from smstui.sync import Syncer

log = logging.getLogger("smstui.session")

ClockLike = Callable[[], "float | datetime"]


def _epoch_clock(clock: ClockLike | None) -> Callable[[], float] | None:
    """Accept a clock returning epoch seconds or an aware datetime (the simulator's FakeClock)."""
    if clock is None:
        return None

    def now() -> float:
        value = clock()
        return value.timestamp() if isinstance(value, datetime) else float(value)

    return now


class Session:
    """Everything one profile needs, opened together and closed together (``aclose``)."""

    def __init__(
        self,
        *,
        loaded: LoadedConfig,
        profile: Profile,
        store: Store,
        client: GatewayClient,
        tokens: TokenStore,
        passwords: PasswordStore,
        problems: list[ConfigProblem],
        clock: Callable[[], float] | None = None,
    ) -> None:
        self._loaded = loaded
        self.config: Config = loaded.config
        self.config_path: Path | None = loaded.path
        self.config_problems: list[ConfigProblem] = problems
        self.profile = profile
        self.store = store
        self.client = client
        self.tokens = tokens
        self.passwords = passwords
        self.clock = clock or store.now
        self.outbox = Outbox(store, client, clock=self.clock)
        self.syncer = Syncer(store, client, self.config.sync, clock=self.clock, fold=self.outbox.fold_from_sync)

    def __repr__(self) -> str:
        return f"Session(profile={self.profile.name!r}, api_url={self.profile.api_url!r}, logged_in={self.logged_in})"

    @property
    def region(self) -> str | None:
        return self.profile.region

    @property
    def logged_in(self) -> bool:
        """A token, or credentials the client can fetch one with."""
        return self.client.has_token or self.client.can_login

    @property
    def refresh_interval(self) -> float:
        return float(self.config.ui.refresh_interval)

    async def ensure_zone(self) -> bool:
        """Make the client write dates (``timetosend``, date filters) in the account's zone.

        Use this instead of ``client.ensure_timezone()``, which learns the zone from device dates
        (the gateway sends those in UTC). Free once learnt; see :func:`smstui.sync.ensure_gateway_zone`.
        """
        from smstui.sync import ensure_gateway_zone

        return await ensure_gateway_zone(self.client, self.store, self.clock())

    # ------------------------------------------------------------------ credentials

    async def login(
        self, email: str, password: Secret | str, *, remember: bool = False, api_url: str | None = None
    ) -> None:
        """Check the credentials against the gateway (``gettoken``) and keep the token (0600).

        Raises :class:`smstui.api.errors.AuthError` for wrong credentials and the client's other
        errors when the gateway cannot be reached; nothing is saved then.
        """
        email = email.strip()
        secret = password if isinstance(password, Secret) else Secret(password)
        url = normalize_api_url(api_url) if api_url else self.client.base_url
        before = (self.client.base_url, self.client.email, self.client._password)
        self.client.base_url = url
        try:
            await self.client.get_token(email, secret)  # on_token saves the token
        except BaseException:
            # A failed login must not leave the session with the wrong credentials or URL.
            self.client.base_url = before[0]
            self.client.set_credentials(before[1], before[2])
            raise
        self.profile = replace(self.profile, api_url=url)
        previous_email = self.profile.email
        self.client.set_credentials(email, secret)
        if remember:
            self.passwords.save(self.profile.name, secret)
        else:
            self._clear(self.passwords)
        self.profile = replace(self.profile, email=email, remember_password=remember)
        if previous_email and previous_email.lower() != email.lower():
            # Another account: its messages are not this one's; start sync afresh.
            self.syncer.reset()
        self._save_profile(email=email, remember_password=remember, **({"api_url": self.profile.api_url} if api_url else {}))

    async def logout(self) -> None:
        """Forget the token and any remembered password of this profile."""
        self._clear(self.tokens)
        self._clear(self.passwords)
        self.client.set_token(None)
        self.client.set_credentials(self.profile.email or None, None)

    def _clear(self, secrets: TokenStore | PasswordStore) -> None:
        try:
            secrets.clear(self.profile.name)
        except SecretStoreError as exc:
            self.config_problems.append(ConfigProblem(str(exc)))

    def _save_token(self, token: str) -> None:
        try:
            self.tokens.save(self.profile.name, Secret(token))
        except SecretStoreError as exc:
            # The session still works; only the next start will have to log in again.
            log.warning("%s", exc)
            self.config_problems.append(ConfigProblem(str(exc)))

    def _save_profile(self, **changes: Any) -> None:
        if self._loaded.problems:
            # Saving would replace the user's (broken) file with our reading of it.
            self.config_problems.append(
                ConfigProblem(
                    "The login works, but the config file was not updated because it has problems "
                    f"(see above). Fix {self.config_path} and add the profile {self.profile.name!r} by hand."
                )
            )
            return
        config = self.config.update_profile(self.profile.name, **changes)
        if not self.config.profiles:
            config = replace(config, default_profile=self.profile.name)
        self.config = config
        save_config(config, self.config_path)

    # ------------------------------------------------------------------ lifecycle

    async def aclose(self) -> None:
        try:
            await self.client.aclose()
        finally:
            self.store.close()

    async def __aenter__(self) -> "Session":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


def open_session(
    *,
    config_path: str | Path | None = None,
    profile: str | None = None,
    api_url: str | None = None,
    clock: ClockLike | None = None,
    transport: Any = None,
    db_path: str | Path | None = None,
) -> Session:
    """Open config, store, credentials and client of one profile. No network.

    ``clock`` (epoch seconds or aware datetimes) drives the store, sync and outbox; tests pass
    the simulator's FakeClock. ``transport`` is handed to httpx (tests); ``db_path`` overrides the
    profile's database file.
    """
    loaded = load_config(config_path)
    problems = list(loaded.problems)
    chosen = resolve_profile(loaded.config, profile, api_url)
    tokens = TokenStore(config_flag=loaded.config.secrets.keyring)
    passwords = PasswordStore(config_flag=loaded.config.secrets.keyring)
    token: Secret | None = None
    password: Secret | None = None
    try:
        token = tokens.load(chosen.name)
    except SecretStoreError as exc:
        problems.append(ConfigProblem(str(exc)))
    if chosen.remember_password:
        try:
            password = passwords.load(chosen.name)
        except SecretStoreError as exc:
            problems.append(ConfigProblem(str(exc)))
    epoch = _epoch_clock(clock)
    try:
        database = Path(db_path) if db_path is not None else paths.profile_db_path(chosen.name)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    store = Store(database, region=chosen.region, clock=epoch)
    holder: list[Session] = []

    def on_token(new_token: str) -> None:
        if holder:
            holder[0]._save_token(new_token)

    client = GatewayClient(
        chosen.api_url,
        email=chosen.email or None,
        password=password,
        token=token,
        timeout=chosen.timeout,
        on_token=on_token,
        transport=transport,
    )
    session = Session(
        loaded=loaded, profile=chosen, store=store, client=client, tokens=tokens, passwords=passwords,
        problems=problems, clock=epoch,
    )
    holder.append(session)
    return session


__all__ = ["Session", "open_session"]
