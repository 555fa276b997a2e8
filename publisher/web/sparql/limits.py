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

from publisher.web.addresses import QUERIES, AddressCounts
from publisher.web.errors import TooManyRequests


class ClientLimiter:
    """Counts running queries per client address (thread-safe; with several server
    processes, in the table they share: ``addresses.py``)."""

    def __init__(self, limit: int, *, workers: int, addresses: AddressCounts | None = None) -> None:
        self.limit = limit
        #: Workers one client may hold at once: half the pool (at least one).
        self.share = max(1, min(limit, workers // 2))
        self._addresses = addresses if addresses is not None else AddressCounts()

    def acquire(self, client: str) -> None:
        """Count one more query for ``client``, or raise 429 if it already has ``limit``."""
        if not self._addresses.take(QUERIES, client, self.limit):
            raise TooManyRequests(
                f"This address already has {self.limit} queries running; wait for one to finish.",
                headers={"Retry-After": "1"},
            )

    def release(self, client: str) -> None:
        self._addresses.give_back(QUERIES, client)

    def running(self, client: str) -> int:
        return self._addresses.count(QUERIES, client)
