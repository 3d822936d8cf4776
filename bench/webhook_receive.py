"""A webhook received → in the store, over real loopback HTTP, vs the same HTTP round trip alone.

Set-up: a copy of the generated 100k-message store (bench/generate.py); the receiver
(smstui.webhook: ``create_app`` + ``Applier``) on uvicorn on a loopback port (``ReceiverThread``),
its confirmations answered at once by a stand-in for ``getsmsstatus`` (no gateway: the
confirmation runs after the answer anyway). Half the webhooks are incoming replies (new ids,
half of them into the 10k-message conversation, whose summary is the costliest to recompute), half status webhooks moving a sent message forward (1 → 6), which are stored at
once. The receiver answers 200 only after the store's transaction committed, so the client's
time from sending the POST to reading the answer bounds "received → stored".

Baseline, alternating with the measured posts on the same kind of server and client: a
starlette app on uvicorn that reads the body and answers the same 200 without any work: what
the HTTP round trip alone costs on this machine.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402

from bench.common import Row, bench_args, ms, pct, print_rows  # noqa: E402
from bench.generate import NOW, fresh_copy, history, store_file  # noqa: E402

TARGET = 0.100  # p99 under 100 ms (issue 18)
SECRET = "bench_" + "x" * 40


def _baseline_app() -> Any:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def take(request: Request) -> JSONResponse:
        await request.body()
        return JSONResponse({"ok": True})

    return Starlette(routes=[Route(f"/{SECRET}", take, methods=["POST"])])


def _bodies(store: Any, big_phone: str, posts: int) -> list[bytes]:
    from smstui.core.gateway_messages import Message

    first = 900_000_000
    sent = [
        Message(id=first + i, phone="+4915123450999", body=f"bench {i}", status=1, device_id=11231, created=None)
        for i in range(posts)
    ]
    store.upsert_messages(sent, mark_unseen=False)
    when = datetime.fromtimestamp(NOW - 60, UTC).strftime("%Y-%m-%d %H:%M:%S.000000")
    bodies = []
    for i in range(posts):
        if i % 2:
            bodies.append({"sms_id": first + i, "status_id": 6, "device_id": 11231, "sendto": "+4915123450999"})
        else:
            phone = big_phone if i % 4 == 0 else f"+49151234{i:05d}"
            bodies.append(
                {"address": phone, "body": f"reply {i}", "sms_id": first + posts + i, "type": "text",
                 "date": {"date": when, "timezone_type": 3, "timezone": "UTC"}}
            )  # fmt: skip
    return [json.dumps(b).encode() for b in bodies]


def measure(size: int, posts: int) -> dict[str, Any]:
    from smstui.core.gateway_messages import SmsStatus
    from smstui.core.store.database import Store
    from smstui.webhook.apply import Applier
    from smstui.webhook.receiver import RateLimit, create_app
    from smstui.webhook.serve import ReceiverThread

    async def confirm(sms_id: int) -> SmsStatus:
        return SmsStatus(sms_id, 5)

    with tempfile.TemporaryDirectory(prefix="smstui-bench-hook-") as tmp:
        db = fresh_copy(store_file(size), Path(tmp) / "store.sqlite3")
        store = Store(db, region="DE", clock=lambda: float(NOW))
        try:
            bodies = _bodies(store, history(size).big_thread_phone, posts)
            applier = Applier(store, confirm)
            limit = RateLimit(rate=1e9, burst=1e9)
            hook = ReceiverThread(create_app(applier, SECRET, rate_limit=limit)).start()
            bare = ReceiverThread(_baseline_app()).start()
            took: list[float] = []
            base: list[float] = []
            statuses: set[int] = set()
            try:
                hook_url = f"http://127.0.0.1:{hook.port}/{SECRET}"
                bare_url = f"http://127.0.0.1:{bare.port}/{SECRET}"
                headers = {"content-type": "application/json"}
                with httpx.Client(timeout=30) as a, httpx.Client(timeout=30) as b:
                    for _ in range(10):  # connections made, code paths warm
                        b.post(bare_url, content=b'{"warm": 1}', headers=headers)
                        a.post(hook_url, content=b"{}", headers=headers)
                    for body in bodies:
                        t0 = time.perf_counter()
                        answer = a.post(hook_url, content=body, headers=headers)
                        took.append(time.perf_counter() - t0)
                        statuses.add(answer.status_code)
                        t0 = time.perf_counter()
                        b.post(bare_url, content=body, headers=headers)
                        base.append(time.perf_counter() - t0)
            finally:
                hook.stop()
                bare.stop()
                asyncio.run(applier.aclose())
            stored = store._int("SELECT COUNT(*) FROM messages WHERE sms_id >= 900000000 AND status IN (5, 6)")
        finally:
            store.close()
    kinds = {
        "status": [t for i, t in enumerate(took) if i % 2],
        "reply, 10k thread": [t for i, t in enumerate(took) if i % 4 == 0],
        "reply, new thread": [t for i, t in enumerate(took) if i % 4 == 2],
    }
    return {"took": took, "base": base, "statuses": sorted(statuses), "stored": stored, "posts": posts, "kinds": kinds}


def run(size: int = 100_000, posts: int = 400, *, smoke: bool = False) -> list[Row]:
    result = measure(size, posts)
    took, base = result["took"], result["base"]
    p99, b99 = pct(took, 99), pct(base, 99)
    complete = result["statuses"] == [200] and result["stored"] == posts
    return [
        Row(
            "webhook → stored (p99, POST answered after the commit)",
            ms(p99),
            baseline=f"{ms(b99)} (the HTTP round trip alone)",
            ratio=f"{p99 / b99:.1f}x" if b99 else "—",
            target="p99 < 100 ms",
            ok=None if smoke else (p99 < TARGET and complete),
            note=(
                f"{posts} webhooks (half incoming replies, half of those into the 10k thread; half status "
                f"1 → 6) into a {size:,}-message store; p50 {ms(pct(took, 50))} vs {ms(pct(base, 50))}, worst "
                f"{ms(max(took))}; p99 per kind: "
                + ", ".join(f"{kind} {ms(pct(times, 99))}" for kind, times in result["kinds"].items())
                + f"; answers {result['statuses']}, {result['stored']} of {posts} stored"
            ),
            data={"p50": pct(took, 50), "p99": p99, "baseline_p50": pct(base, 50), "baseline_p99": b99},
        )
    ]


def main() -> None:
    args = bench_args(__doc__.splitlines()[0], 100_000, 300)
    print_rows(run(args.size, posts=40 if args.smoke else 400, smoke=args.smoke))


if __name__ == "__main__":
    main()
