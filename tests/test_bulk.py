"""Bulk sending against the simulator over real HTTP, with faults injected mid-way.

Every test checks the two promises of smstui.core.bulk.runner: nothing lost (every row ends tracked with the
gateway's sms_id, or clearly marked) and nothing doubled (the gateway holds each message once).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from smstui.core.api.client import GatewayClient
from smstui.core.bulk.jobs import (
    CANCELLED_JOB,
    DONE,
    PAUSED,
    STOPPED,
    BulkProgress,
    job_counts,
    list_jobs,
    unfinished_jobs,
)
from smstui.core.bulk.plan import (
    BulkError,
    BulkRow,
    estimate,
    rows_for_numbers,
    rows_from_preview,
)
from smstui.core.bulk.runner import BulkJob
from smstui.core.gateway_messages import MessageFilter, MessageList, OutgoingSms
from smstui.core.sheets.csv_import import parse_csv
from smstui.core.store.database import Store
from smstui.core.store.schema import (
    CANCELLED,
    QUEUED,
    REJECTED,
    SENDING,
    SUBMITTED,
    UNKNOWN,
)
from smstui.core.templates import TemplateError
from smstui.simulator.testing import TestSimulator
from tests.bulk_helpers import DEVICE, FlakyTransport, client, sim_client, store  # noqa: F401

BERLIN = ZoneInfo("Europe/Berlin")  # the simulator account's zone (sim_empty has no messages to show it)

# No margin past the (short) client timeout: the tests' lost answers are lost at once.
FAST = dict(settle_seconds=0, settle_margin=0, retry_delays=(0, 0, 0), lookup_retries=1, lookup_delay=0)


def numbers(n: int, start: int = 0) -> list[str]:
    # Numbers ending in 2 (delivered, no reply) so the gateway holds only what we sent.
    return [f"+49157{start + i:07d}2" for i in range(n)]


def make_rows(n: int, body: str = "Hello {i}") -> list[BulkRow]:
    return [BulkRow(phone, body.format(i=i)) for i, phone in enumerate(numbers(n))]


def make_job(store: Store, client: GatewayClient, rows: Sequence[BulkRow], batch_size: int = 10, **kw: Any) -> BulkJob:
    options = {**FAST, **kw}
    return BulkJob.create(store, client, rows, device_id=DEVICE, batch_size=batch_size, **options)


def sent(sim: TestSimulator) -> Counter[tuple[str, str]]:
    """(number, text) of every outgoing message the gateway holds."""
    return Counter((m.phone, m.body) for m in sim.state.messages.values() if m.status != 5)


def assert_all_tracked(sim: TestSimulator, job: BulkJob) -> None:
    """Every row submitted, with the id of the gateway message of the same number and text."""
    rows = job.rows()
    assert {r.outbox for r in rows} == {SUBMITTED}
    assert len({r.sms_id for r in rows}) == len(rows)
    for row in rows:
        msg = sim.state.messages[row.sms_id]  # type: ignore[index]
        assert (msg.phone, msg.body) == (row.phone, row.body)
    assert sent(sim) == Counter((r.phone, r.body) for r in rows)  # nothing lost, nothing doubled


async def test_bulk_send_recovers_every_id(sim_empty: TestSimulator, store: Store, client: GatewayClient) -> None:
    job = make_job(store, client, make_rows(25))
    assert len(job.info.batches) == 3
    markers = [b.marker for b in job.info.batches]
    assert len(set(markers)) == 3 and all(m is not None and m < 2**31 for m in markers)
    assert {r.outbox for r in job.rows()} == {QUEUED}  # written before any request
    assert sim_empty.stats.requests["addalotofsms"] == 0

    seen: list[BulkProgress] = []
    report = await job.run(seen.append)

    assert report.state == DONE and report.counts.submitted == 25
    assert_all_tracked(sim_empty, job)
    assert sim_empty.stats.requests["addalotofsms"] == 3
    # Every gateway message of a batch carries that batch's marker.
    for batch in job.info.batches:
        ids = {r.sms_id for r in job.rows(batch)}
        assert {sim_empty.state.messages[i].customerid for i in ids} == {batch.marker}  # type: ignore[index]
    assert seen[-1].fraction == 1.0 and seen[-1].batches == 3
    # Tracked like a single send: each number has a conversation with the message in it.
    thread = store.thread_messages(store.phone_key(numbers(1)[0]))
    assert [m.body for m in thread] == ["Hello 0"] and thread[0].sms_id is not None
    assert [j.id for j in list_jobs(store)] == [job.id] and unfinished_jobs(store) == []


@pytest.mark.parametrize("fault", ["response_lost", "malformed_json"])
async def test_lost_answer_of_an_accepted_batch_is_found_not_resent(
    sim_empty: TestSimulator, store: Store, client: GatewayClient, fault: str
) -> None:
    job = make_job(store, client, make_rows(30))

    def progress(p: BulkProgress) -> None:
        if p.note == "batch 1 sent":  # the second request is processed, its answer lost
            sim_empty.faults.set(fault, methods="addalotofsms", count=1)

    report = await job.run(progress)
    assert report.state == DONE
    assert sim_empty.stats.requests["addalotofsms"] == 3  # not sent again
    assert_all_tracked(sim_empty, job)


@pytest.mark.parametrize("fault", ["drop", "http500", "html502"])
async def test_batch_that_never_arrived_is_sent_again_once(
    sim_empty: TestSimulator, store: Store, client: GatewayClient, fault: str
) -> None:
    job = make_job(store, client, make_rows(30))

    def progress(p: BulkProgress) -> None:
        if p.note == "batch 1 sent":
            sim_empty.faults.set(fault, methods="addalotofsms", count=1)

    report = await job.run(progress)
    assert report.state == DONE
    assert sim_empty.stats.requests["addalotofsms"] == 4  # batch 2 looked up (none found), then resent
    assert_all_tracked(sim_empty, job)


@pytest.mark.parametrize("margin", [1.0, 0.0])
async def test_a_batch_processed_after_the_client_timeout_is_not_sent_twice(tmp_path, margin: float) -> None:
    # The gateway takes 1.5 s over a batch the client gives up on after 1 s. A lookup made
    # before the in-flight limit (timeout + margin) finds nothing yet: that is no proof, and
    # re-sending it then put every message on the gateway twice. The job waits for the limit.
    # Real clocks on both sides: the limit is about real seconds.
    from tests.cli_helpers import live_simulator
    from tests.core_helpers import wait_until

    with live_simulator(step_seconds=60) as sim:
        store = Store(tmp_path / "live.sqlite3")
        client = GatewayClient(sim.url, email=sim.email, password=sim.password, timeout=1.0)
        job = make_job(store, client, make_rows(10), settle_margin=margin)
        assert job.settle_seconds == 1.0 + margin
        sim.faults.set("latency", methods="addalotofsms", count=1, seconds=1.5)
        report = await job.run()
        if margin == 0.0:
            # No margin (what a settle time shorter than the in-flight time did): the lookup at
            # the timeout cannot see the batch yet, it is sent again, then the original lands too.
            await wait_until(lambda: len(sim.state.messages) == 20)
            assert max(Counter((m.phone, m.body) for m in sim.state.messages.values()).values()) == 2
            return
        assert report.state == DONE and sim.stats.requests["addalotofsms"] == 1
        assert len(sim.state.messages) == 10 and len({(m.phone, m.body) for m in sim.state.messages.values()}) == 10
        assert store._query("SELECT COUNT(*) FROM messages")[0][0] == 10
        assert {r.outbox for r in job.rows()} == {SUBMITTED}


def test_the_settle_time_is_never_shorter_than_the_timeout_plus_margin(store: Store) -> None:
    from smstui.core.send_rule import DEFAULT_MARGIN

    client = GatewayClient("http://127.0.0.1:9/getdata/", timeout=20)
    # A 15 s settle under a 20 s timeout (the old default) is raised to timeout + margin.
    job = BulkJob(store, client, None, settle_seconds=15)  # type: ignore[arg-type]
    assert job.settle_seconds == 20 + DEFAULT_MARGIN


async def test_lookup_failing_too_stops_with_rows_sending_then_resumes(
    sim_empty: TestSimulator, store: Store, client: GatewayClient
) -> None:
    job = make_job(store, client, make_rows(20))
    sim_empty.faults.set("response_lost", methods="addalotofsms", count=1)
    sim_empty.faults.set("http500", methods="getallsms")  # until cleared
    report = await job.run()
    assert report.state == STOPPED and "cannot check batch 1" in (report.error or "")
    assert report.counts.sending == 10 and report.counts.queued == 10
    assert sim_empty.stats.requests["addalotofsms"] == 1

    sim_empty.faults.clear()
    again = await BulkJob.load(store, client, job.id, **FAST).run()
    assert again.state == DONE
    assert sim_empty.stats.requests["addalotofsms"] == 2  # batch 1 found, only batch 2 sent
    assert_all_tracked(sim_empty, job)


async def test_refused_connection_is_retried_with_backoff(sim_empty: TestSimulator, store: Store) -> None:
    transport = FlakyTransport("addalotofsms", fail=2)
    flaky = sim_client(sim_empty, transport=transport)
    job = make_job(store, flaky, make_rows(5))
    report = await job.run()
    assert report.state == DONE and transport.refused == 2
    assert_all_tracked(sim_empty, job)
    await flaky.aclose()


async def test_refused_connection_for_too_long_stops_the_job(sim_empty: TestSimulator, store: Store) -> None:
    transport = FlakyTransport("addalotofsms", fail=100)
    flaky = sim_client(sim_empty, transport=transport)
    job = make_job(store, flaky, make_rows(5))
    report = await job.run()
    assert report.state == STOPPED and "Cannot reach" in (report.error or "")
    assert report.counts.queued == 5 and transport.refused == 4  # first try + 3 retries
    assert "Stopped" in report.summary
    await flaky.aclose()


async def test_refused_message_is_narrowed_down_and_the_rest_sent(
    sim_empty: TestSimulator, store: Store, client: GatewayClient
) -> None:
    rows = make_rows(10)
    rows[6] = BulkRow(rows[6].phone, "   ")  # the gateway refuses an empty body ("item 6")
    job = make_job(store, client, rows)
    report = await job.run()
    assert report.state == DONE
    assert (report.counts.submitted, report.counts.rejected) == (9, 1)
    [refused] = [r for r in job.rows() if r.outbox == REJECTED]
    assert refused.phone == rows[6].phone and "body" in (refused.outbox_error or "")
    assert sent(sim_empty) == Counter((r.phone, r.body) for r in job.rows() if r.outbox == SUBMITTED)


async def test_unknown_device_stops_before_sending(
    sim_empty: TestSimulator, store: Store, client: GatewayClient
) -> None:
    job = BulkJob.create(store, client, make_rows(5), device_id=999, batch_size=10, **FAST)
    report = await job.run()
    assert report.state == STOPPED and "device 999 is not one of this account's phones" in (report.error or "")
    assert report.counts.queued == 5 and sim_empty.stats.requests["addalotofsms"] == 0


class RefusingClient(GatewayClient):
    """The gateway refuses every addalotofsms with a reason that names no item (e.g. balance)."""

    async def add_many_sms(self, messages: Sequence[OutgoingSms]) -> None:
        from smstui.core.api.errors import GatewayError

        raise GatewayError("addalotofsms", "Not enough balance")


async def test_refusal_of_the_whole_batch_stops_with_the_gateways_words(sim_empty: TestSimulator, store: Store) -> None:
    refusing = RefusingClient(sim_empty.url, email=sim_empty.email, password=sim_empty.password, gateway_tz=BERLIN)
    job = make_job(store, refusing, make_rows(5))
    report = await job.run()
    assert report.state == STOPPED
    assert "refused batch 1 as a whole: Not enough balance" in (report.error or "")
    assert report.counts.queued == 5
    await refusing.aclose()


async def test_many_refusals_for_one_reason_stop_the_job(
    sim_empty: TestSimulator, store: Store, client: GatewayClient
) -> None:
    rows = [BulkRow(p, " ") for p in numbers(30)]
    report = await make_job(store, client, rows, batch_size=30).run()
    assert report.state == STOPPED and "refused 10 messages for the same reason" in (report.error or "")
    assert report.counts.rejected == 10 and report.counts.queued == 20


async def test_pause_and_resume(sim_empty: TestSimulator, store: Store, client: GatewayClient) -> None:
    job = make_job(store, client, make_rows(30))

    def progress(p: BulkProgress) -> None:
        if p.note == "batch 1 sent":
            job.pause()

    report = await job.run(progress)
    assert report.state == PAUSED
    assert (report.counts.submitted, report.counts.queued) == (10, 20)
    assert [j.id for j in unfinished_jobs(store)] == [job.id]
    report = await job.run()
    assert report.state == DONE
    assert_all_tracked(sim_empty, job)


async def test_cancel_cancels_what_was_not_sent(sim_empty: TestSimulator, store: Store, client: GatewayClient) -> None:
    job = make_job(store, client, make_rows(30))

    def progress(p: BulkProgress) -> None:
        if p.note == "batch 2 sent":
            job.cancel()

    report = await job.run(progress)
    assert report.state == CANCELLED_JOB
    assert (report.counts.submitted, report.counts.cancelled) == (20, 10)
    assert all(r.display_status == "cancelled" for r in job.rows() if r.outbox == CANCELLED)
    assert sum(sent(sim_empty).values()) == 20
    assert (await job.run()).state == CANCELLED_JOB  # a cancelled job stays cancelled


async def test_cancel_before_running(sim_empty: TestSimulator, store: Store, client: GatewayClient) -> None:
    job = make_job(store, client, make_rows(3))
    job.cancel()
    assert job.counts().cancelled == 3 and job.info.state == CANCELLED_JOB


async def test_resume_after_crash_with_request_that_arrived(
    sim_empty: TestSimulator, store: Store, client: GatewayClient
) -> None:
    job = make_job(store, client, make_rows(20))
    # The process died right after sending batch 1: rows SENDING, request processed, no ids.
    first = job.info.batches[0]
    rows = job.rows(first)
    first.attempts, first.last_attempt = 1, store.now()
    job._save_batch()
    for r in rows:
        store.set_outbox_states([r.lid], SENDING, count_attempt=True)
    await client.add_many_sms([job._outgoing(r) for r in rows])

    fresh = BulkJob.load(store, client, job.id, **FAST)
    report = await fresh.run()
    assert report.state == DONE
    assert sim_empty.stats.requests["addalotofsms"] == 2  # only batch 2 was sent by the run
    assert_all_tracked(sim_empty, fresh)


async def test_resume_after_crash_before_the_request_left(
    sim_empty: TestSimulator, store: Store, client: GatewayClient
) -> None:
    job = make_job(store, client, make_rows(10))
    for r in job.rows():
        store.set_outbox_states([r.lid], SENDING, count_attempt=True)
    report = await BulkJob.load(store, client, job.id, **FAST).run()
    assert report.state == DONE
    assert_all_tracked(sim_empty, job)


class HangingClient(GatewayClient):
    """addalotofsms never answers (a hung request); tells the test when it started."""

    def __init__(self, *a: Any, **kw: Any) -> None:
        super().__init__(*a, **kw)
        self.started = asyncio.Event()

    async def add_many_sms(self, messages: Sequence[OutgoingSms]) -> None:
        self.started.set()
        await asyncio.Event().wait()


async def test_task_cancelled_mid_request_leaves_the_batch_to_be_checked(
    sim_empty: TestSimulator, store: Store, client: GatewayClient
) -> None:
    hanging = HangingClient(sim_empty.url, email=sim_empty.email, password=sim_empty.password, gateway_tz=BERLIN)
    job = make_job(store, hanging, make_rows(5))
    task = asyncio.create_task(job.run())
    await asyncio.wait_for(hanging.started.wait(), 10)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert job.info.state == PAUSED and job.counts().sending == 5
    report = await BulkJob.load(store, client, job.id, **FAST).run()
    assert report.state == DONE
    assert_all_tracked(sim_empty, job)
    await hanging.aclose()


class HidingClient(GatewayClient):
    """The message list leaves out messages to some numbers (a lagging gateway)."""

    hidden: set[str] = set()

    async def list_messages(self, flt: MessageFilter | None = None, **kw: object) -> MessageList:
        listing = await super().list_messages(flt, **kw)  # type: ignore[arg-type]
        kept = tuple(m for m in listing.messages if m.phone not in self.hidden)
        return MessageList(kept, len(kept))


async def test_accepted_but_not_listed_is_unknown_then_reconciled(
    sim_empty: TestSimulator, store: Store, client: GatewayClient
) -> None:
    hiding = HidingClient(sim_empty.url, email=sim_empty.email, password=sim_empty.password, gateway_tz=BERLIN)
    hiding.hidden = {numbers(3)[2]}
    job = make_job(store, hiding, make_rows(3))
    report = await job.run()
    assert report.state == DONE and (report.counts.submitted, report.counts.unknown) == (2, 1)
    assert "unknown" in report.summary
    [unknown] = [r for r in job.rows() if r.outbox == UNKNOWN]
    assert "accepted by the gateway" in (unknown.outbox_error or "")
    assert sum(sent(sim_empty).values()) == 3  # never resent

    reconciled = await BulkJob.load(store, client, job.id, **FAST).reconcile()
    assert reconciled.counts.submitted == 3
    assert_all_tracked(sim_empty, job)
    await hiding.aclose()


async def test_partly_found_after_lost_answer_is_unknown_and_user_may_resend(
    sim_empty: TestSimulator, store: Store, client: GatewayClient
) -> None:
    hiding = HidingClient(sim_empty.url, email=sim_empty.email, password=sim_empty.password, gateway_tz=BERLIN)
    hiding.hidden = {numbers(4)[3]}
    job = make_job(store, hiding, make_rows(4))
    sim_empty.faults.set("response_lost", methods="addalotofsms", count=1)
    report = await job.run()
    assert (report.counts.submitted, report.counts.unknown) == (3, 1)
    assert sim_empty.stats.requests["addalotofsms"] == 1
    [unknown] = [r for r in job.rows() if r.outbox == UNKNOWN]
    assert "only part of the batch" in (unknown.outbox_error or "")

    assert job.requeue_unknown() == 1  # the user's explicit choice
    hiding.hidden = set()
    report = await job.run()
    assert report.counts.submitted == 4
    assert sent(sim_empty)[(unknown.phone, unknown.body)] == 2  # sent twice, as the user chose
    await hiding.aclose()


async def test_rows_with_their_own_customer_ids(sim_empty: TestSimulator, store: Store, client: GatewayClient) -> None:
    rows = [BulkRow(p, f"Order {i}", customer_id=1000 + i) for i, p in enumerate(numbers(12))]
    rows += [BulkRow(p, "News") for p in numbers(5, start=100)]
    job = make_job(store, client, rows, batch_size=5)
    own = [b for b in job.info.batches if b.marker is None]
    assert len(own) == 3 and len(job.info.batches) == 4  # never mixed with marker batches
    sim_empty.faults.set("response_lost", methods="addalotofsms", count=2)
    report = await job.run()
    assert report.state == DONE
    assert_all_tracked(sim_empty, job)
    for row in job.rows():
        if row.body.startswith("Order"):
            assert sim_empty.state.messages[row.sms_id].customerid == row.customer_id  # type: ignore[index]


async def test_auth_expiry_mid_job_is_transparent(
    sim_empty: TestSimulator, store: Store, client: GatewayClient
) -> None:
    job = make_job(store, client, make_rows(20))

    def progress(p: BulkProgress) -> None:
        if p.note == "batch 1 sent":
            sim_empty.faults.set("expire_tokens", methods="addalotofsms", count=1)

    assert (await job.run(progress)).state == DONE
    assert_all_tracked(sim_empty, job)


async def test_larger_job_through_the_simulator(sim_empty: TestSimulator, store: Store, client: GatewayClient) -> None:
    job = make_job(store, client, make_rows(1500, body="Sale {i}: 20% off"), batch_size=250)

    def progress(p: BulkProgress) -> None:
        if p.note == "batch 2 sent":
            sim_empty.faults.set("response_lost", methods="addalotofsms", count=1)
        if p.note == "batch 4 sent":
            sim_empty.faults.set("drop", methods="addalotofsms", count=1)

    report = await job.run(progress)
    assert report.state == DONE and report.counts.submitted == 1500
    assert_all_tracked(sim_empty, job)
    sim_empty.advance(60)


# ----------------------------------------------------------------------------- planning


def test_create_validates() -> None:
    store = Store(":memory:")
    with pytest.raises(BulkError, match="nothing to send"):
        BulkJob.create(store, None, [], device_id=1)  # type: ignore[arg-type]
    with pytest.raises(BulkError, match="batch size"):
        BulkJob.create(store, None, make_rows(1), device_id=1, batch_size=0)  # type: ignore[arg-type]
    with pytest.raises(BulkError, match="Slot 9"):
        BulkJob.create(store, None, make_rows(1), device_id=1, slot=9)  # type: ignore[arg-type]


def test_rows_from_bulk_csv_with_template_and_names() -> None:
    preview = parse_csv(
        "phone,first name,code\n+4915752982212,Ann,A1\n+4917612345678,,B2\nbad,x,y\n", kind="bulk", body_required=False
    )
    rows, invalid = rows_from_preview(
        preview,
        template="Hi {name}, code {code} for {phone}",
        names=lambda e164: "Bob" if e164.endswith("78") else None,
    )
    assert [r.body for r in rows] == ["Hi Ann, code A1 for +4915752982212", "Hi Bob, code B2 for +4917612345678"]
    assert [r.line for r in rows] == [2, 3]
    assert [i.line for i in invalid] == [4]
    with pytest.raises(TemplateError, match=r"\{city\}"):
        rows_from_preview(preview, template="Hi {city}")


def test_rows_from_bulk_csv_own_bodies_and_one_body() -> None:
    preview = parse_csv("phone;body;customer_id\n+4915752982212;Hi, you;7\n", kind="bulk")
    rows, _ = rows_from_preview(preview)
    assert rows == [BulkRow("+4915752982212", "Hi, you", customer_id=7, line=2)]
    rows, _ = rows_from_preview(preview, body="Same for all")
    assert rows[0].body == "Same for all"


def test_rows_for_numbers_and_estimate() -> None:
    rows, bad = rows_for_numbers("+4915752982212, +4917612345678\nnonsense; +4915752982212", "Hi {phone}")
    assert [r.phone for r in rows] == ["+4915752982212", "+4917612345678"]  # the duplicate is sent once
    assert bad == [("nonsense", bad[0][1])] and "letters" in bad[0][1]
    rows, _ = rows_for_numbers(["+4915752982212"], "", template="Dear {name}", names=lambda _: "Ann")
    assert rows[0].body == "Dear Ann"
    with pytest.raises(TemplateError):
        rows_for_numbers("+4915752982212", "", template="{code}")
    est = estimate(make_rows(250, body="x" * 200), batch_size=100)
    assert (est.messages, est.batches, est.sms_parts, est.recipients) == (250, 3, 500, 250)


def test_job_survives_reopening_the_store(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    store = Store(path)
    job = BulkJob.create(store, None, make_rows(7), device_id=1, batch_size=3)  # type: ignore[arg-type]
    store.close()
    store = Store(path)
    [info] = unfinished_jobs(store)
    assert info.id == job.id and [b.size for b in info.batches] == [3, 3, 1]
    loaded = BulkJob.load(store, None, job.id)  # type: ignore[arg-type]
    assert loaded.counts().queued == 7
    with pytest.raises(BulkError, match="no bulk job"):
        BulkJob.load(store, None, "nope")  # type: ignore[arg-type]


async def test_cancel_while_a_lost_answer_is_settling_checks_instead_of_resending(
    sim_empty: TestSimulator, store: Store, client: GatewayClient
) -> None:
    job = make_job(store, client, make_rows(10), settle_seconds=3600)
    sim_empty.faults.set("response_lost", methods="addalotofsms", count=1)

    def progress(p: BulkProgress) -> None:
        if "answer lost" in p.note:
            job.cancel()  # wakes the settle wait at once

    report = await job.run(progress)
    assert report.state == CANCELLED_JOB
    assert report.counts.submitted == 10 and report.counts.sending == 0
    assert sim_empty.stats.requests["addalotofsms"] == 1
    assert_all_tracked(sim_empty, job)


# ----------------------------------------------------------------------------- request count


async def ready(sim: TestSimulator, store: Store, client: GatewayClient) -> None:
    """As in the app: sync knows the device and the account's zone; count from here."""
    from smstui.core.models import Device

    store.save_devices([Device(id=DEVICE, title="Office")])
    await client.ensure_timezone()
    sim.stats.reset()


async def test_ids_of_all_batches_are_read_in_one_listing(
    sim_empty: TestSimulator, store: Store, client: GatewayClient
) -> None:
    await ready(sim_empty, store, client)  # no device request either
    job = make_job(store, client, make_rows(45))
    seen: list[BulkProgress] = []
    report = await job.run(seen.append)
    assert report.state == DONE and report.counts.submitted == 45 and report.counts.awaiting_ids == 0
    assert sim_empty.stats.requests["addalotofsms"] == 5
    assert sim_empty.stats.requests["getallsms"] == 1 and sim_empty.stats.requests["getalldevices"] == 0
    assert_all_tracked(sim_empty, job)
    # While their ids were pending, accepted batches counted as accepted, not as still sending.
    after_two = next(p for p in seen if p.note == "batch 2 sent").counts
    assert (after_two.submitted, after_two.awaiting_ids, after_two.sending, after_two.queued) == (20, 20, 0, 25)
    assert all(b.ids_pending_since is None for b in job.info.batches)


async def test_unknown_device_in_the_store_is_still_asked_for(
    sim_empty: TestSimulator, store: Store, client: GatewayClient
) -> None:
    await ready(sim_empty, store, client)
    job = BulkJob.create(store, client, make_rows(5), device_id=999, batch_size=10, **FAST)
    report = await job.run()
    assert report.state == STOPPED and "device 999" in (report.error or "")
    assert sim_empty.stats.requests["getalldevices"] == 1 and sim_empty.stats.requests["addalotofsms"] == 0


async def test_ids_are_read_every_so_many_messages(
    sim_empty: TestSimulator, store: Store, client: GatewayClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("smstui.core.bulk.runner.LOOKUP_EVERY_MESSAGES", 20)
    await ready(sim_empty, store, client)
    job = make_job(store, client, make_rows(50))
    assert (await job.run()).state == DONE
    assert sim_empty.stats.requests["getallsms"] == 3  # after batches 2 and 4, then the last one
    assert_all_tracked(sim_empty, job)


async def test_failed_combined_listing_falls_back_to_each_batch(
    sim_empty: TestSimulator, store: Store, client: GatewayClient
) -> None:
    await ready(sim_empty, store, client)
    job = make_job(store, client, make_rows(30))

    def progress(p: BulkProgress) -> None:
        if p.note == "batch 3 sent":
            sim_empty.faults.set("http500", methods="getallsms", count=1)

    assert (await job.run(progress)).state == DONE
    assert sim_empty.stats.requests["getallsms"] == 4  # the failed listing, then one per batch
    assert sim_empty.stats.requests["addalotofsms"] == 3  # nothing resent
    assert_all_tracked(sim_empty, job)


class LaggingClient(GatewayClient):
    """Device listings (the combined lookup) miss some numbers; marker lookups see everything."""

    hidden: set[str] = set()

    async def list_messages(self, flt: MessageFilter | None = None, **kw: object) -> MessageList:
        listing = await super().list_messages(flt, **kw)  # type: ignore[arg-type]
        if flt is None or flt.customer_id is not None:
            return listing
        kept = tuple(m for m in listing.messages if m.phone not in self.hidden)
        return MessageList(kept, len(kept))


async def test_batch_the_combined_listing_misses_is_looked_up_by_its_marker(
    sim_empty: TestSimulator, store: Store
) -> None:
    lagging = LaggingClient(sim_empty.url, email=sim_empty.email, password=sim_empty.password, gateway_tz=BERLIN)
    lagging.hidden = {numbers(30)[14]}  # in batch 2
    await ready(sim_empty, store, lagging)
    job = make_job(store, lagging, make_rows(30))
    assert (await job.run()).state == DONE
    assert sim_empty.stats.requests["getallsms"] == 2  # the listing, then batch 2 by its marker
    assert sim_empty.stats.requests["addalotofsms"] == 3
    assert_all_tracked(sim_empty, job)
    await lagging.aclose()


async def test_crash_before_the_ids_were_read_never_resends(
    sim_empty: TestSimulator, store: Store, client: GatewayClient
) -> None:
    await ready(sim_empty, store, client)
    job = make_job(store, client, make_rows(30))

    class Crash(Exception):
        pass

    def progress(p: BulkProgress) -> None:
        if p.note == "batch 2 sent":
            raise Crash  # the process dies here: two batches accepted, their ids not read

    with pytest.raises(Crash):
        await job.run(progress)
    assert sim_empty.stats.requests["addalotofsms"] == 2 and sim_empty.stats.requests["getallsms"] == 0
    counts = job.counts()
    assert (counts.submitted, counts.awaiting_ids, counts.sending, counts.queued) == (20, 20, 0, 10)

    fresh = BulkJob.load(store, client, job.id, **FAST)  # the record says batches 1-2 were accepted
    assert [b.ids_pending_since is not None for b in fresh.info.batches] == [True, True, False]
    assert job_counts(store, job.id).awaiting_ids == 20  # also without the job object (the job list)
    report = await fresh.run()
    assert report.state == DONE
    assert sim_empty.stats.requests["addalotofsms"] == 3  # only batch 3 sent; 1-2 found by the listing
    assert sim_empty.stats.requests["getallsms"] == 1
    assert_all_tracked(sim_empty, fresh)


async def test_accepted_batch_not_found_after_a_crash_becomes_unknown_not_resent(
    sim_empty: TestSimulator, store: Store
) -> None:
    hiding = HidingClient(sim_empty.url, email=sim_empty.email, password=sim_empty.password, gateway_tz=BERLIN)
    await ready(sim_empty, store, hiding)
    job = make_job(store, hiding, make_rows(10))

    def crash(p: BulkProgress) -> None:
        if p.note == "batch 1 sent":
            raise KeyboardInterrupt  # accepted, ids not read

    with pytest.raises(KeyboardInterrupt):
        await job.run(crash)
    hiding.hidden = set(numbers(10))  # the gateway lags: nothing listed yet
    report = await BulkJob.load(store, hiding, job.id, **FAST).run()
    # Rows SENDING after a crash are normally resent when not found; accepted ones never are.
    assert report.state == DONE and report.counts.unknown == 10
    assert sim_empty.stats.requests["addalotofsms"] == 1
    assert all("accepted by the gateway" in (r.outbox_error or "") for r in job.rows())
    hiding.hidden = set()
    assert (await job.reconcile()).counts.submitted == 10
    assert_all_tracked(sim_empty, job)
    await hiding.aclose()


def test_large_batches_and_long_texts_are_planned_by_size() -> None:
    from smstui.core.bulk.plan import MAX_BATCH_BYTES, MAX_BATCH_SIZE

    store = Store(":memory:")
    short = make_rows(MAX_BATCH_SIZE + 1)
    job = BulkJob.create(store, None, short, device_id=1, batch_size=MAX_BATCH_SIZE)  # type: ignore[arg-type]
    assert [b.size for b in job.info.batches] == [MAX_BATCH_SIZE, 1]
    with pytest.raises(BulkError, match="batch size"):
        BulkJob.create(store, None, short, device_id=1, batch_size=MAX_BATCH_SIZE + 1)  # type: ignore[arg-type]
    # 1,200 Cyrillic characters: 2,400 bytes of text, up to three times that form-encoded.
    long = make_rows(1500, body="Щ" * 1199 + "{i}")
    job = BulkJob.create(store, None, long, device_id=1, batch_size=1000)  # type: ignore[arg-type]
    sizes = [b.size for b in job.info.batches]
    assert sum(sizes) == 1500 and max(sizes) < 1000 and len(sizes) == estimate(long, 1000).batches
    assert all(size * (3 * 2400 + 400) <= MAX_BATCH_BYTES for size in sizes)
    markers = [b.marker for b in job.info.batches]
    assert len(set(markers)) == len(markers)


async def test_a_job_another_process_is_sending_is_left_to_it(
    sim_empty: TestSimulator, store: Store, client: GatewayClient
) -> None:
    # Two processes (the app and `smstui sync`, say) must never send one job's rows together.
    from smstui.core.bulk.lock import JobLock
    from smstui.core.bulk.runner import resume_interrupted

    job = make_job(store, client, make_rows(5))
    held = JobLock(store.path, job.id)
    assert held.acquire()  # another process runs it
    try:
        with pytest.raises(BulkError, match="another smstui process"):
            await job.run()
        [(info, left)] = await resume_interrupted(store, client, **FAST)
        assert info.id == job.id and "another smstui process" in left
        assert sim_empty.stats.requests["addalotofsms"] == 0
    finally:
        held.release()
    assert (await job.run()).state == DONE
