"""One rule for every ambiguous send, single (outbox) or bulk: when does "not found on the
gateway" prove that a request whose answer was lost did not arrive?

Only once the request can no longer be in flight: the client gives up after its own ``timeout``,
yet the gateway (or a proxy before it) may still be working on the request then, so absence is
proven only after ``timeout + margin`` seconds from the moment the request went out. The margin is
the profile's ``settle_margin`` (default :data:`DEFAULT_MARGIN`; raise it for a slow gateway), and
the limit is derived from the timeout, so it can never be shorter than the timeout itself: a
bulk settle of 15 s under a 20 s timeout once re-sent batches that were still being processed.

Finding the message needs no wait: a lookup that finds it ends the question at once. Only a
lookup that finds nothing has to wait for the limit (and, for single sends, be repeated once:
see :mod:`smstui.core.reconcile`). A request processed even later than that is caught afterwards as a
duplicate, never silently.
"""

from __future__ import annotations

DEFAULT_MARGIN = 60.0


def in_flight_limit(timeout: float, margin: float | None = None) -> float:
    """Seconds after a request went out before a lookup that finds nothing proves absence."""
    extra = DEFAULT_MARGIN if margin is None else max(0.0, float(margin))
    return max(0.0, float(timeout)) + extra


__all__ = ["DEFAULT_MARGIN", "in_flight_limit"]
