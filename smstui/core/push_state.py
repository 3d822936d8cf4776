"""Push or poll: whether the gateway's webhooks are flowing, from what the store last saw.

The receiver (``smstui webhook serve`` or the app's own, smstui.webhook) notes every accepted
webhook in the store (``Store.note_webhook``); the refresh loop and the status line both read
the last one and judge it here, so they always agree:

- ``push``: a webhook came less than ``quiet_after`` seconds ago. Polling is the safety net
  (a webhook can be lost: the vendor documents no retry), so it only stretches, to
  ``[ui] webhook_refresh_interval``; every poll still reconciles.
- ``quiet``: webhooks had been coming, none for ``quiet_after`` seconds, and messages are still
  waiting for their status: a delivery report is overdue, so smstui says so and polls at the
  normal interval.
- ``poll``: no webhook recently and nothing waiting, or the app runs a receiver that has not
  heard anything yet: plain polling.
- ``off``: no receiver configured and no webhook ever seen; nothing to say (the status line
  stays as it always was).
"""

from typing import Literal, NamedTuple

PushMode = Literal["off", "poll", "push", "quiet"]


class PushInfo(NamedTuple):
    """What the store says (smstui.core.store_watcher reads it every second)."""

    last_webhook: tuple[float, str] | None  # Store.last_webhook()
    waiting: int  # sent messages without a final status


class PushState(NamedTuple):
    mode: PushMode = "off"
    last_at: float | None = None  # epoch seconds of the last accepted webhook
    quiet_for: float = 0.0  # seconds since it, when ``quiet``


def judge_push(
    last: tuple[float, str] | None, now: float, *, quiet_after: float, pending: int, expected: bool = False
) -> PushState:
    """The push state from the store's last webhook (``Store.last_webhook()``), the time now,
    and how many sent messages still wait for a status (``pending``). ``expected``: the app runs
    a receiver of its own, so "poll" is worth saying even before the first webhook."""
    if last is None:
        return PushState("poll" if expected else "off")
    at = last[0]
    age = max(0.0, now - at)
    if age < quiet_after:
        return PushState("push", at)
    if pending > 0:
        return PushState("quiet", at, age)
    return PushState("poll", at)


__all__ = ["PushInfo", "PushMode", "PushState", "judge_push"]
