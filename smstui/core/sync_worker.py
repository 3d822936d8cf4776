"""The sync worker process: the refresh loop of one profile, out of the app's process.

``python -m smstui.core.sync_worker --config PATH --profile P --store PATH [--interval S] [--api-url URL]``

The app (:mod:`smstui.tui.sync_process`) starts it so that parsing listings and writing the store
(a first sync of a million messages) never hold the app's interpreter lock or its garbage
collector: the app only reads what it shows. It opens the session exactly as the app does
(:func:`smstui.core.session.open_session`), so the token comes from the profile's 0600 token file
(or keyring), never from the command line or the environment, where ``ps`` would show it.

Protocol, one line each way:

- stdout: each event of :class:`~smstui.core.service.RefreshService` as one JSON line
  (:mod:`smstui.core.event_codec`); nothing else is ever written there (stray prints go to stderr).
- stdin: ``wake`` (refresh now), ``wake devices`` (devices too), ``send 12,13`` (submit these
  outbox rows now: the user pressed send), ``stop``. End of input means stop: the app is gone (even
  killed with -9, its end of the pipe closes), so the worker never outlives it.

The worker owns submitting for the app: a message the app saved is submitted here (``send``, and
every poll's outbox pass), so the app makes no gateway request for it; the outbox's file lock
(:mod:`smstui.core.outbox_lock`) still orders this process against ``smstui send``/``smstui sync``.

Errors never end as a traceback on stderr (the app sends stderr to its log file): the session
failing to open, or anything unexpected, becomes a :class:`~smstui.core.events.SyncFailed` line
and the details go to the log. No Textual here.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
import threading
from collections.abc import Sequence
from typing import IO, Any

from smstui.core.events import Event, MessagesChanged, OutboxChanged, SyncFailed
from smstui.core.priority import BACKGROUND_NICE

log = logging.getLogger("smstui.core.sync_worker")

#: Seconds a poll (or a send) in progress may take to finish after ``stop`` before it is cancelled:
#: short, since quitting the app waits for it. A cancelled sync loses nothing (its cursor is
#: committed with the messages it wrote); a send cut mid-request is reconciled, never resent blindly.
STOP_GRACE = 1.0


class Output:
    """Writes events to the app, one JSON line each; quiet once the app stopped reading."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self.closed = False
        self._lock = threading.Lock()

    def emit(self, event: Event) -> None:
        from smstui.core.event_codec import encode

        line = (encode(event) + "\n").encode("utf-8")
        with self._lock:
            if self.closed:
                return
            try:
                self._stream.write(line)
                self._stream.flush()
            except (BrokenPipeError, ValueError, OSError):
                self.closed = True  # the app is gone; end of stdin stops us next


def _read_commands(loop: asyncio.AbstractEventLoop, queue: asyncio.Queue[str | None], stream: IO[bytes]) -> None:
    """In a thread: each line of stdin onto ``queue``; None at end of input."""
    try:
        for raw in stream:
            command = raw.decode("utf-8", "replace").strip()
            if command:
                loop.call_soon_threadsafe(queue.put_nowait, command)
    except (OSError, ValueError):
        pass
    loop.call_soon_threadsafe(queue.put_nowait, None)


def tune_for_worker(session: Any) -> None:
    """What a sync does differently in its own process: bigger listings and transactions."""
    session.syncer.size_for_worker()


def _make_service(session: Any, interval: float | None) -> Any:
    from smstui.core.service import RefreshService

    class WorkerRefreshService(RefreshService):
        async def poll_once(self, emit: Any = None, *, force_devices: bool = False) -> list[Event]:
            # The app may have chosen a region meanwhile (it re-keys the store in its process):
            # take the store's region before each poll (two meta reads when nothing changed).
            try:
                await asyncio.to_thread(self.session.regions.open)
            except Exception as exc:  # the poll reports store trouble itself
                log.warning("reading the region failed: %s", type(exc).__name__)
            return await super().poll_once(emit, force_devices=force_devices)

    return WorkerRefreshService(session, interval)


async def _send(session: Any, lids: list[int], out: Output) -> None:
    """Submit the rows the user just saved (the app pressed send); the poll retries what fails."""
    try:
        report = await session.outbox.send(lids)
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        log.warning("sending %s failed: %s", lids, exc)
        out.emit(OutboxChanged(tuple(lids)))
        return
    out.emit(OutboxChanged(tuple(report.changed) or tuple(lids), auth_needed=report.auth_needed))
    if report.phone_keys:
        out.emit(MessagesChanged(frozenset(report.phone_keys)))


def _lids(text: str) -> list[int]:
    return [int(part) for part in text.replace(",", " ").split() if part.strip().isdigit()]


async def serve(args: argparse.Namespace, out: Output, commands: IO[bytes]) -> int:
    """Open the session, run the refresh loop and obey commands until stopped; the exit code."""
    from smstui.core.config import ConfigError
    from smstui.core.session import open_session
    from smstui.core.store.connection import StoreError

    try:
        session = await asyncio.to_thread(
            open_session,
            config_path=args.config,
            profile=args.profile,
            api_url=args.api_url,
            db_path=args.store,
        )
    except (ConfigError, StoreError) as exc:
        out.emit(SyncFailed(f"The background sync cannot open the profile: {exc}", "store"))
        return 2
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str | None] = asyncio.Queue()
    threading.Thread(target=_read_commands, args=(loop, queue, commands), name="commands", daemon=True).start()
    tune_for_worker(session)
    service = _make_service(session, args.interval)
    running = asyncio.create_task(service.run(out.emit), name="refresh")
    sends: set[asyncio.Task[None]] = set()
    code = 0
    try:
        while True:
            get = asyncio.ensure_future(queue.get())
            done, _ = await asyncio.wait({get, running}, return_when=asyncio.FIRST_COMPLETED)
            if running in done:
                get.cancel()
                error = running.exception()
                if error is not None:
                    log.error("the refresh loop ended", exc_info=error)
                    out.emit(SyncFailed(f"The background sync failed ({type(error).__name__}).", "internal"))
                    code = 1
                break
            command = get.result()
            if command is None or command == "stop":
                break
            if command == "wake":
                service.wake(force_devices=False)
            elif command == "wake devices":
                service.wake(force_devices=True)
            elif command.startswith("send "):
                lids = _lids(command[5:])
                if lids:
                    task = asyncio.create_task(_send(session, lids, out), name="send")
                    sends.add(task)
                    task.add_done_callback(sends.discard)
            else:
                log.warning("unknown command from the app: %r", command[:40])
    finally:
        service.stop()
        pending = {running, *sends}
        _, late = await asyncio.wait(pending, timeout=STOP_GRACE)
        for task in late:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        try:
            await session.aclose()
        except Exception as exc:  # closing must not turn into a traceback
            log.warning("closing the session: %s", type(exc).__name__)
    return code


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m smstui.core.sync_worker", description=__doc__.splitlines()[0])
    parser.add_argument("--config", default=None)
    parser.add_argument("--profile", default=None)
    parser.add_argument("--store", default=None)
    parser.add_argument("--interval", type=float, default=None)
    parser.add_argument("--api-url", dest="api_url", default=None)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    # The protocol keeps the real stdout; anything else printed lands on stderr (the app's log).
    out = Output(os.fdopen(os.dup(1), "wb", buffering=0))
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    # Ctrl+C in the terminal is the app's; the worker stops when the app tells it or goes away.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # It runs in a background process group of the app's terminal (smstui.tui.sync_process): a
    # library that reads or writes /dev/tty (a keyring backend's prompt) gets an error, instead
    # of the worker being stopped, silently, by the terminal.
    for name in ("SIGTTIN", "SIGTTOU"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_IGN)
    try:
        # Below the app's priority: on a busy machine (two cores, other work) the scheduler gives
        # the app's frames the CPU first; the sync only takes longer.
        os.nice(BACKGROUND_NICE)
    except (AttributeError, OSError):  # not POSIX, or not allowed: the same priority as the app
        pass
    from smstui.core.logs import set_up_logging

    set_up_logging()
    try:
        args = _parse(argv)
    except SystemExit as exc:  # argparse wrote its help, or what was wrong, on stderr
        if exc.code in (0, None):
            return 0
        out.emit(SyncFailed("The background sync was started with bad arguments.", "internal"))
        return exc.code if isinstance(exc.code, int) else 2
    try:
        return asyncio.run(serve(args, out, sys.stdin.buffer))
    except Exception as exc:
        log.exception("the sync worker failed")
        from smstui.core.logs import see_the_log

        out.emit(SyncFailed(f"The background sync failed ({type(exc).__name__}); {see_the_log()}.", "internal"))
        return 1


if __name__ == "__main__":
    status = main()
    # Not sys.exit: the thread reading stdin may still block in a read, and the interpreter's
    # shutdown would wait for that lock (a fatal error); nothing is left to flush but the log.
    logging.shutdown()
    os._exit(status)
