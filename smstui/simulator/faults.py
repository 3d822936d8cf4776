"""Fault switches: make the next requests fail the ways the real service and networks do.

Set them in-process (``sim.faults.set("http500", methods={"addsms"}, count=1)``) or over HTTP
(``POST /_admin/faults`` with the same fields as JSON). Each fault may be limited to some methods
and to the next ``count`` matching requests; it is consumed as requests arrive.

Kinds:
  latency         wait ``seconds`` before answering (combines with any other fault)
  http500         HTTP 500, plain text
  html502         HTTP 502 with an HTML error page (a proxy in front of the service)
  malformed_json  HTTP 200 with a truncated JSON body
  empty_body      HTTP 200 with no body at all
  drop            the connection closes before a complete response; nothing is processed
  response_lost   the request IS processed (state changes), then the connection closes
  expire_tokens   every token issued so far becomes invalid ("Wrong token"); default count 1
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from smstui.simulator.handlers import canonical

KINDS = (
    "latency",
    "http500",
    "html502",
    "malformed_json",
    "empty_body",
    "drop",
    "response_lost",
    "expire_tokens",
)
# When several apply to one request, the first in this order decides the response.
TERMINAL_ORDER = ("drop", "response_lost", "http500", "html502", "malformed_json", "empty_body")


@dataclass(slots=True)
class Fault:
    kind: str
    methods: frozenset[str] | None = None
    remaining: int | None = None  # None: until cleared
    seconds: float = 0.0

    def applies_to(self, method: str) -> bool:
        return self.methods is None or method in self.methods

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "methods": sorted(self.methods) if self.methods is not None else None,
            "count": self.remaining,
            "seconds": self.seconds,
        }


@dataclass(frozen=True, slots=True)
class Triggered:
    """What the faults say about one request."""

    latency: float = 0.0
    expire_tokens: bool = False
    terminal: str | None = None


class Faults:
    def __init__(self) -> None:
        self._faults: dict[str, Fault] = {}
        self._lock = threading.Lock()

    def set(
        self,
        kind: str,
        *,
        methods: Iterable[str] | str | None = None,
        count: int | None = None,
        seconds: float = 0.0,
    ) -> Fault:
        """Switch a fault on (replacing one of the same kind)."""
        if kind not in KINDS:
            raise ValueError(f"unknown fault {kind!r}: use one of {', '.join(KINDS)}")
        if count is not None and count < 1:
            raise ValueError("count must be at least 1 (or None for 'until cleared')")
        if kind == "latency" and seconds <= 0:
            raise ValueError("latency needs seconds > 0")
        if kind == "expire_tokens" and count is None:
            count = 1  # expiring on every request would also kill the fresh token
        if isinstance(methods, str):
            methods = [methods]
        method_set = None if methods is None else frozenset(canonical(m) for m in methods)
        fault = Fault(kind, method_set, count, float(seconds))
        with self._lock:
            self._faults[kind] = fault
        return fault

    def clear(self, kind: str | None = None) -> None:
        with self._lock:
            if kind is None:
                self._faults.clear()
            else:
                self._faults.pop(kind, None)

    def active(self) -> list[dict[str, Any]]:
        with self._lock:
            return [f.as_dict() for f in self._faults.values()]

    def __bool__(self) -> bool:
        with self._lock:
            return bool(self._faults)

    def take(self, method: str) -> Triggered:
        """Consume the faults that apply to one request of ``method``."""
        method = canonical(method)
        with self._lock:
            hits = [f for f in self._faults.values() if f.applies_to(method)]
            for f in hits:
                if f.remaining is not None:
                    f.remaining -= 1
                    if f.remaining <= 0:
                        del self._faults[f.kind]
        kinds = {f.kind: f for f in hits}
        terminal = next((k for k in TERMINAL_ORDER if k in kinds), None)
        latency = kinds["latency"].seconds if "latency" in kinds else 0.0
        return Triggered(latency=latency, expire_tokens="expire_tokens" in kinds, terminal=terminal)

    def apply_json(self, payload: Any) -> None:
        """The admin endpoint's body: one fault object, a list, or {"clear": true|kind}."""
        items = payload if isinstance(payload, list) else [payload]
        for item in items:
            if not isinstance(item, dict):
                raise ValueError("each fault must be a JSON object")
            if "clear" in item:
                clear = item["clear"]
                self.clear(None if clear is True else str(clear))
                continue
            if "kind" not in item:
                raise ValueError("a fault needs a 'kind'")
            count = item.get("count")
            self.set(
                str(item["kind"]),
                methods=item.get("methods"),
                count=None if count is None else int(count),
                seconds=float(item.get("seconds") or 0.0),
            )


# ---- webhooks -------------------------------------------------------------------------------
# What happens to the gateway's pushes on their way (the vendor documents no retry, no order):
#   lost       never sent
#   duplicate  sent twice
#   reorder    held back and sent after the next one (or after a second, if none follows)
WEBHOOK_KINDS = ("lost", "duplicate", "reorder")


class WebhookFaults:
    """Seeded random faults for the simulator's webhooks, plus forced ones for tests.

    ``WebhookFaults(seed=7, lost=0.05, duplicate=0.1, reorder=0.1)`` draws one number per
    webhook from its own generator, so a seed gives the same faults run after run;
    ``force("lost", count=1)`` makes the next webhook(s) meet that fault whatever the rates say.
    """

    def __init__(self, *, seed: int = 0, lost: float = 0.0, duplicate: float = 0.0, reorder: float = 0.0) -> None:
        import random

        rates = {"lost": lost, "duplicate": duplicate, "reorder": reorder}
        for kind, rate in rates.items():
            if not 0.0 <= rate <= 1.0:
                raise ValueError(f"the {kind} rate must be between 0 and 1")
        if sum(rates.values()) > 1.0:
            raise ValueError("the webhook fault rates add up to more than 1")
        self.rates = rates
        self._rng = random.Random(seed)
        self._forced: list[str] = []
        self._lock = threading.Lock()

    def force(self, kind: str, count: int = 1) -> None:
        if kind not in WEBHOOK_KINDS:
            raise ValueError(f"unknown webhook fault {kind!r}: use one of {', '.join(WEBHOOK_KINDS)}")
        with self._lock:
            self._forced.extend([kind] * count)

    def take(self) -> str | None:
        """The fault the next webhook meets, or None."""
        with self._lock:
            if self._forced:
                return self._forced.pop(0)
            draw = self._rng.random()
        for kind in WEBHOOK_KINDS:
            rate = self.rates[kind]
            if draw < rate:
                return kind
            draw -= rate
        return None
