"""Helpers for the core tests (sync, outbox, service, session) against the simulator over HTTP."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from smstui.core.session import Session, open_session
from smstui.simulator.testing import TestSimulator


def config_file() -> Path:
    return Path(os.environ["SMSTUI_CONFIG"])


def write_config(text: str) -> Path:
    path = config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def sim_config(
    sim: TestSimulator, *, timeout: float = 5, extra: str = "", region: str | None = "DE", profile_extra: str = ""
) -> Path:
    region_line = f'region = "{region}"\n' if region else ""
    return write_config(
        f'default_profile = "default"\n{extra}\n[profiles.default]\napi_url = "{sim.url}"\n'
        f'email = "{sim.email}"\ntimeout = {timeout}\n{region_line}{profile_extra}'
    )


def open_sim_session(
    sim: TestSimulator,
    *,
    timeout: float = 5,
    login: bool = True,
    transport: Any = None,
    extra: str = "",
    db_path: Path | None = None,
    profile_extra: str = "",
) -> Session:
    """A session on the simulator, its store driven by the simulator's FakeClock."""
    sim_config(sim, timeout=timeout, extra=extra, profile_extra=profile_extra)
    session = open_session(clock=sim.clock, transport=transport, db_path=db_path)
    if login:
        session.client.set_credentials(sim.email, sim.password)
    return session


def gateway_bodies(sim: TestSimulator, body: str) -> list[int]:
    """Ids of gateway messages with this exact body."""
    with sim.state.lock:
        return sorted(m.id for m in sim.state.messages.values() if m.body == body)


async def wait_until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Wait for a condition another thread makes true (the simulator's server thread)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)


class Kill(BaseException):
    """Stands for the process being killed: not an Exception, so nothing may swallow it."""


def kill_on_listing(client: Any, nth: int) -> Callable[[], None]:
    """Make the client's ``nth`` ``list_messages`` call raise :class:`Kill` (a process killed
    mid-request); returns the function that puts the real method back."""
    real = client.list_messages
    calls = 0

    async def dying(flt: Any = None, **kw: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == nth:
            raise Kill("killed during the first sync")
        return await real(flt, **kw)

    client.list_messages = dying

    def restore() -> None:
        client.list_messages = real

    return restore


class KillingTransport(httpx.AsyncBaseTransport):
    """Forwards to the real network, but "kills the process" around one method's request.

    ``when="before"``: the request never leaves; ``"after"``: the gateway processed it and the
    answer is read, then the process dies before anyone sees it.
    """

    def __init__(self, method: str, when: str = "after", times: int = 1) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.method = method
        self.when = when
        self.times = times

    def _armed(self, request: httpx.Request) -> bool:
        return self.times > 0 and request.url.path.rstrip("/").endswith("/" + self.method)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        armed = self._armed(request)
        if armed and self.when == "before":
            self.times -= 1
            raise Kill(f"killed before {self.method}")
        response = await self.inner.handle_async_request(request)
        if armed:
            await response.aread()
            self.times -= 1
            raise Kill(f"killed after {self.method}")
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


def dead_url() -> str:
    """An http URL on a loopback port nothing listens on (connection refused)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/getdata/"
