"""Request counters for tests and benchmarks: how many calls per method, how many bytes back."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any


class Stats:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests: Counter[str] = Counter()
        self.response_bytes: Counter[str] = Counter()

    def record(self, method: str, nbytes: int) -> None:
        with self._lock:
            self.requests[method] += 1
            self.response_bytes[method] += nbytes

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self.response_bytes.clear()

    @property
    def total_requests(self) -> int:
        with self._lock:
            return sum(self.requests.values())

    @property
    def total_bytes(self) -> int:
        with self._lock:
            return sum(self.response_bytes.values())

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "requests": dict(self.requests),
                "response_bytes": dict(self.response_bytes),
                "total_requests": sum(self.requests.values()),
                "total_bytes": sum(self.response_bytes.values()),
            }

    def __repr__(self) -> str:
        return f"Stats({dict(self.requests)})"
