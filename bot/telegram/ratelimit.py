"""A per-user limit of requests a minute (a sliding window), kept in memory."""

from __future__ import annotations

import time
from collections import defaultdict, deque


class RateLimiter:
    """Sliding one-minute window per user. ``allow`` returns (allowed, first_refusal_in_window)."""

    def __init__(self, per_minute: int):
        self.per_minute = per_minute
        self._hits: dict[int, deque[float]] = defaultdict(deque)
        self._warned: dict[int, float] = {}

    def allow(self, user_id: int, now: float | None = None) -> tuple[bool, bool]:
        now = time.monotonic() if now is None else now
        hits = self._hits[user_id]
        while hits and now - hits[0] >= 60.0:
            hits.popleft()
        if len(hits) < self.per_minute:
            hits.append(now)
            self._warned.pop(user_id, None)
            return True, False
        first = user_id not in self._warned or now - self._warned[user_id] >= 60.0
        if first:
            self._warned[user_id] = now
        return False, first
