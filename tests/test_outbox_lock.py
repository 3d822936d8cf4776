"""The outbox's lock holds across processes: a pass waits while another process holds it."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

from smstui.core.outbox_lock import OutboxFileLock

HOLDER = """
import sys, time
from pathlib import Path
from smstui.core.outbox_lock import OutboxFileLock
lock = OutboxFileLock(Path(sys.argv[1]))
assert lock.acquire()
print("held", flush=True)
sys.stdin.readline()  # hold until the test says so
lock.release()
"""


def test_a_second_process_waits_for_the_lock_and_gets_it_when_released(tmp_path: Path) -> None:
    store = tmp_path / "p.sqlite3"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(store)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        mine = OutboxFileLock(store)
        assert not mine.acquire()  # the other process submits: this one must not

        async def wait_then_release() -> bool:
            waiting = asyncio.ensure_future(mine.__aenter__())
            await asyncio.sleep(0)
            assert not waiting.done()
            assert holder.stdin is not None
            holder.stdin.write("go\n")
            holder.stdin.flush()
            await waiting
            await mine.__aexit__(None, None, None)
            return True

        assert asyncio.run(wait_then_release())
    finally:
        holder.kill()
        holder.wait()
    assert (store.with_name("p.sqlite3.outbox.lock").stat().st_mode & 0o777) == 0o600


def test_a_killed_holder_leaves_the_lock_free(tmp_path: Path) -> None:
    store = tmp_path / "p.sqlite3"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(store)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    holder.kill()
    holder.wait()
    mine = OutboxFileLock(store)
    assert mine.acquire()
    mine.release()
