"""The outbox's reconciliation: finding on the gateway a send whose answer was lost.

How an UNKNOWN row is decided
-----------------------------
The gateway gives the message an id and a ``created`` time when it accepts the request; nothing
else links our request to it. So the outbox lists the gateway's messages in the row's *window*
``[attempted_at - skew, attempted_at + settle + skew]`` (one ``getallsms`` with begin/end and no
phone filter, so the answer does not depend on how the gateway matches numbers) and compares:

* an *exact* match: an outgoing message not yet attached to another row we wrote, to the same
  number (trailing digits compared, so ``+49…``/``0049…``/``49…`` agree), with the same body (not
  compared for image messages, whose body the gateway replaces by a URL), device, slot (when the
  gateway says) and customer id -> attach its sms_id (SUBMITTED). Identical messages are
  interchangeable, so with several candidates the one closest in time is taken; this also folds
  the row sync may already have stored for it (``Store.attach_sms_ids``).
* a *similar* one: an unattached outgoing message to that number in the window that differs in
  text, device or slot, and is not an exact match of another row still waiting for its answer
  (exact matches are attached for all rows first) -> stays UNKNOWN with a text saying what was
  found, and is looked at again every ``SIMILAR_RECHECK`` seconds and as soon as a row to that
  number is resolved, since the message may turn out to be that row's; meanwhile the user may
  decide (``retry`` re-sends, ``cancel`` gives up).
* nothing -> it is re-sent only when that is provably safe:

  1. ``settle`` seconds have passed since the request went out: the request timeout plus the
     profile's ``settle_margin`` (:mod:`smstui.core.send_rule`, the one rule bulk follows too; 80 s by
     default). An accepted request therefore has a ``created`` inside the window, given clocks
     that agree within ``skew`` (300 s).
  2. Two successful lookups of the whole window, both made after that moment and at least
     ``recheck`` seconds apart, found no unattached outgoing message to that number (any text,
     device or slot). The second guards against a gateway that serves lists from a lagging replica.

  Then the gateway did not accept it, and it goes back to QUEUED. While the gateway cannot be
  reached, the row simply stays UNKNOWN; lookups continue every ``recheck`` seconds.

A SENDING row that is not in flight in this process and older than ``orphan_after`` (timeout +
margin, so a send of another smstui process on the same profile is left alone) was orphaned by a
killed process: it becomes UNKNOWN and is reconciled the same way.

Sync calls :meth:`Reconciler.fold_from_sync` before storing a listing, so a gateway message that is an
exact match of an UNKNOWN/SENDING row is attached to it instead of becoming a second row.

:class:`Reconciler` holds the outbox's state and does all of this; :class:`smstui.core.outbox.Outbox`
builds queueing and submitting on it. Bulk rows (``batch`` set) are :mod:`smstui.core.bulk`'s,
except for :meth:`Reconciler.fold_from_sync`.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from smstui.core.api.client import GatewayClient
from smstui.core.api.errors import ApiError, AuthError, TransportError
from smstui.core.gateway_messages import Message, MessageFilter
from smstui.core.send_rule import in_flight_limit
from smstui.core.store.database import Store
from smstui.core.store.records import StoredMessage
from smstui.core.store.schema import QUEUED, SENDING, UNKNOWN, from_ts, to_ts

log = logging.getLogger("smstui.core.outbox")  # one logger for the outbox, as the user sees it

CHECKING_TEXT = (
    "No answer came from the gateway, so it may or may not have this message. smstui is checking "
    "the gateway and re-sends it only once it is sure the message did not arrive."
)
ORPHAN_TEXT = (
    "smstui stopped while sending this message. It is checking the gateway and re-sends it only "
    "once it is sure the message did not arrive."
)
RESEND_TEXT = "The gateway did not receive this message (checked twice); sending it again."
_MIN_PHONE_DIGITS = 7
# A row flagged "similar" is looked at again this often (and at once when a row to the same
# number is resolved): the similar message may turn out to be that other row's.
SIMILAR_RECHECK = 600.0
# How long after a re-sent message was written a late original is still looked for.
DUPLICATE_HORIZON = 7 * 86_400.0
# The widest UTC offset: a date misread in any zone (by the gateway or by us) is off by less.
ZONE_SLACK = 14 * 3600.0


@dataclass(slots=True)
class OutboxReport:
    """What one pass changed. Lists hold local ids (``lid``)."""

    submitted: list[int] = field(default_factory=list)
    rejected: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    unknown: list[int] = field(default_factory=list)
    resolved: list[int] = field(default_factory=list)
    resent: list[int] = field(default_factory=list)
    auth_needed: bool = False
    offline: bool = False
    error: str | None = None
    phone_keys: set[str] = field(default_factory=set)

    @property
    def changed(self) -> tuple[int, ...]:
        seen: dict[int, None] = {}
        for group in (self.submitted, self.rejected, self.retrying, self.unknown, self.resolved, self.resent):
            for lid in group:
                seen[lid] = None
        return tuple(seen)


def _phone_digits(phone: str) -> str:
    return re.sub(r"\D", "", phone or "").lstrip("0")


def phones_match(a: str, b: str) -> bool:
    """Same number, however written: one digit string ends with the other (at least 7 digits).

    Deliberately loose: it decides what counts as "a message to that number is already on the
    gateway", and a false "yes" only asks the user, while a false "no" would send twice.
    """
    da, db = _phone_digits(a), _phone_digits(b)
    if not da or not db:
        return (a or "").strip().lower() == (b or "").strip().lower()
    short, long_ = (da, db) if len(da) <= len(db) else (db, da)
    if len(short) < _MIN_PHONE_DIGITS:
        return short == long_
    return long_.endswith(short)


class Reconciler:
    """The outbox's state and its reconciliation of unknown and orphaned rows (see the module docstring)."""

    def __init__(
        self,
        store: Store,
        client: GatewayClient,
        *,
        clock: Callable[[], float] | None = None,
        settle_seconds: float | None = None,
        settle_margin: float | None = None,
        recheck_seconds: float = 30.0,
        skew_seconds: float = 300.0,
        orphan_after: float | None = None,
        max_lookups: int = 5,
    ) -> None:
        self.store = store
        self.client = client
        self._clock = clock or store.now
        timeout = float(getattr(client, "timeout", 20.0) or 20.0)
        # smstui.core.send_rule: never shorter than the request timeout, whatever a caller asks.
        limit = in_flight_limit(timeout, settle_margin)
        self.settle_seconds = max(float(settle_seconds or 0.0), limit)
        self.recheck_seconds = recheck_seconds
        self.skew_seconds = skew_seconds
        self.orphan_after = orphan_after if orphan_after is not None else timeout + 10.0
        self.max_lookups = max_lookups
        self._in_flight: set[int] = set()
        self._lock = asyncio.Lock()
        self._zone_tried_at: float | None = None

    def now(self) -> float:
        return self._clock()

    def _auth_failed(self, report: OutboxReport, exc: AuthError) -> None:
        report.auth_needed = True
        report.error = str(exc)

    def _mark_unknown(self, lid: int, text: str, *, count_attempt: bool = False) -> bool:
        return bool(
            self.store.set_outbox_states(
                [lid],
                UNKNOWN,
                error=text,
                next_attempt=self.now(),
                count_attempt=count_attempt,
                only_if=(SENDING,),
                reset_misses=True,
            )
        )

    def _attempt_time(self, row: StoredMessage) -> float:
        return to_ts(row.attempted_at) or row.created.timestamp()

    def _window(self, row: StoredMessage) -> tuple[float, float]:
        """Where an accepted request's message is, given clocks that agree within ``skew``."""
        at = self._attempt_time(row)
        return at - self.skew_seconds, at + self.settle_seconds + self.skew_seconds

    def _wide_window(self, row: StoredMessage) -> tuple[float, float]:
        """Where it is even if its date or our bounds were read in a wrong zone."""
        lo, hi = self._window(row)
        return lo - ZONE_SLACK, hi + ZONE_SLACK

    def _rows_to_check(self, report: OutboxReport, only: set[int] | None) -> list[StoredMessage]:
        now = self.now()
        todo: list[StoredMessage] = []
        for row in self.store.outbox((SENDING, UNKNOWN)):
            if row.batch is not None or row.lid in self._in_flight:
                continue
            forced = only is not None and row.lid in only
            if row.outbox == SENDING:
                if now - self._attempt_time(row) < self.orphan_after and not forced:
                    continue  # may still be in flight in another smstui process
                if not self._mark_unknown(row.lid, ORPHAN_TEXT):
                    continue
                report.unknown.append(row.lid)
                fresh = self.store.message(row.lid)
                if fresh is not None:
                    todo.append(fresh)
                continue
            # No next check: a "similar" flag of an older smstui, never looked at again; now it is.
            due = row.next_attempt is None or row.next_attempt.timestamp() <= now
            if due or forced:
                todo.append(row)
        return sorted(todo, key=self._attempt_time)

    async def _reconcile(self, report: OutboxReport, only: set[int] | None) -> None:
        todo = self._rows_to_check(report, only)
        if not todo:
            return
        # One listing per group of rows whose windows overlap.
        groups: list[tuple[float, float, list[StoredMessage]]] = []
        for row in todo:
            lo, hi = self._window(row)
            if groups and lo <= groups[-1][1]:
                g_lo, g_hi, rows = groups[-1]
                groups[-1] = (g_lo, max(g_hi, hi), rows + [row])
            else:
                groups.append((lo, hi, [row]))
        for lo, hi, rows in groups[: self.max_lookups]:
            try:
                messages = await self._lookup(lo, hi, rows)
            except AuthError as exc:
                self._auth_failed(report, exc)
                return
            except ApiError as exc:
                # Nothing learnt: no miss is counted; look again later.
                for row in rows:
                    self.store.set_reconcile(
                        row.lid,
                        misses=row.recon_misses,
                        next_check=self.now() + self.recheck_seconds,
                        error=row.outbox_error or CHECKING_TEXT,
                    )
                report.offline, report.error = isinstance(exc, TransportError), str(exc)
                return
            self._resolve(rows, messages, report)

    async def _lookup(self, lo: float, hi: float, rows: Sequence[StoredMessage]) -> list[Message]:
        """The gateway's messages that may be these rows' (two views, so neither can fool us).

        * every message in the window, unfiltered: its answer does not depend on how the
          gateway matches numbers;
        * per number, the window widened by ``ZONE_SLACK`` each way: it does not depend on
          anyone reading a date in the right zone, and the phone filter keeps it small.
        """
        found = {
            m.id: m
            for m in (await self.client.list_messages(MessageFilter(begin=from_ts(lo), end=from_ts(hi)))).messages
        }
        for phone in sorted({row.phone for row in rows}):
            wide = MessageFilter(begin=from_ts(lo - ZONE_SLACK), end=from_ts(hi + ZONE_SLACK), phone=phone)
            for msg in (await self.client.list_messages(wide)).messages:
                found.setdefault(msg.id, msg)
        return list(found.values())

    def _exact(self, row: StoredMessage, msg: Message, lo: float, hi: float) -> bool:
        if not self._same_number_in_window(row, msg, lo, hi):
            return False
        if not row.image_path and msg.body != row.body:
            return False
        if msg.device_id is not None and row.device_id is not None and msg.device_id != row.device_id:
            return False
        if msg.slot is not None and row.slot is not None and msg.slot != row.slot:
            return False
        return (msg.customer_id or None) == (row.customer_id or None)

    @staticmethod
    def _same_number_in_window(row: StoredMessage, msg: Message, lo: float, hi: float) -> bool:
        created = to_ts(msg.created)
        if created is None or not (lo <= created <= hi):
            return False
        return phones_match(row.phone, msg.phone)

    def _resolve(self, rows: list[StoredMessage], messages: Sequence[Message], report: OutboxReport) -> None:
        """Decide each row from the lookup: attach an exact match, flag a similar one, or count
        a miss (two misses after the settle time prove absence: re-send).

        Exact matches are attached for every row first, so a message that is another row's is
        never taken as "similar" to this one; and a message that is an exact match of any other
        row still waiting for its answer (its owner, once that answer is known) is not either.
        """
        now = self.now()
        claimed = self.store.claimed_sms_ids(m.id for m in messages)
        available = [m for m in messages if m.id not in claimed and not m.incoming]
        undecided: list[StoredMessage] = []
        for row in rows:
            wide_lo, wide_hi = self._wide_window(row)
            at = self._attempt_time(row)
            # Never on time alone: number, text, device, slot, customer id, and not another
            # row's. Time only ranks identical candidates (the nearest is the likeliest).
            exact = [m for m in available if self._exact(row, m, wide_lo, wide_hi)]
            if exact:
                found = min(exact, key=lambda m: abs((to_ts(m.created) or at) - at))
                available.remove(found)
                self._attach(row, found)
                report.resolved.append(row.lid)
            else:
                undecided.append(row)
        if not undecided:
            return
        waiting = [r for r in self.store.outbox((QUEUED, SENDING, UNKNOWN)) if r.sms_id is None]
        for row in undecided:
            lo, hi = self._window(row)
            wide_lo, wide_hi = self._wide_window(row)
            at = self._attempt_time(row)
            others = [r for r in waiting if r.lid != row.lid and phones_match(r.phone, row.phone)]
            # Related enough that a re-send could be a second copy: to that number about then,
            # or with the same text at any time the zones allow; unless it is another row's.
            similar = [
                m
                for m in available
                if (
                    self._same_number_in_window(row, m, lo, hi)
                    or (
                        self._same_number_in_window(row, m, wide_lo, wide_hi) and (row.image_path or m.body == row.body)
                    )
                )
                and not any(self._exact(o, m, *self._wide_window(o)) for o in others)
            ]
            if similar:
                # Looked at again later: the message may yet turn out to be another row's.
                self.store.set_reconcile(
                    row.lid,
                    misses=row.recon_misses,
                    next_check=now + SIMILAR_RECHECK,
                    error=self._similar_text(row, similar[0]),
                )
                report.unknown.append(row.lid)
                continue
            if now < at + self.settle_seconds:
                self.store.set_reconcile(
                    row.lid,
                    misses=row.recon_misses,
                    next_check=min(now + self.recheck_seconds, at + self.settle_seconds),
                    error=row.outbox_error or CHECKING_TEXT,
                )
                continue
            misses = row.recon_misses + 1
            if misses >= 2:
                if self.store.set_outbox_states(
                    [row.lid], QUEUED, error=RESEND_TEXT, next_attempt=None, only_if=(UNKNOWN,), reset_misses=True
                ):
                    self.store.mark_resent([row.lid])  # a late original will be shown as a duplicate
                    report.resent.append(row.lid)
            else:
                self.store.set_reconcile(
                    row.lid,
                    misses=misses,
                    next_check=now + self.recheck_seconds,
                    error=row.outbox_error or CHECKING_TEXT,
                )

    def _attach(self, row: StoredMessage, msg: Message) -> None:
        log.info("outbox row %s found on the gateway as %s", row.lid, msg.id)
        self.store.attach_sms_ids([(row.lid, msg.id, msg.status)])
        self.store.upsert_messages([msg], mark_unseen=False)
        self._recheck_related(row)

    def _recheck_related(self, resolved: StoredMessage) -> None:
        """A row found its message: rows to that number flagged "similar" are decided anew."""
        for other in self.store.outbox((UNKNOWN,)):
            if other.lid != resolved.lid and other.batch is None and phones_match(other.phone, resolved.phone):
                if other.next_attempt is not None and other.next_attempt.timestamp() > self.now():
                    self.store.set_reconcile(
                        other.lid, misses=other.recon_misses, next_check=self.now(), error=other.outbox_error
                    )

    def _similar_text(self, row: StoredMessage, msg: Message) -> str:
        when = msg.created.astimezone().strftime("%Y-%m-%d %H:%M:%S") if msg.created else "about then"
        what = []
        if not row.image_path and msg.body != row.body:
            what.append("its text")
        if msg.device_id is not None and msg.device_id != row.device_id:
            what.append("the device")
        if msg.slot is not None and row.slot is not None and msg.slot != row.slot:
            what.append("the slot")
        if (msg.customer_id or None) != (row.customer_id or None):
            what.append("the customer id")
        differs = " and ".join(what) or "some details"
        return (
            f"No answer came from the gateway. It has a message to {msg.phone} from {when} "
            f"(gateway id {msg.id}) that differs in {differs}. Check whether that is this one: "
            "retry to send it again, or cancel if it was delivered."
        )

    def fold_from_sync(self, messages: Sequence[Message]) -> list[int]:
        """Attach gateway messages that are exact matches of rows awaiting reconciliation.

        Called by sync before it stores a listing, so such a message never becomes a second row.
        Bulk rows too: a job killed mid-request leaves rows SENDING whose messages a sync then
        lists; they carry the batch's unique marker as customer id, so the match is exact.
        Returns the local ids that got their sms_id.
        """
        if not messages:
            return []
        rows = [r for r in self.store.outbox((SENDING, UNKNOWN)) if r.lid not in self._in_flight and r.sms_id is None]
        resent = self.store.resent_rows(since=self.now() - DUPLICATE_HORIZON)
        if not rows and not resent:
            return []  # the usual case: nothing to compare, no query over the listing's ids
        claimed = self.store.claimed_sms_ids(m.id for m in messages)
        available = [m for m in messages if m.id not in claimed and not m.incoming]
        attached: list[int] = []
        for row in sorted(rows, key=self._attempt_time):
            lo, hi = self._window(row)
            if row.batch is not None:
                # A bulk row keeps no attempt time (its batch does): sent at any time after it
                # was written, and its marker or customer id has to match.
                lo, hi = row.created.timestamp() - self.skew_seconds - ZONE_SLACK, float("inf")
            at = self._attempt_time(row)
            exact = [m for m in available if self._exact(row, m, lo, hi)]
            if not exact:
                continue
            found = min(exact, key=lambda m: abs((to_ts(m.created) or at) - at))
            available.remove(found)
            self.store.attach_sms_ids([(row.lid, found.id, found.status)])
            self._recheck_related(row)
            attached.append(row.lid)
        if resent:
            self._flag_duplicates(available, resent)
        return attached

    def _flag_duplicates(self, messages: Sequence[Message], resent: Sequence[StoredMessage]) -> None:
        """A message that copies a row sent again after its absence was "proven" is the late
        original (or the resend arrived twice): stored and flagged, so the user sees it."""
        pairs: list[tuple[Message, StoredMessage]] = []
        for msg in messages:
            for row in resent:
                lo = row.created.timestamp() - self.skew_seconds - ZONE_SLACK
                if msg.id != row.sms_id and self._exact(row, msg, lo, float("inf")):
                    pairs.append((msg, row))
                    break
        if pairs:
            self.store.upsert_messages([m for m, _ in pairs], mark_unseen=False)
            new = self.store.mark_duplicates((m.id, row.lid) for m, row in pairs)
            if new:
                log.warning("%d message(s) on the gateway are second copies of re-sent ones", new)
