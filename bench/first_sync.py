"""First-sync throughput: 100,000 messages from the simulator into an empty store, vs its floor.

The simulator (bench/apps/sim_server.py, its own process, no added latency) holds the generated
history (bench/generate.py). **Sync**: an empty store gets a real first sync through
``smstui.core.sync.Syncer`` (``first_sync_days`` wide enough for the whole history), with the real
client, parsers, outbox fold, opt-out detection, thread summaries and search index; the client's
transport records the body of every ``getallsms`` it sent. **Floor**, in the same run: the same
recorded ``getallsms`` requests sent again with plain ``httpx``, each answer decoded with
``json.loads``, the messages' fields taken as they come (a date object's ``date`` string) and all of
them inserted with one ``executemany`` in one transaction into an equivalent table: the store's
``messages`` table with its indexes, but no triggers and no search index. Sync and floor alternate
(``repeats`` each, best of each compared); target ≤ 1.5x the floor.

The JSON decoders are compared on the same answers (``json.loads``, and orjson / msgspec when
installed): the decision which one sync uses is in bench/README.md.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402

from bench.common import ROOT, Row, bench_args, bench_env, ms, print_rows  # noqa: E402
from bench.generate import history  # noqa: E402
from smstui.simulator.seed import DEMO_EMAIL, DEMO_PASSWORD  # noqa: E402

TARGET_RATIO = 1.5
SIM = str(ROOT / "bench" / "apps" / "sim_server.py")
FLOOR_COLUMNS = (
    "sms_id, phone, phone_key, body, status, status_title, device_id, slot, created, sent_at, scheduled_at, "
    "customer_id, urgent, paket_id, paket_title, incoming, seen, updated"
)


class RecordingTransport(httpx.AsyncHTTPTransport):
    """Keeps the form body of every ``getallsms`` the client sends (the floor sends them again)."""

    def __init__(self) -> None:
        super().__init__()
        self.listings: list[bytes] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/getallsms"):
            self.listings.append(request.read())
        return await super().handle_async_request(request)


async def _sync(url: str, token: str, days: int, path: Path) -> dict[str, Any]:
    from smstui.core.api.client import GatewayClient
    from smstui.core.store.database import Store
    from smstui.core.sync import Syncer

    transport = RecordingTransport()
    client = GatewayClient(url, email=DEMO_EMAIL, password=DEMO_PASSWORD, timeout=120, transport=transport)
    client.set_token(token)
    store = Store(path, region="DE")
    try:
        syncer = Syncer(store, client, first_sync_days=days)
        syncer.size_for_worker()  # as the app's sync worker process runs it
        t0 = time.perf_counter()
        report = await syncer.sync()
        seconds = time.perf_counter() - t0
        stored = store.message_count()
        threads = store.thread_count()
    finally:
        await client.aclose()
        store.close()
    return {
        "seconds": seconds,
        "stored": stored,
        "threads": threads,
        "requests": report.requests,
        "bytes": report.bytes,
        "listings": transport.listings,
    }


def _date(value: Any) -> Any:
    return value.get("date") if isinstance(value, dict) else value


def _floor_rows(payload: dict[str, Any], rows: list[tuple[Any, ...]]) -> None:
    smss = payload.get("smss") or ()
    for m in smss.values() if isinstance(smss, dict) else smss:
        rows.append(
            (
                m.get("id"),
                m.get("sendto"),
                m.get("sendto"),
                m.get("body"),
                m.get("status"),
                m.get("statustitle"),
                m.get("deviceid"),
                m.get("sim"),
                _date(m.get("created")),
                _date(m.get("senttime")),
                _date(m.get("timetosend")),
                m.get("customerid"),
                m.get("urgent") or 0,
                m.get("paketid"),
                m.get("pakettitle"),
                0,
                1,
                0.0,
            )
        )


def _floor_table(db: sqlite3.Connection, template: Path) -> None:
    """The store's ``messages`` table and its indexes, without triggers or the search index."""
    src = sqlite3.connect(template)
    try:
        sql = [
            r[0]
            for r in src.execute(
                "SELECT sql FROM sqlite_master WHERE tbl_name = 'messages' AND type IN ('table', 'index') "
                "AND sql IS NOT NULL ORDER BY type DESC"
            )
        ]
    finally:
        src.close()
    for statement in sql:
        db.execute(statement)


def _floor(url: str, listings: list[bytes], path: Path, template: Path) -> dict[str, Any]:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    _floor_table(db, template)
    headers = {"content-type": "application/x-www-form-urlencoded"}
    t0 = time.perf_counter()
    rows: list[tuple[Any, ...]] = []
    with httpx.Client(timeout=120) as http:
        for body in listings:
            answer = http.post(url + "getallsms", content=body, headers=headers)
            _floor_rows(json.loads(answer.content), rows)
    # Ids repeat where windows overlap: the floor's insert keeps the last copy, as an upsert would.
    db.execute("BEGIN")
    db.executemany(f"INSERT OR REPLACE INTO messages ({FLOOR_COLUMNS}) VALUES ({','.join('?' * 18)})", rows)
    db.execute("COMMIT")
    seconds = time.perf_counter() - t0
    stored = db.execute("SELECT COUNT(*) FROM messages").fetchone()[0]
    db.close()
    return {"seconds": seconds, "rows": len(rows), "stored": stored}


def _decoders(url: str, listings: list[bytes]) -> dict[str, float]:
    """Seconds each JSON decoder takes for all the sync's answers (fetched once, decoded 3x)."""
    headers = {"content-type": "application/x-www-form-urlencoded"}
    with httpx.Client(timeout=120) as http:
        bodies = [http.post(url + "getallsms", content=b, headers=headers).content for b in listings]
    candidates: dict[str, Any] = {"json.loads": json.loads}
    try:
        import orjson

        candidates["orjson.loads"] = orjson.loads
    except ImportError:
        pass
    try:
        import msgspec

        candidates["msgspec.json.decode"] = msgspec.json.decode
    except ImportError:
        pass
    result: dict[str, float] = {}
    for name, loads in candidates.items():
        best = float("inf")
        for _ in range(3):
            t0 = time.perf_counter()
            for body in bodies:
                loads(body)
            best = min(best, time.perf_counter() - t0)
        result[name] = best
    result["bytes"] = float(sum(len(b) for b in bodies))
    return result


def _import_cost(module: str) -> float | None:
    """Seconds a fresh interpreter spends importing ``module`` (best of 3), None if absent."""
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    best = None
    for _ in range(3):
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=bench_env())
        if proc.returncode != 0:
            return None
        value = float(proc.stdout.strip())
        best = value if best is None else min(best, value)
    return best


def _runs(results: list[dict[str, Any]]) -> str:
    return ", ".join(f"{r['seconds']:.2f}" for r in results)


def run(size: int = 100_000, *, repeats: int = 2, smoke: bool = False) -> list[Row]:
    from smstui.core.store.database import Store

    hist_start = history(size).messages[0].created
    server = subprocess.Popen(
        [sys.executable, SIM, str(size)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=bench_env(),
        text=True,
    )
    syncs: list[dict[str, Any]] = []
    floors: list[dict[str, Any]] = []
    try:
        url = server.stdout.readline().strip() if server.stdout else ""
        if not url.startswith("http"):
            return [Row("first sync", "failed", ok=False, note="the simulator did not start")]
        token = httpx.post(url + "gettoken", data={"email": DEMO_EMAIL, "pass": DEMO_PASSWORD}, timeout=30).json()[
            "token"
        ]
        days = int((time.time() - hist_start) / 86_400) + 2
        with tempfile.TemporaryDirectory(prefix="smstui-bench-first-") as tmp:
            template = Path(tmp) / "template.sqlite3"
            Store(template).close()
            for i in range(repeats):
                syncs.append(asyncio.run(_sync(url, token, days, Path(tmp) / f"sync-{i}.sqlite3")))
                floors.append(_floor(url, syncs[0]["listings"], Path(tmp) / f"floor-{i}.sqlite3", template))
            decoders = _decoders(url, syncs[0]["listings"])
    finally:
        if server.stdin:
            server.stdin.close()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
    sync = min(syncs, key=lambda r: r["seconds"])
    floor = min(floors, key=lambda r: r["seconds"])
    ratio = sync["seconds"] / floor["seconds"]
    complete = sync["stored"] == size
    rate = sync["stored"] / sync["seconds"]
    imports = {name: _import_cost(name) for name in ("orjson", "msgspec")} if not smoke else {}
    decoder_note = (
        ", ".join(f"{name} {ms(seconds)}" for name, seconds in decoders.items() if name != "bytes")
        + f" for {decoders['bytes'] / 1048576:.1f} MB of answers"
    )
    import_note = "; ".join(f"import {k} {ms(v)}" for k, v in imports.items() if v is not None)
    return [
        Row(
            f"first sync: {size:,} messages from the simulator into an empty store",
            f"{sync['seconds']:.2f} s",
            f"{floor['seconds']:.2f} s (httpx + json.loads + one executemany)",
            f"{ratio:.2f}x",
            f"≤ {TARGET_RATIO}x the floor",
            None if smoke else (ratio <= TARGET_RATIO and complete),
            note=(
                f"{rate:,.0f} messages/s; {sync['stored']:,} stored in {sync['threads']:,} conversations, "
                f"{len(sync['listings'])} listings, {sync['requests']} requests, {sync['bytes'] / 1048576:.1f} MB; "
                f"sync runs {_runs(syncs)} s, floor runs {_runs(floors)} s ({floor['rows']:,} rows, "
                f"{floor['stored']:,} distinct)"
            ),
            data={"sync": {k: v for k, v in sync.items() if k != "listings"}, "floor": floor},
        ),
        Row(
            "first sync: JSON decoding of the same answers",
            ms(decoders.get("orjson.loads", decoders.get("msgspec.json.decode", decoders["json.loads"]))),
            ms(decoders["json.loads"]) + " (json.loads)",
            f"{decoders['json.loads'] / min(v for k, v in decoders.items() if k != 'bytes'):.2f}x faster",
            "informational",
            note=decoder_note + (f"; {import_note}" if import_note else ""),
            data={"decoders": decoders, "imports": imports},
        ),
    ]


def main() -> None:
    args = bench_args(__doc__.splitlines()[0], 100_000, 2_000)
    print_rows(run(args.size, repeats=1 if args.smoke else 2, smoke=args.smoke))


if __name__ == "__main__":
    main()
