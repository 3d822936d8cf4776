"""The sync worker process (smstui.core.sync_worker) against the simulator over loopback HTTP.

Each test starts the real worker with ``python -m`` and reads its event lines, as the app does.
The simulator's clock starts at the real now (the worker runs on the machine's clock). Waits are
on the worker's own lines, with generous timeouts for two busy cores.
"""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from smstui.core import events
from smstui.core.event_codec import decode
from smstui.core.priority import BACKGROUND_NICE
from smstui.core.session import open_session
from smstui.simulator.seed import OFFICE_PHONE
from smstui.simulator.testing import TestSimulator

TIMEOUT = 60.0


async def logged_in(sim: TestSimulator) -> Path:
    """Log the default profile in to ``sim`` (its token saved 0600, as `smstui login` does)."""
    session = open_session(api_url=sim.url)
    await session.login(sim.email, sim.password)
    path = session.store.path
    await session.aclose()
    return path


class Worker:
    def __init__(self, process: asyncio.subprocess.Process, store: Path) -> None:
        self.process = process
        self.store = store
        self.seen: list[events.Event] = []

    async def next_event(self) -> events.Event:
        assert self.process.stdout is not None
        line = await asyncio.wait_for(self.process.stdout.readline(), TIMEOUT)
        assert line, "the worker closed its output"
        event = decode(line)
        self.seen.append(event)
        return event

    async def until(self, wanted: type, test=lambda e: True) -> events.Event:  # type: ignore[no-untyped-def]
        while True:
            event = await self.next_event()
            if isinstance(event, wanted) and test(event):
                return event

    async def poll_done(self) -> SyncStateEvent:
        return await self.until(events.SyncStateChanged, lambda e: e.state.status != "syncing")  # type: ignore[return-value]

    async def tell(self, command: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(command.encode() + b"\n")
        await self.process.stdin.drain()

    async def exit_code(self) -> int:
        return await asyncio.wait_for(self.process.wait(), TIMEOUT)


SyncStateEvent = events.SyncStateChanged


@pytest.fixture
async def start_worker(live_sim: TestSimulator) -> AsyncIterator:  # type: ignore[type-arg]
    started: list[Worker] = []

    async def start(*extra: str, store: Path | None = None) -> Worker:
        path = store or await logged_in(live_sim)
        argv = ["--profile", "default", "--store", str(path), "--api-url", live_sim.url, "--interval", "3600"]
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "smstui.core.sync_worker",
            *argv,
            *extra,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            limit=2**24,
        )
        worker = Worker(process, path)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        if worker.process.returncode is None:
            worker.process.kill()
            await worker.process.wait()


async def test_the_worker_syncs_into_the_store_and_tells_which_threads_changed(
    start_worker, live_sim: TestSimulator
) -> None:  # type: ignore[no-untyped-def]
    worker = await start_worker()
    changed = await worker.until(events.MessagesChanged)
    assert changed.phone_keys  # type: ignore[union-attr]
    done = await worker.poll_done()
    assert done.state.status == "idle" and done.state.last_synced is not None
    assert any(isinstance(e, events.SyncStateChanged) and e.state.progress for e in worker.seen)  # first sync
    with sqlite3.connect(worker.store) as db:
        stored = {row[0] for row in db.execute("SELECT phone_key FROM messages")}
        count = db.execute("SELECT count(*) FROM messages").fetchone()[0]
    assert count > 300  # the demo history (what lies within first_sync_days of it)
    assert set(changed.phone_keys) <= stored  # type: ignore[union-attr]
    # "wake" runs one more poll at once (the interval is an hour); "stop" ends it cleanly.
    await worker.tell("wake devices")
    await worker.until(events.SyncStateChanged, lambda e: e.state.status == "syncing")
    await worker.poll_done()
    await worker.tell("stop")
    assert await worker.exit_code() == 0
    assert worker.process.stderr is not None
    assert await worker.process.stderr.read() == b""


async def test_end_of_input_stops_the_worker(start_worker) -> None:  # type: ignore[no-untyped-def]
    worker = await start_worker()
    await worker.until(events.SyncStateChanged)  # it is up and polling
    assert worker.process.stdin is not None
    worker.process.stdin.close()  # the app went away (even kill -9 closes its end of the pipe)
    assert await worker.exit_code() == 0
    assert worker.process.stderr is not None
    assert await worker.process.stderr.read() == b""


async def test_send_submits_a_saved_row_once(start_worker, live_sim: TestSimulator) -> None:  # type: ignore[no-untyped-def]
    path = await logged_in(live_sim)
    worker = await start_worker(store=path)
    await worker.poll_done()
    session = open_session(api_url=live_sim.url)
    try:
        (lid,) = session.outbox.queue(["+4915123456781"], "sent by the worker", OFFICE_PHONE)
        await worker.tell(f"send {lid}")
        changed = await worker.until(events.OutboxChanged)
        assert lid in changed.lids  # type: ignore[union-attr]
        row = session.store.message(lid)
        assert row is not None and row.sms_id
    finally:
        await session.aclose()
    assert [m.body for m in live_sim.state.messages.values()].count("sent by the worker") == 1
    await worker.tell("stop")
    assert await worker.exit_code() == 0


async def test_a_profile_it_cannot_open_is_said_in_a_line_not_a_traceback(start_worker, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    worker = await start_worker("--profile", "nobody-knows-this", store=tmp_path / "x.sqlite3")
    failed = await worker.until(events.SyncFailed)
    assert "nobody-knows-this" in failed.message  # type: ignore[union-attr]
    assert await worker.exit_code() == 2
    assert worker.process.stderr is not None
    assert b"Traceback" not in await worker.process.stderr.read()


async def test_a_gateway_it_cannot_reach_is_a_sync_failed_line(live_sim: TestSimulator, start_worker) -> None:  # type: ignore[no-untyped-def]
    path = await logged_in(live_sim)
    live_sim.faults.set("drop")
    worker = await start_worker(store=path)
    failed = await worker.until(events.SyncFailed)
    assert failed.kind == "network"  # type: ignore[union-attr]
    state = await worker.poll_done()
    assert state.state.status == "offline"
    live_sim.faults.clear()
    await worker.tell("wake")
    assert (await worker.poll_done()).state.status == "idle"
    await worker.tell("stop")
    assert await worker.exit_code() == 0


async def test_bad_arguments_are_a_line_and_an_exit_code() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "smstui.core.sync_worker",
        "--interval",
        "soon",
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), TIMEOUT)
    assert process.returncode == 2
    (line,) = out.splitlines()
    assert isinstance(decode(line), events.SyncFailed)
    assert b"Traceback" not in err and b"--interval" in err  # argparse's usage, for the log


PARENT = """
import asyncio, sys
from smstui.core.session import open_session
from smstui.tui.sync_process import ProcessService

async def main():
    session = open_session(api_url=sys.argv[1])
    service = ProcessService(session, 3600)
    task = asyncio.ensure_future(service.run(lambda event: None))
    while service.polls < 1:
        await asyncio.sleep(0.05)
    print(service.pid, flush=True)
    await task

asyncio.run(main())
"""


def _gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")  # exited, not reaped yet
    except FileNotFoundError:
        return True


async def _app_with_worker(live_sim: TestSimulator) -> tuple[asyncio.subprocess.Process, int]:
    """An app process (PARENT) whose worker has polled once, and the worker's pid."""
    await logged_in(live_sim)
    parent = await asyncio.create_subprocess_exec(
        sys.executable, "-c", PARENT, live_sim.url, stdout=asyncio.subprocess.PIPE
    )
    assert parent.stdout is not None
    line = await asyncio.wait_for(parent.stdout.readline(), TIMEOUT)
    return parent, int(line)


async def _kill_app(parent: asyncio.subprocess.Process, worker: int) -> None:
    """Kill the app with -9 (no stop, no clean-up: only the pipe closes); the worker must end too."""
    import signal

    parent.send_signal(signal.SIGKILL)
    await parent.wait()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + TIMEOUT
    while Path("/proc/self/stat").exists() and not _gone(worker):
        assert loop.time() < deadline, "the worker outlived the app"
        await asyncio.sleep(0.05)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
async def test_the_worker_ends_when_the_app_is_killed_with_minus_9(live_sim: TestSimulator) -> None:
    import os

    parent, worker = await _app_with_worker(live_sim)
    assert not _gone(worker)
    await _kill_app(parent, worker)
    assert os.getpid() != worker


@pytest.mark.skipif(sys.platform == "win32", reason="sessions and process groups are POSIX")
async def test_the_worker_yields_the_cpu_to_the_app_it_shares_a_session_with(live_sim: TestSimulator) -> None:
    """Its nice value only counts against the app when both are in one session: the kernel's
    autogroup gives every session an equal share, so a worker in a session of its own took as
    much CPU as the app's whole terminal (a first sync doubled the UI's key latency)."""
    import os

    parent, worker = await _app_with_worker(live_sim)
    try:
        assert os.getsid(worker) == os.getsid(parent.pid)
        assert os.getpgid(worker) == worker != os.getpgid(parent.pid)  # the terminal's signals are the app's
        assert os.getpriority(os.PRIO_PROCESS, worker) == min(
            19, os.getpriority(os.PRIO_PROCESS, parent.pid) + BACKGROUND_NICE
        )
        status = Path(f"/proc/{worker}/status")
        if status.exists():  # in the terminal's background: a read of /dev/tty fails, it does not stop it
            import signal

            ignored = int(
                next(line for line in status.read_text().splitlines() if line.startswith("SigIgn:")).split()[1], 16
            )
            assert all(ignored >> (sig - 1) & 1 for sig in (signal.SIGTTIN, signal.SIGTTOU, signal.SIGINT))
        if Path("/proc/self/autogroup").exists():  # a kernel that groups CPU time by session

            def group(pid: int) -> str:
                # "/autogroup-7 nice 0", or nothing for a task in a CPU cgroup of its own (a
                # container's): the kernel groups by session only in the root cgroup
                return Path(f"/proc/{pid}/autogroup").read_text().strip()

            worker_group, app_group = group(worker), group(parent.pid)
            if worker_group or app_group:  # both empty: no autogroup for either; one empty: apart
                assert worker_group.split()[:1] == app_group.split()[:1]
    finally:
        await _kill_app(parent, worker)


async def test_a_region_the_app_chooses_is_taken_before_the_next_poll(live_sim: TestSimulator) -> None:
    from smstui.core.sync_worker import _make_service

    await logged_in(live_sim)
    worker_side = open_session(api_url=live_sim.url)  # the worker's session
    app_side = open_session(api_url=live_sim.url)  # the app's, another connection to the store
    try:
        service = _make_service(worker_side, 3600)
        await service.poll_once()
        before = worker_side.store.region
        choice = "AT" if before != "AT" else "CH"
        app_side.regions.choose(choice)  # the app re-keys the store in its process
        assert worker_side.store.region == before
        await service.poll_once()
        assert worker_side.store.region == choice
    finally:
        await worker_side.aclose()
        await app_side.aclose()


def test_the_worker_stores_listings_in_bigger_transactions(tmp_path: Path) -> None:
    """In its own process the sync asks for listings of ~WORKER_PER_WINDOW messages and writes
    WORKER_UPSERT_CHUNK rows per transaction (the app's thread mode keeps the smaller sizes, so
    its GIL is released between chunks)."""
    from smstui.core.api.client import GatewayClient
    from smstui.core.gateway_messages import Message
    from smstui.core.store.database import Store
    from smstui.core.sync import (
        FIRST_SYNC_PER_WINDOW,
        UPSERT_CHUNK,
        WORKER_PER_WINDOW,
        WORKER_UPSERT_CHUNK,
        Syncer,
        SyncReport,
    )
    from smstui.core.sync_worker import tune_for_worker

    with Store(tmp_path / "s.sqlite3", region="DE") as store:
        syncer = Syncer(store, GatewayClient("http://127.0.0.1:9/getdata/"))
        assert syncer.upsert_chunk == UPSERT_CHUNK < WORKER_UPSERT_CHUNK
        assert syncer.target_per_window == FIRST_SYNC_PER_WINDOW < WORKER_PER_WINDOW

        class FakeSession:
            pass

        session = FakeSession()
        session.syncer = syncer  # type: ignore[attr-defined]
        tune_for_worker(session)
        assert syncer.target_per_window == WORKER_PER_WINDOW
        calls: list[int] = []
        upsert = store.upsert_messages

        def counting(chunk, **kwargs):  # type: ignore[no-untyped-def]
            calls.append(len(chunk))
            return upsert(chunk, **kwargs)

        store.upsert_messages = counting  # type: ignore[method-assign]
        when = datetime(2026, 11, 1, tzinfo=UTC)
        listing = [
            Message(id=i + 1, phone="+4915123456781", body="b", status=7, device_id=1, slot=0, created=when)
            for i in range(2500)
        ]
        syncer._write(SyncReport(), listing, mark_unseen=False)
        assert calls == [WORKER_UPSERT_CHUNK, 2500 - WORKER_UPSERT_CHUNK]
        assert store.message_count() == 2500
