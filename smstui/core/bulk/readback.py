"""Reading a bulk job's ids back: ``addalotofsms`` answers with none (see :mod:`smstui.core.bulk.runner`).

Each batch carries a unique marker as its customer id; once a batch is accepted its messages
are found on the gateway by that marker (or, for rows with their own customer ids, in a narrow
window of the job's device) and matched to their rows by number and text. Accepted batches are
read together in one listing of the job's device (``BatchInfo.ids_pending_since``); one it does
not fully account for is looked up alone. After a lost answer the same lookup decides: found ->
attached, partly found -> the rest UNKNOWN, nothing found once the request cannot be in flight
any more (:mod:`smstui.core.send_rule`) -> sent again. Never is an accepted batch resent.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta

from smstui.core.api.errors import ApiError, AuthError, TransportError
from smstui.core.bulk.job_state import JobState
from smstui.core.bulk.jobs import BatchInfo, BulkReport
from smstui.core.bulk.matching import match_rows
from smstui.core.gateway_messages import Message, MessageFilter
from smstui.core.store.records import StoredMessage
from smstui.core.store.schema import SENDING, UNKNOWN, from_ts

log = logging.getLogger("smstui.core.bulk.runner")  # one logger for the whole job, as the user sees it

WINDOW_MARGIN = timedelta(minutes=10)  # clock skew between us and the gateway
MARKER_MARGIN = timedelta(days=1)  # wider than any zone misreading (gateway_time, ZONE_SLACK)

_UNKNOWN_TEXT = "the gateway's answer was lost and the message was not found there; check before sending again"
_PARTIAL_TEXT = (
    "the answer was lost and only part of the batch was found on the gateway; "
    "check this message before sending it again"
)
_ACCEPTED_TEXT = "accepted by the gateway, but not yet found in its message list; it will be checked again"


class ReadBack(JobState):
    """Finding accepted (or maybe accepted) batches on the gateway and attaching their ids."""

    async def reconcile(self) -> BulkReport:
        """Look up messages left UNKNOWN (or SENDING) and attach those the gateway has."""
        for batch in self.info.batches:
            rows = [r for r in self.rows(batch) if r.outbox in (UNKNOWN, SENDING)]
            if rows:
                found, missing = await self._lookup_attach(batch, rows)
                text = _ACCEPTED_TEXT if batch.ids_pending_since is not None else _UNKNOWN_TEXT
                self.store.set_outbox_states([r.lid for r in missing if r.outbox == SENDING], UNKNOWN, error=text)
            if batch.ids_pending_since is not None:
                batch.ids_pending_since = None
                self._save_batch()
        return self.report()

    def _pending_batches(self) -> list[BatchInfo]:
        return [b for b in self.info.batches if b.ids_pending_since is not None]

    async def _after_accept(self, batch: BatchInfo, rows: list[StoredMessage]) -> bool:
        missing = list(rows)
        for attempt in range(self.lookup_retries + 1):
            try:
                _, missing = await self._lookup_attach(batch, missing)
            except (AuthError, TransportError) as exc:
                if attempt == self.lookup_retries:
                    self.store.set_outbox_states([r.lid for r in missing], UNKNOWN, error=_ACCEPTED_TEXT)
                    return self._halt(f"the batch was accepted but its ids could not be read: {exc}")
                await self._wait(self.lookup_delay)
                continue
            if not missing:
                return True
            if attempt < self.lookup_retries:
                await self._wait(self.lookup_delay)
        self.store.set_outbox_states([r.lid for r in missing], UNKNOWN, error=_ACCEPTED_TEXT)
        return True

    async def _resolve(self, batch: BatchInfo, rows: list[StoredMessage]) -> list[StoredMessage] | None:
        """After an ambiguous failure (or a crash): rows to send again ([] when none), None to stop.

        Looked up at once (found ends it); nothing found proves absence only after the request's
        in-flight limit (smstui.core.send_rule), so then it waits for that and looks once more.
        """
        checked = await self._lookup_patiently(batch, rows)
        if checked is None:
            return None
        found, missing = checked
        if not found and missing and batch.last_attempt is not None:
            wait = batch.last_attempt + self.settle_seconds - self.store.now()
            if wait > 0:
                await self._wait(min(wait, self.settle_seconds))
                if self._request:
                    return []  # rows stay SENDING; the next run resolves them
                checked = await self._lookup_patiently(batch, missing)
                if checked is None:
                    return None
                found, missing = checked
        if not missing:
            return []
        if found:
            self.store.set_outbox_states([r.lid for r in missing], UNKNOWN, error=_PARTIAL_TEXT)
            return []
        # Nothing with this batch's marker exists: the request never took effect.
        self._requeue(missing, "not found on the gateway after a lost answer; sending again")
        self.store.mark_resent([r.lid for r in missing])  # a late original shows as a duplicate
        return missing

    async def _lookup_patiently(
        self, batch: BatchInfo, rows: list[StoredMessage]
    ) -> tuple[list[StoredMessage], list[StoredMessage]] | None:
        """``_lookup_attach`` with retries on transport errors; None (error set) when it cannot."""
        for attempt in range(self.lookup_retries + 1):
            try:
                return await self._lookup_attach(batch, rows)
            except (AuthError, TransportError) as exc:
                if attempt == self.lookup_retries:
                    self._halt(f"cannot check batch {self._batch_index} on the gateway: {exc}")
                    return None
                await self._wait(self.lookup_delay)
        return None  # pragma: no cover - the loop returns

    async def _read_pending_ids(self, *, thorough: bool = True, only: Sequence[BatchInfo] | None = None) -> bool:
        """Attach the ids of accepted batches not yet looked up: one listing for all of them.

        The listing is the job's device since the earliest such request; each message is tied
        to its batch by the marker (unique to the batch), then to its row by number and text.
        A batch the listing does not fully account for (lagging or truncated listing, a zone
        guessed wrong) is looked up on its own by marker as before; ``thorough=False`` (the
        job is stopping) leaves it pending for the next run instead. False: stop (error set).
        """
        pending = list(only) if only is not None else self._pending_batches()
        rows = {b.key: [r for r in self.rows(b) if r.outbox == SENDING] for b in pending}
        for batch in [b for b in pending if not rows[b.key]]:
            batch.ids_pending_since = None  # resolved already (e.g. by reconcile) before a crash
            pending.remove(batch)
        if not pending:
            self._save_batch()
            return True
        since = min(b.ids_pending_since for b in pending if b.ids_pending_since is not None)
        # Bounds name their zone (gateway_time); what this misses is looked up by marker with
        # a day's margin below, which no zone misreading can escape.
        flt = MessageFilter(device_id=self.info.device_id, begin=from_ts(since) - WINDOW_MARGIN)
        unresolved: list[BatchInfo] = list(pending)
        try:
            listing = await self.client.list_messages(flt)
        except ApiError as exc:
            log.info("job %s: reading accepted batches together failed (%s); one by one instead", self.id, exc)
        else:
            unresolved = []
            markers = {b.marker for b in pending}
            relevant = [m for m in listing.messages if not m.incoming and m.customer_id in markers]
            known = self.store.messages_by_sms_ids(m.id for m in relevant)
            by_marker: dict[int | None, list[Message]] = {}
            for msg in sorted(relevant, key=lambda m: m.id):
                by_marker.setdefault(msg.customer_id, []).append(msg)
            pairs: list[tuple[int, int, int]] = []
            for batch in pending:
                batch_rows = rows[batch.key]
                lids = {r.lid for r in batch_rows}
                candidates = [
                    m
                    for m in by_marker.get(batch.marker, ())
                    if not ((k := known.get(m.id)) is not None and k.outbox is not None and k.lid not in lids)
                ]
                found, missing, extra = match_rows(self.store, batch_rows, candidates)
                pairs.extend((row.lid, msg.id, msg.status) for row, msg in found)
                if missing:
                    unresolved.append(batch)
                    continue
                if extra:
                    self.extra_found += len(extra)
                    log.warning("batch %s: %d more messages carry its marker than it has", batch.key, len(extra))
                batch.ids_pending_since = None
            self.store.attach_sms_ids(pairs)
            self._save_batch()
        if not thorough:
            return True
        for batch in unresolved:
            missing = [r for r in self.rows(batch) if r.outbox == SENDING]
            ok = await self._after_accept(batch, missing)  # marks what it cannot find UNKNOWN
            batch.ids_pending_since = None
            self._save_batch()
            if not ok:
                return False
        return True

    async def _lookup_attach(
        self, batch: BatchInfo, rows: Sequence[StoredMessage]
    ) -> tuple[list[StoredMessage], list[StoredMessage]]:
        """Find ``rows`` on the gateway and attach their ids: (found, missing)."""
        if not rows:
            return [], []
        if batch.marker is not None:
            begin = min(r.created for r in rows) - MARKER_MARGIN
            flt = MessageFilter(customer_id=batch.marker, begin=begin)
        else:
            started = (
                batch.first_attempt if batch.first_attempt is not None else min(r.created for r in rows).timestamp()
            )
            flt = MessageFilter(device_id=self.info.device_id, begin=from_ts(started) - MARKER_MARGIN)
        listing = await self.client.list_messages(flt)
        lids = {r.lid for r in rows}
        wanted_ids = {batch.marker} if batch.marker is not None else {r.customer_id for r in rows}
        relevant = [m for m in listing.messages if not m.incoming and m.customer_id in wanted_ids]
        known = self.store.messages_by_sms_ids(m.id for m in relevant)
        candidates = [
            m
            for m in sorted(relevant, key=lambda m: m.id)
            # Skip messages another local message already owns.
            if not ((k := known.get(m.id)) is not None and k.outbox is not None and k.lid not in lids)
        ]
        found, missing, extra = match_rows(self.store, rows, candidates)
        self.store.attach_sms_ids([(row.lid, msg.id, msg.status) for row, msg in found])
        if batch.marker is not None and extra and not missing:
            self.extra_found += len(extra)
            log.warning("batch %s: %d more messages carry its marker than it has", batch.key, len(extra))
        return [r for r, _ in found], missing
