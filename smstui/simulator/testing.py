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
from smstui.simulator.faults import WebhookFaults
from smstui.simulator.runner import SimulatorServer, make_state
from smstui.simulator.webhooks import WebhookSender


class TestSimulator(SimulatorServer):
    """A SimulatorServer whose clock is a FakeClock (``.clock``) with a few shortcuts."""

    __test__ = False  # not a pytest test class

    clock: FakeClock

    def advance(self, seconds: float) -> None:
        self.clock.advance(seconds)
        if self.webhooks is not None:
            self.state.tick()  # the phones act at once, so their webhooks go out now

    def push_webhooks(
        self, url: str, *, seed: int = 0, lost: float = 0.0, duplicate: float = 0.0, reorder: float = 0.0
    ) -> WebhookSender:
        """Push webhooks to ``url`` from now on, with seeded faults (rates 0..1)."""
        faults = WebhookFaults(seed=seed, lost=lost, duplicate=duplicate, reorder=reorder)
        sender = self.set_webhook_url(url, faults)
        assert sender is not None
        return sender

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
    webhook_url: str | None = None,
) -> TestSimulator:
    """A started simulator with the demo account, on a FakeClock. Call ``.stop()`` when done.

    ``zone`` is the account's time zone (default: the demo's Europe/Berlin)."""
    clock = FakeClock(start)
    state = make_state(
        clock=clock, step_seconds=step_seconds, data=data, ambient_seconds=ambient_seconds, rng_seed=rng_seed, zone=zone
    )
    server = TestSimulator(state, webhook_url=webhook_url)
    server.clock = clock
    return server.start()  # type: ignore[return-value]


@contextmanager
def running_simulator(**kwargs: Any) -> Iterator[TestSimulator]:
    server = start_simulator(**kwargs)
    try:
        yield server
    finally:
        server.stop()
