"""``smstui sync``: one pass of sync, outbox and interrupted bulk jobs, as a script or cron job runs it."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import click

from smstui.cli import output as out
from smstui.cli.common import emit_json, json_option, run, warn

if TYPE_CHECKING:
    from smstui.core.session import Session


@click.command()
@json_option
@click.pass_context
def sync(ctx: click.Context, as_json: bool) -> None:
    """Bring the local store up to date with the gateway (one incremental pass)."""
    shown = SyncProgress(enabled=not as_json)
    progress = shown.update

    async def body(session: Session) -> Any:
        from smstui.core.bulk.runner import resume_interrupted

        report = await session.syncer.sync(progress=progress)
        try:
            await session.outbox.process()
        except Exception as exc:  # the sync itself worked; say so and still report it
            warn(f"outbox: {exc}")
        # Bulk jobs a killed command or a lost connection left unfinished go on (or are
        # checked, when the user paused them); one another process runs is left to it.
        jobs = await resume_interrupted(session.store, session.client, settle_margin=session.profile.settle_margin)
        from smstui.cli.region import news_lines, region_doc

        return (
            report,
            report.verified or session.syncer.last_check,
            jobs,
            region_doc(session),
            news_lines(session, report.region),
        )

    try:
        report = run(ctx, body)
    finally:
        shown.close()
    report, check, jobs, region, region_news = report
    doc = {
        "new_messages": int(report.inserted),
        "changed_messages": int(report.changed),
        "new_incoming": int(report.new_incoming),
        "changed_threads": len(report.phone_keys),
        "devices_changed": bool(report.devices_changed),
        # The default region in effect for numbers without +country (smstui.core.region).
        "region": region,
        # The latest comparison of the stored history with the gateway's counts (history_check).
        "verified": None
        if check is None
        else {
            "complete": check.complete,
            "messages": check.messages,
            "recovered": check.recovered,
            "from": _iso(check.begin),
            "to": _iso(check.end),
            "at": _iso(check.at),
            "differs": [{"from": _iso(a), "to": _iso(b), "stored": s, "gateway": g} for a, b, s, g in check.differs],
        },
        "bulk_jobs": [
            {
                "job_id": info.id,
                "state": result.state if not isinstance(result, str) else info.state,
                "summary": result.summary if not isinstance(result, str) else None,
                "left": result if isinstance(result, str) else None,
            }
            for info, result in jobs
        ],
    }
    if as_json:
        emit_json(doc)
    else:
        click.echo(
            f"Synced: {doc['new_messages']} new message(s), {doc['changed_threads']} conversation(s) changed"
            + (", devices updated." if doc["devices_changed"] else ".")
        )
        for line in region_news:
            click.echo(line)
        if check is not None:
            when = (
                ""
                if report.verified is not None
                else f" (checked {out.local_time(datetime.fromtimestamp(check.at, UTC))})"
            )
            click.echo(check.summary() + when)
        for job in doc["bulk_jobs"]:
            if job["left"]:
                click.echo(f"Bulk job {job['job_id']} left as it is: {job['left']}")
            else:
                click.echo(f"Bulk job {job['job_id']} resumed: {job['summary']}")


# Piped or redirected (a cron job's log): one plain line this often, and the last one.
PLAIN_EVERY = 10.0


def _stderr_is_terminal() -> bool:
    return sys.stderr.isatty()


class SyncProgress:
    """A first sync's progress on stderr: a live bar on a terminal, plain lines when piped.

    Only a first sync reports progress (messages stored of the gateway's count); an incremental
    pass prints nothing here. Never with --json.
    """

    def __init__(self, *, enabled: bool) -> None:
        from smstui.core.sync_progress import Eta

        self.enabled = enabled
        self.live = enabled and _stderr_is_terminal()
        self._eta = Eta()
        self._last_line = 0.0
        self._pending: str | None = None  # a plain line not printed yet (the last one is, at close)
        self._drawn = False

    def update(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        from smstui.core.sync_progress import progress_text

        eta = self._eta.update(done, total)
        if self.live:
            import shutil

            width = max(8, min(30, shutil.get_terminal_size((80, 24)).columns - 60))
            line = f"Syncing history {progress_text(done, total, eta, width=width)}"
            click.echo("\r" + line + "\x1b[K", err=True, nl=False)
            self._drawn = True
            return
        import time

        line = f"Syncing history: {progress_text(done, total, eta, width=0).strip()}"
        now = time.monotonic()
        if now - self._last_line >= PLAIN_EVERY or done >= total > 0:
            click.echo(line, err=True)
            self._last_line, self._pending = now, None
        else:
            self._pending = line

    def close(self) -> None:
        if self._drawn:
            click.echo("", err=True)
        elif self._pending is not None:
            click.echo(self._pending, err=True)
        self._drawn, self._pending = False, None


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat()
