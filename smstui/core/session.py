"""One session = one profile's config, store, credentials, client, outbox and syncer.

:func:`open_session` is the single factory the CLI, the TUI and the tests share (posting's
``make_posting`` idea), so they all read the same config the same way. It makes no request: the
app must open instantly on what the store already knows, online or not.

Resolution order for the profile: the ``profile`` argument (``--profile``), else
``SMSTUI_PROFILE``, else the config's ``default_profile``, else the profile last logged in to;
for the API URL: the ``api_url`` argument (``--api-url``), else ``SMSTUI_API_URL``, else the
profile's. What a login learns goes to the state file (:mod:`smstui.core.state_file`), never into the
config file, and is used only where the config does not say. The region for numbers without
``+country`` is the profile's, else what the phones' SIMs taught (:mod:`smstui.core.region`, kept in
the store); a store whose keys were made with another region is re-keyed on opening. Problems
in the config file do not stop the session: the defaults apply and
:attr:`Session.config_problems` lists what was wrong for the UI to show. An unknown profile or a bad URL given explicitly raises
:class:`smstui.core.config.ConfigError` with a sentence saying what to fix.

Network loop: the app calls :meth:`Session.start_network` to get a :class:`NetworkLoop`, an event
loop in a thread of its own where the refresh service runs, so parsing and storing thousands of
synced messages never holds up the UI's loop. The session's outbox then runs its gateway passes
(``process``/``send``) on that loop whoever awaits them: its lock (one pass at a time, no double
sends) only works within one loop. The client keeps one connection pool per loop. Without a
network loop (the CLI, most tests) everything runs on the caller's loop as before.

Secrets: the token (and the password, only when the profile says ``remember_password``) come from
:class:`smstui.core.secrets.TokenStore`/``PasswordStore`` (0600 files or the OS keyring). Every new token
the client fetches is saved through ``on_token``. Nothing here logs or shows a secret.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import replace
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from smstui.core import paths
from smstui.core.config import (
    Config,
    ConfigError,
    ConfigProblem,
    LoadedConfig,
    Profile,
    load_config,
    normalize_api_url,
    resolve_profile,
)
from smstui.core.region import Regions
from smstui.core.secrets import PasswordStore, Secret, SecretStoreError, TokenStore
from smstui.core.state_file import apply_state, load_state
from smstui.core.store.database import Store
from smstui.core.store.schema import from_ts

if TYPE_CHECKING:
    from smstui.core.api.client import GatewayClient
    from smstui.core.outbox import Outbox
    from smstui.core.region import RegionNews
    from smstui.core.sync import Syncer

log = logging.getLogger("smstui.core.session")

ClockLike = Callable[[], "float | datetime"]
T = TypeVar("T")


class NetworkLoop:
    """An asyncio event loop running in a daemon thread of its own, until :meth:`aclose`."""

    def __init__(self, name: str = "smstui-network") -> None:
        self.loop = asyncio.new_event_loop()
        self._closing = False
        self._lock = threading.Lock()
        self._started = threading.Event()
        self._thread = threading.Thread(target=self._main, name=name, daemon=True)
        self._thread.start()
        self._started.wait()

    def _main(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.call_soon(self._started.set)
        try:
            self.loop.run_forever()
        finally:
            self.loop.close()

    @property
    def is_current(self) -> bool:
        """Is the caller running on this loop?"""
        try:
            return asyncio.get_running_loop() is self.loop
        except RuntimeError:
            return False

    @property
    def is_open(self) -> bool:
        return not self._closing and self._thread.is_alive()

    def submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        """Schedule ``coro`` on this loop (from any thread); RuntimeError once closing."""
        with self._lock:
            if self._closing:
                coro.close()
                raise RuntimeError("the network loop is closed")
            return asyncio.run_coroutine_threadsafe(coro, self.loop)

    async def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Await ``coro`` run on this loop; cancelling the caller cancels it there too."""
        return await asyncio.wrap_future(self.submit(coro))

    async def aclose(self, cleanup: Callable[[], Awaitable[None]] | None = None) -> None:
        """Cancel what still runs there, await ``cleanup`` on the loop, stop the thread."""
        with self._lock:
            if self._closing:
                return
            self._closing = True
        if not self._thread.is_alive():
            return

        async def shutdown() -> None:
            current = asyncio.current_task()
            tasks = [t for t in asyncio.all_tasks() if t is not current]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            if cleanup is not None:
                try:
                    await cleanup()
                except Exception as exc:  # closing must go on
                    log.warning("closing the network loop: %s", type(exc).__name__)
            await self.loop.shutdown_asyncgens()

        try:
            await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(shutdown(), self.loop))
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            await asyncio.to_thread(self._thread.join, 10)


@cache
def _session_outbox_class() -> type:
    """:class:`SessionOutbox`, defined on first use: the outbox (and httpx behind the client) is
    not imported until a session needs it, so the app's first frame does not wait for them."""
    from smstui.core.outbox import Outbox

    class SessionOutbox(Outbox):
        """The session's outbox: gateway passes run on the session's network loop when it has one."""

        def __init__(self, session: Session, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._session = session

        async def process(self, *args: Any, **kwargs: Any) -> Any:
            return await self._session.on_network(super().process(*args, **kwargs))

        async def send(self, *args: Any, **kwargs: Any) -> Any:
            return await self._session.on_network(super().send(*args, **kwargs))

    return SessionOutbox


def __getattr__(name: str) -> Any:
    # ``smstui.core.session.SessionOutbox`` still works; the class is built on first use.
    if name == "SessionOutbox":
        return _session_outbox_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
        client: GatewayClient | Callable[[], GatewayClient],
        tokens: TokenStore,
        passwords: PasswordStore,
        problems: list[ConfigProblem],
        clock: Callable[[], float] | None = None,
        can_log_in: bool | None = None,
        regions: Regions | None = None,
    ) -> None:
        """``client`` may be a factory: the client (and with it the outbox and syncer) is then made
        on first use, so opening the app imports no HTTP code. ``can_log_in`` answers
        :attr:`logged_in` until then (a token, or email and password, for the factory's client)."""
        self._loaded = loaded
        self.config: Config = loaded.config
        if self.config.ui.timezone:
            from smstui.core.gateway_time import (
                configure_user_zone,  # only when set: no zoneinfo at start
            )

            configure_user_zone(self.config.ui.timezone)
        self.config_path: Path | None = loaded.path
        self.config_problems: list[ConfigProblem] = problems
        self.profile = profile
        self.store = store
        #: The default region for national numbers: the profile's, else learnt (smstui.core.region).
        self.regions = regions or Regions(store, profile.region)
        self._client: GatewayClient | None = None
        self._make_client: Callable[[], GatewayClient] | None = None
        if callable(client) and not hasattr(client, "base_url"):
            self._make_client = client
        else:
            self._client = client  # type: ignore[assignment]
        self._can_log_in = can_log_in
        self.tokens = tokens
        self.passwords = passwords
        self.clock = clock or store.now
        self.network: NetworkLoop | None = None
        #: Built on objects only this process has (a test's clock or transport): the app then
        #: syncs in this process, since a sync worker process could not rebuild the session.
        self.in_process_only = False
        self._outbox: Outbox | None = None
        self._syncer: Syncer | None = None
        # The UI's thread and the network loop's both reach for these: each is made once, under
        # this lock, or two Outbox objects (two single-send locks) could send one message twice.
        # Reentrant: making the syncer makes the outbox, which makes the client.
        self._lazy_lock = threading.RLock()

    # Client, outbox and syncer are made on first use (see __init__); each can also be replaced.

    @property
    def client(self) -> GatewayClient:
        client = self._client
        if client is not None:
            return client
        with self._lazy_lock:
            if self._client is None:
                assert self._make_client is not None
                from smstui.core.sync import load_account_zone

                client = self._make_client()
                # The profile's account_timezone, else what a previous run learnt (kept as learnt).
                client.zone = load_account_zone(self.store, self.profile.account_timezone)
                self._client = client
            return self._client

    @client.setter
    def client(self, value: GatewayClient) -> None:
        self._client = value

    @property
    def outbox(self) -> Outbox:
        outbox = self._outbox
        if outbox is not None:
            return outbox
        with self._lazy_lock:
            if self._outbox is None:
                self._outbox = _session_outbox_class()(
                    self, self.store, self.client, clock=self.clock, settle_margin=self.profile.settle_margin
                )
            return self._outbox

    @outbox.setter
    def outbox(self, value: Outbox) -> None:
        self._outbox = value

    @property
    def syncer(self) -> Syncer:
        syncer = self._syncer
        if syncer is not None:
            return syncer
        with self._lazy_lock:
            if self._syncer is None:
                from smstui.core.optout import ReplyWords
                from smstui.core.sync import Syncer

                optouts = self.config.optouts
                self._syncer = Syncer(
                    self.store,
                    self.client,
                    self.config.sync,
                    clock=self.clock,
                    fold=self.outbox.fold_from_sync,
                    regions=self.regions,
                    reply_words=ReplyWords(optouts.stop_words, optouts.start_words) if optouts.detect else None,
                )
            return self._syncer

    @syncer.setter
    def syncer(self, value: Syncer) -> None:
        self._syncer = value

    def __repr__(self) -> str:
        return f"Session(profile={self.profile.name!r}, api_url={self.profile.api_url!r}, logged_in={self.logged_in})"

    @property
    def region(self) -> str | None:
        """The region in effect: the profile's ``region``, else the one learnt from the phones'
        SIMs or chosen (see :mod:`smstui.core.region`); the store reads numbers with it."""
        return self.store.region

    async def learn_region(self) -> RegionNews | None:
        """Read the account's phones now (one ``getalldevices``) and learn the region from
        their SIMs (``smstui login``; the app's refresh does it with every device refresh)."""
        devices = await self.client.devices()
        self.store.save_devices(devices)
        return self.regions.learn(devices)

    @property
    def logged_in(self) -> bool:
        """A token, or credentials the client can fetch one with."""
        if self._client is None and self._can_log_in is not None:
            return self._can_log_in
        return self.client.has_token or self.client.can_login

    @property
    def refresh_interval(self) -> float:
        return float(self.config.ui.refresh_interval)

    async def ensure_zone(self) -> bool:
        """Learn the account's zone (for ``timetosend``) if not known; True when it is known.

        Free once known; see :meth:`GatewayClient.learn_account_zone`. Date filters do not need
        it (they name their zone), only the send times that the gateway reads on its own clock.
        """
        if self.client.zone.known:
            return True
        return await self.client.learn_account_zone()

    # ------------------------------------------------------------------ network loop

    def start_network(self) -> NetworkLoop:
        """The session's network loop, started on first use (see the module docstring)."""
        if self.network is None or not self.network.is_open:
            self.network = NetworkLoop(f"smstui-network-{self.profile.name}")
        return self.network

    async def on_network(self, coro: Coroutine[Any, Any, T]) -> T:
        """Await ``coro`` on the network loop if one runs (and it is not this one), else here."""
        network = self.network
        if network is None or network.is_current or not network.is_open:
            return await coro
        try:
            future = network.submit(coro)
        except RuntimeError:  # closed meanwhile; submit closed the coroutine
            raise RuntimeError("the session is closing") from None
        return await asyncio.wrap_future(future)

    async def _close_network(self) -> None:
        network, self.network = self.network, None
        if network is not None:
            await network.aclose(self._aclose_client)

    async def _aclose_client(self) -> None:
        if self._client is not None:  # never made: nothing to close
            await self._client.aclose()

    # ------------------------------------------------------------------ credentials

    async def login(
        self, email: str, password: Secret | str, *, remember: bool = False, api_url: str | None = None
    ) -> None:
        """Check the credentials against the gateway (``gettoken``) and keep the token (0600).

        Raises :class:`smstui.core.api.errors.AuthError` for wrong credentials and the client's other
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
            # Another account: its messages, phones and contacts are not this one's.
            self.syncer.reset()
            self.store.forget_account(f"written while logged in as {previous_email}; retry it to send it from {email}")
        self._remember(
            email=email, remember_password=remember, **({"api_url": self.profile.api_url} if api_url else {})
        )

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

    def _remember(self, **changes: Any) -> None:
        """Keep what a login taught in the state file (never in the user's config file)."""
        from smstui.core.state_file import save_state

        self.config = self.config.update_profile(self.profile.name, **changes)
        try:
            save_state(self.profile.name, make_last=True, **changes)
        except OSError as exc:
            # The login works; only the next start will not remember this profile's email.
            log.warning("cannot save the state file: %s", exc)
            self.config_problems.append(
                ConfigProblem(
                    f"The login works, but what it taught could not be saved ({exc.strerror or exc}): "
                    f"the next start will ask again. Check that {paths.state_file()} is writable."
                )
            )

    # ------------------------------------------------------------------ lifecycle

    async def aclose(self) -> None:
        try:
            await self._close_network()
            await self._aclose_client()
        finally:
            self.store.close()

    async def __aenter__(self) -> Session:
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
    loaded = loaded._replace(config=apply_state(loaded.config, load_state()))
    problems = list(loaded.problems)
    chosen = resolve_profile(loaded.config, profile, api_url)
    new_default = loaded.config.new_default_problem(chosen)
    if new_default is not None:
        problems.append(new_default)
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
    regions = Regions(store, chosen.region)
    try:
        regions.open()  # the region learnt before, or re-keying for a region changed in the config
    except BaseException:
        store.close()
        raise
    holder: list[Session] = []

    def on_token(new_token: str) -> None:
        if holder:
            holder[0]._save_token(new_token)

    def stored_token() -> str | None:
        saved = tokens.load(chosen.name)
        return saved.reveal() if saved else None

    def make_client() -> GatewayClient:
        from smstui.core.api.client import GatewayClient

        return GatewayClient(
            chosen.api_url,
            email=chosen.email or None,
            password=password,
            token=token,
            timeout=chosen.timeout,
            on_token=on_token,
            stored_token=stored_token,
            transport=transport,
            clock=None if epoch is None else (lambda: from_ts(epoch())),
        )

    session = Session(
        loaded=loaded,
        profile=chosen,
        store=store,
        client=make_client,
        tokens=tokens,
        passwords=passwords,
        problems=problems,
        clock=epoch,
        regions=regions,
        # What GatewayClient.has_token / can_login will say, without making the client.
        can_log_in=bool(token and token.reveal()) or bool(chosen.email and password and password.reveal()),
    )
    session.in_process_only = clock is not None or transport is not None
    holder.append(session)
    return session


__all__ = ["Session", "open_session"]
