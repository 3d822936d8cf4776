"""A bulk job's state, and the small steps that sending it and reading its ids back share.

:class:`JobState` is what a run of :class:`smstui.core.bulk.runner.BulkJob` knows (store, client,
the job record, a pause or cancel asked for, the progress callback) and does at every turn:
save the record, tell the progress callback, wait (woken at once by pause/cancel), put rows
back in the queue. :mod:`smstui.core.bulk.readback` builds the read-back on it, the runner the
sending.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

from smstui.core.api.client import GatewayClient
from smstui.core.bulk.jobs import (
    BatchInfo,
    BulkProgress,
    BulkReport,
    JobCounts,
    JobInfo,
    job_counts,
    save_job,
)
from smstui.core.send_rule import in_flight_limit
from smstui.core.store.database import Store
from smstui.core.store.records import StoredMessage
from smstui.core.store.schema import CANCELLED, QUEUED

ProgressCallback = Callable[[BulkProgress], None]


class JobState:
    """One bulk job's state; see :class:`smstui.core.bulk.runner.BulkJob` for what it does."""

    def __init__(
        self,
        store: Store,
        client: GatewayClient,
        info: JobInfo,
        *,
        settle_seconds: float | None = None,
        settle_margin: float | None = None,
        retry_delays: Sequence[float] = (1, 2, 5, 10, 30),
        lookup_retries: int = 3,
        lookup_delay: float = 2.0,
    ) -> None:
        self.store = store
        self.client = client
        self.info = info
        # smstui.core.send_rule: absence is proven only once the request cannot be in flight any more,
        # never sooner than the client's own timeout, whatever a caller asks.
        timeout = float(getattr(client, "timeout", 20.0) or 20.0)
        limit = in_flight_limit(timeout, settle_margin)
        self.settle_seconds = max(float(settle_seconds or 0.0), limit)
        self.retry_delays = tuple(retry_delays) or (0.0,)
        self.lookup_retries = lookup_retries
        self.lookup_delay = lookup_delay
        self._request: str | None = None  # "pause" or "cancel", honoured between requests
        self._wake: asyncio.Event | None = None
        self._running = False
        self._progress: ProgressCallback | None = None
        self._batch_index = 0
        self._refusals: dict[str, int] = {}
        self.extra_found = 0

    @property
    def id(self) -> str:
        return self.info.id

    @property
    def running(self) -> bool:
        return self._running

    def counts(self) -> JobCounts:
        return job_counts(self.store, self.id, self.info)

    def rows(self, batch: BatchInfo | None = None) -> list[StoredMessage]:
        """The job's messages (or one batch's), in the order they were planned."""
        batches = [batch] if batch is not None else self.info.batches
        result: list[StoredMessage] = []
        for b in batches:
            result.extend(sorted(self.store.messages(batch=b.key, limit=None), key=lambda m: m.lid))
        return result

    def report(self) -> BulkReport:
        return BulkReport(self.id, self.info.state, self.counts(), self.info.error, self.extra_found)

    def _set_state(self, state: str, error: str | None = None) -> None:
        self.info.state = state
        self.info.error = error
        save_job(self.store, self.info)

    def _emit(self, note: str = "") -> None:
        if self._progress is not None:
            self._progress(BulkProgress(self.id, self.counts(), self._batch_index, len(self.info.batches), note))

    def _halt(self, error: str) -> bool:
        self.info.error = error
        return False

    def _cancel_queued(self) -> None:
        queued = [r.lid for r in self.rows() if r.outbox == QUEUED]
        self.store.set_outbox_states(queued, CANCELLED, error="cancelled with the bulk job", only_if=(QUEUED,))

    async def _wait(self, seconds: float) -> None:
        """Sleep, but wake at once for pause/cancel."""
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        assert self._wake is not None
        try:
            await asyncio.wait_for(self._wake.wait(), seconds)
        except TimeoutError:
            pass

    def _retry_delay(self, attempt: int) -> float:
        return self.retry_delays[min(attempt - 1, len(self.retry_delays) - 1)]

    def _save_batch(self) -> None:
        save_job(self.store, self.info)

    def _requeue(self, rows: Sequence[StoredMessage], error: str | None = None) -> None:
        self.store.set_outbox_states([r.lid for r in rows], QUEUED, error=error)
