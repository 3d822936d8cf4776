"""``smstui bulk FILE.csv``: many messages through the same bulk jobs the app runs (:mod:`smstui.core.bulk.runner`)."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from smstui.cli import output as out
from smstui.cli.args import DEVICE_ID, parse_slot, sheet_options
from smstui.cli.common import (
    SLOT_CHOICES,
    CliError,
    ProgressBar,
    emit_json,
    json_option,
    limit_warnings,
    require_login,
    run,
    usage_error,
    warn,
)

if TYPE_CHECKING:
    from smstui.core.session import Session


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=False)
@click.option(
    "--device",
    "device_id",
    type=DEVICE_ID,
    metavar="ID",
    help="The phone that sends (default: the profile's default_device).",
)
@click.option(
    "--sim", type=click.IntRange(0, 5), help="Slot for rows without a slot column: 0/1 SMS, 2/3 WhatsApp, 4/5 RCS."
)
@click.option("--slot", type=click.Choice(SLOT_CHOICES), help="Slot by name (instead of --sim).")
@click.option("--body", metavar="TEXT", help="One text for every row (the file then needs no body column).")
@click.option(
    "--template", metavar="TEXT", help="A text with {placeholders} from the file's columns, e.g. 'Hi {name}'."
)
@click.option("--title", default="", metavar="T", help="A name for the job (shown in the app).")
@click.option("--urgent", is_flag=True, help="Mark every message urgent.")
@click.option(
    "--batch-size",
    type=click.IntRange(1, 1000),
    metavar="N",
    help="Messages per request (default from the config, 100).",
)
@click.option("--dry-run", is_flag=True, help="Check the file and show what would be sent; send nothing.")
@click.option("--jobs", "list_only", is_flag=True, help="List the bulk jobs this profile remembers; send nothing.")
@click.option(
    "--resume",
    metavar="[JOB]",
    is_flag=False,
    flag_value="",
    default=None,
    help="Continue an unfinished job (default: the newest); interrupted batches are checked first.",
)
@click.option(
    "--include-opted-out",
    is_flag=True,
    help="Send to numbers that replied STOP too (see `smstui optouts`); they are left out by default.",
)
@sheet_options
@json_option
@click.pass_context
def bulk(
    ctx: click.Context,
    file: Path | None,
    device_id: int | None,
    sim: int | None,
    slot: str | None,
    body: str | None,
    template: str | None,
    title: str,
    urgent: bool,
    batch_size: int | None,
    dry_run: bool,
    list_only: bool,
    resume: str | None,
    include_opted_out: bool,
    encoding: str | None,
    sheet: str | None,
    mapping: dict[str, str] | None,
    as_json: bool,
) -> None:
    """Send one message per row of a CSV, .xlsx or .ods file (columns: phone, body; optional time, slot, customer_id).

    Messages are saved first and sent in batches; each one is tracked like a single send, and a
    batch whose answer was lost is looked up, never resent blindly. A progress bar shows on a
    terminal (not when piped or with --json).

    \b
    Numbers on the suppression list (they replied STOP; `smstui optouts`) are left out and
    listed on stderr, unless --include-opted-out.

    \b
    JSON: {"dry_run", "job_id", "state", "messages", "batches", "sms_parts", "submitted",
           "unknown", "rejected", "duplicated", "remaining", "error", "invalid": [{"line", "reason"}],
           "opted_out": [{"line", "phone", "reply", "at"}], "include_opted_out",
           "ucs2", "cost_warning"}
    Exit code: 0 all accepted; 1 rows invalid or refused; 3 login needed; 4 stopped early
    (network) - the job is saved and the app resumes it.
    """
    from smstui.core.bulk.plan import estimate, rows_from_preview
    from smstui.core.bulk.runner import BulkJob
    from smstui.core.models import Slot
    from smstui.core.send_cost import cost_of, culprit_text
    from smstui.core.sheets.csv_import import read_csv
    from smstui.core.suppression import Skipped, split_opted_out

    if list_only:
        _list_jobs(ctx, as_json)
        return
    if resume is not None:
        if file is not None:
            usage_error("--resume continues a saved job: give no FILE with it")
        _resume(ctx, resume, as_json)
        return
    if file is None:
        usage_error("give the CSV FILE to send (or --jobs to list jobs, --resume to continue one)")
    if body is not None and template is not None:
        usage_error("give either --body or --template, not both")
    chosen = parse_slot(sim, slot) or Slot.SMS1

    async def work(session: Session) -> dict[str, Any]:
        device = device_id if device_id is not None else session.profile.default_device
        if device is None:
            usage_error(
                "which phone sends? Give --device ID (see `smstui devices`) or set default_device in the profile"
            )
        preview = read_csv(
            file,
            kind="bulk",
            region=session.region,
            body_required=body is None and template is None,
            encoding=encoding,
            sheet=sheet,
            mapping=mapping,
        )
        if not as_json:
            warn(preview.summary)
            for repaired in preview.repaired:
                warn(f"line {repaired.line}: {repaired.phone} ({repaired.note})")
        store = session.store
        rows, invalid = rows_from_preview(
            preview,
            body=body,
            template=template,
            names=lambda e164: store.contact_name(store.phone_key(e164)),
        )
        skipped: list[Skipped] = []
        if not include_opted_out:
            rows, skipped = split_opted_out(store, rows)
        else:
            _, skipped = split_opted_out(store, rows)  # named, not left out
        size = batch_size or session.config.bulk.batch_size
        plan = estimate(rows, size)
        cost = cost_of([r.body for r in rows])  # each message as it goes, placeholders filled
        doc: dict[str, Any] = {
            "dry_run": dry_run,
            "job_id": None,
            "state": None,
            "messages": plan.messages,
            "batches": plan.batches,
            "sms_parts": plan.sms_parts,
            "ucs2": cost.ucs2,
            "cost_warning": culprit_text(cost) or None,
            "submitted": 0,
            "unknown": 0,
            "rejected": 0,
            "duplicated": 0,
            "remaining": plan.messages,
            "error": None,
            "invalid": [{"line": r.line, "reason": r.reason} for r in invalid],
            "opted_out": [
                {"line": s.line, "phone": s.phone, "reply": s.optout.reply, "at": s.optout.at.isoformat()}
                for s in skipped
            ],
            "include_opted_out": include_opted_out,
            "limit_warnings": limit_warnings(session, {(device, int(chosen)): plan.messages}) if rows else [],
        }
        if dry_run or not rows:
            return doc
        require_login(session)
        await _check_device(session, device)
        job = BulkJob.create(
            store,
            session.client,
            rows,
            device_id=device,
            slot=int(chosen),
            batch_size=size,
            title=title,
            urgent=urgent,
            settle_margin=session.profile.settle_margin,
        )
        doc["job_id"] = job.id
        with ProgressBar(plan.messages, "Sending", enabled=not as_json) as bar:
            report = await job.run(lambda p: bar.update(p.counts.finished))
        counts = report.counts
        doc.update(
            state=report.state,
            submitted=counts.submitted,
            unknown=counts.unknown,
            rejected=counts.rejected,
            remaining=counts.remaining,
            error=report.error,
            duplicated=report.extra_found,
        )
        doc["_summary"] = report.summary
        return doc

    doc = run(ctx, work, needs_login=False)
    summary = doc.pop("_summary", None)
    if as_json:
        emit_json(doc)
    elif doc["dry_run"] or doc["job_id"] is None:
        click.echo(
            f"{doc['messages']} message(s) in {doc['batches']} request(s), {doc['sms_parts']} SMS part(s)"
            + (" - dry run, nothing sent." if doc["dry_run"] else ".")
        )
    else:
        click.echo(f"Job {doc['job_id']}: {summary}")
    for item in doc["invalid"]:
        warn(f"line {item['line']}: {item['reason']}")
    for line in doc.get("limit_warnings", []):
        warn(f"warning: {line}")
    if doc.get("cost_warning"):
        warn(f"note: {doc['cost_warning']} ({doc['ucs2']} message(s) in UCS-2 in all)")
    if doc.get("opted_out"):
        if doc["include_opted_out"]:
            warn(f"warning: sending to {len(doc['opted_out'])} number(s) that opted out (--include-opted-out)")
        else:
            warn(
                f"{len(doc['opted_out'])} opted-out number(s) left out (--include-opted-out sends to them too): "
                + ", ".join(item["phone"] for item in doc["opted_out"])
            )
    if not doc["dry_run"] and doc["job_id"] is None and not doc["invalid"]:
        if doc.get("opted_out"):
            usage_error(f"every number in {file} opted out; nothing sent (--include-opted-out sends anyway)")
        usage_error(f"{file} has no rows to send")
    ctx.exit(_exit_code(doc))


def _job_doc(info: Any, counts: Any) -> dict[str, Any]:
    from datetime import datetime

    return {
        "job_id": info.id,
        "title": info.title,
        "state": info.state,
        "device_id": info.device_id,
        "created": datetime.fromtimestamp(info.created, UTC).isoformat(),
        "messages": counts.total,
        "submitted": counts.submitted,
        "unknown": counts.unknown,
        "rejected": counts.rejected,
        "remaining": counts.remaining,
        "error": info.error,
    }


def _list_jobs(ctx: click.Context, as_json: bool) -> None:
    from smstui.core.bulk.jobs import job_counts, list_jobs

    async def work(session: Session) -> list[dict[str, Any]]:
        return [_job_doc(j, job_counts(session.store, j.id, j)) for j in list_jobs(session.store)]

    docs = run(ctx, work, needs_login=False)
    if as_json:
        emit_json({"jobs": docs})
        return
    if not docs:
        warn("No bulk jobs.")
        return
    rows = [
        (
            d["job_id"],
            d["created"][:16].replace("T", " "),
            d["state"],
            f"{d['submitted']}/{d['messages']}",
            d["unknown"],
            d["remaining"],
            d["title"],
        )
        for d in docs
    ]
    click.echo(out.table(["JOB", "CREATED (UTC)", "STATE", "ACCEPTED", "UNKNOWN", "LEFT", "TITLE"], rows, wide=6))


def _resume(ctx: click.Context, job_id: str, as_json: bool) -> None:
    from smstui.core.bulk.jobs import unfinished_jobs
    from smstui.core.bulk.plan import BulkError
    from smstui.core.bulk.runner import BulkJob

    async def work(session: Session) -> dict[str, Any]:
        require_login(session)
        store = session.store
        unfinished = unfinished_jobs(store)
        chosen = next((j for j in unfinished if j.id == job_id), None) if job_id else (unfinished or [None])[0]
        if chosen is None:
            known = ", ".join(j.id for j in unfinished) or "none"
            raise CliError(
                f"no unfinished bulk job {job_id!r} (unfinished: {known}; see `smstui bulk --jobs`)"
                if job_id
                else "no unfinished bulk job to resume (see `smstui bulk --jobs`)",
                out.EXIT_USAGE,
            )
        job = BulkJob(store, session.client, chosen, settle_margin=session.profile.settle_margin)
        try:
            with ProgressBar(job.counts().total, "Sending", enabled=not as_json) as bar:
                report = await job.run(lambda p: bar.update(p.counts.finished))
        except BulkError as exc:
            raise CliError(str(exc), out.EXIT_NETWORK) from None
        doc = _job_doc(chosen, report.counts)
        doc.update(
            state=report.state, error=report.error, invalid=[], duplicated=report.extra_found, _summary=report.summary
        )
        return doc

    doc = run(ctx, work, needs_login=False)
    summary = doc.pop("_summary")
    if as_json:
        emit_json(doc)
    else:
        click.echo(f"Job {doc['job_id']}: {summary}")
    ctx.exit(_exit_code(doc))


async def _check_device(session: Session, device_id: int) -> None:
    """Refuse a device the account does not have before a job is saved: otherwise every batch is
    refused (or, offline, the job waits forever) for a typo in --device."""
    known = {d.device.id: d.device.title for d in session.store.devices()}
    if device_id in known:
        return
    # Not synced yet, or a phone added since the last sync: the gateway's list decides.
    devices = await session.client.devices()
    session.store.save_devices(devices)
    known = {d.id: d.title for d in devices}
    if device_id not in known:
        listed = ", ".join(f"{i} ({t})" if t else str(i) for i, t in sorted(known.items())) or "none"
        raise CliError(
            f"device {device_id} is not one of this account's phones (known: {listed}); "
            "nothing was saved. Pick one with --device (see `smstui devices`).",
            out.EXIT_REFUSED,
        )


def _exit_code(doc: dict[str, Any]) -> int:
    if doc["error"] and "log in" in doc["error"].lower():
        return out.EXIT_AUTH  # the job paused on a login failure (its text says "Log in again")
    if doc["job_id"] is not None and (doc["unknown"] or doc["remaining"]):
        return out.EXIT_NETWORK
    if doc["rejected"] or doc["invalid"]:
        return out.EXIT_REFUSED
    return out.EXIT_OK
