"""Running the receiver: uvicorn on a socket bound first, so the printed URL names the real port.

``smstui webhook serve``, the app and the tests all run :class:`ReceiverThread`: uvicorn in a
thread of its own, stopped by its owner (the command on Ctrl+C or SIGTERM: uvicorn stops taking
connections and finishes the requests under way).

The socket is bound and listening before uvicorn starts, so a port in use is a clear
:class:`ListenError` before anything else happens, ``--listen HOST:0`` picks a free port that
the URL then names, and a request made at once waits in the socket's backlog instead of
failing: no one has to wait for "ready". uvicorn's access log is off and its own proxy-header
handling too (``trust_proxy`` in smstui.webhook.receiver decides which address a request comes
from); no log line names a path, so the secret appears only where the URL is printed.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import threading
from types import TracebackType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

    from starlette.applications import Starlette
    from starlette.types import ASGIApp

    from smstui.core.secrets import Secret
    from smstui.core.session import Session
    from smstui.webhook.apply import Applier

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8787
DEFAULT_LISTEN = f"{DEFAULT_HOST}:{DEFAULT_PORT}"


class ListenError(Exception):
    """The receiver cannot listen where it was asked; the message says why and what to do."""


def parse_listen(text: str) -> tuple[str, int]:
    """``HOST:PORT``, ``[v6]:PORT``, ``:PORT`` (loopback) or ``PORT``; ValueError with a
    sentence for the user otherwise."""
    value = text.strip()
    hint = "use HOST:PORT, e.g. 127.0.0.1:8787, [::1]:8787 or 0.0.0.0:8787 (port 0 = any free port)"
    if not value:
        raise ValueError(f"--listen is empty; {hint}")
    if value.startswith("["):
        host, sep, port = value[1:].partition("]:")
        if not sep:
            raise ValueError(f"--listen {text!r} is not HOST:PORT; {hint}")
    elif value.isdigit():
        host, port = DEFAULT_HOST, value
    else:
        host, sep, port = value.rpartition(":")
        if not sep or ":" in host:
            raise ValueError(f"--listen {text!r} is not HOST:PORT; {hint}")
        host = host or DEFAULT_HOST
    if not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ValueError(f"--listen {text!r}: the port must be a number from 0 to 65535; {hint}")
    if not host or any(c.isspace() for c in host) or len(host) > 253:
        raise ValueError(f"--listen {text!r}: no host; {hint}")
    return host, int(port)


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` (0 = a free port), or :class:`ListenError`."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise ListenError(f"cannot listen on {host}:{port}: {_why(exc)} (not an address of this machine?)") from None
    family, _type, proto, _name, address = infos[0]
    # proto must say TCP: asyncio sets TCP_NODELAY only on accepted sockets whose proto is
    # IPPROTO_TCP, and without it each answer may wait ~40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, proto or socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise ListenError(
            f"cannot listen on {host}:{port}: {_why(exc)}; pick another --listen (port 0 = any free port)"
        ) from None
    return sock


def url_for(sock: socket.socket, secret: Secret, host: str | None = None) -> str:
    """``http://HOST:PORT/<secret>`` with the port the socket really has. A wildcard address
    (0.0.0.0, ::) is kept as given: the user knows which public name points at it."""
    bound_host, port = sock.getsockname()[:2]
    shown = host or bound_host
    try:
        if ipaddress.ip_address(shown).version == 6:
            shown = f"[{shown}]"
    except ValueError:
        pass  # a host name
    return f"http://{shown}:{port}/{secret.reveal()}"


def make_receiver(
    session: Session,
    *,
    trust_proxy: bool = False,
    on_change: Callable[[frozenset[str]], None] | None = None,
    on_unknown: Callable[[int], None] | None = None,
    confirm: Callable[[int], Any] | None = None,
) -> tuple[Starlette, Applier, Secret]:
    """The receiver of ``session``'s profile: its app, its applier (``aclose()`` it when done)
    and the secret its URL names (made on first use, 0600; see smstui.webhook.secret).
    Confirmations use the session's client, dates are read in the account's zone as the sync
    reads them, and STOP replies with the profile's words. ``on_change`` and ``on_unknown``
    (see :class:`~smstui.webhook.apply.Applier`) are called on the receiver's thread (the app
    hands them on with ``call_from_thread``). ``confirm`` asks the gateway about an sms_id
    (default: the session's client directly; the app routes it to its network loop).

    Raises :class:`smstui.webhook.secret.SecretFileError` when the secret file is unusable."""
    from smstui.webhook import secret as secrets
    from smstui.webhook.apply import Applier
    from smstui.webhook.receiver import create_app

    path = secrets.secret_path(session.profile.name)
    secret, _made = secrets.load_or_create(path)
    client = session.client
    applier = Applier(
        session.store,
        confirm or client.sms_status,
        reply_words=session.syncer.reply_words,
        account_zone=lambda: client.zone.for_reading(),
        on_change=on_change,
        on_unknown=on_unknown,
    )
    app = create_app(applier, secrets.SecretFile(path, secret), trust_proxy=trust_proxy)
    return app, applier, secret


def _config(app: ASGIApp) -> Any:
    import uvicorn  # imports click: only when serving (smstui.webhook is core-like)

    return uvicorn.Config(
        app,
        log_config=None,  # smstui's own logging (smstui.core.logs) stays as it is
        log_level="warning",
        access_log=False,  # an access line would carry the path, which is the secret
        proxy_headers=False,  # the receiver's trust_proxy decides, not uvicorn's default
        server_header=False,
        lifespan="off",
        timeout_graceful_shutdown=5,
        limit_concurrency=200,  # more at once answer 503 before any of our code runs
    )


class ReceiverThread:
    """The receiver in a thread of its own: for ``smstui webhook serve``, the app and the tests.

    ``start()`` binds (raising :class:`ListenError`) and returns at once; requests made right
    after wait in the socket's backlog until the server takes them. ``stop()`` ends it (uvicorn
    finishes the requests under way first); ``done`` is set when the thread has ended, for
    whatever reason (``error`` says which, if it failed).

    In a thread uvicorn installs no signal handlers: the owner decides what Ctrl+C does. (In the
    main thread, uvicorn's ``serve`` would re-raise the signal after its shutdown, so SIGTERM
    would kill the process before it could close the store and say it stopped.)
    """

    def __init__(self, app: ASGIApp, host: str = DEFAULT_HOST, port: int = 0) -> None:
        self.app = app
        self.host = host
        self.port = port
        self._sock: socket.socket | None = None
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self.error: BaseException | None = None
        self.done = threading.Event()

    def __repr__(self) -> str:
        return f"ReceiverThread({self.host}:{self.port}, running={self.running})"

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def url(self, secret: Secret) -> str:
        assert self._sock is not None, "start() first"
        return url_for(self._sock, secret, self.host)

    def start(self) -> ReceiverThread:
        import uvicorn

        sock = bind(self.host, self.port)
        self._sock, self.port = sock, sock.getsockname()[1]
        server = uvicorn.Server(_config(self.app))
        # uvicorn installs signal handlers only in the main thread; here the app owns them.
        self._server = server

        def run() -> None:
            try:
                asyncio.run(server.serve(sockets=[sock]))
            except BaseException as exc:  # kept for the owner: a thread cannot raise to it
                self.error = exc
            finally:
                sock.close()
                self.done.set()

        self._thread = threading.Thread(target=run, name=f"smstui-webhook:{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        if self._server is not None:
            self._server.should_exit = True
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def __enter__(self) -> ReceiverThread:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def _why(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc)


__all__ = [
    "DEFAULT_LISTEN",
    "ListenError",
    "ReceiverThread",
    "bind",
    "make_receiver",
    "parse_listen",
    "url_for",
]
