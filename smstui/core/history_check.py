"""Is the local history complete? Compare counts with the gateway's and list again what differs.

A first sync walks back in windows and later syncs list from a cursor; if any window were ever
read wrongly (a zone misread by the gateway, a lagging replica, a listing cut short), the hole
would stay forever and nothing would tell the user. So the store's count of gateway messages in a
range is compared with ``getallsms onlycount=1`` for the same range (bounds named in UTC, see
:mod:`smstui.core.gateway_time`):

* equal: the range is complete (one request for the whole history when all is well);
* the gateway has more: the range is halved until a part is at most ``MIN_RANGE`` long (or the
  request budget runs low), and that part is listed again (upserts by id are idempotent);
* the store has more: messages deleted on the gateway's side, which listing again cannot change;
  the range is reported, not retried.

Bounds are whole seconds and the gateway does not document whether they are inclusive, so a
gateway count between the store's open-range and closed-range counts is a match.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass, field

from smstui.core.api.client import GatewayClient
from smstui.core.gateway_messages import Message, MessageFilter
from smstui.core.store.database import Store
from smstui.core.store.schema import from_ts

log = logging.getLogger("smstui.core.sync")

MIN_RANGE = 3600.0  # list a differing range again once it is this short
MAX_REQUESTS = 40  # per check: a bounded cost even when much differs

Relist = Callable[[Sequence[Message]], None]


@dataclass(slots=True)
class HistoryCheck:
    """What one check compared and did; ``complete`` when every range matched in the end."""

    begin: float
    end: float
    messages: int = 0  # gateway messages the store holds in [begin, end]
    relisted: int = 0  # ranges listed again
    recovered: int = 0  # messages those listings added
    # (begin, end, in the store, on the gateway) of ranges that still differ
    differs: list[tuple[float, float, int, int]] = field(default_factory=list)
    unchecked: int = 0  # ranges left for a later check (request budget spent)
    requests: int = 0
    at: float = 0.0

    @property
    def complete(self) -> bool:
        return not self.differs and not self.unchecked

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str | None) -> HistoryCheck | None:
        try:
            data = json.loads(text or "")
            data["differs"] = [tuple(d) for d in data.get("differs", [])]
            return cls(**data)
        except (ValueError, TypeError, KeyError):
            return None

    def summary(self) -> str:
        """One sentence for ``smstui sync`` and the status line."""
        span = f"{_day(self.begin)} to {from_ts(self.end).astimezone().strftime('%Y-%m-%d %H:%M')}"
        text = f"Verified {self.messages:,} message(s) from {span} against the gateway's count"
        if self.recovered:
            text += f"; {self.recovered:,} missing message(s) listed again and stored"
        if self.unchecked:
            text += f"; {self.unchecked} range(s) left for the next check"
        if self.differs:
            extra = sum(max(0, s - g) for _, _, s, g in self.differs)
            missing = sum(max(0, g - s) for _, _, s, g in self.differs)
            parts = []
            if missing:
                parts.append(f"{missing:,} on the gateway are still missing here (checked again later)")
            if extra:
                parts.append(f"{extra:,} kept here are no longer on the gateway")
            return text + "; " + " and ".join(parts) + "."
        return text + (": complete." if self.complete else ".")


def _day(ts: float) -> str:
    return from_ts(ts).astimezone().strftime("%Y-%m-%d")


def _store_counts(store: Store, lo: float, hi: float) -> tuple[int, int]:
    # Gateway dates are whole seconds: (lo, hi) open and [lo, hi] closed.
    return store.count_created_between(lo + 1, hi - 1), store.count_created_between(lo, hi)


async def check_history(
    client: GatewayClient,
    store: Store,
    begin: float,
    end: float,
    relist: Relist,
    *,
    now: float,
    min_range: float = MIN_RANGE,
    max_requests: int = MAX_REQUESTS,
    on_request: Callable[[], Awaitable[None]] | None = None,
) -> HistoryCheck:
    """Compare [begin, end] with the gateway and list again what is missing (module docstring).

    ``relist`` stores a listing the way sync does (fold, upsert); API errors propagate, and what
    was listed again until then stays stored.
    """
    begin, end = float(int(begin)), float(int(end))
    result = HistoryCheck(begin=begin, end=end, at=now)
    todo: list[tuple[float, float]] = [(begin, end)] if end > begin else []
    while todo:
        lo, hi = todo.pop()
        if result.requests >= max_requests:
            result.unchecked += 1
            continue
        gateway = await client.count_messages(MessageFilter(begin=from_ts(lo), end=from_ts(hi)))
        result.requests += 1
        open_count, closed_count = _store_counts(store, lo, hi)
        if open_count <= gateway <= closed_count:
            continue
        if gateway < open_count:
            result.differs.append((lo, hi, open_count, gateway))
            continue
        if hi - lo > min_range and result.requests + 2 < max_requests:
            mid = float(int((lo + hi) / 2))
            todo.extend(((mid, hi), (lo, mid)))  # older half first: pop() takes the last
            continue
        listing = await client.list_messages(MessageFilter(begin=from_ts(lo), end=from_ts(hi)))
        result.requests += 1
        result.relisted += 1
        relist(listing.messages)
        after_open, after_closed = _store_counts(store, lo, hi)
        result.recovered += max(0, after_closed - closed_count)
        if not after_open <= gateway <= after_closed:
            result.differs.append((lo, hi, after_closed, gateway))
        log.info("history %s..%s: gateway %d, store %d -> %d", lo, hi, gateway, closed_count, after_closed)
    result.messages = store.count_created_between(begin, end)
    return result


__all__ = ["HistoryCheck", "MAX_REQUESTS", "MIN_RANGE", "check_history"]
