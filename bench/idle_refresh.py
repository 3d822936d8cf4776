"""One idle refresh (nothing changed) with 100k messages in history vs a naive full re-list.

Set-up: the simulator holds the generated history (bench/generate.py; the newest messages are
still "New" on a phone that is offline, as in a real account) on a fake clock; an empty store
gets a real first sync through ``smstui.core.sync.Syncer`` (``first_sync_days`` wide enough for the
whole history, so the store ends up with every message). The clock then moves on by one refresh
interval (15 s) and ``Syncer.sync()`` runs once more: that is the idle refresh. Requests and
response bytes come from the simulator's counters (request bytes from the client side).

Baseline: what a naive refresh does — one ``getallsms`` with no filter, which returns the whole
history. The same is done with a 10k history to show that the idle refresh's request count does
not grow with history.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402

from bench.common import Row, bench_args, kb, ms, print_rows  # noqa: E402
from bench.generate import NOW, fill_simulator, history  # noqa: E402
from smstui.core.api.client import GatewayClient  # noqa: E402
from smstui.core.store.database import Store  # noqa: E402
from smstui.simulator.clock import FakeClock  # noqa: E402
from smstui.simulator.runner import (
    SimulatorServer,  # noqa: E402
    make_state,  # noqa: E402
)

MIN_BYTES_RATIO = 100.0
REFRESH_INTERVAL = 15.0


class CountingTransport(httpx.AsyncHTTPTransport):
    """Counts request bytes (headers + body) the client sends."""

    def __init__(self) -> None:
        super().__init__()
        self.sent = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        self.sent += len(body) + sum(len(k) + len(v) + 4 for k, v in request.headers.raw) + len(str(request.url)) + 16
        return await super().handle_async_request(request)


async def _scenario(size: int, tmp: Path) -> dict:
    from smstui.core.sync import Syncer

    clock = FakeClock(datetime.fromtimestamp(NOW, UTC))
    hist = history(size)
    state = make_state(clock=clock, data="empty")
    fill_simulator(state, hist)
    with SimulatorServer(state) as sim:
        transport = CountingTransport()
        client = GatewayClient(sim.url, email=sim.email, password=sim.password, timeout=120, transport=transport)
        store = Store(tmp / f"idle-{size}.sqlite3", region="DE", clock=lambda: clock().timestamp())
        try:
            await client.get_token()
            days = int((NOW - hist.messages[0].created) / 86_400) + 2
            syncer = Syncer(store, client, first_sync_days=days)
            t0 = time.perf_counter()
            first = await syncer.sync()
            first_time = time.perf_counter() - t0
            stored = store.message_count()
            store_pending = store.pending_sms_ids(limit=1_000_000)

            # The idle refresh, one interval later.
            clock.advance(REFRESH_INTERVAL)
            sim.stats.reset()
            sent0 = transport.sent
            t0 = time.perf_counter()
            idle = await syncer.sync()
            idle_time = time.perf_counter() - t0
            idle_stats = sim.stats.snapshot()
            idle_sent = transport.sent - sent0

            # "Refresh now": every pending status checked whatever its age, devices too.
            sim.stats.reset()
            t0 = time.perf_counter()
            forced = await syncer.sync(force=True)
            forced_time = time.perf_counter() - t0
            forced_stats = sim.stats.snapshot()

            # The naive refresh: list everything.
            sim.stats.reset()
            sent0 = transport.sent
            t0 = time.perf_counter()
            listing = await client.list_messages()
            naive_time = time.perf_counter() - t0
            naive_stats = sim.stats.snapshot()
            naive_sent = transport.sent - sent0
        finally:
            await client.aclose()
            store.close()
    return {
        "size": size,
        "stored": stored,
        "listed": len(listing.messages),
        "first_requests": first.requests,
        "first_time": first_time,
        "idle_requests": idle_stats["total_requests"],
        "idle_bytes": idle_stats["total_bytes"] + idle_sent,
        "idle_by_method": idle_stats["requests"],
        "idle_time": idle_time,
        "idle_plan": getattr(idle, "status_plan", None),
        "naive_requests": naive_stats["total_requests"],
        "naive_bytes": naive_stats["total_bytes"] + naive_sent,
        "naive_time": naive_time,
        "pending": len(store_pending),
        "forced_requests": forced_stats["total_requests"],
        "forced_bytes": forced_stats["total_bytes"],
        "forced_by_method": forced_stats["requests"],
        "forced_time": forced_time,
        "forced_plan": getattr(forced, "status_plan", None),
    }


def run(size: int = 100_000, *, small: int = 10_000, smoke: bool = False) -> list[Row]:
    try:
        import smstui.core.sync  # noqa: F401
    except ImportError:
        return [Row("idle refresh", "not measured", note="smstui.core.sync is not there yet")]
    with tempfile.TemporaryDirectory(prefix="smstui-bench-idle-") as tmp:
        big = asyncio.run(_scenario(size, Path(tmp)))
        little = asyncio.run(_scenario(small, Path(tmp)))
    ratio = big["naive_bytes"] / max(1, big["idle_bytes"])
    flat = big["idle_requests"] <= little["idle_requests"]
    methods = ", ".join(f"{k} {v}" for k, v in sorted(big["idle_by_method"].items()))
    return [
        Row(
            f"idle refresh, {size:,} msgs in history — bytes",
            kb(big["idle_bytes"]),
            kb(big["naive_bytes"]),
            f"{ratio:,.0f}x fewer",
            f"≥ {MIN_BYTES_RATIO:.0f}x fewer",
            None if smoke else ratio >= MIN_BYTES_RATIO,
            note=(
                f"idle {ms(big['idle_time'])} ({methods}; status plan {big['idle_plan']}); naive re-list of "
                f"{big['listed']:,} msgs {ms(big['naive_time'])}; first sync {big['first_requests']} requests, "
                f"{big['first_time']:.1f} s, stored {big['stored']:,}"
            ),
            data=big,
        ),
        Row(
            "idle refresh — requests vs history size",
            f"{big['idle_requests']} at {size:,}",
            f"{little['idle_requests']} at {small:,}",
            "flat"
            if big["idle_requests"] == little["idle_requests"]
            else f"{big['idle_requests']}/{little['idle_requests']}",
            "does not grow with history",
            None if smoke else flat,
            note=(
                f"{small:,} history: idle {kb(little['idle_bytes'])} vs naive {kb(little['naive_bytes'])}; "
                f"naive re-list is {big['naive_requests']} request of {kb(big['naive_bytes'])}"
            ),
            data=little,
        ),
        Row(
            f'forced refresh ("refresh now"), {size:,} msgs, {big["pending"]:,} still pending',
            kb(big["forced_bytes"]),
            kb(big["naive_bytes"]),
            f"{big['naive_bytes'] / max(1, big['forced_bytes']):,.0f}x fewer",
            "informational",
            note=(
                f"{big['forced_requests']} requests ("
                + ", ".join(f"{k} {v}" for k, v in sorted(big["forced_by_method"].items()))
                + f"), status plan {big['forced_plan']}, {ms(big['forced_time'])}; every pending status checked, devices too"
            ),
        ),
    ]


def main() -> None:
    args = bench_args(__doc__.splitlines()[0], 100_000, 400)
    small = 100 if args.smoke else max(1, args.size // 10)
    print_rows(run(args.size, small=small, smoke=args.smoke))


if __name__ == "__main__":
    main()
