"""ProcessService's own rules, with stand-in worker processes: restart with backoff, stop
escalation (stop, terminate, kill), bad lines, and a command line without secrets."""

from __future__ import annotations

import asyncio
import sys
from types import SimpleNamespace

import pytest

from smstui.core import events
from smstui.core.event_codec import encode
from smstui.core.sync_state import SyncState
from smstui.tui import sync_process
from smstui.tui.sync_process import ProcessService, worker_command

IDLE = encode(events.SyncStateChanged(SyncState("idle")))
SYNCING = encode(events.SyncStateChanged(SyncState("syncing")))


def fake_session(tmp_path) -> SimpleNamespace:  # type: ignore[no-untyped-def]
    return SimpleNamespace(
        profile=SimpleNamespace(name="work", api_url="http://127.0.0.1:9/getdata/"),
        store=SimpleNamespace(path=tmp_path / "work.sqlite3"),
        config_path=tmp_path / "config.toml",
        regions=SimpleNamespace(open=lambda: {}),
    )


def stand_in(monkeypatch: pytest.MonkeyPatch, script: str) -> None:
    """The service starts ``python -c script`` instead of the real worker."""
    monkeypatch.setattr(sync_process, "worker_command", lambda session, interval: [sys.executable, "-c", script])


def test_the_command_line_names_the_profile_and_store_but_no_secret(tmp_path) -> None:  # type: ignore[no-untyped-def]
    argv = worker_command(fake_session(tmp_path), 15)
    assert argv[:4] == [sys.executable, "-P", "-m", "smstui.core.sync_worker"]  # not the cwd's smstui
    assert argv[argv.index("--profile") + 1] == "work"
    assert argv[argv.index("--store") + 1] == str(tmp_path / "work.sqlite3")
    assert argv[argv.index("--interval") + 1] == "15.0"
    assert not any("token" in a.lower() or "pass" in a.lower() for a in argv)


async def test_a_worker_that_dies_is_said_and_restarted_with_backoff(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # Each stand-in polls once and dies: the service restarts it after 0.01, 0.02, 0.04 s.
    stand_in(monkeypatch, f"print({SYNCING!r}); print('garbage'); print({IDLE!r}); raise SystemExit(3)")
    service = ProcessService(fake_session(tmp_path), backoff=(0.01, 0.02, 0.04))
    seen: list[events.Event] = []
    restarted = asyncio.Event()

    def emit(event: events.Event) -> None:
        seen.append(event)
        if service.restarts >= 3:
            restarted.set()

    task = asyncio.ensure_future(service.run(emit))
    await asyncio.wait_for(restarted.wait(), 60)
    service.stop()
    await asyncio.wait_for(task, 30)
    failures = [e for e in seen if isinstance(e, events.SyncFailed)]
    assert [f.kind for f in failures][:3] == ["worker"] * 3
    assert "exit code 3" in failures[0].message and "restarting in 0.01 s" in failures[0].message
    assert "restarting in 0.02 s" in failures[1].message and "restarting in 0.04 s" in failures[2].message
    errors = [e.state for e in seen if isinstance(e, events.SyncStateChanged) and e.state.status == "error"]
    assert errors and "Background sync stopped" in (errors[0].error or "")
    assert service.polls >= 3  # the line that is not an event was skipped, the rest decoded
    assert not service.busy


@pytest.mark.parametrize(
    ("ignores_sigterm", "quitting"),
    [
        # It reports, then ignores its input and SIGTERM's default is kept: terminate ends it.
        pytest.param(False, False, id="ignores_stop_is_terminated"),
        # It ignores SIGTERM too: kill ends it. The app's worker is cancelled (quitting): the
        # service still stops its process.
        pytest.param(True, True, id="ignores_terminate_is_killed"),
    ],
)
async def test_a_worker_that_ignores_a_step_gets_the_next(tmp_path, monkeypatch, ignores_sigterm, quitting) -> None:  # type: ignore[no-untyped-def]
    ignore = "signal.signal(signal.SIGTERM, signal.SIG_IGN); " if ignores_sigterm else ""
    stand_in(monkeypatch, f"import signal, time; {ignore}print({SYNCING!r}, flush=True); time.sleep(600)")
    monkeypatch.setattr(sync_process, "STOP_TIMEOUT", 0.2)
    if ignores_sigterm:
        monkeypatch.setattr(sync_process, "KILL_TIMEOUT", 0.2)
    service = ProcessService(fake_session(tmp_path))
    task = asyncio.ensure_future(service.run(lambda e: None))
    while not service.busy:
        await asyncio.sleep(0.01)
    process = service.process
    assert process is not None
    if quitting:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    else:
        service.stop()
        await service.wait_stopped()
        await asyncio.wait_for(task, 30)
    if ignores_sigterm:
        assert process.returncode == -9  # killed
    else:
        assert process.returncode is not None and process.returncode < 0  # terminated


async def test_commands_to_a_worker_not_running_are_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    service = ProcessService(fake_session(tmp_path))
    assert service.send([1, 2]) is False  # the rows stay queued for the worker's next poll
    service.wake()  # nothing to wake: no error
    assert service.pid is None


async def test_refresh_now_restarts_a_dead_worker_at_once(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    stand_in(monkeypatch, f"print({SYNCING!r}); print({IDLE!r}); raise SystemExit(1)")
    service = ProcessService(fake_session(tmp_path), backoff=(3600.0,))  # would wait an hour
    first_death = asyncio.Event()
    task = asyncio.ensure_future(service.run(lambda e: first_death.set() if service.restarts else None))
    await asyncio.wait_for(first_death.wait(), 60)
    while service.polls < 1:
        await asyncio.sleep(0.01)
    service.wake()  # the user's "refresh now"
    while service.polls < 2:  # a second worker polled: no hour's wait
        await asyncio.sleep(0.01)
    service.stop()
    await asyncio.wait_for(task, 30)
