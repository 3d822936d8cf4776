"""Fault soak: many sends, single and bulk, through every fault the simulator has, with the
client killed and restarted now and then. Every message must end on the gateway exactly once
or be flagged for the user with a reason; a second copy must be detected; none may be lost.

    python bench/fault_soak.py [--messages 1000] [--seed 7]

Seeded and bounded: loopback only, a fixed number of rounds, the simulator on a fake clock
(moved on by the harness), the client's timeout 1 s so that "latency past the timeout" costs
real seconds only a few times. tests/test_fault_soak.py runs a short seeded variant.

Counted per message (each has a unique text):
  sent once   the gateway has one copy and the row is attached to it
  flagged     no copy or one, and the row says "unknown — check" / "refused" with a reason
  duplicated  two copies or more, and smstui flagged the extra one(s) as second copies
  undetected  two copies or more with no flag               (must be 0)
  lost        no copy and the row says it was sent, or the row vanished   (must be 0)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from smstui.core.api.errors import ApiError  # noqa: E402
from smstui.core.bulk.plan import BulkRow  # noqa: E402
from smstui.core.bulk.runner import BulkJob, resume_interrupted  # noqa: E402
from smstui.core.store.schema import QUEUED, REJECTED, SENDING, SUBMITTED, UNKNOWN  # noqa: E402
from smstui.simulator.seed import OFFICE_PHONE  # noqa: E402
from smstui.simulator.testing import TestSimulator, start_simulator  # noqa: E402

FAULTS = ("http500", "html502", "malformed_json", "empty_body", "drop", "response_lost", "expire_tokens", "latency")
SEND_METHODS = ("addsms", "addalotofsms")
TIMEOUT = 1.0


class Killed(BaseException):
    """The client process dies (not an Exception: nothing may swallow it)."""


class KillSwitch(httpx.AsyncBaseTransport):
    """The real network, but the process may "die" right before or right after one request."""

    def __init__(self, rng: random.Random, rate: float) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.rng = rng
        self.rate = rate
        self.kills = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        sending = request.url.path.rstrip("/").rsplit("/", 1)[-1] in SEND_METHODS
        die = sending and self.rng.random() < self.rate
        if die and self.rng.random() < 0.5:
            self.kills += 1
            raise Killed("before")
        response = await self.inner.handle_async_request(request)
        if die:
            await response.aread()
            self.kills += 1
            raise Killed("after")
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


@dataclass
class SoakReport:
    messages: int = 0
    sent_once: int = 0
    flagged: int = 0
    duplicated: int = 0
    undetected: int = 0
    lost: int = 0
    kills: int = 0
    faults: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        counted = self.sent_once + self.flagged + self.duplicated == self.messages
        return self.lost == 0 and self.undetected == 0 and counted and not self.problems

    def line(self) -> str:
        return (
            f"{self.messages} messages: {self.sent_once} sent once, {self.flagged} flagged, "
            f"{self.duplicated} duplicated (detected), {self.undetected} duplicated undetected, {self.lost} lost; "
            f"{self.kills} kills, {sum(self.faults.values())} faults ({dict(sorted(self.faults.items()))}), "
            f"{self.seconds:.1f} s"
        )


def _config(sim: TestSimulator) -> None:
    path = Path(os.environ["SMSTUI_CONFIG"])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f'[profiles.default]\napi_url = "{sim.url}"\nemail = "{sim.email}"\ntimeout = {TIMEOUT:g}\n'
        'region = "DE"\nsettle_margin = 0\naccount_timezone = "Europe/Berlin"\n',
        encoding="utf-8",
    )


def _session(sim: TestSimulator, kill: KillSwitch) -> Any:
    from smstui.core.session import open_session

    session = open_session(clock=sim.clock, transport=kill)
    session.client.set_credentials(sim.email, sim.password)
    return session


def _inject(sim: TestSimulator, rng: random.Random, report: SoakReport, rate: float) -> None:
    if rng.random() >= rate:
        return
    kind = rng.choice(FAULTS)
    report.faults[kind] += 1
    if kind == "latency":
        # Past the timeout: the gateway acts on a request the client gave up on.
        sim.faults.set("latency", methods=rng.choice(SEND_METHODS), count=1, seconds=TIMEOUT * 1.5)
    elif kind == "expire_tokens":
        sim.faults.set("expire_tokens", count=1)
    else:
        sim.faults.set(kind, methods=rng.choice(SEND_METHODS + ("getallsms",)), count=1)


async def soak(messages: int = 1000, seed: int = 7, *, fault_rate: float = 0.35, kill_rate: float = 0.03) -> SoakReport:
    """Run the soak (the caller sets SMSTUI_CONFIG / SMSTUI_DATA_DIR to a scratch place)."""
    rng = random.Random(seed)
    report = SoakReport(messages=messages)
    started = time.perf_counter()
    sim = start_simulator(data="empty", step_seconds=10)
    try:
        _config(sim)
        kill = KillSwitch(rng, kill_rate)
        session = _session(sim, kill)
        bodies: list[str] = []
        index = 0
        while index < messages:
            _inject(sim, rng, report, fault_rate)
            try:
                if rng.random() < 0.3:  # a bulk job of up to 25 messages in batches of 5
                    size = min(messages - index, rng.randint(5, 25))
                    rows = [BulkRow(_number(rng), f"soak {seed}-{index + i}") for i in range(size)]
                    bodies += [r.body for r in rows]
                    index += size
                    job = BulkJob.create(
                        session.store,
                        session.client,
                        rows,
                        device_id=OFFICE_PHONE,
                        batch_size=5,
                        settle_margin=0,
                        retry_delays=(0, 0),
                        lookup_delay=0,
                    )
                    await job.run()
                else:
                    body = f"soak {seed}-{index}"
                    bodies.append(body)
                    index += 1
                    session.outbox.queue([_number(rng)], body, OFFICE_PHONE)
                    await session.outbox.process()
                if rng.random() < 0.3:
                    await session.syncer.sync()
            except Killed:
                session.store.close()  # the process is gone; a new one opens the same store
                session = _session(sim, kill)
            except ApiError:
                pass  # what a command reports to the user (the link is down...); the work stays saved
            except Exception as exc:  # anything else is a defect
                report.problems.append(f"{type(exc).__name__}: {exc}"[:200])
            sim.advance(rng.choice((1, 5, 30, 120)))
        report.kills = kill.kills
        sim.faults.clear()
        kill.rate = 0.0
        await _finish(session, sim)
        _count(session, sim, bodies, report)
        await session.aclose()
    finally:
        sim.stop()
    report.seconds = time.perf_counter() - started
    return report


async def _finish(session: Any, sim: TestSimulator) -> None:
    """No more faults: what a user's later syncs and app do, until nothing waits any more."""
    for _ in range(60):
        await session.outbox.process()
        await resume_interrupted(session.store, session.client, settle_margin=0, retry_delays=(0,), lookup_delay=0)
        await session.syncer.sync()
        waiting = [
            r
            for r in session.store.outbox((QUEUED, SENDING, UNKNOWN))
            if r.outbox != UNKNOWN or (r.next_attempt is not None)
        ]
        if not waiting:
            return
        sim.advance(61)


def _number(rng: random.Random) -> str:
    return f"+49151{rng.randint(10_000_000, 99_999_999)}"


def _count(session: Any, sim: TestSimulator, bodies: list[str], report: SoakReport) -> None:
    with sim.state.lock:
        copies = Counter(m.body for m in sim.state.messages.values() if m.status != 5)
    stored = session.store.messages(limit=None)
    rows = {m.body: m for m in stored if m.outbox is not None}
    flagged_copies = Counter(m.body for m in stored if m.duplicate_of is not None)
    for body in bodies:
        row = rows.get(body)
        n = copies[body]
        if row is None:
            report.lost += 1
            report.problems.append(f"{body!r}: no local row")
        elif n >= 2:
            if flagged_copies[body] >= n - 1:
                report.duplicated += 1
            else:
                report.undetected += 1
                report.problems.append(f"{body!r}: {n} copies, {flagged_copies[body]} flagged")
        elif row.outbox in (UNKNOWN, REJECTED) and row.outbox_error:
            report.flagged += 1
        elif n == 1 and row.outbox == SUBMITTED and row.sms_id is not None:
            report.sent_once += 1
        else:
            report.lost += 1
            report.problems.append(f"{body!r}: {n} copies, row {row.outbox} sms_id {row.sms_id}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="smstui-soak-") as tmp:
        os.environ["SMSTUI_CONFIG"] = str(Path(tmp) / "config.toml")
        os.environ["SMSTUI_DATA_DIR"] = str(Path(tmp) / "data")
        os.environ["XDG_STATE_HOME"] = str(Path(tmp) / "state")
        report = asyncio.run(soak(args.messages, args.seed))
    print(report.line())
    for problem in report.problems[:20]:
        print("  ", problem)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
