"""Run the simulator's HTTP server in a background thread on a free loopback port."""

from __future__ import annotations

import asyncio
import socket
import threading
from types import TracebackType

import uvicorn

from smstui.simulator import seed
from smstui.simulator.clock import Clock
from smstui.simulator.faults import Faults, WebhookFaults
from smstui.simulator.server import create_app
from smstui.simulator.state import SimState
from smstui.simulator.stats import Stats
from smstui.simulator.webhooks import WebhookSender

START_TIMEOUT = 15.0


class SimulatorError(RuntimeError):
    """The simulator could not start (port taken, bad host, ...)."""


class _Server(uvicorn.Server):
    """uvicorn's server, telling us when it accepts connections instead of us polling a port."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = threading.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        await super().startup(sockets)
        self.ready.set()

    async def main_loop(self) -> None:
        # uvicorn polls should_exit every 0.1 s; waking on an event makes stop() immediate,
        # which adds up over hundreds of tests. on_tick still runs (Date header, exit checks).
        counter = 0
        while not await self.on_tick(counter):
            counter = (counter + 10) % 864000
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=1.0)
            except TimeoutError:
                pass

    def request_exit(self) -> None:
        self.should_exit = True
        loop = getattr(self, "_loop", None)
        if loop is not None and not loop.is_closed():
            try:
                loop.call_soon_threadsafe(self._wake.set)
            except RuntimeError:  # the loop closed between the check and the call
                pass


def make_state(
    *,
    clock: Clock | None = None,
    step_seconds: float = 4.0,
    data: str = "empty",
    ambient_seconds: float | None = None,
    rng_seed: int = 42,
    zone: str | None = None,
) -> SimState:
    """A state with the demo account and phones; ``data="demo"`` adds the sample history.

    ``zone`` is the account's time zone, as set in the vendor's account settings."""
    state = SimState(clock, step_seconds=step_seconds, ambient_seconds=ambient_seconds)
    seed.base(state, zone=zone or seed.DEMO_TIMEZONE)
    if data == "demo":
        seed.demo(state, rng_seed=rng_seed)
    elif data == "empty":
        pass
    else:
        raise ValueError(f"unknown seed {data!r}: use 'demo' or 'empty'")
    return state


class SimulatorServer:
    """The fake gateway on ``http://host:port/getdata/``.

    Use as a context manager or with ``start()``/``stop()``. ``port=0`` picks a free port.
    """

    email = seed.DEMO_EMAIL
    password = seed.DEMO_PASSWORD

    def __init__(
        self,
        state: SimState | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        faults: Faults | None = None,
        stats: Stats | None = None,
        webhook_url: str | None = None,
        webhook_faults: WebhookFaults | None = None,
    ) -> None:
        self.state = state if state is not None else make_state()
        self.faults = faults if faults is not None else Faults()
        self.stats = stats if stats is not None else Stats()
        self.host = host
        self.port = port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        self._webhook_url = webhook_url
        self._webhook_faults = webhook_faults
        self.webhooks: WebhookSender | None = None

    def set_webhook_url(self, url: str | None, faults: WebhookFaults | None = None) -> WebhookSender | None:
        """Push webhooks to ``url`` from now on (None: stop pushing), as the vendor does once the
        URL is saved in the device settings. Returns the sender (its counters, ``flush()``)."""
        if self.webhooks is not None:
            self.webhooks.stop()
            self.webhooks = None
        self._webhook_url, self._webhook_faults = url, faults
        if url and self.running:
            self.webhooks = WebhookSender(self.state, url, faults=faults).start()
        return self.webhooks

    @property
    def credentials(self) -> tuple[str, str]:
        return self.email, self.password

    @property
    def root_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def url(self) -> str:
        """The API base URL, ending in ``/getdata/``."""
        return f"{self.root_url}/getdata/"

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> SimulatorServer:
        if self.running:
            return self
        try:
            family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
            # proto must say TCP explicitly: asyncio only sets TCP_NODELAY on accepted sockets
            # whose proto is IPPROTO_TCP, and without it every response waits ~40 ms for a
            # delayed ACK (Nagle), which makes tests and benchmarks crawl.
            sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self.host, self.port))
        except OSError as exc:
            raise SimulatorError(
                f"cannot listen on {self.host}:{self.port}: {exc.strerror or exc}; "
                "pick another --port (0 = any free port)"
            ) from exc
        self.port = sock.getsockname()[1]
        self.state.public_base = self.root_url
        config = uvicorn.Config(
            create_app(self.state, self.faults, self.stats),
            log_config=None,
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=2,
        )
        self._server = _Server(config)
        self._error = None

        def run() -> None:
            try:
                asyncio.run(self._server.serve(sockets=[sock]))  # type: ignore[union-attr]
            except BaseException as exc:  # surfaced to start()'s caller below
                self._error = exc
            finally:
                sock.close()
                self._server.ready.set()  # type: ignore[union-attr]

        self._thread = threading.Thread(target=run, name=f"smstui-simulator:{self.port}", daemon=True)
        self._thread.start()
        if not self._server.ready.wait(START_TIMEOUT) or not self._server.started:
            self.stop()
            raise SimulatorError(f"the simulator did not start on {self.url}: {self._error!r}")
        if self._webhook_url:
            self.set_webhook_url(self._webhook_url, self._webhook_faults)
        return self

    def stop(self) -> None:
        if self.webhooks is not None:
            self.webhooks.stop()
            self.webhooks = None
        server, thread = self._server, self._thread
        if server is not None:
            server.request_exit()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=10)
        self._thread = None

    def __enter__(self) -> SimulatorServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"SimulatorServer({self.url}, running={self.running})"
