"""Crash recovery (issue 12): SIGKILL during a sync, a bulk send and draft saves, then restart;
and quitting during a slow request.

The subprocess tests kill a real ``smstui`` (or a small child script) with SIGKILL at a moment
the child itself signals: the simulator has served its nth history window, accepted its nth bulk
batch or received (and is still working on) the next, or the child printed "draft saved N". Nothing waits on a fixed sleep: every wait is a
bounded loop on such a signal. After the kill the store file must pass ``PRAGMA
integrity_check`` and a new process must finish the work: every gateway id stored once, every
bulk row on the gateway exactly once and none left "sending", the last saved draft readable.

The simulator runs in this process on loopback on the real clock (the children's stores run on
the real clock too, and a bulk batch is found again by its marker around it).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from smstui.core import paths
from smstui.simulator.runner import SimulatorServer
from smstui.simulator.seed import OFFICE_PHONE, large
from tests.cli_helpers import Cli, live_simulator
from tests.core_helpers import write_config

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")

posix_only = pytest.mark.skipif(
    os.name != "posix" or not hasattr(signal, "SIGKILL"), reason="SIGKILL and fork semantics are POSIX"
)

REPO = Path(__file__).resolve().parent.parent
DEADLINE = 30.0  # upper bound for any one wait; the waits end on their signal long before


# ---------------------------------------------------------------------- helpers


def wait_until(
    condition: Callable[[], Any], what: str, *, proc: subprocess.Popen[Any] | None = None, timeout: float = DEADLINE
) -> Any:
    """Poll ``condition`` (cheap: simulator state, a child's output) until it is truthy, or fail.
    Fails at once when ``proc`` ended first: the moment to kill it was never reached."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if proc is not None and proc.poll() is not None:
            out, err = proc.communicate()
            raise AssertionError(f"the child ended (exit {proc.returncode}) before {what}:\n{out}\n{err}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.002)


def spawn(*args: str) -> subprocess.Popen[str]:
    """A child Python process with this test's isolated config and data dirs (os.environ)."""
    return subprocess.Popen(
        [sys.executable, *args],
        cwd=REPO,
        env=dict(os.environ),
        text=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def smstui(*args: str) -> subprocess.Popen[str]:
    return spawn("-m", "smstui", *args)


def sigkill(proc: subprocess.Popen[str]) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=DEADLINE)
    assert proc.returncode == -signal.SIGKILL


def finish(*args: str) -> subprocess.CompletedProcess[str]:
    """Run ``smstui ARGS`` to its end (the restart after a kill)."""
    return subprocess.run(
        [sys.executable, "-m", "smstui", *args],
        cwd=REPO,
        env=dict(os.environ),
        text=True,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=120,
        check=False,
    )


def db_path() -> Path:
    return paths.profile_db_path("default")


def integrity(path: Path) -> list[str]:
    """``PRAGMA integrity_check`` on the file as the kill left it (WAL replayed on open)."""
    assert path.exists(), path
    con = sqlite3.connect(path)
    try:
        return [row[0] for row in con.execute("PRAGMA integrity_check").fetchall()]
    finally:
        con.close()


def query(path: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    con = sqlite3.connect(path)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def served(sim: SimulatorServer, method: str) -> int:
    return sim.stats.snapshot()["requests"].get(method, 0)


@pytest.fixture
def live() -> Iterator[SimulatorServer]:
    # Real clock; statuses move every 5 s (bulk rows are checked while still "New").
    with live_simulator(step_seconds=5, data="empty") as server:
        yield server


def log_in(sim: SimulatorServer, *, timeout: float = 2, settle_margin: float = 0) -> None:
    """A profile on ``sim`` (short timeout, no extra settle margin: an interrupted batch is
    proven absent 2 s after it went out) and a saved token, for the children to use."""
    write_config(
        f'default_profile = "default"\n[profiles.default]\napi_url = "{sim.url}"\nemail = "{sim.email}"\n'
        f'timeout = {timeout}\nsettle_margin = {settle_margin}\nregion = "DE"\n'
    )
    Cli.logged_in(sim.url)


# ---------------------------------------------------------------------- SIGKILL during a first sync


@posix_only
def test_sigkill_during_first_sync_then_sync_completes_the_history(live: SimulatorServer) -> None:
    # ~6000 messages over 80 days: the first sync pages through ~14 windows of ~500.
    large(live.state, n_messages=6000, n_threads=80, days=80)
    with live.state.lock:
        gateway = {m.id for m in live.state.messages.values()}
    log_in(live)
    live.stats.reset()
    child = smstui("sync")
    # The signal: the gateway has served the child its fifth listing (a history window), which
    # the child is now parsing and storing: the kill lands in or around that write, with about
    # ten windows still to go.
    wait_until(lambda: served(live, "getallsms") >= 5, "the fifth history window", proc=child)
    sigkill(child)
    store = db_path()
    assert integrity(store) == ["ok"]
    partial = {r[0] for r in query(store, "SELECT sms_id FROM messages WHERE sms_id IS NOT NULL")}
    done = query(store, "SELECT value FROM meta WHERE key = 'first_sync_done'")
    assert len(partial) < len(gateway) and not done  # killed mid first sync, not after it

    live.stats.reset()
    run = finish("sync", "--json")
    assert run.returncode == 0, run.stdout + run.stderr
    run_doc = json.loads(run.stdout)
    assert integrity(store) == ["ok"]
    ids = [r[0] for r in query(store, "SELECT sms_id FROM messages WHERE sms_id IS NOT NULL")]
    assert len(ids) == len(set(ids))  # every gateway id stored once
    assert set(ids) == gateway  # the whole history
    # It went on from where the kill left it: what was stored before is kept, the rest is new.
    assert set(ids) >= partial and run_doc["new_messages"] == len(gateway - partial)
    print(
        f"sync: {len(partial)} of {len(gateway)} stored at the kill; the restart took "
        f"{served(live, 'getallsms')} listings"
    )
    # Thread summaries agree with the rows (a half-applied write would leave them apart).
    rows = dict(query(store, "SELECT phone_key, COUNT(*) FROM messages GROUP BY phone_key"))
    totals = dict(query(store, "SELECT phone_key, total FROM threads"))
    assert totals == rows


# ---------------------------------------------------------------------- SIGKILL during a bulk send


BULK_ROWS = 60
BATCH = 10


def bulk_csv(tmp_path: Path) -> Path:
    # Numbers ending in 2: delivered, no replies (which would add messages to the gateway).
    lines = ["phone,body"] + [f"+4915123{400002 + 10 * i:06d},Bulk {i}" for i in range(BULK_ROWS)]
    path = tmp_path / "bulk.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def gateway_bulk_bodies(sim: SimulatorServer) -> Counter[str]:
    with sim.state.lock:
        return Counter(m.body for m in sim.state.messages.values() if m.body.startswith("Bulk "))


def count_arrivals(sim: SimulatorServer, method: str) -> Callable[[], int]:
    """How many requests of ``method`` reached the gateway so far (counted as they arrive,
    before any latency or processing)."""
    take = sim.faults.take
    arrived = Counter[str]()

    def counting(name: str) -> Any:
        arrived[name.strip().lower()] += 1
        return take(name)

    sim.faults.take = counting  # type: ignore[method-assign]
    return lambda: arrived[method]


@posix_only
@pytest.mark.parametrize(
    ("moment", "restart"),
    [
        ("after-accepted", ("sync", "--json")),
        ("after-accepted", ("bulk", "--resume", "--json")),
        ("mid-request", ("sync", "--json")),
    ],
    ids=["accepted-then-sync", "accepted-then-resume", "mid-request-then-sync"],
)
def test_sigkill_during_bulk_send_then_restart_finishes_it_once(
    live: SimulatorServer, tmp_path: Path, moment: str, restart: tuple[str, ...]
) -> None:
    log_in(live)
    arrivals = count_arrivals(live, "addalotofsms")
    # Each batch is processed 0.2 s after it arrived (whether or not its sender still waits):
    # the window between two batches is wide enough to see, and a batch under way when the
    # kill lands is still acted on by the gateway, as a real one would be.
    live.faults.set("latency", methods="addalotofsms", seconds=0.2)
    child = smstui("bulk", str(bulk_csv(tmp_path)), "--device", str(OFFICE_PHONE), "--batch-size", str(BATCH), "--json")
    if moment == "after-accepted":
        # The signal: the gateway has accepted three batches (the child reads their ids later,
        # in one lookup: their rows are still "sending" locally; the kill may land in that lookup).
        wait_until(lambda: sum(gateway_bulk_bodies(live).values()) >= 3 * BATCH, "three accepted batches", proc=child)
    else:
        # The signal: the fourth batch's request has reached the gateway, which is still working
        # on it: the child dies mid-request and the batch lands on the gateway after it died.
        wait_until(lambda: arrivals() >= 4, "the fourth batch's request", proc=child)
    sigkill(child)
    live.faults.clear()
    store = db_path()
    assert integrity(store) == ["ok"]
    at_kill = sum(gateway_bulk_bodies(live).values())
    assert at_kill < BULK_ROWS  # killed mid-way
    states = dict(query(store, "SELECT outbox, COUNT(*) FROM messages GROUP BY outbox"))

    started = time.monotonic()
    run = finish(*restart)
    print(
        f"bulk {moment}: {at_kill} on the gateway at the kill, local {states}; "
        f"{' '.join(restart)} took {time.monotonic() - started:.2f} s, {arrivals()} batch requests in all"
    )
    assert run.returncode == 0, run.stdout + run.stderr
    doc = json.loads(run.stdout)
    job = doc["bulk_jobs"][0] if restart[0] == "sync" else doc
    assert job["state"] == "done", doc
    if restart[0] == "bulk":
        assert job["submitted"] == BULK_ROWS and job["unknown"] == 0

    assert integrity(store) == ["ok"]
    # Every row on the gateway exactly once.
    bodies = gateway_bulk_bodies(live)
    assert set(bodies) == {f"Bulk {i}" for i in range(BULK_ROWS)} and max(bodies.values()) == 1
    # Locally: one row per message, each attached to its gateway id, none left "sending".
    local = query(store, "SELECT body, outbox, sms_id FROM messages WHERE body LIKE 'Bulk %'")
    assert len(local) == BULK_ROWS and len({r[0] for r in local}) == BULK_ROWS
    assert [r for r in local if r[1] != "submitted" or r[2] is None] == []
    assert len({r[2] for r in local}) == BULK_ROWS


# ---------------------------------------------------------------------- SIGKILL while saving drafts


DRAFT_CHILD = """
import sys
from smstui.core.store.database import Store

store = Store(sys.argv[1], region="DE")
i = 0
while True:
    i += 1
    # A few keys, a growing body: each save replaces a row of a different size.
    store.save_draft(f"thread:+49151234567{i % 3}", {"body": f"draft {i} " + "x" * (i % 500), "n": i})
    print(f"draft saved {i}", flush=True)
"""


@posix_only
def test_sigkill_while_saving_drafts_keeps_the_last_saved_one(tmp_path: Path) -> None:
    script = tmp_path / "drafts.py"
    script.write_text(DRAFT_CHILD, encoding="utf-8")
    store_file = tmp_path / "drafts.sqlite3"
    child = spawn(str(script), str(store_file))
    assert child.stdout is not None
    last = 0

    def enough_saved() -> bool:
        nonlocal last
        line = child.stdout.readline()  # type: ignore[union-attr]
        if line.startswith("draft saved "):
            last = int(line.split()[2])
        return last >= 200

    wait_until(enough_saved, "200 draft saves", proc=child)
    sigkill(child)
    assert integrity(store_file) == ["ok"]

    from smstui.core.store.database import Store

    store = Store(store_file, region="DE")  # the restart
    try:
        # The last save the child reported (and any it finished after) is there, whole.
        newest = {}
        for key in (f"thread:+49151234567{k}" for k in range(3)):
            draft = store.draft(key)
            assert draft is not None and draft["body"].startswith(f"draft {draft['n']} ")
            assert len(draft["body"]) == len(f"draft {draft['n']} ") + draft["n"] % 500
            newest[key] = draft["n"]
        assert newest[f"thread:+49151234567{last % 3}"] >= last
        assert max(newest.values()) >= last
        # And work continues: the store takes new drafts.
        store.save_draft("thread:+4915123456789", {"body": "after the crash"})
        assert store.draft("thread:+4915123456789") == {"body": "after the crash"}
    finally:
        store.close()


# ---------------------------------------------------------------------- every request has a timeout


async def test_every_request_has_finite_timeouts() -> None:
    from smstui.core.api.client import GatewayClient

    for timeout in (20.0, 3.0, 600.0):
        client = GatewayClient("http://127.0.0.1:9/getdata/", timeout=timeout)
        try:
            limits = client._pool().timeout
            for phase in ("connect", "read", "write", "pool"):
                value = getattr(limits, phase)
                assert value is not None and 0 < value <= timeout, (phase, value)
            assert limits.read == limits.write == timeout
        finally:
            await client.aclose()


async def test_the_profiles_timeout_reaches_every_request() -> None:
    from smstui.core.session import open_session

    write_config('[profiles.default]\napi_url = "http://127.0.0.1:9/getdata/"\ntimeout = 3\n')
    session = open_session()
    try:
        limits = session.client._pool().timeout
        assert (limits.connect, limits.read, limits.write, limits.pool) == (3, 3, 3, 3)
    finally:
        await session.aclose()


# ---------------------------------------------------------------------- quitting during a slow request


def _smstui_threads() -> list[threading.Thread]:
    return [
        t
        for t in threading.enumerate()
        if t.is_alive() and t.name.startswith("smstui") and not t.name.startswith("smstui-simulator")
    ]


async def test_quitting_during_a_slow_refresh_exits_at_once_leaving_nothing_behind(sim) -> None:
    from pilot_helpers import BERLIN, wait_for

    from smstui.core.session import open_session
    from smstui.tui.app import make_app

    session = open_session(api_url=sim.url, clock=sim.clock)
    await session.login(sim.email, sim.password)
    await session.syncer.sync()
    threads_before = {t.ident for t in threading.enumerate()}

    # The next history listing hangs for 30 s at the gateway (longer than the quit may take).
    arrived = threading.Event()
    take = sim.faults.take

    def take_and_tell(method: str) -> Any:
        hit = take(method)
        if hit.latency:
            arrived.set()
        return hit

    sim.faults.take = take_and_tell  # type: ignore[method-assign]
    sim.faults.set("latency", methods="getallsms", seconds=30)
    try:
        app = make_app(session, clock=sim.clock, tz=BERLIN, sync=True, refresh_interval=3600)
        async with app.run_test(size=(100, 30)) as pilot:
            # The signal: the refresh's request has reached the gateway and hangs there.
            await wait_for(pilot, arrived.is_set, "the slow request to arrive", timeout=DEADLINE)
            network = session.network
            assert network is not None and network.is_open
            network_thread = network._thread
            started = time.monotonic()
            await pilot.press("ctrl+q")
        app_exit = time.monotonic() - started
        # What `smstui` (cli_tui.run_app) does after the app returned: close the session.
        await session.aclose()
        total = time.monotonic() - started
    finally:
        sim.faults.clear()
    print(f"quit: app {app_exit:.3f} s, with the session closed {total:.3f} s")
    assert app_exit < 1.0 and total < 1.0, (app_exit, total)

    # No thread of ours is left: the network loop's thread ended (its loop closed, so no task of
    # its can still be pending), the store writer stopped, and nothing non-daemon was started and
    # left running. The idle workers of this loop's default executor (asyncio.to_thread) are
    # stopped the way asyncio.run stops them at the end of run_app.
    assert not network_thread.is_alive() and network.loop.is_closed() and session.network is None
    assert _smstui_threads() == []
    await asyncio.get_running_loop().shutdown_default_executor()
    left = [t for t in threading.enumerate() if t.ident not in threads_before and not t.daemon and t.is_alive()]
    assert left == [], left
    # No pending asyncio task on this loop either (the app's workers and timers are all done).
    current = asyncio.current_task()
    pending = [t for t in asyncio.all_tasks() if t is not current and not t.done()]
    assert pending == [], pending
