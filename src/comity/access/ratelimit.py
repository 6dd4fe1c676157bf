"""Rate limits: a token bucket per key (a token, an account, an address), thread-safe."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from comity.errors import TooManyRequestsError

__all__ = ["RateLimiter"]

_MAX_KEYS = 50_000
"""Buckets kept before the full ones are forgotten (a full bucket is the same as none)."""


@dataclass
class RateLimiter:
    """A token bucket per key: ``burst`` requests at once, refilled at ``per_second``.

    Args:
        burst: Requests allowed at once.
        per_second: Requests added back each second.
    """

    burst: float = 600.0
    per_second: float = 20.0
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def check(self, key: str, cost: float = 1.0) -> None:
        """Spend ``cost`` from the key's bucket.

        Raises:
            TooManyRequestsError: When the bucket is empty.
        """
        self.check_all([key], cost)

    def check_all(
        self, keys: Sequence[str], cost: float = 1.0, message: str = "Too many requests."
    ) -> None:
        """Spend ``cost`` from each key's bucket, or from none when any of them is empty.

        Sign-ins are counted per account and per address at once: a new address per attempt
        does not escape the account's limit, nor a new username per attempt the address's.

        Raises:
            TooManyRequestsError: With ``message``, when a bucket is empty; its hint says how
                long to wait.
        """
        now = time.monotonic()
        with self._lock:
            if len(self._buckets) > _MAX_KEYS:
                self._forget_full(now)
            levels = {key: self._level(key, now) for key in keys}
            short = [cost - tokens for tokens in levels.values() if tokens < cost]
            if short:
                for key, tokens in levels.items():
                    self._buckets[key] = (tokens, now)
                wait = max(short) / self.per_second
                raise TooManyRequestsError(message, hint=f"Wait {wait:.1f} s and try again.")
            for key, tokens in levels.items():
                self._buckets[key] = (tokens - cost, now)

    def _level(self, key: str, now: float) -> float:
        tokens, stamp = self._buckets.get(key, (self.burst, now))
        return min(self.burst, tokens + (now - stamp) * self.per_second)

    def _forget_full(self, now: float) -> None:
        # Keys are chosen by callers (any username): drop those refilled, so memory stays bound.
        full = [key for key in self._buckets if self._level(key, now) >= self.burst]
        for key in full:
            del self._buckets[key]
