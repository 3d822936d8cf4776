"""Webhook POST received → the new message painted in the app (p50 / p99) vs the same message
stored in-process the way a poll stores it and painted, alternating in the same run.

The real app runs headless (120x40) in this process with its own webhook receiver
(``[ui] webhook_listen = "127.0.0.1:0"``, smstui.tui.push) on the simulator (in its own process,
bench/apps/push_sim.py, as the real gateway is elsewhere: in this one its work would compete
with the app for the GIL), the conversation with Anna open and the refresh worker's poll
interval an hour (so no poll runs during the measurement). Each webhook is an incoming-message
webhook for a message the simulated phone really received, built by the simulator's own sender
code (smstui.simulator.webhooks.incoming_payload) and POSTed by the bench from a thread with a
plain httpx client: timed from just before the POST to the end of the first frame that
started after the thread view took the message in (bench/uikit.py FrameRecorder; the view's
``append``/``upsert`` is wrapped to note that moment). The receiver stores it at once and then
confirms it with ``getsmsstatus`` in the background, as in real use.

The baseline is the same kind of message written by the bench into the same store through the
sync's own path (``Store.upsert_messages`` in a thread, then the ``CoreMessagesChanged`` a poll
would post): what a poll costs once it has the message. The two alternate, one of each per round,
so the machine's noise hits both alike. Target: p99 under 100 ms.

A second row times the store watcher (smstui.core.store_watcher) on a copy of the generated
history (100k messages): its check when nothing was written (one ``PRAGMA data_version``), and
after another connection stored one message (the change marks read and compared), against the
conversation list's own read of the newest 500 on the same store, for scale.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402

from bench.common import ROOT, Row, bench_env, median, ms, pct, print_rows  # noqa: E402
from bench.uikit import SIZE, FrameRecorder, wait_until  # noqa: E402

TARGET = 0.100
ANNA = "+4915123456781"
ENV = ("SMSTUI_CONFIG", "SMSTUI_DATA_DIR", "SMSTUI_PROFILE", "SMSTUI_API_URL")
SIM = str(ROOT / "bench" / "apps" / "push_sim.py")
JSON = {"Content-Type": "application/json"}


def _received(sim: subprocess.Popen[str], body: str) -> str:
    """The simulated phone receives ``body``; the webhook the gateway would POST for it."""
    assert sim.stdin is not None and sim.stdout is not None
    sim.stdin.write(body + "\n")
    sim.stdin.flush()
    return sim.stdout.readline()


async def _measure(n: int, sim: subprocess.Popen[str], session: Any) -> dict[str, Any]:
    from smstui.core.events import MessagesChanged
    from smstui.core.gateway_messages import Message
    from smstui.simulator.seed import OFFICE_PHONE
    from smstui.tui import app_messages as msgs
    from smstui.tui.app import make_app
    from smstui.tui.widgets.thread_view import ThreadView

    app = make_app(session, sync=True, refresh_interval=3600)
    frames = FrameRecorder().install()
    pushed: list[float] = []
    polled: list[float] = []
    # (into the thread view, then painted) of each, to say where the time goes
    split: dict[str, list[tuple[float, float]]] = {"pushed": [], "polled": []}
    misses = 0
    try:
        async with app.run_test(size=SIZE) as pilot:
            if not await wait_until(pilot, lambda: app.push.url is not None, 30):
                raise RuntimeError(f"the in-app receiver did not start: {app.push.error}")
            await wait_until(pilot, lambda: app._service is not None and app._service.polls >= 1, 30)
            await wait_until(pilot, lambda: not app._service.busy, 30)
            app.screen.show_thread(session.store.phone_key(ANNA))
            view = app.screen.query_one(ThreadView)
            await wait_until(pilot, lambda: bool(view.messages), 30)
            arrived: dict[str, float] = {}

            def noting(method: Any) -> Any:
                def wrapped(messages: Any, *args: Any, **kwargs: Any) -> Any:
                    messages = list(messages)
                    result = method(messages, *args, **kwargs)
                    now = time.perf_counter()
                    for m in messages:
                        arrived.setdefault(m.body, now)
                    return result

                return wrapped

            view.append = noting(view.append)  # type: ignore[method-assign]
            view.upsert = noting(view.upsert)  # type: ignore[method-assign]
            client = httpx.Client(timeout=10)
            url = app.push.url
            polls = app._service.polls

            async def painted(body: str, t0: float, kind: str) -> float | None:
                if not await wait_until(pilot, lambda: body in arrived, 10, step=0.001):
                    return None
                deadline = time.perf_counter() + 10
                while time.perf_counter() < deadline:
                    frame = frames.first_after(arrived[body])
                    if frame is not None:
                        split[kind].append((arrived[body] - t0, frame.end - arrived[body]))
                        return frame.end - t0
                    await asyncio.sleep(0.001)
                return None

            for i in range(n):
                # Pushed: the phone received it; the gateway POSTs its webhook.
                body = f"pushed reply {i}"
                payload = await asyncio.to_thread(_received, sim, body)
                t0 = time.perf_counter()
                answer = await asyncio.to_thread(client.post, url, content=payload, headers=JSON)
                took = await painted(body, t0, "pushed") if answer.status_code == 200 else None
                if took is None:
                    misses += 1
                else:
                    pushed.append(took)
                # Polled: the same kind of message stored as a poll stores it, then its news.
                body = f"polled reply {i}"
                row = Message(
                    id=90_000_000 + i,
                    phone=ANNA,
                    body=body,
                    status=5,
                    device_id=OFFICE_PHONE,
                    slot=0,
                    created=datetime.now(UTC),
                )
                t0 = time.perf_counter()
                await asyncio.to_thread(session.store.upsert_messages, [row])
                app.post_message(msgs.to_message(MessagesChanged(frozenset({session.store.phone_key(ANNA)}))))
                took = await painted(body, t0, "polled")
                if took is None:
                    misses += 1
                else:
                    polled.append(took)
                await asyncio.sleep(0.005 + (i % 5) * 0.003)  # not in lock step with the frame timer
            client.close()
            extra_polls = app._service.polls - polls
            confirmed = app.push.applier.confirmed if app.push.applier is not None else 0
    finally:
        frames.uninstall()
    return {
        "pushed": pushed,
        "polled": polled,
        "split": split,
        "misses": misses,
        "polls": extra_polls,
        "confirmed": confirmed,
    }


def _watch_cost(size: int) -> Row:
    from bench.generate import fresh_copy, store_file
    from smstui.core.gateway_messages import Message
    from smstui.core.store.database import Store
    from smstui.core.store_watcher import StoreWatcher

    with tempfile.TemporaryDirectory(prefix="smstui-bench-watch-") as tmp:
        path = fresh_copy(store_file(size), Path(tmp) / "store.sqlite3")
        app, other = Store(path), Store(path)
        try:
            watcher = StoreWatcher(app, lambda event: None)
            watcher.prime()
            idle, after, listing = [], [], []
            for _ in range(200):
                t0 = time.perf_counter()
                watcher.check()
                idle.append(time.perf_counter() - t0)
            for i in range(30):
                row = Message(id=95_000_000 + i, phone=ANNA, body=f"elsewhere {i}", status=2, device_id=11231, slot=0)
                other.upsert_messages([row])
                t0 = time.perf_counter()
                watcher.check()
                after.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                app.threads(search="", limit=500)
                listing.append(time.perf_counter() - t0)
            waiting = app.pending_count()
        finally:
            app.close()
            other.close()
    return Row(
        f"store watcher at {size:,} messages: a check with nothing written / after another process wrote",
        f"{median(idle) * 1e6:.0f} µs / {ms(median(after))}",
        f"{ms(median(listing))} (the conversation list's read of the newest 500)",
        f"{median(after) / median(listing):.2f}x",
        "",
        None,
        note=(
            f"medians of 200 / 30 on the watcher's thread (max after a write {ms(max(after))}); "
            f"{waiting:,} messages waiting for a status in the generated store (real stores have few), "
            "their marks read through the pending index"
        ),
    )


def run(webhooks: int = 200, *, smoke: bool = False, size: int = 100_000) -> list[Row]:
    from smstui.core.secrets import Secret
    from smstui.core.session import open_session
    from smstui.simulator.seed import DEMO_EMAIL, DEMO_PASSWORD

    saved = {k: os.environ.get(k) for k in ENV}
    with tempfile.TemporaryDirectory(prefix="smstui-bench-push-") as tmp:
        root = Path(tmp)
        os.environ["SMSTUI_CONFIG"] = str(root / "config.toml")
        os.environ["SMSTUI_DATA_DIR"] = str(root / "data")
        os.environ.pop("SMSTUI_PROFILE", None)
        os.environ.pop("SMSTUI_API_URL", None)
        (root / "config.toml").write_text('[ui]\nwebhook_listen = "127.0.0.1:0"\n', encoding="utf-8")
        sim = subprocess.Popen(
            [sys.executable, SIM], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=bench_env(), text=True
        )
        result: dict[str, Any] = {}
        try:
            assert sim.stdout is not None
            url = sim.stdout.readline().strip()
            if not url.startswith("http"):
                raise RuntimeError("the simulator did not start")

            async def main() -> None:
                session = open_session(api_url=url)
                try:
                    await session.login(DEMO_EMAIL, Secret(DEMO_PASSWORD))
                    await session.syncer.sync()
                    result.update(await _measure(webhooks, sim, session))
                finally:
                    await session.aclose()

            # Its own thread: the bench runner may already run an event loop elsewhere.
            worker = threading.Thread(target=lambda: asyncio.run(main()), name="bench-webhook-latency")
            worker.start()
            worker.join()
        finally:
            if sim.stdin is not None:
                sim.stdin.close()
            try:
                sim.wait(timeout=15)
            except subprocess.TimeoutExpired:
                sim.kill()
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
    watch = _watch_cost(size)
    if not result:
        return [Row("webhook received → painted p99", "failed", ok=False, note="the run did not finish"), watch]
    pushed, polled = result["pushed"], result["polled"]
    p99, base99 = pct(pushed, 99), pct(polled, 99)
    ratio = p99 / base99 if base99 else float("nan")
    ok = None if smoke else (p99 < TARGET and len(pushed) >= webhooks * 0.95 and result["polls"] == 0)
    return [
        Row(
            "webhook received → shown in the app (the new message painted in the open thread): p50 / p99",
            f"{ms(median(pushed))} / {ms(p99)}",
            f"{ms(median(polled))} / {ms(base99)} (the same message stored in-process, as a poll does)",
            f"{ratio:.2f}x",
            "p99 < 100 ms",
            ok,
            note=(
                f"{len(pushed)} webhooks and {len(polled)} in-process writes, alternating; max "
                f"{ms(max(pushed, default=float('nan')))} vs {ms(max(polled, default=float('nan')))}; "
                f"{result['misses']} not painted within 10 s; {result['polls']} polls during the run; "
                f"{result['confirmed']} confirmations with getsmsstatus; median into the thread view / then "
                f"painted: pushed {_split(result['split']['pushed'])}, in-process {_split(result['split']['polled'])}"
            ),
            data={"pushed": pushed, "polled": polled},
        ),
        watch,
    ]


def _split(pairs: list[tuple[float, float]]) -> str:
    return f"{ms(median([a for a, _ in pairs]))} / {ms(median([b for _, b in pairs]))}"


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--webhooks", type=int, default=200)
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args()
    print_rows(run(10 if args.smoke else args.webhooks, smoke=args.smoke, size=300 if args.smoke else 100_000))


if __name__ == "__main__":
    main()
