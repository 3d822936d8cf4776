"""Bulk job records: what the store keeps of a job (its batches, markers and state) and its counts."""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass, field
from datetime import datetime

from smstui.core.models import FAILED_STATUSES, Status
from smstui.core.store.database import Store
from smstui.core.store.schema import (
    CANCELLED,
    QUEUED,
    REJECTED,
    SENDING,
    SUBMITTED,
    UNKNOWN,
    from_ts,
)

# Ids of accepted batches are read back together, in one listing of the job's device since its
# first unread batch (one request instead of one per batch). The listing is read once this many
# accepted messages or seconds have piled up, and at the end of every run; until then sync
# may show its own copy of such a message, which is folded in when the ids are read.
LOOKUP_EVERY_MESSAGES = 10_000
LOOKUP_EVERY_SECONDS = 30.0
MARKER_MIN = 1_500_000_000
MARKER_MAX = 2_147_483_647  # the gateway's customerid is an int; stay inside 32 bits
JOBS_KEY = "bulk.jobs"

# Job states.
READY, RUNNING, PAUSED, STOPPED, CANCELLED_JOB, DONE = "ready", "running", "paused", "stopped", "cancelled", "done"


# --------------------------------------------------------------------------- job records


@dataclass(slots=True)
class BatchInfo:
    key: str
    marker: int | None  # None: rows carry their own customer ids (window lookup)
    size: int
    attempts: int = 0
    first_attempt: float | None = None
    last_attempt: float | None = None
    failure: str | None = None  # kind of the last ambiguous failure
    # Set when a request of this batch was accepted and its ids are not read yet: when that
    # request went out (where the lookup window starts). The batch's SENDING rows are then on
    # the gateway: they are looked up, never sent again.
    ids_pending_since: float | None = None


@dataclass(slots=True)
class JobInfo:
    id: str
    title: str
    created: float
    device_id: int
    slot: int
    urgent: bool
    batch_size: int
    total: int
    state: str = READY
    error: str | None = None
    scheduled: bool = False  # some messages have a send time
    batches: list[BatchInfo] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> JobInfo:
        data = json.loads(text)
        batches = [BatchInfo(**b) for b in data.pop("batches", [])]
        return cls(**data, batches=batches)

    @property
    def created_at(self) -> datetime:
        return from_ts(self.created)


def job_key(job_id: str) -> str:
    return f"bulk.job.{job_id}"


def list_jobs(store: Store) -> list[JobInfo]:
    """Every bulk job the store remembers, newest first."""
    jobs = []
    for job_id in json.loads(store.get_meta(JOBS_KEY, "[]") or "[]"):
        text = store.get_meta(job_key(job_id))
        if text:
            jobs.append(JobInfo.from_json(text))
    jobs.sort(key=lambda j: j.created, reverse=True)
    return jobs


def unfinished_jobs(store: Store) -> list[JobInfo]:
    """Jobs with messages still to send or to resolve (resume these after a restart)."""
    return [j for j in list_jobs(store) if j.state in (READY, RUNNING, PAUSED, STOPPED)]


def save_job(store: Store, info: JobInfo) -> None:
    store.set_meta(job_key(info.id), info.to_json())


@dataclass(frozen=True, slots=True)
class JobCounts:
    """Where a job's messages are: outbox states, and gateway outcomes of the submitted ones."""

    total: int = 0
    queued: int = 0
    sending: int = 0
    submitted: int = 0
    unknown: int = 0
    rejected: int = 0
    cancelled: int = 0
    delivered: int = 0
    failed: int = 0
    awaiting_ids: int = 0  # of ``submitted``: accepted by the gateway, ids being read back

    @property
    def finished(self) -> int:
        """Messages the job is done with (whatever the outcome)."""
        return self.submitted + self.unknown + self.rejected + self.cancelled

    @property
    def remaining(self) -> int:
        return self.queued + self.sending


def job_counts(store: Store, job_id: str, info: JobInfo | None = None) -> JobCounts:
    """The job's counts; ``info`` (else read from the store) tells which SENDING rows were accepted."""
    rows = store.batch_counts(f"{job_id}:")
    if info is None:
        text = store.get_meta(job_key(job_id))
        info = JobInfo.from_json(text) if text else None
    awaiting = 0
    for batch in info.batches if info is not None else ():
        if batch.ids_pending_since is not None:
            awaiting += sum(n for outbox, _, n in store.batch_counts(batch.key) if outbox == SENDING)
    counts: dict[str, int] = {}
    delivered = failed = total = 0
    for outbox, status, n in rows:
        total += n
        counts[outbox or SUBMITTED] = counts.get(outbox or SUBMITTED, 0) + n
        if status == Status.DELIVERED:
            delivered += n
        elif status in FAILED_STATUSES:
            failed += n
    return JobCounts(
        total=total,
        queued=counts.get(QUEUED, 0),
        sending=counts.get(SENDING, 0) - awaiting,
        submitted=counts.get(SUBMITTED, 0) + awaiting,
        unknown=counts.get(UNKNOWN, 0),
        rejected=counts.get(REJECTED, 0),
        cancelled=counts.get(CANCELLED, 0),
        delivered=delivered,
        failed=failed,
        awaiting_ids=awaiting,
    )


@dataclass(frozen=True, slots=True)
class BulkProgress:
    """Sent to the ``progress`` callback after every step."""

    job_id: str
    counts: JobCounts
    batch: int  # 1-based index of the batch being worked on (0 before the first)
    batches: int
    note: str = ""

    @property
    def fraction(self) -> float:
        return 1.0 if not self.counts.total else self.counts.finished / self.counts.total


@dataclass(frozen=True, slots=True)
class BulkReport:
    job_id: str
    state: str
    counts: JobCounts
    error: str | None = None
    extra_found: int = 0  # gateway messages with a batch's marker beyond its rows (a late duplicate)

    @property
    def summary(self) -> str:
        c = self.counts
        parts = [f"{c.submitted} of {c.total} accepted by the gateway"]
        if c.unknown:
            parts.append(f"{c.unknown} unknown (check them before sending again)")
        if c.rejected:
            parts.append(f"{c.rejected} refused")
        if c.cancelled:
            parts.append(f"{c.cancelled} cancelled")
        if self.extra_found:
            parts.append(f"{self.extra_found} duplicated (a late original arrived after a resend; shown in the thread)")
        if c.remaining:
            parts.append(f"{c.remaining} still to send")
        text = "; ".join(parts) + "."
        if self.state == PAUSED:
            text += " Paused: resume to send the rest."
        if self.error:
            text += f" Stopped: {self.error}"
        return text


def new_marker(store: Store, avoid: set[int] | frozenset[int] = frozenset()) -> int:
    """A customer id for one batch that no stored message carries (nor any id in ``avoid``)."""
    rng = secrets.SystemRandom()
    while True:
        marker = rng.randint(MARKER_MIN, MARKER_MAX)
        if marker not in avoid and not store.messages(customer_id=marker, limit=1):
            return marker
