"""Helpers for tests: a started simulator on a FakeClock, and small conveniences.

@pytest.fixture
def sim():
    with running_simulator() as server:
        yield server
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import httpx

from smstui.simulator.clock import FakeClock
from smstui.simulator.runner import SimulatorServer, make_state


class TestSimulator(SimulatorServer):
    """A SimulatorServer whose clock is a FakeClock (``.clock``) with a few shortcuts."""

    __test__ = False  # not a pytest test class

    clock: FakeClock

    def advance(self, seconds: float) -> None:
        self.clock.advance(seconds)

    def set_online(self, device_id: int, online: bool = True) -> None:
        self.state.set_device_online(device_id, online)

    def token(self) -> str:
        """A fresh token for the demo account (over HTTP)."""
        return self.call("gettoken", email=self.email, **{"pass": self.password})["token"]

    def call(self, method: str, **fields: Any) -> Any:
        """POST a method with form fields and return the decoded JSON."""
        data = {k: str(v) for k, v in fields.items()}
        response = httpx.post(self.url + method, data=data, timeout=30)
        response.raise_for_status()
        return response.json()


def start_simulator(
    *,
    data: str = "empty",
    step_seconds: float = 10.0,
    start: datetime | None = None,
    ambient_seconds: float | None = None,
    rng_seed: int = 42,
    zone: str | None = None,
) -> TestSimulator:
    """A started simulator with the demo account, on a FakeClock. Call ``.stop()`` when done.

    ``zone`` is the account's time zone (default: the demo's Europe/Berlin)."""
    clock = FakeClock(start)
    state = make_state(
        clock=clock, step_seconds=step_seconds, data=data, ambient_seconds=ambient_seconds, rng_seed=rng_seed, zone=zone
    )
    server = TestSimulator(state)
    server.clock = clock
    return server.start()  # type: ignore[return-value]


@contextmanager
def running_simulator(**kwargs: Any) -> Iterator[TestSimulator]:
    server = start_simulator(**kwargs)
    try:
        yield server
    finally:
        server.stop()
