"""Every server process's query workers and how many are busy, in shared memory.

With several server processes (``serve --processes N``) each owns its own worker pool, so
a query goes from the request's thread straight to a worker. ``/healthz`` is answered by
whichever process accepts the connection, and must still report the whole server's
workers: each pool publishes its pids and busy count into its own row here (under its
lock, as they change), and any process reads every row without asking the others.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class PoolStats:
    """``processes`` rows of ``size`` worker pids and one busy count each."""

    def __init__(self, processes: int, size: int, ctx: Any) -> None:
        self.size = size
        self._pids: Any = ctx.Array("q", processes * size, lock=False)
        self._busy: Any = ctx.Array("i", processes, lock=False)

    def observer(self, index: int) -> Callable[[list[int], int], None]:
        """What server process ``index``'s pool calls whenever a worker comes, goes or is
        taken (``WorkerPool.observer``)."""

        def publish(pids: list[int], busy: int) -> None:
            start = index * self.size
            for offset in range(self.size):
                self._pids[start + offset] = pids[offset] if offset < len(pids) else 0
            self._busy[index] = busy

        return publish

    def forget(self, index: int) -> None:
        """Server process ``index`` has died: its workers exit with it (they watch their
        parent), so they are no longer counted; its successor publishes its own."""
        self.observer(index)([], 0)

    def pids(self) -> list[int]:
        return [pid for pid in self._pids[:] if pid]

    @property
    def up(self) -> int:
        """The server's workers that are up, over every process (``/healthz``)."""
        return len(self.pids())

    @property
    def busy(self) -> int:
        return sum(self._busy[:])
