"""Who hears the simulated phones: a mixin of :class:`smstui.simulator.state.SimState`.

Listeners (smstui.simulator.webhooks) hear each status change and each incoming message as it
happens, under the state's lock. A change that skips steps (a clock moved far) is told step by
step, with 3 "queued for sending" before 2, as the vendor does (its order 1, 3, 2 for historical
reasons); listings never show 3: on these fake phones it lasts no time at all.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from smstui.simulator.records import Msg

# What a listener hears: ("status", message, the status it reached) or ("incoming", message, 5).
Listener = Callable[[str, Msg, int], None]

# A 1x1 PNG: the image a WhatsApp contact "sends" back.
REPLY_IMAGE = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)
QUEUED_ON_PHONE = 3


class Listeners:
    lock: threading.RLock
    _listeners: list[Listener]

    def listen(self, listener: Listener) -> None:
        """Hear every status change and incoming message from now on (called under the lock)."""
        with self.lock:
            self._listeners.append(listener)

    def unlisten(self, listener: Listener) -> None:
        with self.lock:
            if listener in self._listeners:
                self._listeners.remove(listener)

    def _tell(self, kind: str, m: Any, status: int) -> None:
        for listener in self._listeners:
            try:
                listener(kind, m, status)
            except Exception:  # a listener's bug must not stop the phones
                pass

    def _tell_steps(self, m: Any, path: tuple[int, ...], old: int, new: int) -> None:
        """Each status between ``old`` and ``new`` on ``path``, with 3 before the first 2."""
        if not self._listeners:
            return
        i = path.index(old) if old in path else 0
        j = path.index(new) if new in path else len(path) - 1
        for status in path[i + 1 : j + 1] if j > i else (new,):
            if status == 2:
                self._tell("status", m, QUEUED_ON_PHONE)
            self._tell("status", m, status)


__all__ = ["QUEUED_ON_PHONE", "REPLY_IMAGE", "Listener", "Listeners"]
