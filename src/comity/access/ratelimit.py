"""Rate limits: a token bucket per key (a token, an address and username), thread-safe."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from comity.errors import TooManyRequestsError

__all__ = ["RateLimiter"]


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
        now = time.monotonic()
        with self._lock:
            tokens, stamp = self._buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - stamp) * self.per_second)
            if tokens < cost:
                self._buckets[key] = (tokens, now)
                wait = (cost - tokens) / self.per_second
                raise TooManyRequestsError(
                    "Too many requests.", hint=f"Wait {wait:.1f} s and try again."
                )
            self._buckets[key] = (tokens - cost, now)
