"""Helpers for the bulk/contacts tests: a store on the simulator's clock and a client for it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest

from smstui.core.api.client import GatewayClient
from smstui.core.store.database import Store
from smstui.simulator.seed import OFFICE_PHONE
from smstui.simulator.testing import TestSimulator

DEVICE = OFFICE_PHONE


def sim_store(sim: TestSimulator, path: Path, region: str | None = None) -> Store:
    """A store whose clock is the simulator's fake clock, so gateway and local times agree."""
    return Store(path, region=region, clock=lambda: sim.clock().timestamp())


def sim_client(
    sim: TestSimulator, *, timeout: float = 3.0, transport: httpx.AsyncBaseTransport | None = None
) -> GatewayClient:
    # The simulator's account zone, as a profile's account_timezone gives it: sim_empty has
    # no messages to learn it from (and this machine's zone may be any).
    return GatewayClient(
        sim.url,
        email=sim.email,
        password=sim.password,
        timeout=timeout,
        transport=transport,
        gateway_tz=ZoneInfo(sim.state.accounts[sim.email.lower()].timezone),
    )


class FlakyTransport(httpx.AsyncBaseTransport):
    """Refuses the connection for the next ``fail`` requests to ``method`` (nothing reaches the server)."""

    def __init__(self, method: str, fail: int) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.method = method
        self.fail = fail
        self.refused = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.rstrip("/").endswith(self.method) and self.fail > 0:
            self.fail -= 1
            self.refused += 1
            raise httpx.ConnectError("refused by the test", request=request)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


@pytest.fixture
def store(sim_empty: TestSimulator, tmp_path: Path) -> Iterator[Store]:
    s = sim_store(sim_empty, tmp_path / "store.db")
    yield s
    s.close()


@pytest.fixture
async def client(sim_empty: TestSimulator) -> AsyncIterator[GatewayClient]:
    c = sim_client(sim_empty)
    yield c
    await c.aclose()
