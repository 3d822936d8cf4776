"""Sending from the app: a composed message goes to the outbox (saved first), then to the gateway.

A mixin of :class:`smstui.tui.app.SmsTuiApp`. The outbox write runs on the app's one store-write
thread (:class:`~smstui.tui.widgets.store_writes.StoreWrites`), behind every draft save asked for
before it, and deletes the draft it was written in, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from smstui.tui import app_messages as msgs
from smstui.tui.app_interface import SmsAppBase
from smstui.tui.widgets.format import clean
from smstui.tui.workers import store_read, task

if TYPE_CHECKING:
    from textual.notifications import SeverityLevel

    from smstui.core.store.records import StoredMessage
    from smstui.tui.widgets.compose_form import Outgoing


class Sending(SmsAppBase):
    """Queue and send composed messages, and explain sends that failed."""

    def on_core_outbox_changed(self, message: msgs.CoreOutboxChanged) -> None:
        self.core_signal.publish(message)
        self._report_outbox(message.lids)

    @store_read("outbox-report", "explain failed sends", exclusive=False)
    def _report_outbox(self, lids: Iterable[int]) -> None:
        from smstui.core.store.schema import REJECTED, UNKNOWN

        severity: SeverityLevel
        for lid in lids:
            row = self.store.message(lid)
            if row is None:
                continue
            if row.outbox == REJECTED:
                why, title, severity = clean(row.outbox_error or "refused", single_line=True), "Not sent", "error"
            elif row.outbox == UNKNOWN:
                why, title, severity = (
                    "the gateway did not answer; check before sending again.",
                    "Send unclear",
                    "warning",
                )
            else:
                continue
            self.notify(f"To {row.phone}: {why}", title=title, severity=severity, timeout=8)

    def queue_outgoing(
        self,
        outgoing: Outgoing,
        done: Callable[[list[int] | None, str | None], None],
        *,
        open_thread: bool = False,
        draft_key: str | None = None,
    ) -> None:
        """Write to the outbox (a worker), tell ``done``, show it as queued, then send it now.

        ``draft_key``: the draft this message was written in; the outbox write deletes it in the
        same transaction. The write is queued now, behind every draft save asked for before it."""
        session = self.session
        write = self.store_writes.submit(
            session.outbox.queue,
            outgoing.recipients,
            outgoing.body,
            outgoing.device_id,
            int(outgoing.slot),
            outgoing.scheduled_at,
            outgoing.customer_id,
            outgoing.urgent,
            outgoing.image_path,
            **({"clear_draft": draft_key} if draft_key else {}),
        )
        self._queue(outgoing, write, done, open_thread)

    @task("outbox", "write a message to the outbox", name="queue")
    async def _queue(
        self,
        outgoing: Outgoing,
        write: Any,
        done: Callable[[list[int] | None, str | None], None],
        open_thread: bool,
    ) -> None:
        from smstui.core.outbox import OutboxError

        session = self.session
        try:
            lids = await self.store_writes.wait(write)
        except OutboxError as exc:
            done(None, clean(str(exc), single_line=True))
            return
        except Exception as exc:  # a store failure: say so, keep what was typed
            done(None, f"could not save the message: {clean(str(exc), single_line=True)}")
            return
        keys = {session.store.phone_key(r) for r in outgoing.recipients}
        done(lids, None)
        self.core_signal.publish(msgs.Queued(lids, keys))
        if open_thread and len(keys) == 1:
            self.go_to_thread(next(iter(keys)))
        if len(lids) > 1:
            self.notify(f"{len(lids)} messages queued.", timeout=3)
        self._send(lids)

    @task("outbox", "submit queued messages", name="send")
    async def _send(self, lids: list[int]) -> None:
        # With the sync in a worker process, the worker submits (smstui.tui.sync_process): it
        # tells what changed itself; a row it cannot be asked for now goes with its next poll.
        send = getattr(getattr(self, "_service", None), "send", None)
        if callable(send):
            send(lids)
            return
        try:
            report = await self.session.outbox.send(lids)
        except Exception as exc:  # the outbox keeps the rows; the refresh worker retries
            self.notify(clean(str(exc), single_line=True), title="Sending postponed", severity="warning")
            changed = tuple(lids)
        else:
            changed = tuple(getattr(report, "changed", lids)) or tuple(lids)
        self._post_outbox_changed(changed)

    def _post_outbox_changed(self, lids: Iterable[int]) -> None:
        from smstui.core.events import OutboxChanged

        self.post_message(msgs.CoreOutboxChanged(OutboxChanged(tuple(lids))))

    # ------------------------------------------------------------------ R and x in a conversation

    @task("outbox", "send a message again", name="retry")
    async def send_again(self, msg: StoredMessage) -> None:
        """Send ``msg`` again: the same row when the gateway never took it (refused, unclear,
        cancelled), a new copy when the gateway took it and reported a failure."""
        import asyncio

        from smstui.core.outbox import OutboxError
        from smstui.core.store.schema import SUBMITTED

        outbox = self.session.outbox
        try:
            if msg.outbox is None or msg.outbox == SUBMITTED:
                lids = await asyncio.to_thread(
                    outbox.queue,
                    [msg.phone],
                    msg.body,
                    msg.device_id,
                    msg.slot if msg.slot is not None else 0,
                    None,
                    msg.customer_id,
                    msg.urgent,
                    msg.image_path,
                )
                self.core_signal.publish(msgs.Queued(lids, {msg.phone_key}))
                self.notify("Queued again as a new message.", title="Sending again", timeout=3)
            else:
                await asyncio.to_thread(outbox.retry, msg.lid)
                lids = [msg.lid]
                self._post_outbox_changed(lids)
                self.notify("Sending it again now.", title="Sending again", timeout=3)
        except OutboxError as exc:
            self.notify(clean(str(exc), single_line=True), title="Cannot send again", severity="warning")
            return
        self._send(lids)

    async def cancel_queued(self, msg: StoredMessage, *, title: str) -> bool | None:
        """Cancel ``msg`` in the outbox and tell every view: True cancelled, False it changed
        meanwhile (sent or being sent), None refused (already said, under ``title``)."""
        import asyncio

        from smstui.core.outbox import OutboxError

        try:
            done = await asyncio.to_thread(self.session.outbox.cancel, msg.lid)
        except OutboxError as exc:
            self.notify(clean(str(exc), single_line=True), title=title, severity="warning")
            return None
        self._post_outbox_changed((msg.lid,))
        return done

    @task("outbox", "cancel a queued message", name="cancel")
    async def cancel_sending(self, msg: StoredMessage) -> None:
        """Stop ``msg`` if the gateway does not have it yet; say so if it changed meanwhile."""
        done = await self.cancel_queued(msg, title="Cannot cancel")
        if done:
            self.notify("It will not be sent.", title="Cancelled", timeout=3)
        elif done is False:
            self.notify(
                "It changed meanwhile (sent or being sent); nothing was cancelled.",
                title="Not cancelled",
                severity="warning",
            )
