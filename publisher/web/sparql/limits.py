"""Per-client concurrency: how many queries one address may have in flight, and how many
of the pool's workers it may hold at once.

Why: the worker pool is small and shared; one client firing many heavy queries in parallel
would otherwise starve everyone else. Beyond ``limit`` queries in flight the client gets
429 + Retry-After at once. Of those, at most ``share`` run at a time: half the pool (at
least one), so other clients find workers while this one runs its maximum — even a second
misbehaving client, or while a killed worker is replaced (``benchmarks/load.py`` measured
503s for well-behaved clients with ``workers - 1``). The pool enforces the share and serves
waiting clients fairly (``pool.py``).
"""

from __future__ import annotations

import threading
from collections import Counter

from publisher.web.errors import TooManyRequests


class ClientLimiter:
    """Counts running queries per client address (thread-safe)."""

    def __init__(self, limit: int, *, workers: int) -> None:
        self.limit = limit
        #: Workers one client may hold at once: half the pool (at least one).
        self.share = max(1, min(limit, workers // 2))
        self._running: Counter[str] = Counter()
        self._lock = threading.Lock()

    def acquire(self, client: str) -> None:
        """Count one more query for ``client``, or raise 429 if it already has ``limit``."""
        with self._lock:
            if self._running[client] >= self.limit:
                raise TooManyRequests(
                    f"This address already has {self.limit} queries running; wait for one "
                    "to finish.",
                    headers={"Retry-After": "1"},
                )
            self._running[client] += 1

    def release(self, client: str) -> None:
        with self._lock:
            self._running[client] -= 1
            if self._running[client] <= 0:
                del self._running[client]

    def running(self, client: str) -> int:
        with self._lock:
            return self._running[client]
