"""The ``smstui`` command's click group: the TUI without arguments, subcommands for scripts.

``smstui.main.main`` is the console script; it comes here for anything but a plain ``smstui``.

Every subcommand builds the same :class:`smstui.core.session.Session` as the TUI (config, profile,
local store, token, outbox), so a message sent here shows up in the app and vice versa.

Startup stays fast: Textual and the app are imported only when the TUI opens, httpx and the core
only inside the commands that use them.

Output contract (see ``smstui --help``): human tables on stdout; with ``--json`` exactly one JSON
document on stdout; warnings and errors on stderr; exit codes in :mod:`smstui.cli.output`.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from smstui.cli import output as out
from smstui.cli.args import (
    CUSTOMER_ID,
    DEVICE_ID,
    SMS_ID,
    local_zone,
    parse_past,
    parse_slot,
    parse_status,
    read_body,
)
from smstui.cli.common import (
    ENV_EMAIL,
    ENV_PASSWORD,
    SLOT_CHOICES,
    CliError,
    Globals,
    SmstuiGroup,
    emit_json,
    json_option,
    require_login,
    run,
    usage_error,
    warn,
)

if TYPE_CHECKING:
    from smstui.core.session import Session


# ------------------------------------------------------------------ root

ROOT_HELP = f"""Keyboard-driven terminal client for SMSGateway24.

Without a command, opens the full-screen app; with --demo, opens it on a built-in
simulated gateway (no account needed). The commands below share the app's config,
profiles, local store and outbox.

\b
Environment:
  SMSTUI_CONFIG     config file (same as --config)
  SMSTUI_API_URL    gateway base URL (same as --api-url)
  SMSTUI_PROFILE    profile to use (same as --profile)
  SMSTUI_DATA_DIR   where the local store and token files live
  SMSTUI_EMAIL, SMSTUI_PASSWORD   credentials for `login` and for scripts
  SMSTUI_DEBUG=1    show tracebacks of unexpected errors

{out.EXIT_CODES_HELP}

{out.JSON_FIELDS_HELP}
"""


@click.group(
    cls=SmstuiGroup,
    invoke_without_command=True,
    help=ROOT_HELP,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.option("--profile", metavar="NAME", help="Profile (account) from the config file.")
@click.option(
    "--api-url", metavar="URL", envvar="SMSTUI_API_URL", help="Gateway base URL, e.g. https://smsgateway24.com/getdata/"
)
@click.option(
    "--config",
    "config_path",
    metavar="PATH",
    envvar="SMSTUI_CONFIG",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Config file to use.",
)
@click.option("--demo", is_flag=True, help="Open the app on a simulated gateway with sample data.")
@click.version_option(package_name="smstui", prog_name="smstui")
@click.pass_context
def cli(ctx: click.Context, profile: str | None, api_url: str | None, config_path: Path | None, demo: bool) -> None:
    from smstui.core.logs import set_up_logging

    set_up_logging()  # every command logs to the rotating file (smstui.core.logs)
    ctx.obj = Globals(profile=profile, api_url=api_url, config_path=config_path)
    if ctx.invoked_subcommand is not None:
        if demo:
            usage_error("--demo opens the app; it cannot be combined with a command")
        return
    if demo:
        from smstui.demo import run_demo

        run_demo()
        return
    open_tui(ctx.obj)


def open_tui(g: Globals) -> None:
    from smstui.tui.launch import open_tui as run

    run(config_path=g.config_path, profile=g.profile, api_url=g.api_url)


# ------------------------------------------------------------------ login / logout


@cli.command()
@click.option("--email", metavar="EMAIL", help=f"Account email (default: ${ENV_EMAIL}, the profile's, or a prompt).")
@click.option("--remember", is_flag=True, help="Also keep the password (0600 file or keyring) to renew the session.")
@click.pass_context
def login(ctx: click.Context, email: str | None, remember: bool) -> None:
    """Log in and keep the session token for this profile.

    Prompts for the email and password, or reads SMSTUI_EMAIL and SMSTUI_PASSWORD.
    """
    g: Globals = ctx.obj

    async def body(session: Session) -> None:
        from smstui.core.secrets import Secret

        address = email or os.environ.get(ENV_EMAIL, "").strip()
        if not address:
            address = prompt("Email", default=session.profile.email or None)
        password = os.environ.get(ENV_PASSWORD, "")
        if not password:
            password = prompt("Password", hide_input=True)
        if not address.strip() or not password:
            raise CliError("an email and a password are needed to log in", out.EXIT_USAGE)
        await session.login(address.strip(), Secret(password), remember=remember, api_url=g.api_url)
        click.echo(f"Logged in as {address.strip()} (profile {session.profile.name}).")
        from smstui.cli.region import login_lines
        from smstui.core.api.errors import ApiError

        try:
            await session.learn_region()  # the phones' SIMs tell the region when the profile sets none
        except ApiError as exc:  # the login itself worked; the next sync learns it
            warn(f"The phones could not be listed to learn the region ({exc}); `smstui sync` will.")
            return
        for line in login_lines(session):
            click.echo(line)

    run(ctx, body, needs_login=False)


def prompt(text: str, *, default: str | None = None, hide_input: bool = False) -> str:
    try:
        return click.prompt(text, default=default, hide_input=hide_input, err=True)
    except click.exceptions.Abort:
        raise CliError(
            f"no {text.lower()} given; type it at the prompt or set {ENV_EMAIL} and {ENV_PASSWORD}",
            out.EXIT_USAGE,
        ) from None


@cli.command()
@click.pass_context
def logout(ctx: click.Context) -> None:
    """Forget this profile's session token (and a remembered password)."""

    async def body(session: Session) -> None:
        await session.logout()
        click.echo(f"Logged out (profile {session.profile.name}).")

    run(ctx, body, needs_login=False)


# ------------------------------------------------------------------ devices


@cli.command()
@json_option
@click.pass_context
def devices(ctx: click.Context, as_json: bool) -> None:
    """List the phones of the account: SIM cards, last seen, online."""

    async def body(session: Session) -> list[dict[str, Any]]:
        client = session.client
        found = await client.devices()
        statuses = await asyncio.gather(*(client.device_status(d.id) for d in found), return_exceptions=True)
        from smstui.core.api.errors import AuthError

        session.store.save_devices(found)
        from smstui.cli.region import news_lines

        for line in news_lines(session, session.regions.learn(found)):
            warn(line)  # stderr: stdout is the table or the JSON document
        docs = []
        for device, status in zip(found, statuses, strict=True):
            if isinstance(status, AuthError):
                raise status
            if isinstance(status, BaseException):
                warn(f"device {device.id}: online state unknown ({status})")
                docs.append(out.device_doc(device, None, None))
                continue
            session.store.save_device_status(status)
            if status.last_seen is not None:
                device = device._replace(last_seen=status.last_seen)
            docs.append(out.device_doc(device, status.online, status.seconds_since_seen))
        return docs

    docs = run(ctx, body)
    if as_json:
        emit_json({"devices": docs})
        return
    if not docs:
        warn("No devices on this account. Install the SMSGateway24 app on a phone and log in there.")
        return
    rows = []
    for d in docs:
        sims = "; ".join(
            f"{s['slot']}: {' '.join(x for x in (s['carrier'], s['number']) if x) or '?'}{' (roaming)' if s['roaming'] else ''}"
            for s in d["sims"]
        )
        online = {True: "online", False: "offline", None: "?"}[d["online"]]
        seen = out.local_time(datetime.fromisoformat(d["last_seen"])) if d["last_seen"] else "-"
        rows.append((d["id"], d["title"], online, seen, sims or "-", d["app_version"] or "-"))
    click.echo(out.table(["ID", "TITLE", "STATE", "LAST SEEN", "SIMS", "APP"], rows, wide=4))


# ------------------------------------------------------------------ send


@cli.command()
@click.option("--to", "to", required=True, metavar="NUMBER[,NUMBER...]", help="Recipients, comma separated.")
@click.option("--device", type=DEVICE_ID, metavar="ID", help="Device id (default: the profile's default_device).")
@click.option(
    "--sim", type=click.IntRange(0, 5), help="Slot number: 0/1 SMS, 2 WhatsApp Business, 3 WhatsApp, 4/5 RCS."
)
@click.option("--slot", type=click.Choice(SLOT_CHOICES), help="Slot by name (instead of --sim).")
@click.option(
    "--at", "at", metavar="WHEN", help="Schedule: 'YYYY-MM-DD HH:MM' (local time), HH:MM, +30m, +2h, 'tomorrow 9:00'."
)
@click.option("--urgent", is_flag=True, help="Ask the phone to send it before other queued messages.")
@click.option("--customer-id", type=CUSTOMER_ID, metavar="N", help="Your own reference number, kept with the message.")
@click.option(
    "--image",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Image (JPEG/PNG/WebP/GIF, WhatsApp slots).",
)
@click.option(
    "--keep-queued",
    is_flag=True,
    help="If the gateway cannot be reached, leave the message in the outbox for the app to send later "
    "(default: drop it, so running the command again cannot send it twice).",
)
@json_option
@click.argument("body")
@click.pass_context
def send(
    ctx: click.Context,
    to: str,
    device: int | None,
    sim: int | None,
    slot: str | None,
    at: str | None,
    urgent: bool,
    customer_id: int | None,
    image: Path | None,
    keep_queued: bool,
    as_json: bool,
    body: str,
) -> None:
    """Send BODY (`-` reads it from stdin); prints one sms id per recipient.

    The message goes through the outbox like in the app: it is saved locally first, then
    submitted. If the answer is lost, it is kept as "unknown" and checked on the gateway
    later, never resent blindly (exit code 4).
    """
    from smstui.core.api.client import ImageUpload
    from smstui.core.models import Slot
    from smstui.core.phone import parse_recipients, unique_numbers
    from smstui.core.store import schema as st
    from smstui.core.timeparse import WhenError, parse_when

    text = read_body(body, sys.stdin)
    chosen = parse_slot(sim, slot) or Slot.SMS1
    if image is not None:
        try:
            ImageUpload.from_path(image)
        except ValueError as exc:
            usage_error(f"--image: {exc}")
        if not chosen.is_whatsapp:
            usage_error("--image needs a WhatsApp slot: add --slot wa or --slot wa-business")
    elif not text.strip():
        usage_error("the message is empty: give the text as BODY, or `-` to read it from stdin")

    async def work(session: Session) -> tuple[list[dict[str, Any]], int]:
        checks = parse_recipients(to, session.region)
        bad = [c for c in checks if not c.ok]
        if bad:
            usage_error("; ".join(f"{c.error}" for c in bad))
        numbers = unique_numbers(checks)
        if not numbers:
            usage_error("no recipient: give --to +4915752982212 (comma-separate several)")
        device_id = device if device is not None else session.profile.default_device
        if device_id is None:
            usage_error(
                "which phone sends it? Give --device ID (see `smstui devices`) or set default_device in the profile"
            )
        scheduled = None
        if at is not None:
            try:
                scheduled = parse_when(at, datetime.now(UTC), local_zone())
            except WhenError as exc:
                usage_error(f"--at: {exc}")
        require_login(session)

        lids = session.outbox.queue(
            numbers,
            text,
            device_id,
            chosen,
            scheduled_at=scheduled,
            customer_id=customer_id,
            urgent=urgent,
            image_path=str(image) if image is not None else None,
        )
        report = await session.outbox.send(lids)
        docs = _send_results(session, lids, report.error, keep_queued, st)
        return docs, out.EXIT_AUTH if report.auth_needed else out.EXIT_NETWORK

    docs, failure_code = run(ctx, work, needs_login=False)
    states = {d["state"] for d in docs}
    code = out.EXIT_OK
    if "rejected" in states:
        code = out.EXIT_REFUSED
    if states & {"unknown", "not_sent", "queued"}:
        code = failure_code if failure_code == out.EXIT_AUTH else out.EXIT_NETWORK
    if as_json:
        emit_json({"ok": code == out.EXIT_OK, "messages": docs})
    for d in docs:
        if d["state"] == "submitted":
            if not as_json:
                click.echo(d["sms_id"])
        elif d["state"] == "rejected":
            warn(f"{d['phone']}: refused: {d['error']}")
        elif d["state"] == "unknown":
            warn(
                f"{d['phone']}: outcome unknown ({d['error'] or 'no answer'}). The message is saved "
                f"(local id {d['lid']}) and is checked against the gateway by `smstui sync` and the app; "
                "it is re-sent only once smstui is sure the gateway does not have it. Do not send it "
                f"again yourself; see `smstui messages --offline --phone {d['phone']}`."
            )
        elif d["state"] == "queued":
            warn(
                f"{d['phone']}: not sent ({d['error']}); kept in the outbox (local id {d['lid']}), the app will send it."
            )
        else:
            warn(f"{d['phone']}: not sent ({d['error']}); nothing was queued, it is safe to run the command again.")
    if code != out.EXIT_OK:
        ctx.exit(code)


def _send_results(
    session: Session, lids: list[int], failure: str | None, keep_queued: bool, st: Any
) -> list[dict[str, Any]]:
    docs = []
    for lid in lids:
        row = session.store.message(lid)
        if row is None:  # pragma: no cover - a row we just wrote cannot vanish
            continue
        state = {
            st.SUBMITTED: "submitted",
            st.REJECTED: "rejected",
            st.UNKNOWN: "unknown",
            st.SENDING: "unknown",
            st.CANCELLED: "not_sent",
            st.QUEUED: "queued" if keep_queued else "not_sent",
        }.get(row.outbox or "", "submitted" if row.sms_id else "unknown")
        if row.sms_id is not None and state != "rejected":
            state = "submitted"
        if state == "submitted":
            error = None
        elif state == "not_sent":
            # The outbox's own text speaks of retrying later, which the CLI does not do.
            error = failure or row.outbox_error or "not attempted"
        else:
            error = row.outbox_error or failure or "no answer"
        if state == "not_sent" and row.outbox == st.QUEUED:
            # Drop it: a script that retries must not also get the old copy sent later.
            session.outbox.cancel(lid)
        docs.append({"lid": lid, "phone": row.phone, "sms_id": row.sms_id, "state": state, "error": error})
    return docs


# ------------------------------------------------------------------ status


@cli.command()
@click.argument("sms_id", type=SMS_ID)
@click.option("--wait", is_flag=True, help="Poll until the status is final; the exit code tells the outcome.")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0),
    default=300.0,
    show_default=True,
    help="Give up waiting after S seconds (exit 4).",
)
@click.option(
    "--interval", type=click.FloatRange(min=0.01), default=2.0, show_default=True, help="Seconds between polls."
)
@json_option
@click.pass_context
def status(ctx: click.Context, sms_id: int, wait: bool, timeout: float, interval: float, as_json: bool) -> None:
    """Show the status of message SMS_ID ("did message 123 arrive?").

    With --wait: exit 0 when delivered (or another non-failure final status), 5 when it
    failed, 4 when still not final after --timeout.
    """
    from smstui.core.api.errors import TransportError
    from smstui.core.models import is_failed

    async def body(session: Session) -> tuple[Any, bool]:
        deadline = time.monotonic() + timeout
        current = None
        while True:
            try:
                current = await session.client.sms_status(sms_id)
            except TransportError:
                # While waiting, a network blip is not an answer: keep trying until the deadline.
                if current is None or not wait or time.monotonic() >= deadline:
                    raise
            else:
                session.store.update_status(sms_id, current.status, current.description)
                if current.final or not wait:
                    return current, False
            if time.monotonic() + interval > deadline:
                return current, True
            await asyncio.sleep(interval)

    current, timed_out = run(ctx, body)
    if as_json:
        emit_json(out.status_doc(current, timed_out=timed_out))
    else:
        click.echo(out.status_line(current))
    if not wait:
        return
    if timed_out:
        warn(f"still not final after {timeout:g} s (status {current.status}: {current.title})")
        ctx.exit(out.EXIT_NETWORK)
    if is_failed(current.status):
        ctx.exit(out.EXIT_FAILED)


# ------------------------------------------------------------------ messages


@cli.command()
@click.option("--phone", metavar="P", help="Only messages to or from this number.")
@click.option("--device", type=DEVICE_ID, metavar="ID", help="Only this device.")
@click.option(
    "--status",
    "status_",
    metavar="N|NAME",
    help="Only this status: a code or new, sent, delivered, incoming, ...; failed: every failure.",
)
@click.option(
    "--since", metavar="DATE", help="From this time: YYYY-MM-DD[ HH:MM], today, yesterday, or an age: 2h, 7d."
)
@click.option("--until", metavar="DATE", help="Up to this time (same forms as --since).")
@click.option("--sim", type=click.IntRange(0, 5), help="Only this slot (0-5).")
@click.option("--customer-id", type=CUSTOMER_ID, metavar="N", help="Only messages with this customer id.")
@click.option("--count", is_flag=True, help="Print only the number of matching messages.")
@click.option(
    "--limit",
    type=click.IntRange(min=0),
    default=100,
    show_default=True,
    help="At most N messages, newest first (0: all).",
)
@click.option("--offline", is_flag=True, help="Read the local store instead of the gateway (works without network).")
@json_option
@click.pass_context
def messages(
    ctx: click.Context,
    phone: str | None,
    device: int | None,
    status_: str | None,
    since: str | None,
    until: str | None,
    sim: int | None,
    customer_id: int | None,
    count: bool,
    limit: int,
    offline: bool,
    as_json: bool,
) -> None:
    """List messages, sent and received, newest first."""
    now = datetime.now(UTC)
    codes = parse_status(status_) if status_ is not None else None
    begin = parse_past(since, now) if since else None
    end = parse_past(until, now) if until else None
    if begin and end and begin > end:
        usage_error("--since is after --until")

    async def body(session: Session) -> tuple[int, list[dict[str, Any]], str]:
        from smstui.core.phone import InvalidNumber, normalize

        number = None
        if phone is not None:
            try:
                number = normalize(phone, session.region)
            except InvalidNumber as exc:
                usage_error(f"--phone: {exc}")
        if offline:
            rows = session.store.messages(
                phone_key=session.store.phone_key(number) if number else None,
                device_id=device,
                status=codes,
                since=begin,
                until=end,
                slot=sim,
                customer_id=customer_id,
                limit=None if count or not limit else limit,
            )
            if count:
                return len(rows), [], "local"
            return len(rows), [out.stored_message_doc(r) for r in rows], "local"
        require_login(session)
        from smstui.core.gateway_messages import MessageFilter

        # The client names the zone of begin/end itself (gateway_time: UTC, always).
        # getallsms filters by one status: a group (``failed``) is one request per code in it.
        filters = [
            MessageFilter(
                device_id=device,
                status=code,
                begin=begin,
                end=end,
                slot=sim,
                customer_id=customer_id,
                phone=number,
                order_desc=True,
            )
            for code in (codes or (None,))
        ]
        if count:
            counts = await asyncio.gather(*(session.client.count_messages(f) for f in filters))
            return sum(counts), [], "gateway"
        results = await asyncio.gather(*(session.client.list_messages(f) for f in filters))
        unique = {m.id: m for result in results for m in result.messages}
        found = sorted(unique.values(), key=lambda m: (m.created is not None, m.created or now, m.id), reverse=True)
        if limit:
            found = found[:limit]
        stored = session.store.messages_by_sms_ids(m.id for m in found)
        docs = [out.message_doc(m, getattr(stored.get(m.id), "duplicate_of", None)) for m in found]
        return sum(r.count for r in results), docs, "gateway"

    total, docs, source = run(ctx, body, needs_login=False)
    if count:
        if as_json:
            emit_json({"count": total})
        else:
            click.echo(total)
        return
    if as_json:
        emit_json({"count": total, "source": source, "messages": docs})
        return
    if not docs:
        warn("No messages match.")
        return
    rows = [
        (
            d["id"] if d["id"] is not None else f"({d['lid']})",
            out.local_time(datetime.fromisoformat(d["created"])) if d["created"] else "-",
            "in" if d["direction"] == "in" else "out",
            d["phone"],
            d["device_id"],
            out.slot_name(d["sim"]),
            d["status_title"] + (" · second copy" if d.get("duplicate_of") else ""),
            d["body"],
        )
        for d in docs
    ]
    click.echo(out.table(["ID", "TIME", "DIR", "PHONE", "DEVICE", "SIM", "STATUS", "BODY"], rows, wide=7))
    if total > len(docs):
        warn(f"Showing {len(docs)} of {total}; use --limit 0 for all.")


# ------------------------------------------------------------------ sync


@cli.command()
@json_option
@click.pass_context
def sync(ctx: click.Context, as_json: bool) -> None:
    """Bring the local store up to date with the gateway (one incremental pass)."""
    show_progress = not as_json and sys.stderr.isatty()
    shown: list[bool] = []

    def progress(done: int, total: int) -> None:
        # Only a first sync reports progress: days of history fetched so far.
        if show_progress and total:
            click.echo(f"\rSyncing history: {done}/{total} days", err=True, nl=False)
            shown.append(True)

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

    report = run(ctx, body)
    if shown:
        click.echo("", err=True)
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


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat()


from smstui.cli.contacts import register as _register_contact_commands  # noqa: E402

_register_contact_commands(cli)

from smstui.cli.search import register as _register_search_commands  # noqa: E402

_register_search_commands(cli)


def main() -> None:
    """Run the click group (``smstui.main.main`` is the console script)."""
    cli.main(prog_name="smstui")
