"""``smstui health``: one check for cron or a monitoring system, with an exit code per kind of trouble.

It syncs first (unless ``--offline``), then reads the local store (:mod:`smstui.core.oncall.health`):
one line per problem, naming the phone (title and id) or the threshold and what was measured,
then one summary line; ``--json`` prints one document instead. Exit codes in
:mod:`smstui.cli.output` (10 offline, 11 failures, 12 queue, 13 outdated app; 3 and 4 when the
sync could not log in or reach the gateway, the rest being reported from the store).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, NamedTuple

import click

from smstui.cli import output as out
from smstui.cli.args import ArgError
from smstui.cli.common import CliError, emit_json, json_option, require_login, run

if TYPE_CHECKING:
    from smstui.core.oncall.health import Counts, HealthReport, Problem, Thresholds
    from smstui.core.session import Session

_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(d|h|m|min|s)?")
_UNIT = {"d": 86_400.0, "h": 3600.0, "m": 60.0, "min": 60.0, "s": 1.0, None: 60.0}
DURATION_HELP = "minutes, or with a unit: 90s, 15m, 2h, 1d, 1h30m"


def parse_duration(text: str, option: str) -> float:
    """``15`` (minutes), ``90s``, ``15m``, ``2h``, ``1d``, ``1h30m`` -> seconds."""
    key = text.strip().lower().replace(" ", "")
    parts = list(_DURATION_PART.finditer(key))
    if not key or "".join(p.group(0) for p in parts) != key or (len(parts) > 1 and any(not p.group(2) for p in parts)):
        raise ArgError(f"{option} {text!r} is not a duration: use {DURATION_HELP}")
    return sum(float(p.group(1)) * _UNIT[p.group(2)] for p in parts)


def parse_rate(text: str, option: str) -> float:
    """``0.2`` or ``20%`` -> 0.2 (a share between 0 and 1)."""
    key = text.strip()
    try:
        value = float(key[:-1]) / 100 if key.endswith("%") else float(key)
    except ValueError:
        raise ArgError(f"{option} {text!r} is not a rate: use a share like 0.2 or a percentage like 20%") from None
    if not 0 <= value <= 1:
        raise ArgError(f"{option} {text!r} must be between 0 and 1 (or 0% and 100%)")
    return value


# Problem kinds (smstui.core.oncall.health) and the sync's own trouble, with their exit codes and words.
KIND_CODES: dict[str, int] = {
    "auth": out.EXIT_AUTH,
    "network": out.EXIT_NETWORK,
    "gateway": out.EXIT_REFUSED,
    "offline": out.EXIT_OFFLINE,
    "failed_rate": out.EXIT_FAILED_RATE,
    "queue_size": out.EXIT_QUEUE,
    "queue_age": out.EXIT_QUEUE,
    "outdated": out.EXIT_OUTDATED,
}
KIND_WORDS = {
    "auth": "LOGIN",
    "network": "NETWORK",
    "gateway": "GATEWAY",
    "offline": "OFFLINE",
    "failed_rate": "FAILED",
    "queue_size": "QUEUE",
    "queue_age": "QUEUE",
    "outdated": "OUTDATED",
}


class Checked(NamedTuple):
    report: HealthReport
    thresholds: Thresholds
    problems: list[Problem]
    synced: bool


HEALTH_HELP = f"""Check that messaging is healthy: phones seen, failures, queue, app versions.

Syncs first (unless --offline), then checks the local store. Prints one line
per problem, naming the phone (title and #id) or the threshold and what was
measured, then a summary line; --json prints one document (fields in
`smstui --help`). Thresholds default to the config's [oncall] table: 15 min
offline, 50 waiting, 30 min oldest waiting, 20% failed in the last hour.

{out.HEALTH_EXIT_CODES_HELP}
"""


@click.command(help=HEALTH_HELP)
@json_option
@click.option("--offline", is_flag=True, help="Check the local store as it is, without syncing first.")
@click.option("--window", metavar="WINDOW", help="The failed rate's window: 1h, 24h or 7d (default: [oncall] window).")
@click.option("--max-offline", metavar="DURATION", help=f"A phone not seen for longer is offline ({DURATION_HELP}).")
@click.option(
    "--max-queue", metavar="N", type=click.IntRange(min=0), help="More messages waiting than this is trouble."
)
@click.option("--max-queue-age", metavar="DURATION", help="The oldest waiting message may wait this long.")
@click.option("--max-failed-rate", metavar="RATE", help="Share of finished messages that may fail: 0.2 or 20%.")
@click.pass_context
def health(
    ctx: click.Context,
    as_json: bool,
    offline: bool,
    window: str | None,
    max_offline: str | None,
    max_queue: int | None,
    max_queue_age: str | None,
    max_failed_rate: str | None,
) -> None:
    # Every value is read before the session opens: a bad one is a usage error (exit 2).
    given_offline = None if max_offline is None else parse_duration(max_offline, "--max-offline")
    given_age = None if max_queue_age is None else parse_duration(max_queue_age, "--max-queue-age")
    given_rate = None if max_failed_rate is None else parse_rate(max_failed_rate, "--max-failed-rate")

    async def body(session: Session) -> Checked:
        from smstui.core.oncall.health import Thresholds, compute_health, find_problems, window_seconds

        settings = session.config.oncall
        name = window or settings.window
        try:
            seconds = window_seconds(name)
        except ValueError as exc:
            raise ArgError(f"--window: {exc}") from None
        base = Thresholds.from_settings(settings)
        thresholds = Thresholds(
            base.max_offline if given_offline is None else given_offline,
            base.max_queue if max_queue is None else max_queue,
            base.max_queue_age if given_age is None else given_age,
            base.max_failed_rate if given_rate is None else given_rate,
        )
        trouble: list[Problem] = []
        synced = False
        if not offline:
            trouble, synced = await _sync_first(session)
        report = compute_health(
            session.store, session.clock(), seconds, window_name=name, max_offline=thresholds.max_offline
        )
        return Checked(report, thresholds, trouble + find_problems(report, thresholds), synced)

    checked = run(ctx, body, needs_login=False)
    code = min((KIND_CODES[p.kind] for p in checked.problems), default=out.EXIT_OK)
    if as_json:
        emit_json(health_doc(checked, code))
    else:
        for problem in checked.problems:
            click.echo(f"{KIND_WORDS[problem.kind]:<9}{out.safe_text(problem.message)}")
        click.echo(summary_line(checked))
    ctx.exit(code)


async def _sync_first(session: Session) -> tuple[list[Problem], bool]:
    """Sync once; what keeps it from working becomes a problem (the store is reported anyway)."""
    from smstui.core.api.errors import ApiError, AuthError, TransportError
    from smstui.core.oncall.health import Problem

    note = "; the rest is from the local store as last synced"
    try:
        require_login(session)
    except CliError as exc:
        return [Problem("auth", f"{exc.message}{note}")], False
    try:
        await session.syncer.sync()
    except AuthError as exc:
        return [Problem("auth", f"the gateway refused the session: {_clause(exc)}{note}")], False
    except TransportError as exc:
        return [Problem("network", f"the gateway cannot be reached: {_clause(exc)}{note}")], False
    except ApiError as exc:
        return [Problem("gateway", f"the gateway refused the sync: {_clause(exc)}{note}")], False
    return [], True


def _clause(exc: Exception) -> str:
    """An error's sentence as a clause of a longer line (its final full stop dropped)."""
    return str(exc).strip().rstrip(".")


# ------------------------------------------------------------------ output


def counts_doc(counts: Counts) -> dict[str, Any]:
    return {
        **counts._asdict(),  # delivered, sent, failed, unknown, queued
        "finished": counts.finished,
        "failed_rate": counts.failed_rate,
        "delivered_rate": counts.delivered_rate,
    }


def health_doc(checked: Checked, code: int) -> dict[str, Any]:
    report, thresholds = checked.report, checked.thresholds
    return {
        "healthy": not checked.problems,
        "exit_code": code,
        "at": out.iso(report.at),
        "synced": checked.synced,
        "last_synced": out.iso(report.last_synced),
        "window": {"name": report.window_name, "seconds": report.window},
        "totals": counts_doc(report.totals),
        "queue": {
            "size": report.queue.size,
            "oldest_age_seconds": report.queue.oldest_age,
            "oldest_lid": report.queue.oldest_lid,
        },
        "devices": [
            {
                "id": d.id,
                "title": d.title or None,
                "online": d.online,
                "last_seen": out.iso(d.last_seen),
                "seconds_since_seen": d.silent_for,
                "offline": d.offline,
                "app_version": d.app_version,
                "app_outdated": d.outdated,
                "counts": counts_doc(d.counts),
                "slots": [
                    {"sim": s.slot, "slot": out.slot_name(s.slot), "counts": counts_doc(s.counts)}
                    for s in report.slots_of(d.id)
                ],
            }
            for d in report.devices
        ],
        "thresholds": {
            "max_offline_seconds": thresholds.max_offline,
            "max_queue": thresholds.max_queue,
            "max_queue_age_seconds": thresholds.max_queue_age,
            "max_failed_rate": thresholds.max_failed_rate,
        },
        "problems": [
            {
                "kind": p.kind,
                "code": KIND_CODES[p.kind],
                "message": p.message,
                "device_id": p.device_id,
                "device_title": p.device_title,
                "value": p.value,
                "threshold": p.threshold,
            }
            for p in checked.problems
        ],
    }


def summary_line(checked: Checked) -> str:
    from smstui.core.oncall.health import describe_duration, describe_window, percent

    report = checked.report
    totals = report.totals
    state = (
        "OK" if not checked.problems else f"{len(checked.problems)} problem{'s' if len(checked.problems) > 1 else ''}"
    )
    parts = [
        f"{describe_window(report)}: {totals.delivered} delivered, {totals.sent} sent, "
        f"{totals.failed} failed ({percent(totals.failed_rate)}), {totals.unknown} unclear, {totals.queued} waiting",
    ]
    queue = report.queue
    if queue.size:
        oldest = f", the oldest for {describe_duration(queue.oldest_age)}" if queue.oldest_age is not None else ""
        parts.append(f"queue: {queue.size} waiting{oldest}")
    else:
        parts.append("queue: empty")
    phones = [d for d in report.devices if d.known]
    parts.append(f"{len(phones)} phone{'s' if len(phones) != 1 else ''}, {len(report.offline)} offline")
    if checked.synced:
        parts.append("synced now")
    else:
        parts.append(f"as of the last sync ({out.local_time(report.last_synced)})")
    return f"{state} · " + " · ".join(parts)
