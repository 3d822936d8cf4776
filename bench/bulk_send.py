"""10,000 bulk messages to the simulator with 20 ms added latency vs one add-sms request each.

The simulator (real HTTP on loopback) gets a ``latency`` fault of 20 ms on every method, like a
slow link. The bulk path is the real one: ``smstui.core.bulk.runner.BulkJob.create`` (every message queued in
the store first) then ``run()`` with batches of 1250 (eight ``addalotofsms``, then one listing
that reads every batch's ids back by their markers). Requests are counted by the simulator per method; the login before
the clock starts is not counted.

Baseline: the same messages sent one ``addsms`` request each, one after another (what a
per-message loop does). Sending 10,000 that way takes minutes, so it is measured on a sample
(300 by default) and extrapolated linearly — generous to the baseline, since it leaves out the
per-message store writes the bulk path includes.
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

from bench.common import Row, bench_args, ms, print_rows  # noqa: E402
from smstui.core.api.client import GatewayClient  # noqa: E402
from smstui.core.gateway_messages import OutgoingSms  # noqa: E402
from smstui.core.store.database import Store  # noqa: E402
from smstui.simulator.clock import FakeClock  # noqa: E402
from smstui.simulator.runner import (
    SimulatorServer,  # noqa: E402
    make_state,  # noqa: E402
)
from smstui.simulator.seed import OFFICE_PHONE  # noqa: E402

LATENCY = 0.020
BATCH = 1250  # 8 sends + 1 id listing (+ 1 device list: the store is fresh) = 10 requests
MAX_REQUESTS = 10
MIN_SPEEDUP = 50.0


def recipients(n: int) -> list[tuple[str, str]]:
    """``n`` distinct German mobile numbers, each with a personalised text (some non-GSM)."""
    names = ["Anna", "Ben", "Zoë", "Jürgen", "Олег", "Priya", "Mia", "Noah"]
    out = []
    for i in range(n):
        phone = f"+49157{20_000_000 + i * 37 % 79_999_999:08d}"
        name = names[i % len(names)]
        out.append(
            (
                phone,
                f"Hallo {name}, your appointment #{10_000 + i} is confirmed for Friday 10:30. Reply STOP to opt out.",
            )
        )
    return out


async def _bulk(sim: SimulatorServer, n: int, batch: int, store_path: Path) -> tuple[float, dict, str]:
    from smstui.core.bulk.plan import BulkRow
    from smstui.core.bulk.runner import BulkJob

    store = Store(store_path, region="DE")
    client = GatewayClient(sim.url, email=sim.email, password=sim.password, timeout=60)
    try:
        await client.get_token()
        await client.ensure_timezone()
        rows = [BulkRow(phone, body) for phone, body in recipients(n)]
        sim.stats.reset()
        t0 = time.perf_counter()
        job = BulkJob.create(store, client, rows, device_id=OFFICE_PHONE, slot=0, batch_size=batch, title="bench")
        report = await job.run()
        elapsed = time.perf_counter() - t0
        return elapsed, sim.stats.snapshot(), report.summary
    finally:
        await client.aclose()
        store.close()


async def _one_by_one(sim: SimulatorServer, n: int) -> tuple[float, dict]:
    client = GatewayClient(sim.url, email=sim.email, password=sim.password, timeout=60)
    try:
        await client.get_token()
        sim.stats.reset()
        t0 = time.perf_counter()
        for phone, body in recipients(n):
            await client.add_sms(OutgoingSms(sendto=phone, body=body, device_id=OFFICE_PHONE, slot=0))
        return time.perf_counter() - t0, sim.stats.snapshot()
    finally:
        await client.aclose()


def run(size: int = 10_000, *, sample: int = 300, batch: int = BATCH, smoke: bool = False) -> list[Row]:
    try:
        import smstui.core.bulk.runner  # noqa: F401
    except ImportError:
        return [Row("bulk send", "not measured", note="smstui.core.bulk.runner is not there yet")]
    sample = min(sample, size)
    # The gateway's clock agrees with ours (the store stamps rows with time.time()).
    clock = FakeClock(datetime.now(UTC))
    with (
        SimulatorServer(make_state(clock=clock, data="empty")) as sim,
        tempfile.TemporaryDirectory(prefix="smstui-bench-bulk-") as tmp,
    ):
        sim.faults.set("latency", seconds=LATENCY)
        base_time, base_stats = asyncio.run(_one_by_one(sim, sample))
        bulk_time, bulk_stats, summary = asyncio.run(_bulk(sim, size, batch, Path(tmp) / "store.sqlite3"))
    per_message = base_time / sample
    baseline = per_message * size
    speedup = baseline / bulk_time
    reqs = bulk_stats["total_requests"]
    by_method = ", ".join(f"{k} {v}" for k, v in sorted(bulk_stats["requests"].items()))
    sends = bulk_stats["requests"].get("addalotofsms", 0)
    return [
        Row(
            f"bulk: {size:,} messages, {LATENCY * 1000:.0f} ms latency — requests",
            str(reqs),
            f"{size:,} (one each)",
            f"{size / max(reqs, 1):.0f}x fewer",
            f"≤ {MAX_REQUESTS}",
            None if smoke else reqs <= MAX_REQUESTS,
            note=f"{by_method}; batches of {batch}; {summary}",
            data=bulk_stats,
        ),
        Row(
            f"bulk: {size:,} messages, {LATENCY * 1000:.0f} ms latency — time",
            f"{bulk_time:.2f} s",
            f"{baseline:.1f} s",
            f"{speedup:.0f}x faster",
            f"≥ {MIN_SPEEDUP:.0f}x faster",
            None if smoke else speedup >= MIN_SPEEDUP,
            note=(
                f"baseline: {sample} addsms measured ({ms(per_message)} each, "
                f"{base_stats['total_requests']} requests) x {size:,}; {sends} addalotofsms requests"
            ),
        ),
    ]


def main() -> None:
    args = bench_args(__doc__.splitlines()[0], 10_000, 200)
    print_rows(run(args.size, sample=20 if args.smoke else 300, batch=50 if args.smoke else BATCH, smoke=args.smoke))


if __name__ == "__main__":
    main()
