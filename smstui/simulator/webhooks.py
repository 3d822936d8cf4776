"""The gateway's pushes: the simulated phones POST webhooks to a URL (api.md "Webhooks").

With a URL set (``python -m smstui.simulator --webhook-url URL``, or
``SimulatorServer(webhook_url=...)`` / ``set_webhook_url`` in process) a background sender
POSTs, as JSON, exactly the vendor's two shapes:

- a **delivery-status** webhook at each status change of an outgoing message, 3 "queued for
  sending" included (the vendor's order 1, 3, 2, 6, then the final status; see
  smstui.simulator.state), with ``sms_id``, ``status_id``, ``status_message``, ``sendto``,
  ``senttime``, ``channel_id`` (the slot) and ``device_id``;
- an **incoming-message** webhook for each incoming message, ``type`` "text", or for a WhatsApp
  image ``type`` "img" with ``body`` "", ``internal_id`` null, ``sim`` and ``img_url``.

Like the listings (smstui.simulator.render), the payloads carry the vendor's variety, picked by
message id so runs repeat: dates as PHP DateTime objects with a zone name or an offset, or as
zone-less strings on the account's clock; ids now and then as strings; ``device_id`` a string
for the phone on the older server build. The vendor documents no retry and no order, so the
sender has seeded faults (smstui.simulator.faults.WebhookFaults): lost, sent twice, out of
order. A POST that fails is counted and not retried.

The phones' state moves only when asked (the simulator never sleeps to make time pass); the
sender asks every ``tick_seconds`` while it has nothing to send, so with the real clock
statuses are pushed as they happen. With a FakeClock, ``TestSimulator.advance`` ticks at once.

The URL is the receiver's secret: it is never logged and not in the sender's repr.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import deque
from typing import Any

import httpx

from smstui.simulator.faults import WebhookFaults
from smstui.simulator.records import Msg
from smstui.simulator.render import php_date, status_title, zoneless
from smstui.simulator.state import INCOMING, UPLOAD_MARK, SimState

log = logging.getLogger("smstui.simulator.webhooks")

_STOP = object()
_FLUSH = object()


def _date(ts: float, m: Msg, account_zone: str, legacy: bool) -> dict[str, Any] | str:
    # The same split as a listing's dates, by another residue so one message's webhook and its
    # listing row do not always agree on the form.
    if m.id % 13 == 6:
        return zoneless(ts, account_zone)
    return php_date(ts, account_zone, offset=legacy or m.id % 7 == 4)


def _number(value: int, m: Msg) -> int | str:
    return str(value) if m.id % 11 == 7 else value  # "strings for numbers", now and then


def _context(state: SimState, m: Msg) -> tuple[str, bool, str]:
    dev = state.devices.get(m.device_id)
    account = state.accounts.get(dev.owner) if dev is not None else None
    zone_name = account.timezone if account is not None else "UTC"
    return zone_name, bool(dev is not None and dev.legacy_format), dev.title if dev is not None else ""


def status_payload(state: SimState, m: Msg, status: int) -> dict[str, Any]:
    """The delivery-status webhook of ``m`` reaching ``status`` (call under the state's lock)."""
    zone_name, legacy, _title = _context(state, m)
    return {
        "sms_id": _number(m.id, m),
        "status_id": _number(status, m),
        "status_message": status_title(status),
        "sendto": m.phone,
        "senttime": None if m.senttime is None or status in (1, 2, 3) else _date(m.senttime, m, zone_name, legacy),
        "channel_id": m.sim if m.sim is not None else 0,
        "device_id": str(m.device_id) if legacy else m.device_id,
    }


def incoming_payload(state: SimState, m: Msg) -> dict[str, Any]:
    """The incoming-message webhook of ``m`` (call under the state's lock)."""
    zone_name, legacy, title = _context(state, m)
    image = m.body.startswith(UPLOAD_MARK)
    out: dict[str, Any] = {
        "address": m.phone,
        "date": _date(m.created, m, zone_name, legacy),
        "date_sent": _date(m.created - 2, m, zone_name, legacy),  # the sender's phone was a bit earlier
        "body": "" if image else m.body,
        "internal_id": None if image else m.id % 1_000_000,  # the phone's own SMS row id
        "channel_id": m.sim if m.sim is not None else 0,
        "sms_id": _number(m.id, m),
        "device_id": str(m.device_id) if legacy else m.device_id,
        "device_name": title,
        "type": "img" if image else "text",
    }
    if image:
        out["sim"] = m.sim if m.sim is not None else 2
        out["img_url"] = state.upload_url(m.body[len(UPLOAD_MARK) :])
    return out


class WebhookSender:
    """POSTs the state's webhooks to ``url`` from a thread of its own. ``start()`` / ``stop()``.

    Counters for tests and the demo: ``heard`` (webhooks the phones made), ``posted`` (POSTs
    made, duplicates included), ``answered`` (2xx), ``failed`` (no answer or not 2xx),
    ``lost``, ``duplicated``, ``reordered``; ``history`` keeps the last payloads posted with
    their HTTP status (None: no answer).
    """

    def __init__(
        self,
        state: SimState,
        url: str,
        *,
        faults: WebhookFaults | None = None,
        tick_seconds: float = 0.2,
        hold_seconds: float = 1.0,
        timeout: float = 5.0,
    ) -> None:
        self.state = state
        self._url = url
        self.faults = faults
        self.tick_seconds = tick_seconds
        self.hold_seconds = hold_seconds
        self.timeout = timeout
        self._queue: queue.Queue[Any] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._done = threading.Condition()
        self.heard = self.handled = 0
        self.posted = self.answered = self.failed = 0
        self.lost = self.duplicated = self.reordered = 0
        self.history: deque[tuple[dict[str, Any], int | None]] = deque(maxlen=2_000)

    def __repr__(self) -> str:  # no URL: its path is the receiver's secret
        return f"WebhookSender(heard={self.heard}, posted={self.posted}, running={self.running})"

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> WebhookSender:
        if self.running:
            return self
        self.state.listen(self._hear)
        self._thread = threading.Thread(target=self._run, name="smstui-simulator-webhooks", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self.state.unlisten(self._hear)
        thread, self._thread = self._thread, None
        if thread is not None:
            self._queue.put(_STOP)
            if thread is not threading.current_thread():
                thread.join(timeout)

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every webhook heard so far was posted or lost (a held one is let go now).
        True when all were."""
        self._queue.put(_FLUSH)
        deadline = time.monotonic() + timeout
        with self._done:
            while self.handled < self.heard:
                left = deadline - time.monotonic()
                if left <= 0 or not self.running:
                    return False
                self._done.wait(left)
        return True

    # ------------------------------------------------------------------ the state's side

    def _hear(self, kind: str, m: Msg, status: int) -> None:
        # Under the state's lock: build the payload now, as the message is at this step.
        payload = incoming_payload(self.state, m) if kind == "incoming" or status == INCOMING else None
        if payload is None:
            payload = status_payload(self.state, m, status)
        with self._done:
            self.heard += 1
        self._queue.put(payload)

    # ------------------------------------------------------------------ the sender's thread

    def _run(self) -> None:
        held: tuple[dict[str, Any], float] | None = None
        with httpx.Client(timeout=self.timeout) as client:
            while True:
                try:
                    item = self._queue.get(timeout=self.tick_seconds)
                except queue.Empty:
                    item = None
                if item is _STOP:
                    if held is not None:
                        self._finish(1)
                    return
                if item is None or item is _FLUSH:
                    if item is None:
                        self._tick()
                    if held is not None and (item is _FLUSH or time.monotonic() - held[1] >= self.hold_seconds):
                        self._post(client, held[0])
                        held = None
                        self._finish(1)
                    continue
                fault = self.faults.take() if self.faults is not None else None
                if fault == "lost":
                    self.lost += 1
                    self._finish(1)
                    continue
                if fault == "reorder" and held is None:
                    self.reordered += 1
                    held = (item, time.monotonic())
                    continue
                self._post(client, item)
                if fault == "duplicate":
                    self.duplicated += 1
                    self._post(client, item)
                self._finish(1)
                if held is not None:  # the one held back goes after the one that overtook it
                    self._post(client, held[0])
                    held = None
                    self._finish(1)

    def _tick(self) -> None:
        try:
            self.state.tick()
        except Exception:  # the phones' clock must not kill the sender
            log.exception("the simulator's tick failed")

    def _post(self, client: httpx.Client, payload: dict[str, Any]) -> None:
        self.posted += 1
        code: int | None = None
        try:
            response = client.post(self._url, json=payload)
            code = response.status_code
        except httpx.HTTPError as exc:
            log.info("a webhook got no answer: %s", type(exc).__name__)
        self.history.append((payload, code))
        if code is not None and 200 <= code < 300:
            self.answered += 1
        else:
            self.failed += 1

    def _finish(self, n: int) -> None:
        with self._done:
            self.handled += n
            self._done.notify_all()


__all__ = ["WebhookSender", "incoming_payload", "status_payload"]
