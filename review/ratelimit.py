"""A per-key sliding-window rate limiter (in memory, thread-safe) for the public pages.

Each key (a client IP) keeps the times of its last `limit` admitted requests; a request is
admitted when the oldest of them is older than the window. Memory is bounded: idle keys are
dropped, and past `max_keys` the least recently seen key goes first. One process only: with
several app workers each keeps its own count (the limit then applies per worker).
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after: int = 0  # whole seconds until the next request would be admitted


class RateLimiter:
    def __init__(
        self,
        limit: int,
        window_s: float,
        *,
        max_keys: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if limit < 1 or window_s <= 0:
            raise ValueError("a rate limit needs limit >= 1 and a positive window")
        self.limit, self.window_s, self.max_keys = limit, window_s, max_keys
        self._clock = clock
        self._lock = threading.Lock()
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()

    def hit(self, key: str) -> Decision:
        """Count one request of `key`, or refuse it with the seconds to wait."""
        now = self._clock()
        with self._lock:
            hits = self._hits.get(key)
            if hits is None:
                self._bound(now, room_for=1)
                hits = self._hits[key] = deque(maxlen=self.limit)
            self._hits.move_to_end(key)
            if len(hits) == self.limit and now - hits[0] < self.window_s:
                return Decision(False, max(1, math.ceil(hits[0] + self.window_s - now)))
            hits.append(now)
            return Decision(True)

    def _bound(self, now: float, room_for: int) -> None:
        """Forget idle keys (least recently seen first), and the least recent ones beyond
        `max_keys` once `room_for` more are added."""
        while self._hits:
            key, hits = next(iter(self._hits.items()))
            idle = not hits or now - hits[-1] >= self.window_s
            if not idle and len(self._hits) + room_for <= self.max_keys:
                return
            del self._hits[key]

    def __len__(self) -> int:
        with self._lock:
            return len(self._hits)
