"""The refresh loop in a process of its own (:mod:`smstui.core.sync_worker`), as the app sees it.

:class:`ProcessService` has the interface the app uses of
:class:`~smstui.core.service.RefreshService` (``run(emit)``, ``wake``, ``stop``, ``busy``,
``polls``) plus ``send(lids)``: it starts the worker with the app's own interpreter, reads its
event lines, decodes them (:mod:`smstui.core.event_codec`) and hands them to ``emit``. The app's
process then only reads the store (SQLite in WAL mode: it reads while the worker writes); the
sync's parsing, writing and garbage never cost it a frame.

The worker owns submitting: the app saves a message (before any request, as always) and asks the
worker to send it, so one process per profile talks to the gateway for the outbox, and a send
never waits on the app's loop. The outbox's file lock orders the worker against ``smstui send``
and ``smstui sync``; a message saved while the worker is down stays queued and goes with the
worker's first poll after it is back.

If the worker exits without being told to, the app hears "background sync stopped, restarting"
(a :class:`~smstui.core.events.SyncFailed` and an ``error`` state for the status line) and starts
it again after 1, 2, 4 ... 30 s. Stopping (quitting the app, switching profile) says ``stop``
and closes the worker's stdin, waits :data:`STOP_TIMEOUT`, then terminates and finally kills it.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import Callable, Iterable
from typing import Any

from smstui.core.events import Event, RegionChanged, SyncFailed, SyncStateChanged
from smstui.core.sync_state import SyncState

log = logging.getLogger(__name__)

BACKOFF = (1.0, 2.0, 4.0, 8.0, 16.0, 30.0)
STOP_TIMEOUT = 3.0
KILL_TIMEOUT = 2.0
#: A worker that ran this long before dying starts the backoff from 1 s again.
HEALTHY_SECONDS = 60.0
#: One event line may name thousands of conversations (a first sync): far above asyncio's 64 KiB.
LINE_LIMIT = 64 * 1024 * 1024
WORKER_KIND = "worker"


def worker_command(session: Any, interval: float | None) -> list[str]:
    """The worker's command line for ``session``: never a secret in it (``ps`` shows it).

    ``-P``: the current directory is not put on the import path, so a ``smstui`` folder where the
    user happens to start the app is never imported in place of the installed one."""
    argv = [sys.executable, "-P", "-m", "smstui.core.sync_worker", "--profile", session.profile.name]
    argv += ["--store", str(session.store.path)]
    if session.config_path is not None:
        argv += ["--config", str(session.config_path)]
    if session.profile.api_url:
        argv += ["--api-url", session.profile.api_url]
    if interval is not None:
        argv += ["--interval", repr(float(interval))]
    return argv


class ProcessService:
    """The session's refresh loop run by a worker process; see the module docstring."""

    #: Awaited on the app's own loop: it only waits on a pipe (the work is in the other process).
    runs_on_app_loop = True

    def __init__(self, session: Any, interval: float | None = None, *, backoff: Iterable[float] = BACKOFF) -> None:
        self.session = session
        self.interval = interval
        self.backoff = tuple(backoff)
        self.state = SyncState()
        self.polls = 0
        self.restarts = 0
        self.process: asyncio.subprocess.Process | None = None
        self._busy = False
        self._stopping = False
        self._stopped = asyncio.Event()
        self._retry = asyncio.Event()

    # ------------------------------------------------------------------ control

    @property
    def busy(self) -> bool:
        """A poll is running in the worker."""
        return self._busy

    @property
    def pid(self) -> int | None:
        process = self.process
        return process.pid if process is not None and process.returncode is None else None

    def wake(self, *, force_devices: bool = True) -> None:
        """Refresh now (devices too, unless told otherwise); a worker waiting to be restarted
        is restarted now ("refresh now" is the user asking for it)."""
        if not self._tell("wake devices" if force_devices else "wake"):
            self._retry.set()

    def send(self, lids: Iterable[int]) -> bool:
        """Ask the worker to submit these saved rows now; False when it is not running (they stay
        queued and go with its next poll)."""
        return self._tell("send " + ",".join(str(int(lid)) for lid in lids))

    def stop(self) -> None:
        """Tell the worker to stop and close its input (it stops on either); ``run`` then ends."""
        self._stopping = True
        self._stopped.set()
        process = self.process
        if process is not None and process.stdin is not None and not process.stdin.is_closing():
            self._tell("stop")
            process.stdin.close()

    def _tell(self, command: str) -> bool:
        process = self.process
        stdin = process.stdin if process is not None else None
        if stdin is None or stdin.is_closing() or process is None or process.returncode is not None:
            return False
        try:
            stdin.write(command.encode("utf-8") + b"\n")
        except (BrokenPipeError, ConnectionResetError, RuntimeError):
            return False
        return True

    # ------------------------------------------------------------------ the loop

    async def run(self, emit: Callable[[Event], Any]) -> None:
        """Run the worker (restarting it when it dies) until stopped or cancelled."""
        loop = asyncio.get_running_loop()
        failures = 0
        try:
            while not self._stopping:
                started = loop.time()
                try:
                    process = await self._spawn()
                except OSError as exc:
                    code: int | str = f"could not start: {exc.strerror or exc}"
                else:
                    self.process = process
                    await self._read(process, emit)
                    code = await process.wait()
                self._busy = False
                if self._stopping:
                    break
                if loop.time() - started >= HEALTHY_SECONDS:
                    failures = 0
                delay = self.backoff[min(failures, len(self.backoff) - 1)]
                failures += 1
                self.restarts += 1
                message = f"Background sync stopped ({_exit_text(code)}), restarting in {delay:g} s."
                log.warning("%s", message)
                emit(SyncFailed(message, WORKER_KIND))
                self.state = SyncState("error", self.state.last_synced, message, None)
                emit(SyncStateChanged(self.state))
                await self._pause(delay)
        finally:
            await self._shut_down()

    async def _pause(self, delay: float) -> None:
        """Wait ``delay`` seconds before a restart, less if stopped or woken."""
        self._retry.clear()
        waits = [asyncio.ensure_future(self._stopped.wait()), asyncio.ensure_future(self._retry.wait())]
        try:
            await asyncio.wait(waits, timeout=delay, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for wait in waits:
                wait.cancel()

    async def _spawn(self) -> asyncio.subprocess.Process:
        argv = worker_command(self.session, self.interval)
        errors = _log_stream()
        try:
            return await asyncio.create_subprocess_exec(
                *argv,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=errors if errors is not None else asyncio.subprocess.DEVNULL,
                limit=LINE_LIMIT,
                # Its own process group: the terminal's signals (Ctrl+Z while $EDITOR runs) are
                # the app's; the worker ends with the app through its stdin instead. Not its own
                # session: where the kernel groups CPU time by session (autogroup, on by default
                # on most distributions), a worker in a new session weighs as much as the app's
                # whole terminal, whatever its nice value, and a first sync takes the UI's frames.
                process_group=0,
            )
        finally:
            if errors is not None:
                os.close(errors)

    async def _read(self, process: asyncio.subprocess.Process, emit: Callable[[Event], Any]) -> None:
        from smstui.core.event_codec import CodecError, decode

        assert process.stdout is not None
        while True:
            try:
                line = await process.stdout.readline()
            except (ValueError, asyncio.LimitOverrunError) as exc:  # a line past LINE_LIMIT
                log.warning("the sync worker wrote an overlong line: %s", exc)
                continue
            if not line:
                return
            try:
                event = decode(line)
            except CodecError as exc:
                log.warning("the sync worker wrote a line that is not an event: %s", exc)
                continue
            await self._on_event(event)
            emit(event)

    async def _on_event(self, event: Event) -> None:
        if isinstance(event, SyncStateChanged):
            self.state = event.state
            if event.state.status == "syncing":
                self._busy = True
            elif self._busy:
                self._busy = False
                self.polls += 1
        elif isinstance(event, RegionChanged):
            # The worker learnt the region (and re-keyed the store): this process's store reads
            # numbers with it from now on, before any screen re-reads them.
            try:
                await asyncio.to_thread(self.session.regions.open)
            except Exception as exc:
                log.warning("taking the learnt region failed: %s", type(exc).__name__)

    async def wait_stopped(self) -> None:
        """After :meth:`stop`: until the worker has exited (terminated, then killed, if it must)."""
        await self._shut_down()

    async def _shut_down(self) -> None:
        """Stop the worker: ``stop`` and end of input, then SIGTERM, then SIGKILL."""
        self._stopping = True
        process = self.process
        if process is None or process.returncode is not None:
            return
        try:
            self.stop()
            if not await _exited(process, STOP_TIMEOUT):
                log.warning("the sync worker did not stop in %g s: terminating it", STOP_TIMEOUT)
                process.terminate()
                if not await _exited(process, KILL_TIMEOUT):
                    process.kill()
                    await _exited(process, KILL_TIMEOUT)
        except ProcessLookupError:
            pass


async def _exited(process: asyncio.subprocess.Process, timeout: float) -> bool:
    try:
        await asyncio.wait_for(asyncio.shield(process.wait()), timeout)
    except TimeoutError:
        return False
    return True


def _exit_text(code: int | str) -> str:
    if isinstance(code, str):
        return code
    if code < 0:
        import signal

        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"signal {-code}"
    return f"exit code {code}"


def _log_stream() -> int | None:
    """The app's log file, opened for appending (0600), for the worker's stderr; None if none."""
    try:
        from smstui.core.logs import log_file

        return os.open(log_file(), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    except OSError:
        return None


__all__ = ["ProcessService", "worker_command"]
