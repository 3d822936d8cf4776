"""The outbox: messages the user wrote, made safe against flaky links, kills and lost answers.

Life of a message (states from :mod:`smstui.core.store.database`)::

    queue() ──► QUEUED ──begin_send──► SENDING ──addsms answer──► SUBMITTED (has sms_id; sync
                  ▲  ▲                    │                        follows the gateway's status)
                  │  └─ refused before ───┤ TransportError, maybe_accepted False: the request
                  │     reaching the      │ never reached the gateway -> QUEUED again with
                  │     gateway (backoff) │ backoff 2, 4, 8 ... 300 s
                  │                       ├─ GatewayError -> REJECTED (a refusal is not retried)
                  │                       ├─ AuthError -> QUEUED (not an attempt), "log in again"
                  │                       └─ answer lost (timeout after sending, dropped, 5xx,
                  │                          unreadable), or the process died mid-request
                  │                                  ▼
                  └──── proven not accepted ──── UNKNOWN ("unknown — check") ──found──► SUBMITTED

The row is written before any request, so nothing the user wrote is lost to a crash; SENDING is
committed before the request goes out, so a killed process leaves a row that says "the outcome
of a request is unknown", never a row that silently disappears or gets sent twice.

Rows whose answer was lost are reconciled by :mod:`smstui.core.reconcile`: found on the gateway,
flagged for the user, or re-sent only once their absence is proven.

Bulk rows (``batch`` set) belong to :mod:`smstui.core.bulk.runner`; this module leaves them alone.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from smstui.core.api.client import ImageUpload
from smstui.core.api.errors import (
    AccountZoneError,
    ApiError,
    AuthError,
    GatewayError,
)
from smstui.core.gateway_messages import OutgoingSms
from smstui.core.models import Slot
from smstui.core.reconcile import CHECKING_TEXT, OutboxReport, Reconciler
from smstui.core.store.records import StoredMessage
from smstui.core.store.schema import (
    CANCELLED,
    QUEUED,
    REJECTED,
    SENDING,
    SUBMITTED,
    UNKNOWN,
)

log = logging.getLogger("smstui.core.outbox")

BACKOFF_MAX = 300.0


class OutboxError(ValueError):
    """An outbox action that is not possible (the message says why)."""


def backoff_seconds(attempts: int) -> float:
    """Delay before attempt ``attempts + 1``: 2, 4, 8 ... capped at 300 s; no jitter (tests)."""
    return min(BACKOFF_MAX, 2.0 ** max(1, attempts))


class Outbox(Reconciler):
    """Queues, submits and reconciles the messages the user sends (see the module docstring)."""

    def queue(
        self,
        recipients: Sequence[str],
        body: str,
        device_id: int | None,
        slot: int = 0,
        scheduled_at: datetime | None = None,
        customer_id: int | None = None,
        urgent: bool = False,
        image_path: str | Path | None = None,
        clear_draft: str | None = None,
    ) -> list[int]:
        """Save one message per recipient as QUEUED and return their local ids. No network.

        ``clear_draft``: the key of the draft these messages were written in; it is deleted in
        the same transaction, so a sent message never comes back as a draft.

        Raises :class:`OutboxError` (a ValueError with a sentence for the user) for input that
        can never be sent: no recipient, an invalid number, no text, no device, a bad image.
        """
        if device_id is None:
            raise OutboxError("Choose the device (phone) that should send the message.")
        try:
            slot_value = int(Slot.parse(slot))
        except ValueError as exc:
            raise OutboxError(str(exc)) from None
        image = None if image_path in (None, "") else str(Path(image_path).expanduser())
        if image is not None:
            if not Slot(slot_value).is_whatsapp:
                raise OutboxError("Images can only be sent over WhatsApp: choose a WhatsApp slot.")
            try:
                ImageUpload.from_path(image)
            except (ValueError, OSError) as exc:
                raise OutboxError(f"Cannot attach the image: {exc}") from None
        if not body.strip() and image is None:
            raise OutboxError("The message is empty: write some text.")
        if scheduled_at is not None and scheduled_at.tzinfo is None:
            raise OutboxError("The scheduled time needs a time zone.")
        if customer_id is not None and (isinstance(customer_id, bool) or int(customer_id) < 0):
            raise OutboxError("The customer id must be a positive whole number.")
        phones: list[str] = []
        for raw in recipients:
            phone = self._check_number(raw)
            if phone not in phones:
                phones.append(phone)
        if not phones:
            raise OutboxError("Add at least one recipient.")
        items = [
            dict(
                phone=p,
                body=body,
                device_id=int(device_id),
                slot=slot_value,
                scheduled_at=scheduled_at,
                customer_id=customer_id,
                urgent=urgent,
                image_path=image,
            )
            for p in phones
        ]
        if clear_draft is not None:
            return self.store.enqueue_many(items, delete_draft=clear_draft)
        return self.store.enqueue_many(items)

    def _check_number(self, raw: str) -> str:
        from smstui.core.phone import InvalidNumber, normalize, normalize_loose

        try:
            return normalize(raw, self.store.region)
        except InvalidNumber as exc:
            # Replying to a short code or an odd sender the gateway gave us is fine as written.
            key = normalize_loose(raw, self.store.region)
            if key and self.store.thread_size(key) > 0:
                return raw.strip()
            raise OutboxError(str(exc)) from None

    def retry(self, lid: int) -> bool:
        """The user asks to send this message (again) now. For an UNKNOWN row this is the user's
        decision that it did not arrive; it may then reach the recipient twice."""
        self._users_choice(lid, accepted="", sending="")
        return bool(
            self.store.set_outbox_states(
                [lid], QUEUED, next_attempt=None, only_if=(QUEUED, UNKNOWN, REJECTED, CANCELLED), reset_misses=True
            )
        )

    def cancel(self, lid: int) -> bool:
        """Stop a message that the gateway does not have (queued, refused or unknown)."""
        row = self._users_choice(lid, accepted="; it cannot be called back", sending="; wait for the answer")
        return bool(
            self.store.set_outbox_states(
                [lid],
                CANCELLED,
                error=row.outbox_error if row.outbox == UNKNOWN else None,
                only_if=(QUEUED, UNKNOWN, REJECTED),
            )
        )

    def _users_choice(self, lid: int, *, accepted: str, sending: str) -> StoredMessage:
        """The row the user wants to retry or cancel, or :class:`OutboxError` when it is not one
        of theirs, already accepted or being sent (``accepted``/``sending`` end those sentences)."""
        row = self.store.message(lid)
        if row is None or row.outbox is None:
            raise OutboxError("This message is not one of yours waiting to be sent.")
        if row.outbox == SUBMITTED:
            raise OutboxError(f"The gateway already accepted this message{accepted}.")
        if row.outbox == SENDING:
            raise OutboxError(f"This message is being sent right now{sending}.")
        return row

    def pending(self) -> list[StoredMessage]:
        """Rows waiting for the outbox (queued, sending, unknown); bulk rows excluded."""
        return self.store.outbox((QUEUED, SENDING, UNKNOWN), bulk=False)

    async def process(self) -> OutboxReport:
        """One pass: reconcile unknown/orphaned rows, then submit every due queued row."""
        return await self._pass(None)

    async def send(self, lids: Iterable[int]) -> OutboxReport:
        """Process just these rows now, ignoring their backoff (the user pressed send/retry)."""
        return await self._pass(set(lids))

    async def _pass(self, only: set[int] | None) -> OutboxReport:
        report = OutboxReport()
        async with self._lock, self._process_lock():
            await self._reconcile(report, only)
            if report.auth_needed or report.offline:
                return self._finish(report)
            lost = await self._submit(report, only)
            if lost:
                await self._reconcile(report, lost)
        return self._finish(report)

    def _process_lock(self) -> Any:
        # The in-process lock orders this process's passes; the file lock orders processes
        # (the app's sync, smstui send, smstui sync), so only one submits from a store at a time.
        from contextlib import nullcontext

        from smstui.core.outbox_lock import OutboxFileLock

        path = getattr(self.store, "path", None)
        return OutboxFileLock(path) if isinstance(path, Path) else nullcontext()

    def _finish(self, report: OutboxReport) -> OutboxReport:
        for lid in report.changed:
            row = self.store.message(lid)
            if row is not None:
                report.phone_keys.add(row.phone_key)
        return report

    async def _submit(self, report: OutboxReport, only: set[int] | None) -> set[int]:
        """Submit due rows; returns the ids whose answer was lost (to look up at once)."""
        now = self.now()
        if only is None:
            due = self.store.outbox_due(now)
        else:
            due = [r for r in (self.store.message(lid) for lid in sorted(only)) if r is not None and r.outbox == QUEUED]
        lost: set[int] = set()
        for row in due:
            if row.batch is not None:
                continue
            if row.device_id is None:
                self.store.set_outbox_states(
                    [row.lid], REJECTED, error="No device was chosen for this message.", only_if=(QUEUED,)
                )
                report.rejected.append(row.lid)
                continue
            if row.scheduled_at is not None:
                try:
                    await self._ensure_zone()
                    self.client.format_time(row.scheduled_at)  # can the send time be written?
                except AccountZoneError as exc:
                    # Nothing sent; the user is told what to set. Learnt later, it goes out then.
                    self.store.set_outbox_states(
                        [row.lid],
                        QUEUED,
                        error=f"{exc} The message stays queued.",
                        next_attempt=self.now() + BACKOFF_MAX,
                        only_if=(QUEUED,),
                    )
                    report.retrying.append(row.lid)
                    report.error = str(exc)
                    continue
                except AuthError as exc:
                    self._auth_failed(report, exc)
                    break
                except ApiError as exc:
                    report.offline, report.error = True, str(exc)
                    break
                except (OverflowError, ValueError) as exc:
                    # A time the gateway's format cannot hold (a row saved before times were
                    # capped): refuse this row alone, the others still go.
                    self._refuse_locally(report, row.lid, exc, QUEUED)
                    continue
            image = None
            if row.image_path:
                try:
                    image = ImageUpload.from_path(row.image_path)
                except (ValueError, OSError) as exc:
                    self.store.set_outbox_states(
                        [row.lid], REJECTED, error=f"Cannot send the image: {exc}", only_if=(QUEUED,)
                    )
                    report.rejected.append(row.lid)
                    continue
            if not self.store.begin_send(row.lid):
                continue  # cancelled meanwhile, or another process took it
            sms = OutgoingSms(
                sendto=row.phone,
                body=row.body,
                device_id=row.device_id,
                slot=row.slot or 0,
                timetosend=row.scheduled_at,
                customer_id=row.customer_id,
                urgent=row.urgent,
            )
            self._in_flight.add(row.lid)
            try:
                sms_id = await self.client.add_sms(sms, image)
            except AuthError as exc:
                self.store.set_outbox_states(
                    [row.lid], QUEUED, error="Log in again to send this message.", only_if=(SENDING,)
                )
                self._auth_failed(report, exc)
                break
            except GatewayError as exc:
                text = exc.gateway_message.strip() or "no reason given"
                self.store.set_outbox_states(
                    [row.lid],
                    REJECTED,
                    error=f"The gateway refused this message: {text}",
                    count_attempt=True,
                    only_if=(SENDING,),
                )
                report.rejected.append(row.lid)
                continue
            except ApiError as exc:
                if exc.maybe_accepted:
                    # Never re-send blindly: it may be on the gateway already.
                    self._mark_unknown(row.lid, CHECKING_TEXT, count_attempt=True)
                    report.unknown.append(row.lid)
                    lost.add(row.lid)
                    report.error = str(exc)
                else:
                    attempts = row.attempts + 1
                    delay = backoff_seconds(attempts)
                    self.store.set_outbox_states(
                        [row.lid],
                        QUEUED,
                        error=f"{exc} Retrying in {delay:g} s.",
                        next_attempt=self.now() + delay,
                        count_attempt=True,
                        only_if=(SENDING,),
                    )
                    report.retrying.append(row.lid)
                    report.offline, report.error = True, str(exc)
                # The link or the gateway is in trouble: the other rows wait for the next pass.
                break
            except (OverflowError, ValueError) as exc:
                # A local error while building or encoding the request (the client turns every
                # error after sending into an ApiError): nothing was sent, so refusing is safe;
                # left "sending" it would be retried forever.
                self._refuse_locally(report, row.lid, exc, SENDING)
                continue
            else:
                self.store.attach_sms_ids([(row.lid, sms_id, 1)])
                report.submitted.append(row.lid)
            finally:
                self._in_flight.discard(row.lid)
        return lost

    def _refuse_locally(self, report: OutboxReport, lid: int, exc: Exception, state: str) -> None:
        self.store.set_outbox_states(
            [lid],
            REJECTED,
            error=f"This message cannot be sent as saved ({exc}); edit it and send it again.",
            only_if=(state,),
        )
        report.rejected.append(lid)

    async def _ensure_zone(self) -> bool:
        """Before a ``timetosend`` is written: the account's zone, asked for when not known
        (see :mod:`smstui.core.gateway_time`; unknown, the machine's may stand in)."""
        if self.client.zone.known:
            return True
        # An empty account has no zone to show; ask again when a message may have come since.
        if self._zone_tried_at is None or self.now() - self._zone_tried_at >= BACKOFF_MAX:
            self._zone_tried_at = self.now()
            await self.client.learn_account_zone()
        return self.client.zone.known


__all__ = ["Outbox", "OutboxError", "backoff_seconds"]
