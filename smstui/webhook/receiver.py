"""The HTTP face of the webhook receiver: one unguessable path, and nothing else answers.

The endpoint is on the internet, and the vendor's webhooks carry no signature (api.md): the
path's secret is the only key. So:

- Only ``POST /<secret>`` is served, the path exactly as sent (no percent-decoding); the secret
  is compared in constant time (``hmac.compare_digest``). Every other path and method gets 404 with an empty body: no detail,
  no ``Allow`` header, the same answer whatever was almost right.
- Each source address has a token bucket (:class:`RateLimit`); an empty bucket answers 429.
  The address is the connection's, or with ``trust_proxy`` the last ``X-Forwarded-For`` entry
  (the one the proxy in front added; earlier ones are whatever the client wrote); an IPv6
  address counts by its /64.
- The body is read as a stream and capped (64 KiB by default; a webhook is a few hundred bytes):
  more answers 413 before it is all read, and one that does not arrive within 10 s 408.
- The body must be one of the two documented JSON objects (smstui.webhook.payloads); anything
  else answers 400 with a short reason naming the field, and is counted in the store.
- What a valid webhook says goes through smstui.webhook.apply; "busy" (its confirmation queue is
  full) and a store that cannot be written answer 503, so the gateway may send it again.
- Nothing raises to the client: an unexpected error is logged and answered 500 with an empty
  body. The secret appears in no log line, no repr and no answer.
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import logging
import time
import traceback
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount
from starlette.types import Receive, Scope, Send

from smstui.core.secrets import Secret
from smstui.core.store.connection import StoreError
from smstui.webhook.apply import Applier
from smstui.webhook.payloads import Rejected, parse_body

log = logging.getLogger("smstui.webhook")

MAX_BODY = 64 * 1024
BODY_TIMEOUT = 10.0  # seconds to send a body of a few hundred bytes: a slow one holds a connection
SecretSource = str | Secret | Callable[[], str]


@dataclass(slots=True)
class RateLimit:
    """``rate`` requests a second per source, in bursts of up to ``burst``. The gateway posts
    one webhook per status change; a bulk send of thousands makes bursts, hence the headroom."""

    rate: float = 50.0
    burst: float = 200.0
    max_sources: int = 10_000  # oldest forgotten first: a spray of addresses cannot grow memory


@dataclass(slots=True)
class Counters:
    """What the receiver answered since it started (the store keeps the lasting counts)."""

    accepted: int = 0
    rejected: int = 0
    not_found: int = 0
    too_large: int = 0
    too_slow: int = 0
    limited: int = 0
    busy: int = 0
    errors: int = 0

    def total(self) -> int:
        return (
            sum((self.accepted, self.rejected, self.not_found, self.too_large, self.too_slow, self.limited, self.busy))
            + self.errors
        )


@dataclass(slots=True)
class _Buckets:
    limit: RateLimit
    clock: Callable[[], float]
    levels: OrderedDict[str, tuple[float, float]] = field(default_factory=OrderedDict)

    def take(self, source: str) -> bool:
        now = self.clock()
        level, at = self.levels.pop(source, (self.limit.burst, now))
        level = min(self.limit.burst, level + (now - at) * self.limit.rate)
        allowed = level >= 1.0
        self.levels[source] = (level - 1.0 if allowed else level, now)
        while len(self.levels) > self.limit.max_sources:
            self.levels.popitem(last=False)
        return allowed


class _Receiver:
    """The ASGI handler behind the Starlette app (a class, so nothing prints its secret)."""

    def __init__(
        self,
        applier: Applier,
        secret: SecretSource,
        *,
        trust_proxy: bool,
        max_body: int,
        rate_limit: RateLimit,
        clock: Callable[[], float],
        body_timeout: float = BODY_TIMEOUT,
    ) -> None:
        self.applier = applier
        self._secret = secret
        self.trust_proxy = trust_proxy
        self.max_body = max_body
        self.body_timeout = body_timeout
        self.buckets = _Buckets(rate_limit, clock)
        self.counters = Counters()

    def __repr__(self) -> str:
        return f"WebhookReceiver(trust_proxy={self.trust_proxy}, max_body={self.max_body})"

    def _current(self) -> str:
        source = self._secret
        return source() if callable(source) else source.reveal() if isinstance(source, Secret) else source

    def _redacted(self, exc: BaseException) -> str:
        """The traceback, with the secret blanked wherever it shows (an error's words may quote
        the path it was handling)."""
        text = "".join(traceback.format_exception(exc))
        secret = self._current()
        return text.replace(secret, "<secret>") if secret else text

    def _path_ok(self, scope: Scope) -> bool:
        secret = self._current()
        if not secret:
            return False
        # The path as it came on the wire: ``/%73ecret`` is not the secret, whatever it decodes
        # to (one spelling of the door, no normalisation to reason about). Some servers leave
        # the query string on raw_path, against the ASGI spec.
        raw = scope.get("raw_path")
        path = (
            raw.split(b"?", 1)[0] if isinstance(raw, bytes) else str(scope.get("path", "")).encode("utf-8", "replace")
        )
        return hmac.compare_digest(path, f"/{secret}".encode())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008})
            return
        try:
            response = await self._answer(Request(scope, receive))
        except ClientDisconnect:
            return  # nobody to answer
        except Exception as exc:
            self.counters.errors += 1
            log.error("the webhook receiver failed on a request:\n%s", self._redacted(exc))
            response = Response(status_code=500)
        await response(scope, receive, send)

    async def _answer(self, request: Request) -> Response:
        source = self._source(request)
        if not self.buckets.take(source):
            self.counters.limited += 1
            return Response(status_code=429, headers={"Retry-After": "1"})
        if request.method != "POST" or not self._path_ok(request.scope):
            self.counters.not_found += 1
            return Response(status_code=404)
        try:
            async with asyncio.timeout(self.body_timeout):
                raw = await self._body(request)
        except TimeoutError:
            self.counters.too_slow += 1
            log.info("webhook from %s refused: its body did not arrive within %g s", source, self.body_timeout)
            return Response(status_code=408)
        if raw is None:
            self.counters.too_large += 1
            log.info("webhook from %s refused: the body is larger than %d bytes", source, self.max_body)
            return Response(status_code=413)
        now = datetime.fromtimestamp(self.applier.clock(), UTC)
        payload = parse_body(raw, self.applier.account_zone(), now=now)
        try:
            if isinstance(payload, Rejected):
                self.counters.rejected += 1
                log.info("webhook from %s rejected: %s", source, payload.reason)  # never the body
                await self.applier.note_rejected()
                return JSONResponse({"ok": False, "error": payload.reason}, status_code=400)
            applied = await self.applier.apply(payload)
        except StoreError as exc:
            self.counters.busy += 1
            log.warning("webhook from %s not stored: %s", source, exc)
            return Response(status_code=503, headers={"Retry-After": "5"})
        if applied.outcome == "busy":
            self.counters.busy += 1
            return JSONResponse({"ok": False, "error": "busy"}, status_code=503, headers={"Retry-After": "5"})
        self.counters.accepted += 1
        return JSONResponse({"ok": True})

    async def _body(self, request: Request) -> bytes | None:
        """The body, or None when it is over the cap (said by Content-Length or found reading)."""
        declared = request.headers.get("content-length")
        if declared is not None:
            try:
                if int(declared) > self.max_body:
                    return None
            except ValueError:
                pass  # a broken header: the stream's own length decides
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > self.max_body:
                return None
            chunks.append(chunk)
        return b"".join(chunks)

    def _source(self, request: Request) -> str:
        """Whose bucket a request spends: the caller's address; an IPv6 one by its /64, which
        one subscriber usually has whole (one bucket per address would be one per attempt)."""
        address = ""
        if self.trust_proxy:
            address = request.headers.get("x-forwarded-for", "").rsplit(",", 1)[-1].strip()[:100]
        if not address:
            client = request.client
            address = client.host if client is not None else "unknown"
        if ":" in address:
            try:
                return str(ipaddress.IPv6Network(f"{address}/64", strict=False))
            except ValueError:
                pass
        return address


def create_app(
    applier: Applier,
    secret: SecretSource,
    *,
    trust_proxy: bool = False,
    max_body: int = MAX_BODY,
    rate_limit: RateLimit | None = None,
    clock: Callable[[], float] = time.monotonic,
    body_timeout: float = BODY_TIMEOUT,
) -> Starlette:
    """The receiver as an ASGI app. ``secret`` is the path's secret, or a function returning the
    current one (``smstui webhook rotate`` may replace it while the receiver runs).
    ``app.state.receiver.counters`` says what it answered."""
    receiver = _Receiver(
        applier,
        secret,
        trust_proxy=trust_proxy,
        max_body=max_body,
        rate_limit=rate_limit or RateLimit(),
        clock=clock,
        body_timeout=body_timeout,
    )

    async def failed(request: Request, exc: Exception) -> Response:  # only if a bug slipped past
        return Response(status_code=500)

    handlers: Any = {Exception: failed}
    app = Starlette(routes=[Mount("", app=receiver)], exception_handlers=handlers)
    # A path the mount cannot match (``*``, no leading slash) reaches the receiver too, which
    # answers it 404 like any other: the router's own "Not Found" text and its slash redirects
    # would be answers of their own.
    app.router.default = receiver
    app.router.redirect_slashes = False
    app.state.receiver = receiver
    return app


__all__ = ["MAX_BODY", "Counters", "RateLimit", "create_app"]
