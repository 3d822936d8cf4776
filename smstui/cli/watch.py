"""``smstui watch``: status changes and alerts as they happen, one line each (or one JSON object).

For tmux panes, log pipelines and monitoring scripts. The loop is :class:`smstui.core.oncall.watch.Watcher`
(the app's refresh service, one pass at a time); this module prints its items, flushed line by
line, and stops cleanly: Ctrl+C or SIGTERM end it after the pass under way is cancelled (exit 0),
a reader that goes away (``| head``) ends it quietly, and the gateway going away is said once and
retried with the service's backoff until it answers again.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

import click

from smstui.cli import output as out
from smstui.cli.common import require_login, run, usage_error, warn

if TYPE_CHECKING:
    from smstui.core.oncall.watch import Item
    from smstui.core.session import Session

WATCH_HELP = """Print status changes and alerts as they happen, one line each.

Each pass is the app's refresh (queued messages of the outbox are sent, then the
store is synced), every --interval seconds (default [ui] refresh_interval); it prints
the messages it added or changed, and the alerts of the config's [oncall]
thresholds: a phone offline (not seen for longer than max_offline) or back,
a message failed, the queue longer or older than allowed. The gateway going
away is said once; watch retries, backing off, and says when it is back.
--json prints one JSON object per line (JSON Lines) instead.

Stops on Ctrl+C (exit 0) and, quietly, when its reader goes away (| head).

\b
JSON objects ("type" first; "at" is ISO 8601 with offset):
  start    {"type", "at", "phones", "offline", "queued", "interval"}
  message  {"type", "at", "new", ...the fields of `messages --json`}
  more     {"type", "at", "count"}  (a pass changed more than 100 messages)
  alert    {"type", "at", "kind": "device_offline"|"message_failed"|
            "queue_size"|"queue_age", "state": "firing"|"cleared", "key",
            "message", "device_id", "device_title", "value", "threshold",
            "lids", "sms_ids"}
  sync     {"type", "at", "state": "down"|"back", "kind", "message",
            "retry_in_seconds", "down_since"}
  tick     {"type", "at", "pass", "state", "changes", "alerts"}  (--ticks)
"""


@click.command(help=WATCH_HELP)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line (JSON Lines), fields above.")
@click.option(
    "--interval", metavar="S", type=float, help="Seconds between sync passes (default: [ui] refresh_interval)."
)
@click.option("--ticks", is_flag=True, help="Also print one line per sync pass (a heartbeat).")
@click.option("--passes", metavar="N", type=click.IntRange(min=1), help="Stop after N sync passes.")
@click.option(
    "--run-command", is_flag=True, help="Run the config's [oncall] command with each alert as JSON on its stdin."
)
@click.pass_context
def watch(
    ctx: click.Context, as_json: bool, interval: float | None, ticks: bool, passes: int | None, run_command: bool
) -> None:
    if interval is not None and not interval > 0:
        usage_error(f"--interval {interval:g}: give the seconds between passes, more than 0")

    async def body(session: Session) -> None:
        require_login(session)
        await _watch(session, as_json=as_json, interval=interval, ticks=ticks, passes=passes, run_command=run_command)

    try:
        run(ctx, body, needs_login=False)
    except KeyboardInterrupt:  # where no signal handler could be installed: the same clean stop
        warn("Stopped.")
    except BrokenPipeError:
        _quiet_stdout()


async def _watch(
    session: Session, *, as_json: bool, interval: float | None, ticks: bool, passes: int | None, run_command: bool
) -> None:
    from smstui.core.oncall.alerts import Alert, run_alert_command
    from smstui.core.oncall.health import Thresholds
    from smstui.core.oncall.watch import Tick, Watcher

    oncall = session.config.oncall
    watcher = Watcher(
        session, interval=interval or session.refresh_interval, thresholds=Thresholds.from_settings(oncall)
    )
    stop = asyncio.Event()
    installed = _on_signals(stop.set)
    try:
        while not stop.is_set():
            step = asyncio.ensure_future(watcher.step())
            stopping = asyncio.ensure_future(stop.wait())
            await asyncio.wait({step, stopping}, return_when=asyncio.FIRST_COMPLETED)
            stopping.cancel()
            if not step.done():  # stopped mid-pass: the pass is cancelled, what it wrote stays
                step.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await step
                break
            names = {d.device.id: d.device.title for d in session.store.devices()}
            for item in step.result():
                if isinstance(item, Tick) and not ticks:
                    continue
                try:
                    click.echo(out.dumps_line(item_doc(item)) if as_json else item_line(item, names))
                except BrokenPipeError:
                    _quiet_stdout()
                    return
                if run_command and isinstance(item, Alert) and oncall.command:
                    problem = await asyncio.to_thread(
                        run_alert_command, oncall.command, item, float(oncall.command_timeout)
                    )
                    if problem:
                        warn(f"alert command: {problem}")
            if passes is not None and watcher.passes >= passes:
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=watcher.next_delay())
    finally:
        _off_signals(installed)
    if stop.is_set():
        warn("Stopped.")


def _on_signals(action: Callable[[], None]) -> list[int]:
    """Ctrl+C and SIGTERM stop the loop (not a KeyboardInterrupt mid-write); [] where the loop
    cannot take signal handlers (not the main thread, Windows)."""
    loop = asyncio.get_running_loop()
    installed: list[int] = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, action)
        except (NotImplementedError, RuntimeError, ValueError):
            continue
        installed.append(sig)
    return installed


def _off_signals(installed: list[int]) -> None:
    loop = asyncio.get_running_loop()
    for sig in installed:
        loop.remove_signal_handler(sig)


def _quiet_stdout() -> None:
    """The reader went away: point stdout at /dev/null, so the interpreter's last flush does not
    complain about the closed pipe."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass  # not a real file (a test's runner): nothing will complain


# ------------------------------------------------------------------ rendering


def _when(value: datetime) -> str:
    return value.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def _line(at: datetime, word: str, rest: str) -> str:
    return f"{_when(at)}  {word:<8} {rest}"


def item_line(item: Item, names: dict[int, str]) -> str:
    """One line for a person: the time, a word saying what, then the details (network text made safe)."""
    from smstui.core.oncall.alerts import Alert
    from smstui.core.oncall.health import describe_duration
    from smstui.core.oncall.watch import MessageChange, MoreChanges, Started, SyncBack, SyncTrouble, Tick

    if isinstance(item, Started):
        phones = f"{item.phones} phone{'s' if item.phones != 1 else ''} ({item.offline} offline)"
        return _line(item.at, "WATCHING", f"{phones}, {item.queued} waiting; a pass every {item.interval:g} s")
    if isinstance(item, MessageChange):
        m = item.message
        device = ""
        if m.device_id is not None:
            device = f"  {out.safe_text(names.get(m.device_id) or 'device')} #{m.device_id}"
            if m.slot is not None:
                device += f" {out.slot_name(m.slot)}"
        ident = f"#{m.sms_id}" if m.sms_id is not None else f"local {m.lid}"
        if m.incoming:
            preview = out.safe_text(m.body)
            preview = preview if len(preview) <= 40 else preview[:39] + "…"
            return _line(item.at, "INCOMING", f"← {out.safe_text(m.phone)}  {ident}{device}  {preview}")
        word = "FAILED" if m.failed else "MESSAGE"
        return _line(item.at, word, f"{out.safe_text(m.display_status)} → {out.safe_text(m.phone)}  {ident}{device}")
    if isinstance(item, MoreChanges):
        return _line(item.at, "…", f"and {item.more} more changes in this pass")
    if isinstance(item, Alert):
        return _line(item.at, "ALERT" if item.firing else "CLEAR", out.safe_text(item.message))
    if isinstance(item, SyncTrouble):
        word = {"network": "OFFLINE", "auth": "LOGIN"}.get(item.kind, "ERROR")
        said = out.safe_text(item.message).rstrip(".")
        return _line(item.at, word, f"{said}; retrying in {describe_duration(item.retry_in)}, and on until it works")
    if isinstance(item, SyncBack):
        down = describe_duration((item.at - item.down_since).total_seconds())
        return _line(item.at, "BACK", f"the gateway answers again (after {down})")
    if isinstance(item, Tick):
        return _line(item.at, "TICK", f"pass {item.number}: {item.state}, {item.changes} changes, {item.alerts} alerts")
    raise TypeError(f"unknown watch item {item!r}")


def _doc(at: datetime, kind: str, fields: dict[str, Any]) -> dict[str, Any]:
    """The JSON object of an item: its type and time first, as :func:`_line` starts a line."""
    return {"type": kind, "at": out.iso(at), **fields}


def item_doc(item: Item) -> dict[str, Any]:
    """The item's JSON object (documented in `smstui watch --help`)."""
    from smstui.core.oncall.alerts import Alert
    from smstui.core.oncall.watch import MessageChange, MoreChanges, Started, SyncBack, SyncTrouble, Tick

    if isinstance(item, Started):
        fields = {"phones": item.phones, "offline": item.offline, "queued": item.queued, "interval": item.interval}
        return _doc(item.at, "start", fields)
    if isinstance(item, MessageChange):
        return _doc(item.at, "message", {"new": item.new, **out.stored_message_doc(item.message)})
    if isinstance(item, MoreChanges):
        return _doc(item.at, "more", {"count": item.more})
    if isinstance(item, Alert):
        return {"type": "alert", **item.to_json()}
    # Both states of "sync" carry every key, null where it does not apply.
    if isinstance(item, SyncTrouble):
        trouble = {"kind": item.kind, "message": item.message, "retry_in_seconds": item.retry_in, "down_since": None}
        return _doc(item.at, "sync", {"state": "down", **trouble})
    if isinstance(item, SyncBack):
        back = {"kind": None, "message": None, "retry_in_seconds": None, "down_since": out.iso(item.down_since)}
        return _doc(item.at, "sync", {"state": "back", **back})
    if isinstance(item, Tick):
        counts = {"pass": item.number, "state": item.state, "changes": item.changes, "alerts": item.alerts}
        return _doc(item.at, "tick", counts)
    raise TypeError(f"unknown watch item {item!r}")
